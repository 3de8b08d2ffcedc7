package acd

import (
	"math"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/kpi"
)

// GenBits is how many bits of a call's generation a clock must keep with a
// reference to the call (the simulator packs them into its events).
const GenBits = 24

// GenMask masks a generation to GenBits.
const GenMask = 1<<GenBits - 1

// Call is a caller in the center. Slots are recycled; Gen tells a live call
// from stale references to an earlier call in the same slot.
type Call[P any] struct {
	Arrive  float64
	Q       int32
	Cell    int32 // reporting cell of the arrival, or -1 outside the window
	Gen     uint32
	Waiting bool
	P       P // what the clock keeps per call
}

type entry struct {
	idx int32
	gen uint32
}

type queueState struct {
	fifo       fifo[entry]
	length     int // callers waiting now
	lastChange float64
}

type agentState struct {
	group int32
	start float64 // since when it is busy
}

// ACD routes the calls of one run of a center. Its zero value is unusable:
// call Init. Agents are numbered by center.Group.FirstAgent.
type ACD[P any] struct {
	C *center.Center
	T *kpi.Tally
	// Calls are the call slots; a slot handed out by Arrive is the
	// clock's until it calls Free.
	Calls []Call[P]
	free  []int32

	queues  []queueState
	idle    []fifo[int32] // per group, longest idle first
	offDuty [][]int32     // per group, agents not on duty
	onDuty  []int         // per group, agents on duty, busy or idle
	leaving []int         // per group, busy agents to go off duty after their call
	agents  []agentState
	total   int // callers waiting in all queues now
}

// Init prepares a to route the calls of c into tally t, with every agent
// off duty (SetStaff brings them on).
func (a *ACD[P]) Init(c *center.Center, t *kpi.Tally) {
	*a = ACD[P]{
		C:       c,
		T:       t,
		queues:  make([]queueState, len(c.Queues)),
		idle:    make([]fifo[int32], len(c.Groups)),
		offDuty: make([][]int32, len(c.Groups)),
		onDuty:  make([]int, len(c.Groups)),
		leaving: make([]int, len(c.Groups)),
		agents:  make([]agentState, c.NAgents),
	}
	for gi, g := range c.Groups {
		a.idle[gi].buf = make([]int32, max(g.Peak, 1))
		for ag := g.FirstAgent + g.Peak - 1; ag >= g.FirstAgent; ag-- {
			a.agents[ag] = agentState{group: int32(gi)}
			a.offDuty[gi] = append(a.offDuty[gi], int32(ag))
		}
	}
}

func (a *ACD[P]) alloc() int32 {
	if n := len(a.free); n > 0 {
		i := a.free[n-1]
		a.free = a.free[:n-1]
		return i
	}
	a.Calls = append(a.Calls, Call[P]{})
	return int32(len(a.Calls) - 1)
}

// Free recycles call slot ci once the clock is done with it.
func (a *ACD[P]) Free(ci int32) {
	c := &a.Calls[ci]
	c.Gen++
	c.Waiting = false
	a.free = append(a.free, ci)
}

// Live reports whether slot ci still holds the call of generation gen
// (masked to GenBits) and that call is waiting.
func (a *ACD[P]) Live(ci int32, gen uint32) bool {
	c := &a.Calls[ci]
	return c.Gen&GenMask == gen&GenMask && c.Waiting
}

// Arrive brings a call into queue q at time now; cell is its reporting
// cell (or -1) and p what the clock keeps with it. It returns the call's
// slot and the agent that takes it at once, or -1 when the call waits.
func (a *ACD[P]) Arrive(q int, now float64, cell int32, p P) (ci, ag int32) {
	ci = a.alloc()
	c := &a.Calls[ci]
	c.Arrive, c.Q, c.Cell, c.P = now, int32(q), cell, p

	// The first group on the route with no overflow delay and an idle agent
	// takes the call at once.
	for _, st := range a.C.Queues[q].Route {
		if st.After > 0 {
			break
		}
		if a.idle[st.Group].size > 0 {
			ag = a.idle[st.Group].pop()
			a.agents[ag].start = now
			return ci, ag
		}
	}

	// Wait.
	c.Waiting = true
	qs := &a.queues[q]
	a.T.Area(q, qs.lastChange, now, qs.length)
	qs.lastChange = now
	qs.length++
	a.total++
	if cell >= 0 {
		a.T.QueueLength(cell, q, qs.length, a.total)
	}
	qs.fifo.push(entry{idx: ci, gen: c.Gen})
	return ci, -1
}

// leave takes a waiting call out of its queue's length count; its FIFO
// entry goes stale and is skipped later.
func (a *ACD[P]) leave(c *Call[P], now float64) {
	qs := &a.queues[c.Q]
	a.T.Area(int(c.Q), qs.lastChange, now, qs.length)
	qs.lastChange = now
	qs.length--
	a.total--
	c.Waiting = false
}

