package target

import (
	"sort"
	"sync"
	"time"
)

// agent is one agent of the center.
type agent struct {
	id        int
	busySince time.Time
	call      *call
}

// acd is the automatic call distributor: the queue, the agents and the
// statistics, under one lock. Durations are wall time; Stats converts.
type acd struct {
	mu       sync.Mutex
	start    time.Time
	end      time.Time     // zero while running
	within   time.Duration // service level threshold, wall time
	withinSc time.Duration // the same in scenario time
	trunks   int
	agents   []*agent
	idle     []*agent // front: longest idle
	queue    []*call  // front: oldest caller
	inSystem int
	closed   bool

	offered, answered, answeredWithin, abandoned, rejected uint64
	completed, waitingAtEnd, callerHangups, agentHangups   uint64
	waitSum, abandonWaitSum, busy, talkSum                 time.Duration
	maxQueue                                               int
	queueArea                                              float64 // callers x wall seconds
	lastQueueChange                                        time.Time
	queues                                                 map[string]uint64
}

func newACD(agents, trunks int, within time.Duration, scale float64, now time.Time) *acd {
	a := &acd{start: now, lastQueueChange: now, within: time.Duration(float64(within) / scale), withinSc: within,
		trunks: trunks, queues: map[string]uint64{}}
	for i := range agents {
		ag := &agent{id: i}
		a.agents = append(a.agents, ag)
		a.idle = append(a.idle, ag)
	}
	return a
}

func (a *acd) clock(now time.Time) time.Time {
	if !a.end.IsZero() && now.After(a.end) {
		return a.end
	}
	return now
}

func (a *acd) queueChanged(now time.Time) {
	now = a.clock(now)
	if d := now.Sub(a.lastQueueChange); d > 0 {
		a.queueArea += float64(len(a.queue)) * d.Seconds()
		a.lastQueueChange = now
	}
}

// admit offers c to the center: false if it is refused (no trunk free, or
// the server is closing). An admitted call is handed an agent on c.assigned,
// at once or when one frees up.
func (a *acd) admit(c *call, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || (a.trunks > 0 && a.inSystem >= a.trunks) {
		a.rejected++
		return false
	}
	a.inSystem++
	a.offered++
	a.queues[c.queue]++
	if len(a.queue) == 0 && len(a.idle) > 0 {
		ag := a.idle[0]
		a.idle = a.idle[1:]
		a.assign(c, ag, now)
		return true
	}
	a.queueChanged(now)
	a.queue = append(a.queue, c)
	a.maxQueue = max(a.maxQueue, len(a.queue))
	return true
}

// assign gives ag to c; the caller holds the lock.
func (a *acd) assign(c *call, ag *agent, now time.Time) {
	ag.busySince = now
	ag.call = c
	c.agent = ag
	c.assigned <- ag // buffered: never blocks
}

// free makes ag available: it takes the oldest waiting caller, or joins the
// idle agents at the back. The caller holds the lock.
func (a *acd) free(ag *agent, now time.Time) {
	if !ag.busySince.IsZero() {
		a.busy += a.clock(now).Sub(a.clock(ag.busySince))
	}
	ag.busySince = time.Time{}
	ag.call = nil
	if len(a.queue) > 0 && !a.closed {
		a.queueChanged(now)
		c := a.queue[0]
		a.queue[0] = nil
		a.queue = a.queue[1:]
		a.assign(c, ag, now)
		return
	}
	a.idle = append(a.idle, ag)
}

// dequeue removes c from the queue, or frees the agent assigned to it
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
		for i, q := range a.queue {
			if q == c {
				a.queueChanged(now)
				a.queue = append(a.queue[:i], a.queue[i+1:]...)
				break
			}
		}
	}
	a.inSystem--
}

// abandon: the caller left before the answer.
func (a *acd) abandon(c *call, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dequeue(c, now)
	a.abandoned++
	a.abandonWaitSum += now.Sub(c.arrived)
}

