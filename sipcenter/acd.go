package sipcenter

import (
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// agent is one agent of the center.
type agent struct {
	id        int
	group     int
	on        bool // on duty (taking calls, or finishing one)
	busySince time.Time
	call      *call
}

// step is one step of a queue's route: the group may take a call once it
// has waited after (wall time).
type step struct {
	group int
	after time.Duration
}

// servedQ is a queue a group serves, with its overflow delay.
type servedQ struct {
	q        int
	after    time.Duration
	priority int
}

// queue is one call type: its route, its waiting callers (oldest first) and
// its statistics. Durations are wall time.
type queue struct {
	name     string
	within   time.Duration // service level threshold, wall time
	withinSc time.Duration // the same in scenario time
	priority int
	route    []step
	open     *scenarios.OpenHours
	handle   func(*rand.Rand) time.Duration // scenario time
	wrap     func(*rand.Rand) time.Duration // scenario time; nil: no wrap-up
	wait     []*call
	// Transfers: calls of this queue that a group's share says so are
	// handed on to transferTo (-1: none) after their talk; hasTransfer
	// says some group transfers calls of it, transferRng draws the share.
	transferTo  int
	hasTransfer bool
	transferRng *rand.Rand

	offered, answered, answeredWithin, abandoned, rejected, closed uint64
	transfersIn, transferredOut                                    uint64
	completed, waitingAtEnd                                        uint64
	waitSum, abandonWaitSum, talkSum                               time.Duration
	maxLen                                                         int
	area                                                           float64 // callers x wall seconds
	lastChange                                                     time.Time
}

// group is an agent group.
type group struct {
	name   string
	agents []*agent
	idle   []*agent // front: longest idle
	serves []servedQ
	factor []float64 // handle-time factor per queue
	// transfer is the share of the calls of each queue the group transfers
	// (nil in simple mode).
	transfer []float64
	busy     time.Duration
	handled  uint64
	// Headcount: agents on duty, busy agents due to leave when they are
	// free, and the agent time staffed (agent x wall seconds) so far.
	onDuty, leaving int
	staffed         float64
	lastStaff       time.Time
}

// acd is the automatic call distributor: the queues, the agents and the
// statistics, under one lock. It routes as the simulator does (see the
// package documentation). Durations are wall time; Stats converts.
type acd struct {
	mu         sync.Mutex
	start      time.Time
	end        time.Time // zero while running
	scale      float64
	clockStart time.Duration // scenario time at start, from Monday 00:00
	trunks     int
	wildcard   bool // simple mode: every Request-URI user part is queue 0
	queues     []*queue
	groups     []*group
	agents     []*agent
	rng        *rand.Rand
	inSystem   int
	closed     bool

	rejected, unknown, callerHangups, agentHangups uint64
	userParts                                      map[string]uint64
	staffTimers                                    []*time.Timer
	callLog                                        *callLog // nil: no call log (Config.CallLog)
}

// staffChanged accounts the staffed agent time of g up to now.
func (a *acd) staffChanged(g *group, now time.Time) {
	now = a.clock(now)
	if d := now.Sub(g.lastStaff); d > 0 {
		g.staffed += float64(g.onDuty) * d.Seconds()
		g.lastStaff = now
	}
}

// setStaff makes n agents of group gi available (the scenario's headcount
// changed): agents come on duty and take waiting calls, or idle agents
// leave, busy ones once their call (and wrap-up) is over.
func (a *acd) setStaff(gi, n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.setStaffLocked(gi, n, time.Now())
}

func (a *acd) setStaffLocked(gi, n int, now time.Time) {
	if a.closed {
		return
	}
	g := a.groups[gi]
	a.staffChanged(g, now)
	for g.onDuty-g.leaving < n {
		if g.leaving > 0 {
			g.leaving--
			continue
		}
		var ag *agent
		for _, x := range g.agents {
			if !x.on {
				ag = x
				break
			}
		}
		if ag == nil {
			break
		}
		ag.on = true
		g.onDuty++
		a.free(ag, now) // takes a waiting call, or idles
	}
	for g.onDuty-g.leaving > n {
		if k := len(g.idle); k > 0 {
			ag := g.idle[k-1]
			g.idle = g.idle[:k-1]
			ag.on = false
			g.onDuty--
			continue
		}
		g.leaving++
	}
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

func (a *acd) scenarioTime(now time.Time) time.Duration {
	return a.clockStart + time.Duration(float64(now.Sub(a.start))*a.scale)
}

func (a *acd) clock(now time.Time) time.Time {
	if !a.end.IsZero() && now.After(a.end) {
		return a.end
	}
	return now
}

func (a *acd) queueChanged(q *queue, now time.Time) {
	now = a.clock(now)
	if d := now.Sub(q.lastChange); d > 0 {
		q.area += float64(len(q.wait)) * d.Seconds()
		q.lastChange = now
	}
}

func (a *acd) lookup(name string) int {
	if a.wildcard {
		return 0
	}
	for i, q := range a.queues {
		if q.name == name {
			return i
		}
	}
	return -1
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
	q := a.queues[qi]
	if q.open != nil && !sim.OpenAt(q.open, a.scenarioTime(now)) {
		q.closed++
		a.logOffer(c, q, LogClosed, false, now)
		return queueClosed
	}
	if a.trunks > 0 && a.inSystem >= a.trunks {
		a.rejected++
		q.rejected++
		a.logOffer(c, q, LogRejected, false, now)
		return noTrunk
	}
	c.q = qi
	a.inSystem++
	q.offered++
	a.userParts[c.queue]++
	a.logOffer(c, q, LogWaiting, false, now)
	a.enqueue(c, q, now)
	return admitted
}

// enqueue routes c, just offered to q: an agent at once, or a place in q's
// queue until one frees up. The caller holds the lock.
func (a *acd) enqueue(c *call, q *queue, now time.Time) {
	// The first group on the route with no overflow delay and an idle agent
	// takes the call at once.
	for _, st := range q.route {
		if st.after > 0 {
			break
		}
		if g := a.groups[st.group]; len(g.idle) > 0 {
			ag := g.idle[0]
			g.idle = g.idle[1:]
			a.assign(c, ag, now)
			return
		}
	}
	a.queueChanged(q, now)
	q.wait = append(q.wait, c)
	c.waiting = true
	q.maxLen = max(q.maxLen, len(q.wait))
	for s, st := range q.route {
		if st.after > 0 {
			c.timers = append(c.timers, time.AfterFunc(st.after, func() { a.eligible(c, s) }))
		}
	}
}

// eligible: c has waited long enough for step s of its route.
func (a *acd) eligible(c *call, s int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || !c.waiting {
		return
	}
	g := a.groups[a.queues[c.q].route[s].group]
	if len(g.idle) == 0 {
		return
	}
	// No older call of this queue can be waiting for this group: it would
	// have become eligible earlier and taken the idle agent.
	now := time.Now()
	a.unqueue(c, now)
	ag := g.idle[0]
	g.idle = g.idle[1:]
	a.assign(c, ag, now)
}

// unqueue takes a waiting c out of its queue; the caller holds the lock.
func (a *acd) unqueue(c *call, now time.Time) {
	q := a.queues[c.q]
	for i, w := range q.wait {
		if w == c {
			a.queueChanged(q, now)
			q.wait = append(q.wait[:i], q.wait[i+1:]...)
			break
		}
	}
	c.waiting = false
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = nil
}

// assign gives ag to c; the caller holds the lock.
func (a *acd) assign(c *call, ag *agent, now time.Time) {
	ag.busySince = now
	ag.call = c
	c.agent = ag
	c.assigned <- ag // buffered: never blocks
}

// free makes ag available: it takes the oldest eligible call of the
// highest-priority queue its group serves, or joins the idle agents at the
// back. The caller holds the lock.
func (a *acd) free(ag *agent, now time.Time) {
	g := a.groups[ag.group]
	if !ag.busySince.IsZero() {
		g.busy += a.clock(now).Sub(a.clock(ag.busySince))
	}
	ag.busySince = time.Time{}
	ag.call = nil
	if g.leaving > 0 {
		// The headcount fell while this agent was busy: off duty now.
		a.staffChanged(g, now)
		g.leaving--
		g.onDuty--
		ag.on = false
		return
	}
	if !a.closed {
		var best *call
		bestPrio := 0
		for _, s := range g.serves {
			if best != nil && s.priority < bestPrio {
				break
			}
			q := a.queues[s.q]
			if len(q.wait) == 0 {
				continue
			}
			c := q.wait[0]
			if !now.Before(c.arrived.Add(s.after)) && (best == nil || c.arrived.Before(best.arrived)) {
				best, bestPrio = c, s.priority
			}
		}
		if best != nil {
			a.unqueue(best, now)
			a.assign(best, ag, now)
			return
		}
	}
	g.idle = append(g.idle, ag)
}

// dequeue removes c from its queue, or frees the agent assigned to it
// meanwhile; the caller holds the lock.
func (a *acd) dequeue(c *call, now time.Time) {
	if c.agent != nil {
		ag := c.agent
		c.agent = nil
		// Drain the hand-over so the channel is empty again.
		select {
		case <-c.assigned:
		default:
		}
		a.free(ag, now)
	} else {
		a.unqueue(c, now)
	}
	a.inSystem--
}

// abandon: the caller left before the answer.
func (a *acd) abandon(c *call, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dequeue(c, now)
	q := a.queues[c.q]
	q.abandoned++
	q.abandonWaitSum += now.Sub(c.arrived)
	a.logLeave(c, LogAbandoned, now)
}

// leaveAtEnd: the server is closing and c has not been answered.
func (a *acd) leaveAtEnd(c *call, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dequeue(c, now)
	a.queues[c.q].waitingAtEnd++
	a.logLeave(c, LogWaitingAtEnd, now)
}

// answer records that c's 200 OK went out at now (or, for a transferred
// call, that an agent of its new queue took it) and returns the handle time
// the agent talks for, in wall time. It draws, as the simulator does,
// whether the agent will transfer the call after the talk.
func (a *acd) answer(c *call, now time.Time) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.queues[c.q]
	c.answeredAt = now
	w := now.Sub(c.arrived)
	q.answered++
	q.waitSum += w
	if w <= q.within {
		q.answeredWithin++
	}
	f := 1.0
	if c.agent != nil {
		g := a.groups[c.agent.group]
		g.handled++
		f = g.factor[c.q]
		c.transfer = q.hasTransfer && q.transferRng.Float64() < g.transfer[c.q]
	}
	a.logAnswer(c, now)
	return time.Duration(float64(q.handle(a.rng)) * f / a.scale)
}

// finish ends an answered call; its agent does the queue's wrap-up, if
// any, and is then free.
func (a *acd) finish(c *call, byCaller bool, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.queues[c.q]
	q.completed++
	q.talkSum += now.Sub(c.answeredAt)
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
	a.wrapUp(ag, a.drawWrap(q), now)
}

// drawWrap draws a wrap-up time of q, in wall time (0: none, or closing).
// The caller holds the lock.
func (a *acd) drawWrap(q *queue) time.Duration {
	if q.wrap == nil || a.closed {
		return 0
	}
	return time.Duration(float64(q.wrap(a.rng)) / a.scale)
}

// wrapUp keeps ag busy, not talking, for w, then frees it. The caller holds
// the lock.
func (a *acd) wrapUp(ag *agent, w time.Duration, now time.Time) {
	if w <= 0 {
		a.free(ag, now)
		return
	}
	ag.call = nil // busy, not talking
	time.AfterFunc(w, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.free(ag, time.Now())
	})
}