// Eligible: waiting call ci (of generation gen) has waited long enough for
// step s of its route. It returns the agent of that step's group that takes
// it now, or -1 (none idle, or the call is no longer waiting).
func (a *ACD[P]) Eligible(ci int32, gen uint32, s int, now float64) int32 {
	if !a.Live(ci, gen) {
		return -1
	}
	c := &a.Calls[ci]
	g := a.C.Queues[c.Q].Route[s].Group
	if a.idle[g].size == 0 {
		return -1
	}
	// No older call of this queue can be waiting for this group: it would
	// have become eligible earlier and taken the idle agent.
	ag := a.idle[g].pop()
	a.agents[ag].start = now
	a.leave(c, now)
	return ag
}

// Abandon: waiting call ci (of generation gen) hangs up at now. It reports
// false when the call was no longer waiting. The slot stays the clock's
// (Free it).
func (a *ACD[P]) Abandon(ci int32, gen uint32, now float64) bool {
	if !a.Live(ci, gen) {
		return false
	}
	a.leave(&a.Calls[ci], now)
	return true
}

// Done: agent ag is free at now (its talk and wrap-up are over). Its busy
// time is tallied; it goes off duty if its group's headcount fell, else it
// takes the next call, whose slot Done returns (-1: the agent idles or left).
func (a *ACD[P]) Done(ag int32, now float64) int32 {
	st := &a.agents[ag]
	g := int(st.group)
	a.T.Busy(g, st.start, now)
	if a.leaving[g] > 0 {
		a.leaving[g]--
		a.onDuty[g]--
		a.offDuty[g] = append(a.offDuty[g], ag)
		return -1
	}
	return a.next(g, ag, now)
}

// next gives the free agent ag of group g the oldest eligible call of the
// highest-priority queue it serves, or makes it idle.
func (a *ACD[P]) next(g int, ag int32, now float64) int32 {
	best, bestQ := int32(-1), -1
	bestPrio, bestArrive := 0, math.Inf(1)
	for _, s := range a.C.Groups[g].Serves {
		if best >= 0 && s.Priority < bestPrio {
			break
		}
		qs := &a.queues[s.Q]
		for qs.fifo.size > 0 {
			e := qs.fifo.front()
			c := &a.Calls[e.idx]
			if c.Gen != e.gen || !c.Waiting {
				qs.fifo.pop()
				continue
			}
			if now >= c.Arrive+s.After && c.Arrive < bestArrive {
				best, bestQ, bestPrio, bestArrive = e.idx, s.Q, s.Priority, c.Arrive
			}
			break
		}
	}
	if best < 0 {
		a.idle[g].push(ag)
		return -1
	}
	a.queues[bestQ].fifo.pop()
	a.agents[ag].start = now
	a.leave(&a.Calls[best], now)
	return best
}

// SetStaff makes want agents of group g available at now: agents come on
// duty and take waiting calls (serve is called with each call's slot and
// its agent), or go off duty, idle ones at once (longest idle first) and
// busy ones when their call is over.
func (a *ACD[P]) SetStaff(g, want int, now float64, serve func(ci, ag int32)) {
	for a.onDuty[g] > want && a.idle[g].size > 0 {
		a.offDuty[g] = append(a.offDuty[g], a.idle[g].pop())
		a.onDuty[g]--
	}
	a.leaving[g] = max(0, a.onDuty[g]-want)
	for a.onDuty[g] < want && len(a.offDuty[g]) > 0 {
		n := len(a.offDuty[g]) - 1
		ag := a.offDuty[g][n]
		a.offDuty[g] = a.offDuty[g][:n]
		a.onDuty[g]++
		if ci := a.next(g, ag, now); ci >= 0 {
			serve(ci, ag)
		}
	}
}

// Close adds every queue's length up to t to the tally and calls f with
// each call still waiting (no agent will take it).
func (a *ACD[P]) Close(t float64, f func(ci int32)) {
	for q := range a.queues {
		qs := &a.queues[q]
		a.T.Area(q, qs.lastChange, t, qs.length)
		qs.lastChange = t
		for qs.fifo.size > 0 {
			e := qs.fifo.pop()
			if c := &a.Calls[e.idx]; c.Gen == e.gen && c.Waiting && f != nil {
				f(e.idx)
			}
		}
	}
}

// QueueLength is the number of callers waiting in queue q.
func (a *ACD[P]) QueueLength(q int) int { return a.queues[q].length }

// Waiting is the number of callers waiting in all queues.
func (a *ACD[P]) Waiting() int { return a.total }

// OnDuty is the number of group g's agents on duty (busy or idle), less
// those due to leave after their call.
func (a *ACD[P]) OnDuty(g int) int { return a.onDuty[g] - a.leaving[g] }

// Idle is the number of group g's idle agents.
func (a *ACD[P]) Idle(g int) int { return a.idle[g].size }

// Group is the group of agent ag.
func (a *ACD[P]) Group(ag int32) int { return int(a.agents[ag].group) }

// BusySince is when agent ag's current call began (meaningful while busy).
func (a *ACD[P]) BusySince(ag int32) float64 { return a.agents[ag].start }

// Pending adds to tally p every queue's length from its last change up to
// now, without changing a: with the busy time of the agents still busy
// (BusySince), the figures so far of a clock that is still running.
func (a *ACD[P]) Pending(now float64, p *kpi.Tally) {
	for q := range a.queues {
		qs := &a.queues[q]
		p.Area(q, qs.lastChange, now, qs.length)
	}
}
