package sipcenter

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/callsim/callsim/center"
	routing "github.com/callsim/callsim/center/acd"
	"github.com/callsim/callsim/center/kpi"
)

// The SIP center is the wall clock over the one center core: routing is
// package center/acd's (the simulator's own policy), counts and sums are a
// center/kpi tally, and the calls' needs come from center.Streams (one
// stream per queue and purpose, drawn when a call enters a queue) or from a
// trace (Config.Trace). Scenario time is ClockStart + wall time x
// TimeScale, in seconds; every figure below is in scenario time.

// agent is one agent of the center, as the SIP side sees it.
type agent struct {
	id    int32
	group int
	busy  bool  // taking a call or wrapping up
	call  *call // the call it talks to (nil while wrapping up)
}

// route is what the center core keeps of a call: its slot while it waits
// (and the slot's generation), when it entered its queue and when an agent
// took it (scenario seconds), and its needs.
type route struct {
	slot       int32
	gen        uint32
	arrivedAt  float64
	assignedAt float64
	needs      center.Needs
	// gaveUp is closed when a handed-on call's patience runs out while it
	// waits in the transfer_to queue (handOn); abandoned says the center
	// counted its abandonment then.
	gaveUp    chan struct{}
	abandoned bool
}

// admission is the outcome of offering a call to the center.
type admission int

const (
	admitted     admission = iota
	noTrunk                // 503 with Retry-After
	shuttingDown           // 503
	unknownQueue           // 404
	queueClosed            // 480
)

// sipQueue holds what the SIP side counts of a queue beyond the tally.
type sipQueue struct {
	within                         float64 // service-level threshold, scenario seconds
	rejected, closed, waitingAtEnd uint64
	completed                      uint64
	transferredOut                 uint64        // calls handed on (the tally counts those an agent decided to transfer)
	talkSum                        time.Duration // wall time talked, as measured on the wire
	traceNext                      int           // next trace entry of the queue
}

// acd is the automatic call distributor of the SIP center: the center
// core under one lock, driven by the wall clock. Durations handed to the
// server are wall time.
type acd struct {
	mu         sync.Mutex
	c          *center.Center
	core       routing.ACD[*call]
	st         center.Streams
	layout     kpi.Layout
	t          kpi.Tally
	trace      [][]center.Needs // per queue, the needs of its calls in arrival order (nil: draw)
	start      time.Time
	end        time.Time // zero while running
	scale      float64
	clockStart float64 // scenario seconds at start, from Monday 00:00
	trunks     int
	wildcard   bool // simple mode: every Request-URI user part is queue 0
	queues     []sipQueue
	agents     []*agent
	inSystem   int
	closed     bool
	// Headcount: each group's available agents now and since when the
	// staffed time was last tallied.
	level     []int
	lastStaff []float64

	rejected, unknown, callerHangups, agentHangups uint64
	userParts                                      map[string]uint64
	staffTimers                                    []*time.Timer
	callLog                                        *callLog // nil: no call log (Config.CallLog)
}

// now is the scenario time of wall time t, frozen once closed.
func (a *acd) now(t time.Time) float64 {
	if !a.end.IsZero() && t.After(a.end) {
		t = a.end
	}
	return a.clockStart + t.Sub(a.start).Seconds()*a.scale
}

// wall converts scenario seconds to a wall duration.
func (a *acd) wall(s float64) time.Duration {
	return time.Duration(s / a.scale * float64(time.Second))
}

func (a *acd) scenarioTime(now time.Time) time.Duration {
	return time.Duration(a.now(now) * float64(time.Second))
}

func (a *acd) lookup(name string) int {
	if a.wildcard {
		return 0
	}
	return a.c.Queue(name)
}

// setStaff makes n agents of group gi available (the scenario's headcount
// changed), by the core's rule: agents come on duty and take waiting
// calls, idle agents leave at once (longest idle first), busy ones once
// their call and wrap-up are over.
func (a *acd) setStaff(gi, n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.setStaffLocked(gi, n, time.Now())
}

func (a *acd) setStaffLocked(gi, n int, now time.Time) {
	if a.closed {
		return
	}
	t := a.now(now)
	a.staffTo(gi, t)
	a.level[gi] = n
	a.core.SetStaff(gi, n, t, func(ci, ag int32) { a.assign(ci, ag, t) })
}