// leaveAtEnd: the server is closing and c has not been answered.
func (a *acd) leaveAtEnd(c *call, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dequeue(c, now)
	a.waitingAtEnd++
}

// answer records that c's 200 OK went out at now.
func (a *acd) answer(c *call, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c.answeredAt = now
	w := now.Sub(c.arrived)
	a.answered++
	a.waitSum += w
	if w <= a.within {
		a.answeredWithin++
	}
}

// finish ends an answered call and frees its agent.
func (a *acd) finish(c *call, byCaller bool, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.completed++
	a.talkSum += now.Sub(c.answeredAt)
	if byCaller {
		a.callerHangups++
	} else {
		a.agentHangups++
	}
	if ag := c.agent; ag != nil {
		c.agent = nil
		a.free(ag, now)
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
	a.queueChanged(now)
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

	// Offered = calls admitted to the queue = Answered + Abandoned +
	// WaitingAtEnd + Waiting. Rejected (503, no trunk free) are apart.
	Offered      uint64 `json:"offered"`
	Answered     uint64 `json:"answered"`
	Abandoned    uint64 `json:"abandoned"`
	Rejected     uint64 `json:"rejected"`
	WaitingAtEnd uint64 `json:"waiting_at_end"`
	Completed    uint64 `json:"completed"` // answered calls that have ended
	// Waiting and Talking are the calls in progress now.
	Waiting       int    `json:"waiting"`
	Talking       int    `json:"talking"`
	CallerHangups uint64 `json:"caller_hangups"`
	AgentHangups  uint64 `json:"agent_hangups"`

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
}

func (a *acd) stats(now time.Time, scale float64) Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	now = a.clock(now)
	a.queueChanged(now)
	elapsed := now.Sub(a.start)
	busy := a.busy
	talking := 0
	for _, ag := range a.agents {
		if !ag.busySince.IsZero() {
			busy += now.Sub(a.clock(ag.busySince))
		}
		if ag.call != nil && !ag.call.answeredAt.IsZero() {
			talking++
		}
	}
	s := Stats{
		Agents: len(a.agents), Trunks: a.trunks, TimeScale: scale,
		ElapsedSeconds: elapsed.Seconds() * scale, WallSeconds: elapsed.Seconds(), Running: !a.closed,
		Offered: a.offered, Answered: a.answered, Abandoned: a.abandoned, Rejected: a.rejected,
		WaitingAtEnd: a.waitingAtEnd, Completed: a.completed, Waiting: len(a.queue), Talking: talking,
		CallerHangups: a.callerHangups, AgentHangups: a.agentHangups,
		WithinSeconds: a.withinSc.Seconds(), MaxQueueLength: a.maxQueue, Queues: map[string]uint64{},
	}
	names := make([]string, 0, len(a.queues))
	for q, n := range a.queues {
		s.Queues[q] = n
		names = append(names, q)
	}
	sort.Slice(names, func(i, j int) bool {
		return a.queues[names[i]] > a.queues[names[j]] || (a.queues[names[i]] == a.queues[names[j]] && names[i] < names[j])
	})
	if len(names) > 0 {
		s.Queue = names[0]
	}
	if a.offered > 0 {
		s.ServiceLevel = float64(a.answeredWithin) / float64(a.offered)
		s.AbandonRate = float64(a.abandoned) / float64(a.offered)
	}
	if a.answered > 0 {
		s.ASASeconds = a.waitSum.Seconds() / float64(a.answered) * scale
	}
	if a.abandoned > 0 {
		s.MeanAbandonWait = a.abandonWaitSum.Seconds() / float64(a.abandoned) * scale
	}
	if a.completed > 0 {
		s.MeanHandleSeconds = a.talkSum.Seconds() / float64(a.completed) * scale
	}
	if elapsed > 0 {
		s.Occupancy = busy.Seconds() / (float64(len(a.agents)) * elapsed.Seconds())
		s.MeanQueueLength = a.queueArea / elapsed.Seconds()
	}
	return s
}