// endTalk: the agent's handle time of c is over. If the agent transfers
// the call (drawn by answer), the agent does the queue's wrap-up and then
// is free, and the caller is held for that wrap-up time before the call
// enters the transfer_to queue (handOn), as in the simulator; endTalk
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
	w := a.drawWrap(a.queues[c.q])
	a.wrapUp(ag, w, now)
	return w, true
}

// handOn moves c, held after its talk (endTalk), to its queue's
// transfer_to queue: the talk counts as completed and transferred out in
// the first, the call as offered (and transferred in) in the second, where
// it waits for an agent like any other call. It is refused when the target
// is closing (shuttingDown) or the transfer_to queue is outside its opening
// hours (queueClosed, counted as closed there, as in the simulator); the
// call is then still the first queue's, to be ended with finishHeld.
func (a *acd) handOn(c *call, now time.Time) admission {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return shuttingDown
	}
	q := a.queues[c.q]
	t := a.queues[q.transferTo]
	if t.open != nil && !sim.OpenAt(t.open, a.scenarioTime(now)) {
		t.closed++
		return queueClosed
	}
	q.completed++
	q.talkSum += c.talked
	q.transferredOut++
	a.logTalked(c, c.talked, true)
	c.q = q.transferTo
	c.arrived = now
	c.answeredAt = time.Time{}
	t.offered++
	t.transfersIn++
	a.logOffer(c, t, LogWaiting, true, now)
	a.enqueue(c, t, now)
	return admitted
}