// staffTo tallies group gi's staffed agent time up to t.
func (a *acd) staffTo(gi int, t float64) {
	if t > a.lastStaff[gi] {
		a.t.Staff(gi, a.lastStaff[gi], t, a.level[gi], a.level[gi])
		a.lastStaff[gi] = t
	}
}

// admit offers c to the center. An admitted call is handed an agent on
// c.assigned, at once or when one frees up.
func (a *acd) admit(c *call, now time.Time) admission {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		a.rejected++
		return shuttingDown
	}
	qi := a.lookup(c.queue)
	if qi < 0 {
		a.unknown++
		return unknownQueue
	}
	t := a.now(now)
	if !a.c.Open(qi, t) {
		a.queues[qi].closed++
		a.logOffer(c, qi, LogClosed, false, now)
		return queueClosed
	}
	if a.trunks > 0 && a.inSystem >= a.trunks {
		a.rejected++
		a.queues[qi].rejected++
		a.logOffer(c, qi, LogRejected, false, now)
		return noTrunk
	}
	a.inSystem++
	a.countUserPart(c.queue)
	a.logOffer(c, qi, LogWaiting, false, now)
	a.enqueue(c, qi, kpi.Fresh, t)
	return admitted
}

// needs are the needs of the next call entering queue q: the trace's next
// entry, or a draw from the queue's streams.
func (a *acd) needs(q int) center.Needs {
	if a.trace == nil {
		return a.st.Draw(a.c, q)
	}
	sq := &a.queues[q]
	if sq.traceNext < len(a.trace[q]) {
		n := a.trace[q][sq.traceNext]
		sq.traceNext++
		return n
	}
	// Past the trace: the queue's own streams.
	return a.st.Draw(a.c, q)
}

// enqueue routes c into queue qi at scenario time t (why: kpi.Fresh or
// kpi.Transfer): an agent at once, or a place in the queue until one takes
// it, with a timer for each overflow step. The caller holds the lock.
func (a *acd) enqueue(c *call, qi, why int, t float64) {
	c.q = qi
	c.arrivedAt = t
	c.needs = a.needs(qi)
	a.t.Offer(0, qi, why)
	ci, ag := a.core.Arrive(qi, t, 0, c)
	if ag >= 0 {
		a.assign(ci, ag, t)
		return
	}
	c.slot, c.gen = ci, a.core.Calls[ci].Gen
	c.waiting = true
	for s, st := range a.c.Queues[qi].Route {
		if st.After > 0 {
			slot, gen := c.slot, c.gen
			c.timers = append(c.timers, time.AfterFunc(a.wall(st.After), func() { a.eligible(slot, gen, s) }))
		}
	}
}

// eligible: the call in slot ci (generation gen) has waited long enough
// for step s of its route.
func (a *acd) eligible(ci int32, gen uint32, s int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	t := a.now(time.Now())
	if ag := a.core.Eligible(ci, gen, s, t); ag >= 0 {
		a.assign(ci, ag, t)
	}
}

// assign hands the call in slot ci to agent ag (the core chose them) and
// draws, as the simulator does when an agent takes a call, whether the
// agent will transfer it. The caller holds the lock.
func (a *acd) assign(ci, ag int32, t float64) {
	c := a.core.Calls[ci].P
	a.core.Free(ci)
	a.stopTimers(c)
	c.waiting = false
	g := a.core.Group(ag)
	c.transfer, _ = a.st.Answer(a.c, c.q, g, c.needs.U)
	c.assignedAt = t
	x := a.agents[ag]
	x.busy, x.call = true, c
	c.agent = x
	c.assigned <- x // buffered: never blocks
}

func (a *acd) stopTimers(c *call) {
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = nil
}

// release frees agent ag at scenario time t: the core tallies its busy
// time and gives it the next call, or idles it, or takes it off duty. The
// caller holds the lock.
func (a *acd) release(ag *agent, t float64) {
	ag.busy, ag.call = false, nil
	if a.closed {
		a.t.Busy(ag.group, a.core.BusySince(ag.id), t)
		return
	}
	if ci := a.core.Done(ag.id, t); ci >= 0 {
		a.assign(ci, ag.id, t)
	}
}

// dequeue takes c out of its queue, or frees the agent assigned to it
// meanwhile; the caller holds the lock.
func (a *acd) dequeue(c *call, t float64) {
	if ag := c.agent; ag != nil {
		c.agent = nil
		// Drain the hand-over so the channel is empty again.
		select {
		case <-c.assigned:
		default:
		}
		a.release(ag, t)
	} else if c.waiting {
		a.stopTimers(c)
		c.waiting = false
		if a.core.Abandon(c.slot, c.gen, t) {
			a.core.Free(c.slot)
		}
	}
	a.inSystem--
}

// abandon: the caller left before the answer.
func (a *acd) abandon(c *call, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c.abandoned {
		return // counted when its patience ran out (handOn)
	}
	t := a.now(now)
	a.dequeue(c, t)
	a.t.Abandon(0, c.q, t-c.arrivedAt)
	a.logLeave(c, LogAbandoned, now)
}

// leaveAtEnd: the server is closing and c has not been answered.
func (a *acd) leaveAtEnd(c *call, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c.abandoned {
		return
	}
	a.dequeue(c, a.now(now))
	a.queues[c.q].waitingAtEnd++
	a.logLeave(c, LogWaitingAtEnd, now)
}

// answer records that c's 200 OK went out at now (or, for a transferred
// call, that an agent of its new queue took it) and returns the time the
// agent talks for, in wall time: the call's talk times the group's
// handle-time factor.
func (a *acd) answer(c *call, now time.Time) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	c.answeredAt = now
	t := a.now(now)
	wait := t - c.arrivedAt
	sq := &a.queues[c.q]
	talk := c.needs.Talk
	g := -1
	if c.agent != nil {
		g = c.agent.group
		talk *= a.c.Factor[g*len(a.c.Queues)+c.q]
	}
	if g >= 0 {
		queued := c.assignedAt > c.arrivedAt
		a.t.Answer(0, c.q, g, wait, queued, sq.within, talk, c.needs.Wrap, false, c.transfer)
	}
	a.logAnswer(c, now)
	return a.wall(talk)
}

// finish ends an answered call; its agent does the call's wrap-up, if
// any, and is then free.
func (a *acd) finish(c *call, byCaller bool, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sq := &a.queues[c.q]
	sq.completed++
	sq.talkSum += now.Sub(c.answeredAt)
	a.logTalked(c, now.Sub(c.answeredAt), false)
	if byCaller {
		a.callerHangups++
	} else {
		a.agentHangups++
	}
	a.inSystem--
	ag := c.agent
	if ag == nil {
		return
	}
	c.agent = nil
	a.wrapUp(ag, c.needs.Wrap, now)
}

// wrapUp keeps ag busy, not talking, for w scenario seconds, then frees
// it. The caller holds the lock.
func (a *acd) wrapUp(ag *agent, w float64, now time.Time) {
	ag.call = nil // busy, not talking
	if !(w > 0) || a.closed {
		a.release(ag, a.now(now))
		return
	}
	time.AfterFunc(a.wall(w), func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if ag.busy {
			a.release(ag, a.now(time.Now()))
		}
	})
}

// endTalk: the agent's talk with c is over. If the agent transfers the
// call (drawn when it took the call), the agent does the call's wrap-up and
// then is free, and the caller is held for that wrap-up time before the
// call enters the transfer_to queue (handOn), as in the simulator; endTalk
// returns that hold time and true. Otherwise it returns false and the
// agent hangs up (finish).
func (a *acd) endTalk(c *call, now time.Time) (time.Duration, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !c.transfer || a.closed || c.agent == nil {
		return 0, false
	}
	c.transfer = false
	c.talked = now.Sub(c.answeredAt)
	ag := c.agent
	c.agent = nil
	w := c.needs.Wrap
	a.wrapUp(ag, w, now)
	return a.wall(w), true
}

// handOn moves c, held after its talk (endTalk), to its queue's
// transfer_to queue: the talk counts as completed and transferred out in
// the first, the call as offered (and transferred in) in the second, where
// it waits for an agent like any other call. It is refused when the center
// is closing (shuttingDown) or the transfer_to queue is outside its opening
// hours (queueClosed, counted as closed there, as in the simulator); the
// call is then still the first queue's, to be ended with finishHeld.
func (a *acd) handOn(c *call, now time.Time) admission {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return shuttingDown
	}
	t := a.now(now)
	to := a.c.Queues[c.q].TransferTo
	if !a.c.Open(to, t) {
		a.queues[to].closed++
		return queueClosed
	}
	sq := &a.queues[c.q]
	sq.completed++
	sq.talkSum += c.talked
	sq.transferredOut++
	a.logTalked(c, c.talked, true)
	c.answeredAt = time.Time{}
	a.logOffer(c, to, LogWaiting, true, now)
	a.enqueue(c, to, kpi.Transfer, t)
	// The caller waits with the patience it brings to this queue, as in
	// the simulator: when it runs out, the call is abandoned here and
	// gaveUp tells the server to hang up.
	c.gaveUp = make(chan struct{})
	if p := c.needs.Patience; c.waiting && !math.IsInf(p, 1) {
		slot, gen := c.slot, c.gen
		c.timers = append(c.timers, time.AfterFunc(a.wall(p), func() { a.patienceOut(c, slot, gen) }))
	}
	return admitted
}