// finishHeld ends a call held after its talk (endTalk) that was not handed
// on: the caller hung up meanwhile, or the target hangs up.
func (a *acd) finishHeld(c *call, byCaller bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.queues[c.q]
	q.completed++
	q.talkSum += c.talked
	a.logTalked(c, c.talked, false)
	if byCaller {
		a.callerHangups++
	} else {
		a.agentHangups++
	}
	a.inSystem--
}

// close stops admitting calls and freezes the clock of the statistics.
func (a *acd) close(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	for _, q := range a.queues {
		a.queueChanged(q, now)
	}
	for _, g := range a.groups {
		a.staffChanged(g, now)
	}
	for _, t := range a.staffTimers {
		t.Stop()
	}
	a.closed = true
	a.end = now
}

// Stats are the figures of the calls the target served. Durations are in
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
	MeanHandleSeconds float64 `json:"mean_handle_seconds"` // of completed calls
	Occupancy         float64 `json:"occupancy"`           // busy / (agents x elapsed)
	MaxQueueLength    int     `json:"max_queue_length"`
	MeanQueueLength   float64 `json:"mean_queue_length"` // time average
	// Queues counts offered calls per Request-URI user part.
	Queues map[string]uint64 `json:"queues"`
	// PerQueue and Groups break the figures down by queue and agent group.
	PerQueue []QueueStats `json:"per_queue"`
	Groups   []GroupStats `json:"groups"`
	// Media: the callers' RTP as the target received it (absent with
	// NoMedia), see MediaStats.
	Media *MediaStats `json:"media,omitempty"`
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