// patienceOut: the patience of handed-on call c (in slot ci, generation
// gen) ran out; if it still waits, it abandons its queue.
func (a *acd) patienceOut(c *call, ci int32, gen uint32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || !c.waiting || c.slot != ci || c.gen != gen {
		return
	}
	t := a.now(time.Now())
	a.dequeue(c, t)
	a.t.Abandon(0, c.q, t-c.arrivedAt)
	a.logLeave(c, LogAbandoned, time.Now())
	c.abandoned = true
	close(c.gaveUp)
}

// finishHeld ends a call held after its talk (endTalk) that was not handed
// on: the caller hung up meanwhile, or the center hangs up.
func (a *acd) finishHeld(c *call, byCaller bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sq := &a.queues[c.q]
	sq.completed++
	sq.talkSum += c.talked
	a.logTalked(c, c.talked, false)
	if byCaller {
		a.callerHangups++
	} else {
		a.agentHangups++
	}
	a.inSystem--
}

// close stops admitting calls and routing them, and freezes the clock of
// the statistics.
func (a *acd) close(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	t := a.now(now)
	a.core.Close(t, nil)
	for g := range a.c.Groups {
		a.staffTo(g, t)
	}
	for _, tm := range a.staffTimers {
		tm.Stop()
	}
	a.closed = true
	a.end = now
}

// Stats are the figures of the calls the center served. Durations are in
// scenario time (wall time multiplied by the time scale); ratios are
// fractions in [0, 1].
type Stats struct {
	Queue     string  `json:"queue"`
	Agents    int     `json:"agents"`
	Trunks    int     `json:"trunks,omitempty"`
	TimeScale float64 `json:"time_scale"`
	// ElapsedSeconds is the scenario time since the start (to Close, once closed).
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	WallSeconds    float64 `json:"wall_seconds"`
	Running        bool    `json:"running"`

	// Offered = calls admitted to the queues = Answered + Abandoned +
	// WaitingAtEnd + Waiting. Rejected (503, no trunk free), Closed (480,
	// outside opening hours) and Unknown (404, no such queue) are apart.
	// A transferred call is offered (and answered, abandoned ...) again in
	// the queue it is transferred to, as in the simulator: Offered is then
	// more than the INVITEs admitted.
	Offered      uint64 `json:"offered"`
	Answered     uint64 `json:"answered"`
	Abandoned    uint64 `json:"abandoned"`
	Rejected     uint64 `json:"rejected"`
	Closed       uint64 `json:"closed"`
	Unknown      uint64 `json:"unknown_queue"`
	WaitingAtEnd uint64 `json:"waiting_at_end"`
	// Completed counts answered calls whose talk with an agent has ended =
	// CallerHangups + AgentHangups + TransferredOut.
	Completed uint64 `json:"completed"`
	// TransfersIn: offered calls handed on from another queue;
	// TransferredOut: answered calls handed on to another queue (the
	// queue's transfer_to) after their talk. Totals: the two are equal.
	TransfersIn    uint64 `json:"transfers_in"`
	TransferredOut uint64 `json:"transferred_out"`
	// Waiting and Talking are the calls in progress now.
	Waiting       int    `json:"waiting"`
	Talking       int    `json:"talking"`
	CallerHangups uint64 `json:"caller_hangups"`
	AgentHangups  uint64 `json:"agent_hangups"`

	// WithinSeconds is the first queue's threshold; ServiceLevel counts
	// each call against its own queue's threshold.
	WithinSeconds     float64 `json:"within_seconds"`
	ServiceLevel      float64 `json:"service_level"` // answered within / offered
	ASASeconds        float64 `json:"asa_seconds"`   // mean wait of answered calls
	AbandonRate       float64 `json:"abandon_rate"`  // abandoned / offered
	MeanAbandonWait   float64 `json:"mean_abandon_wait_seconds"`
	MeanHandleSeconds float64 `json:"mean_handle_seconds"` // of completed calls, talk as measured
	Occupancy         float64 `json:"occupancy"`           // busy / staffed agent time
	MaxQueueLength    int     `json:"max_queue_length"`
	MeanQueueLength   float64 `json:"mean_queue_length"` // time average
	// Queues counts offered calls per Request-URI user part.
	Queues map[string]uint64 `json:"queues"`
	// PerQueue and Groups break the figures down by queue and agent group.
	PerQueue []QueueStats `json:"per_queue"`
	Groups   []GroupStats `json:"groups"`
	// Media: the callers' RTP as the center received it (absent with
	// NoMedia), see MediaStats.
	Media *MediaStats `json:"media,omitempty"`
	// Sums are the center's counts and sums, per queue and per group, in
	// the simulator's terms (package center/kpi): what verify compares.
	Sums *Sums `json:"sums,omitempty"`
	// Guard: what the center's limits did (callers expired, connections
	// closed, offers refused), see GuardStats.
	Guard *GuardStats `json:"guard,omitempty"`
}

// Sums are the kpi tally of a center's run: one kpi.Queue per queue and
// one kpi.Group per group (the whole run, one cell).
type Sums struct {
	Queues []kpi.Queue `json:"queues"`
	Groups []kpi.Group `json:"groups"`
}

// QueueStats are one queue's figures, with the definitions of Stats.
type QueueStats struct {
	Name              string  `json:"name"`
	Offered           uint64  `json:"offered"`
	Answered          uint64  `json:"answered"`
	Abandoned         uint64  `json:"abandoned"`
	Rejected          uint64  `json:"rejected"`
	Closed            uint64  `json:"closed"`
	WaitingAtEnd      uint64  `json:"waiting_at_end"`
	Waiting           int     `json:"waiting"`
	TransfersIn       uint64  `json:"transfers_in"`
	TransferredOut    uint64  `json:"transferred_out"`
	WithinSeconds     float64 `json:"within_seconds"`
	ServiceLevel      float64 `json:"service_level"`
	ASASeconds        float64 `json:"asa_seconds"`
	AbandonRate       float64 `json:"abandon_rate"`
	MeanAbandonWait   float64 `json:"mean_abandon_wait_seconds"`
	MeanHandleSeconds float64 `json:"mean_handle_seconds"`
	MaxQueueLength    int     `json:"max_queue_length"`
	MeanQueueLength   float64 `json:"mean_queue_length"`
}