func (a *acd) stats(now time.Time) Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	scale := a.scale
	now = a.clock(now)
	elapsed := now.Sub(a.start)
	s := Stats{
		Trunks: a.trunks, TimeScale: scale,
		ElapsedSeconds: elapsed.Seconds() * scale, WallSeconds: elapsed.Seconds(), Running: !a.closed,
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
	var within uint64
	var waitSum, abandonWaitSum, talkSum time.Duration
	var area float64
	for i, q := range a.queues {
		a.queueChanged(q, now)
		qs := QueueStats{Name: q.name, Offered: q.offered, Answered: q.answered, Abandoned: q.abandoned,
			Rejected: q.rejected, Closed: q.closed, WaitingAtEnd: q.waitingAtEnd, Waiting: len(q.wait),
			TransfersIn: q.transfersIn, TransferredOut: q.transferredOut,
			WithinSeconds: q.withinSc.Seconds(), MaxQueueLength: q.maxLen}
		if a.wildcard {
			qs.Name = s.Queue
		}
		if q.offered > 0 {
			qs.ServiceLevel = float64(q.answeredWithin) / float64(q.offered)
			qs.AbandonRate = float64(q.abandoned) / float64(q.offered)
		}
		if q.answered > 0 {
			qs.ASASeconds = q.waitSum.Seconds() / float64(q.answered) * scale
		}
		if q.abandoned > 0 {
			qs.MeanAbandonWait = q.abandonWaitSum.Seconds() / float64(q.abandoned) * scale
		}
		if q.completed > 0 {
			qs.MeanHandleSeconds = q.talkSum.Seconds() / float64(q.completed) * scale
		}
		if elapsed > 0 {
			qs.MeanQueueLength = q.area / elapsed.Seconds()
		}
		s.PerQueue = append(s.PerQueue, qs)
		if i == 0 {
			s.WithinSeconds = qs.WithinSeconds
		}
		s.Offered += q.offered
		s.Answered += q.answered
		s.Abandoned += q.abandoned
		s.Closed += q.closed
		s.WaitingAtEnd += q.waitingAtEnd
		s.Completed += q.completed
		s.TransfersIn += q.transfersIn
		s.TransferredOut += q.transferredOut
		s.Waiting += len(q.wait)
		within += q.answeredWithin
		waitSum += q.waitSum
		abandonWaitSum += q.abandonWaitSum
		talkSum += q.talkSum
		area += q.area
		s.MaxQueueLength = max(s.MaxQueueLength, q.maxLen)
	}
	var busyAll time.Duration
	var staffedAll float64
	for _, g := range a.groups {
		a.staffChanged(g, now)
		staffedAll += g.staffed
		s.Agents += g.onDuty
		busy := g.busy
		for _, ag := range g.agents {
			if !ag.busySince.IsZero() {
				busy += now.Sub(a.clock(ag.busySince))
			}
			if ag.call != nil && !ag.call.answeredAt.IsZero() {
				s.Talking++
			}
		}
		busyAll += busy
		gs := GroupStats{Name: g.name, Agents: g.onDuty, MaxAgents: len(g.agents), Handled: g.handled,
			StaffedAgentSeconds: g.staffed * scale}
		if g.staffed > 0 {
			gs.Occupancy = min(1, busy.Seconds()/g.staffed)
		}
		s.Groups = append(s.Groups, gs)
	}
	if s.Offered > 0 {
		s.ServiceLevel = float64(within) / float64(s.Offered)
		s.AbandonRate = float64(s.Abandoned) / float64(s.Offered)
	}
	if s.Answered > 0 {
		s.ASASeconds = waitSum.Seconds() / float64(s.Answered) * scale
	}
	if s.Abandoned > 0 {
		s.MeanAbandonWait = abandonWaitSum.Seconds() / float64(s.Abandoned) * scale
	}
	if s.Completed > 0 {
		s.MeanHandleSeconds = talkSum.Seconds() / float64(s.Completed) * scale
	}
	if elapsed > 0 {
		if staffedAll > 0 {
			s.Occupancy = min(1, busyAll.Seconds()/staffedAll)
		}
		s.MeanQueueLength = area / elapsed.Seconds()
	}
	return s
}