// GroupStats are one agent group's figures. Occupancy = busy time /
// staffed agent time (which follows a time-varying headcount).
type GroupStats struct {
	Name      string  `json:"name"`
	Agents    int     `json:"agents"`     // on duty now
	MaxAgents int     `json:"max_agents"` // the peak headcount of the scenario
	Handled   uint64  `json:"handled"`    // calls its agents answered
	Occupancy float64 `json:"occupancy"`
	// StaffedAgentSeconds is the agent time on duty, scenario time.
	StaffedAgentSeconds float64 `json:"staffed_agent_seconds"`
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func (a *acd) stats(wallNow time.Time) Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	scale := a.scale
	if !a.end.IsZero() && wallNow.After(a.end) {
		wallNow = a.end
	}
	t := a.now(wallNow)
	elapsedWall := wallNow.Sub(a.start).Seconds()
	elapsed := elapsedWall * scale
	s := Stats{
		Trunks: a.trunks, TimeScale: scale,
		ElapsedSeconds: elapsed, WallSeconds: elapsedWall, Running: !a.closed,
		Rejected: a.rejected, Unknown: a.unknown, CallerHangups: a.callerHangups, AgentHangups: a.agentHangups,
		Queues: map[string]uint64{},
	}
	names := make([]string, 0, len(a.userParts))
	for q, n := range a.userParts {
		s.Queues[q] = n
		names = append(names, q)
	}
	sort.Slice(names, func(i, j int) bool {
		return a.userParts[names[i]] > a.userParts[names[j]] || (a.userParts[names[i]] == a.userParts[names[j]] && names[i] < names[j])
	})
	if len(names) > 0 {
		s.Queue = names[0]
	}
	// The tally up to now, without changing it: queue lengths and busy and
	// staffed time of what is still going on.
	sums := &Sums{Queues: make([]kpi.Queue, len(a.c.Queues)), Groups: make([]kpi.Group, len(a.c.Groups))}
	copy(sums.Queues, a.t.Queues)
	copy(sums.Groups, a.t.Groups)
	pending := kpi.NewTally(&a.layout, len(a.c.Queues), len(a.c.Groups))
	a.core.Pending(t, &pending)
	for g := range a.c.Groups {
		if t > a.lastStaff[g] {
			pending.Staff(g, a.lastStaff[g], t, a.level[g], a.level[g])
		}
	}
	for _, ag := range a.agents {
		if ag.busy {
			pending.Busy(ag.group, a.core.BusySince(ag.id), t)
		}
	}
	for q := range sums.Queues {
		sums.Queues[q].Add(&pending.Queues[q])
	}
	for g := range sums.Groups {
		sums.Groups[g].Add(&pending.Groups[g])
	}
	s.Sums = sums
	var all kpi.Queue
	var talkSum time.Duration
	for i := range a.c.Queues {
		sq := &a.queues[i]
		tq := &sums.Queues[i]
		all.Add(tq)
		qs := QueueStats{Name: a.c.Queues[i].Name, Offered: uint64(tq.Offered), Answered: uint64(tq.Answered), Abandoned: uint64(tq.Abandoned),
			Rejected: sq.rejected, Closed: sq.closed, WaitingAtEnd: sq.waitingAtEnd, Waiting: a.core.QueueLength(i),
			TransfersIn: uint64(tq.TransfersIn), TransferredOut: sq.transferredOut,
			WithinSeconds: sq.within, MaxQueueLength: int(tq.MaxLen)}
		if a.wildcard {
			qs.Name = s.Queue
		}
		qs.ServiceLevel = kpi.ServiceLevel.Of(tq)
		qs.AbandonRate = kpi.AbandonRate.Of(tq)
		qs.ASASeconds = kpi.ASA.Of(tq)
		qs.MeanAbandonWait = ratio(tq.WaitAll-tq.WaitAnswered, tq.Abandoned)
		qs.MeanHandleSeconds = ratio(sq.talkSum.Seconds()*scale, float64(sq.completed))
		qs.MeanQueueLength = ratio(tq.Area, elapsed)
		s.PerQueue = append(s.PerQueue, qs)
		if i == 0 {
			s.WithinSeconds = qs.WithinSeconds
		}
		s.Offered += qs.Offered
		s.Answered += qs.Answered
		s.Abandoned += qs.Abandoned
		s.Closed += qs.Closed
		s.WaitingAtEnd += qs.WaitingAtEnd
		s.Completed += sq.completed
		s.TransfersIn += qs.TransfersIn
		s.TransferredOut += qs.TransferredOut
		s.Waiting += qs.Waiting
		talkSum += sq.talkSum
		s.MaxQueueLength = max(s.MaxQueueLength, qs.MaxQueueLength)
	}
	s.ServiceLevel = kpi.ServiceLevel.Of(&all)
	s.AbandonRate = kpi.AbandonRate.Of(&all)
	s.ASASeconds = kpi.ASA.Of(&all)
	s.MeanAbandonWait = ratio(all.WaitAll-all.WaitAnswered, all.Abandoned)
	s.MeanHandleSeconds = ratio(talkSum.Seconds()*scale, float64(s.Completed))
	s.MeanQueueLength = ratio(all.Area, elapsed)
	var busyAll, staffedAll float64
	for _, ag := range a.agents {
		if ag.call != nil && !ag.call.answeredAt.IsZero() {
			s.Talking++
		}
	}
	for g := range a.c.Groups {
		tg := &sums.Groups[g]
		busyAll += tg.Busy
		staffedAll += tg.Staffed
		onDuty := a.core.OnDuty(g)
		s.Agents += onDuty
		s.Groups = append(s.Groups, GroupStats{Name: a.c.Groups[g].Name, Agents: onDuty, MaxAgents: a.c.Groups[g].Peak,
			Handled: uint64(tg.Handled), Occupancy: math.Min(1, kpi.Occupancy.Of(tg)), StaffedAgentSeconds: tg.Staffed})
	}
	s.Occupancy = math.Min(1, ratio(busyAll, staffedAll))
	return s
}
