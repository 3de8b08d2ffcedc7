package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"sync/atomic"

	"github.com/callsim/callsim/scenarios"
)

// qcell accumulates the call statistics of one queue in one reporting cell.
type qcell struct {
	offered, answered, within, abandoned, queued float64
	waitAnswered, waitAll                        float64 // seconds
	talk, wrap                                   float64 // seconds, of answered calls
	area                                         float64 // queue length x seconds
	maxLen                                       float64 // longest queue seen
	resolved, repeats                            float64 // answered and resolved; offered calls that were repeats
	redials, transfersIn, selfServed             float64 // offered calls that were redials or transfers; IVR self-service (not offered)
	transferredOut                               float64 // answered calls handed on to another queue
	closed                                       float64 // calls that arrived outside opening hours (not offered)
}

func (a *qcell) add(b *qcell) {
	a.offered += b.offered
	a.answered += b.answered
	a.within += b.within
	a.abandoned += b.abandoned
	a.queued += b.queued
	a.waitAnswered += b.waitAnswered
	a.waitAll += b.waitAll
	a.talk += b.talk
	a.wrap += b.wrap
	a.area += b.area
	a.maxLen = max(a.maxLen, b.maxLen)
	a.resolved += b.resolved
	a.repeats += b.repeats
	a.redials += b.redials
	a.transfersIn += b.transfersIn
	a.selfServed += b.selfServed
	a.transferredOut += b.transferredOut
	a.closed += b.closed
}

// isOpen reports whether a queue with opening hours o takes calls at time t
// (the simulation starts on a Monday at 00:00).
func isOpen(o *scenarios.OpenHours, t float64) bool {
	d := int64(t / day)
	tod := t - float64(d)*day
	from, to := o.From.Seconds(), o.To.Seconds()
	if from <= to {
		return o.Days[d%7] && tod >= from && tod < to
	}
	// Spanning midnight: open from "from" on an open day to "to" the next.
	return (o.Days[d%7] && tod >= from) || (o.Days[(d+6)%7] && tod < to)
}

// gcell accumulates the agent statistics of one group in one reporting cell.
type gcell struct {
	busy       float64 // agent seconds busy with calls (talk + wrap-up)
	handled    float64 // calls answered by the group (counted by arrival)
	talk, wrap float64 // seconds of the calls it handled
	resolved   float64
}

func (a *gcell) add(b *gcell) {
	a.busy += b.busy
	a.handled += b.handled
	a.talk += b.talk
	a.wrap += b.wrap
	a.resolved += b.resolved
}

// call is a caller in the system. Slots are recycled; gen tells a live call
// from stale references to an earlier call in the same slot.
type call struct {
	arrive   float64
	talk     float64
	wrap     float64
	deadline float64
	u        float64 // uniform deciding resolution, drawn at arrival for common random numbers
	q        int32
	cell     int32 // reporting cell, or -1 when the call arrived in the warm-up
	gen      uint32
	waiting  bool
}

type qentry struct {
	idx int32
	gen uint32
}

// fifo is a growable ring buffer.
type fifo[T any] struct {
	buf        []T
	head, size int
}

func (f *fifo[T]) push(v T) {
	if f.size == len(f.buf) {
		n := make([]T, max(16, 2*len(f.buf)))
		for i := 0; i < f.size; i++ {
			n[i] = f.buf[(f.head+i)%len(f.buf)]
		}
		f.buf, f.head = n, 0
	}
	f.buf[(f.head+f.size)%len(f.buf)] = v
	f.size++
}

func (f *fifo[T]) front() T { return f.buf[f.head] }

func (f *fifo[T]) pop() T {
	v := f.buf[f.head]
	f.head++
	if f.head == len(f.buf) {
		f.head = 0
	}
	f.size--
	return v
}

type qstate struct {
	fifo       fifo[qentry]
	length     int // callers waiting now
	lastChange float64
}

type agent struct {
	group int32
	q     int32
	cell  int32 // the served call's reporting cell, or -1
	start float64
}

// replication is the state of one simulation run.
type replication struct {
	m     *model
	now   float64
	heap  eventHeap
	calls []call
	free  []int32

	queues  []qstate
	idle    []fifo[int32] // per group, longest idle first
	offDuty [][]int32     // per group, agents not on duty
	onDuty  []int         // per group, agents on duty, busy or idle
	leaving []int         // per group, busy agents to go off duty after their call
	agents  []agent

	arrivals, handle, wrap, patience, resolve, repeat, redial, ivr, transfer []*rand.Rand
	busy                                                                     [][]float64 // per queue, per day: the gamma day factor

	qcells []qcell   // [cell*Q + q]
	gcells []gcell   // [cell*G + g]
	tmax   []float64 // [cell]: longest total queue (all queues together)
	total  int       // callers waiting in all queues now

	callsSimulated int64
	events         int64
	waitingAtEnd   []int
	ct             *contractTally // what the contract terms need (contract.go); nil without a vendor
}

// replicationResult is what one replication hands back for aggregation.
type replicationResult struct {
	qcells         []qcell
	gcells         []gcell
	tmax           []float64
	waitingAtEnd   []int
	callsSimulated int64
	events         int64
	// stoppedAt is the simulated time an interrupted replication reached;
	// zero when it ran to the end.
	stoppedAt float64
	contracts *contractTally
}

func newReplication(m *model, rep int) *replication {
	r := &replication{
		m:            m,
		queues:       make([]qstate, len(m.queues)),
		idle:         make([]fifo[int32], len(m.groups)),
		offDuty:      make([][]int32, len(m.groups)),
		onDuty:       make([]int, len(m.groups)),
		leaving:      make([]int, len(m.groups)),
		agents:       make([]agent, m.nAgents),
		qcells:       make([]qcell, m.batches*m.nSlots*len(m.queues)),
		gcells:       make([]gcell, m.batches*m.nSlots*len(m.groups)),
		tmax:         make([]float64, m.batches*m.nSlots),
		waitingAtEnd: make([]int, len(m.queues)),
		ct:           newContractTally(m),
	}
	r.heap.a = make([]event, 0, 64+m.nAgents)
	for i := range m.queues {
		r.arrivals = append(r.arrivals, newStream(m.seed, rep, streamArrivals, i))
		r.handle = append(r.handle, newStream(m.seed, rep, streamHandle, i))
		r.wrap = append(r.wrap, newStream(m.seed, rep, streamWrap, i))
		r.patience = append(r.patience, newStream(m.seed, rep, streamPatience, i))
		r.resolve = append(r.resolve, newStream(m.seed, rep, streamResolve, i))
		r.repeat = append(r.repeat, newStream(m.seed, rep, streamRepeat, i))
		r.redial = append(r.redial, newStream(m.seed, rep, streamRedial, i))
		r.ivr = append(r.ivr, newStream(m.seed, rep, streamIVR, i))
		r.transfer = append(r.transfer, newStream(m.seed, rep, streamTransfer, i))
		var busy []float64
		if cv := m.queues[i].busyCV; cv > 0 {
			s := newStream(m.seed, rep, streamBusy, i)
			shape := 1 / (cv * cv)
			busy = make([]float64, int(math.Ceil(m.horizon/day))+1)
			for d := range busy {
				busy[d] = gammaSample(s, shape) / shape
			}
		}
		r.busy = append(r.busy, busy)
	}
	for gi, g := range m.groups {
		r.idle[gi].buf = make([]int32, max(g.peak, 1))
		for a := g.firstAgent + g.peak - 1; a >= g.firstAgent; a-- {
			r.agents[a] = agent{group: int32(gi), q: -1, cell: -1}
			r.offDuty[gi] = append(r.offDuty[gi], int32(a))
		}
	}
	return r
}

// setStaff applies change ci of group g's headcount: agents come on duty
// and take waiting calls, or go off duty, idle ones at once and busy ones
// when their call ends. It schedules the group's next change.
func (r *replication) setStaff(g int, ci int) {
	mg := &r.m.groups[g]
	want := mg.changes[ci].avail
	for r.onDuty[g] > want && r.idle[g].size > 0 {
		r.offDuty[g] = append(r.offDuty[g], r.idle[g].pop())
		r.onDuty[g]--
	}
	r.leaving[g] = max(0, r.onDuty[g]-want)
	for r.onDuty[g] < want {
		n := len(r.offDuty[g]) - 1
		a := r.offDuty[g][n]
		r.offDuty[g] = r.offDuty[g][:n]
		r.onDuty[g]++
		r.nextFor(g, int(a))
	}
	if ci+1 < len(mg.changes) {
		r.heap.push(event{t: mg.changes[ci+1].t, idx: int32(g), meta: mkMeta(evStaff, 0, uint32(ci+1))})
	}
}

// run simulates one replication. progress, if not nil, is advanced by the
// number of calls simulated as the run goes.
func (r *replication) run(ctx context.Context, progress *atomic.Int64) (replicationResult, error) {
	m := r.m
	for g := range m.groups {
		if len(m.groups[g].changes) > 0 {
			r.setStaff(g, 0)
		}
	}
	for qi := range m.queues {
		r.scheduleArrival(qi)
	}
	const checkEvery = 1 << 16
	var reported int64
	for r.heap.len() > 0 {
		ev := r.heap.pop()
		r.now = ev.t
		r.events++
		switch ev.kind() {
		case evArrival:
			r.scheduleArrival(int(ev.idx))
			r.arrive(int(ev.idx), fresh)
		case evReturn:
			r.arrive(int(ev.idx), ev.step())
		case evStaff:
			r.setStaff(int(ev.idx), int(ev.gen()))
		case evDone:
			r.done(ev.idx)
		case evAbandon:
			r.abandon(ev.idx, ev.gen())
		case evEligible:
			r.eligible(ev.idx, ev.gen(), ev.step())
		}
		if r.events%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				// Hand back what was measured: the batches that ended
				// before now are complete enough to keep (see aggregate).
				return replicationResult{qcells: r.qcells, gcells: r.gcells, tmax: r.tmax, waitingAtEnd: r.waitingAtEnd,
					callsSimulated: r.callsSimulated, events: r.events, stoppedAt: r.now, contracts: r.ct}, err
			}
			if progress != nil {
				progress.Add(r.callsSimulated - reported)
				reported = r.callsSimulated
			}
		}
	}
	if progress != nil {
		progress.Add(r.callsSimulated - reported)
	}
	res := replicationResult{
		qcells:         r.qcells,
		gcells:         r.gcells,
		tmax:           r.tmax,
		waitingAtEnd:   r.waitingAtEnd,
		callsSimulated: r.callsSimulated,
		events:         r.events,
		contracts:      r.ct,
	}
	for qi := range r.queues {
		q := &r.queues[qi]
		// Callers still waiting when no event is left (no agent can ever
		// take them) count towards the queue length up to the horizon.
		r.addArea(qi, q.lastChange, m.horizon, q.length)
		for q.fifo.size > 0 {
			e := q.fifo.pop()
			c := &r.calls[e.idx]
			if c.gen == e.gen && c.waiting && c.cell >= 0 {
				r.waitingAtEnd[qi]++
			}
		}
	}
	return res, nil
}

func (r *replication) scheduleArrival(qi int) {
	q := &r.m.queues[qi]
	if q.rate <= 0 {
		return
	}
	var t float64
	if q.varying {
		t = r.nextVaryingArrival(qi)
	} else {
		t = r.now + r.arrivals[qi].ExpFloat64()/q.rate
	}
	if t < r.m.horizon {
		r.heap.push(event{t: t, idx: int32(qi), meta: mkMeta(evArrival, 0, 0)})
	}
}

// nextVaryingArrival draws the next arrival of a Poisson process whose rate
// is constant within each interval: one unit exponential is spent against
// the integrated rate, interval by interval (exact, no thinning). It
// returns a time at or past the horizon when no arrival comes before it.
func (r *replication) nextVaryingArrival(qi int) float64 {
	m := r.m
	q := &m.queues[qi]
	e := r.arrivals[qi].ExpFloat64()
	t := r.now
	for t < m.horizon {
		k := int64(t / m.interval)
		end := math.Min(float64(k+1)*m.interval, m.horizon)
		dayIdx := k / int64(m.nSlots)
		var lam float64
		if q.weekRates != nil {
			lam = q.weekRates[k%int64(len(q.weekRates))]
		} else {
			lam = q.rate * q.weekdays[dayIdx%7]
			if q.profile != nil {
				lam *= q.profile[k%int64(m.nSlots)]
			}
		}
		if b := r.busy[qi]; b != nil {
			lam *= b[dayIdx]
		}
		if lam > 0 {
			if dt := e / lam; t+dt < end {
				return t + dt
			}
			e -= lam * (end - t)
		}
		t = end
	}
	return m.horizon
}

// cellAt returns the reporting cell of time t, or -1 outside the window.
func (r *replication) cellAt(t float64) int32 {
	m := r.m
	if t < m.warmup || t >= m.horizon {
		return -1
	}
	return int32(m.cellOf(int64(t / m.interval)))
}

func (r *replication) allocCall() int32 {
	if n := len(r.free); n > 0 {
		i := r.free[n-1]
		r.free = r.free[:n-1]
		return i
	}
	r.calls = append(r.calls, call{})
	return int32(len(r.calls) - 1)
}

func (r *replication) freeCall(i int32) {
	c := &r.calls[i]
	c.gen++
	c.waiting = false
	r.free = append(r.free, i)
}

// Why a call enters a queue.
const (
	fresh    = iota // a new caller
	repeat          // an unresolved caller calling again
	redial          // a caller who abandoned, calling again
	transfer        // a call handed on by an agent of another queue
)

// arrive brings a call into queue qi.
func (r *replication) arrive(qi int, why int) {
	m := r.m
	q := &m.queues[qi]
	now := r.now
	r.callsSimulated++
	if q.open != nil && !isOpen(q.open, now) {
		if cell := r.cellAt(now); cell >= 0 {
			r.qcells[int(cell)*len(m.queues)+qi].closed++
		}
		return
	}
	if q.selfService > 0 && why != transfer && r.ivr[qi].Float64() < q.selfService {
		if cell := r.cellAt(now); cell >= 0 {
			r.qcells[int(cell)*len(m.queues)+qi].selfServed++
		}
		return
	}

	ci := r.allocCall()
	c := &r.calls[ci]
	c.arrive = now
	c.q = int32(qi)
	c.cell = r.cellAt(now)
	c.talk = q.handle.sample(r.handle[qi])
	c.wrap = 0
	if q.hasWrap {
		c.wrap = q.wrap.sample(r.wrap[qi])
	}
	c.deadline = math.Inf(1)
	if q.hasPatience {
		c.deadline = now + q.patience.sample(r.patience[qi])
	}
	c.u = 0
	if q.hasRepeat {
		c.u = r.resolve[qi].Float64()
	}
	if c.cell >= 0 {
		qc := &r.qcells[int(c.cell)*len(m.queues)+qi]
		qc.offered++
		switch why {
		case repeat:
			qc.repeats++
		case redial:
			qc.redials++
		case transfer:
			qc.transfersIn++
		}
		if r.ct != nil {
			r.ct.offer(m, qi, now)
		}
	}

	// The first group on the route with no overflow delay and an idle agent
	// takes the call at once.
	for _, st := range q.route {
		if st.after > 0 {
			break
		}
		if r.idle[st.group].size > 0 {
			r.serve(ci, int(r.idle[st.group].pop()))
			return
		}
	}

	// Wait.
	c.waiting = true
	qs := &r.queues[qi]
	r.addArea(qi, qs.lastChange, now, qs.length)
	qs.lastChange = now
	qs.length++
	r.total++
	if c.cell >= 0 {
		qc := &r.qcells[int(c.cell)*len(m.queues)+qi]
		qc.maxLen = max(qc.maxLen, float64(qs.length))
		r.tmax[c.cell] = max(r.tmax[c.cell], float64(r.total))
	}
	qs.fifo.push(qentry{idx: ci, gen: c.gen})
	if q.hasPatience {
		r.heap.push(event{t: c.deadline, idx: ci, meta: mkMeta(evAbandon, 0, c.gen)})
	}
	for s, st := range q.route {
		if st.after > 0 && now+st.after < c.deadline {
			r.heap.push(event{t: now + st.after, idx: ci, meta: mkMeta(evEligible, s, c.gen)})
		}
	}
}

// leaveQueue takes a waiting call out of its queue's length count; its FIFO
// entry goes stale and is skipped later.
func (r *replication) leaveQueue(c *call) {
	qs := &r.queues[c.q]
	r.addArea(int(c.q), qs.lastChange, r.now, qs.length)
	qs.lastChange = r.now
	qs.length--
	r.total--
	c.waiting = false
}

// serve starts the service of call ci by agent a.
func (r *replication) serve(ci int32, a int) {
	m := r.m
	Q := len(m.queues)
	c := &r.calls[ci]
	wait := r.now - c.arrive
	ag := &r.agents[a]
	ag.q, ag.cell, ag.start = c.q, c.cell, r.now
	sk := int(ag.group)*Q + int(c.q)
	talk := c.talk * m.factor[sk]
	q := &m.queues[c.q]
	transferred := q.hasTransfer && r.transfer[c.q].Float64() < m.transfer[sk]
	resolved := !transferred && c.u < m.resolve[sk]
	if c.cell >= 0 {
		qc := &r.qcells[int(c.cell)*Q+int(c.q)]
		qc.answered++
		if c.waiting {
			qc.queued++
		}
		if wait <= m.queues[c.q].within {
			qc.within++
		}
		qc.waitAnswered += wait
		qc.waitAll += wait
		qc.talk += talk
		qc.wrap += c.wrap
		gc := &r.gcells[int(c.cell)*len(m.groups)+int(ag.group)]
		gc.handled++
		gc.talk += talk
		gc.wrap += c.wrap
		if resolved {
			qc.resolved++
			gc.resolved++
		}
		if transferred {
			qc.transferredOut++
		}
		if r.ct != nil {
			r.ct.serve(m, int(c.cell), int(ag.group), int(c.q), c.arrive, wait, talk, c.wrap, resolved)
		}
	}
	if c.waiting {
		r.leaveQueue(c)
	}
	end := r.now + talk + c.wrap
	r.heap.push(event{t: end, idx: int32(a), meta: mkMeta(evDone, 0, 0)})
	switch {
	case transferred:
		if end < m.horizon {
			r.heap.push(event{t: end, idx: int32(q.transferTo), meta: mkMeta(evReturn, transfer, 0)})
		}
	case !resolved && q.hasRepeat && r.repeat[c.q].Float64() < q.repeatProb:
		if t := end + q.repeatAfter.sample(r.repeat[c.q]); t < m.horizon {
			r.heap.push(event{t: t, idx: c.q, meta: mkMeta(evReturn, repeat, 0)})
		}
	}
	r.freeCall(ci)
}

func (r *replication) done(a int32) {
	ag := &r.agents[a]
	g := int(ag.group)
	r.addBusy(g, ag.start, r.now)
	ag.q, ag.cell = -1, -1
	if r.leaving[g] > 0 {
		r.leaving[g]--
		r.onDuty[g]--
		r.offDuty[g] = append(r.offDuty[g], a)
		return
	}
	r.nextFor(g, int(a))
}

// nextFor gives the freed agent a of group g the oldest eligible call of the
// highest-priority queue it serves, or makes it idle.
func (r *replication) nextFor(g, a int) {
	best, bestQ := int32(-1), -1
	bestPrio, bestArrive := 0, math.Inf(1)
	for _, s := range r.m.groups[g].serves {
		if best >= 0 && s.priority < bestPrio {
			break
		}
		qs := &r.queues[s.q]
		for qs.fifo.size > 0 {
			e := qs.fifo.front()
			c := &r.calls[e.idx]
			if c.gen != e.gen || !c.waiting {
				qs.fifo.pop()
				continue
			}
			if r.now >= c.arrive+s.after && c.arrive < bestArrive {
				best, bestQ, bestPrio, bestArrive = e.idx, s.q, s.priority, c.arrive
			}
			break
		}
	}
	if best < 0 {
		r.idle[g].push(int32(a))
		return
	}
	r.queues[bestQ].fifo.pop()
	r.serve(best, a)
}

func (r *replication) abandon(ci int32, gen uint32) {
	c := &r.calls[ci]
	if c.gen&genMask != gen || !c.waiting {
		return // already served
	}
	if c.cell >= 0 {
		qc := &r.qcells[int(c.cell)*len(r.m.queues)+int(c.q)]
		qc.abandoned++
		qc.queued++
		qc.waitAll += r.now - c.arrive
	}
	if q := &r.m.queues[c.q]; q.redialProb > 0 && r.redial[c.q].Float64() < q.redialProb {
		if t := r.now + q.redialAfter.sample(r.redial[c.q]); t < r.m.horizon {
			r.heap.push(event{t: t, idx: c.q, meta: mkMeta(evReturn, redial, 0)})
		}
	}
	r.leaveQueue(c)
	r.freeCall(ci)
}

// eligible: call ci has waited long enough for route step s.
func (r *replication) eligible(ci int32, gen uint32, s int) {
	c := &r.calls[ci]
	if c.gen&genMask != gen || !c.waiting {
		return
	}
	g := r.m.queues[c.q].route[s].group
	if r.idle[g].size == 0 {
		return
	}
	// No older call of this queue can be waiting for this group: it would
	// have become eligible earlier and taken the idle agent.
	r.serve(ci, int(r.idle[g].pop()))
}

// addBusy adds an agent's busy period [t0, t1] to its group's cells,
// clipped to the measured window and split at interval boundaries.
func (r *replication) addBusy(g int, t0, t1 float64) {
	m := r.m
	t0 = math.Max(t0, m.warmup)
	t1 = math.Min(t1, m.horizon)
	G := len(m.groups)
	for t0 < t1 {
		k := int64(t0 / m.interval)
		end := math.Min(t1, float64(k+1)*m.interval)
		r.gcells[m.cellOf(k)*G+g].busy += end - t0
		t0 = end
	}
}

// addArea adds n waiting callers over [t0, t1] to queue q's length integral.
func (r *replication) addArea(q int, t0, t1 float64, n int) {
	if n == 0 {
		return
	}
	m := r.m
	t0 = math.Max(t0, m.warmup)
	t1 = math.Min(t1, m.horizon)
	Q := len(m.queues)
	for t0 < t1 {
		k := int64(t0 / m.interval)
		end := math.Min(t1, float64(k+1)*m.interval)
		r.qcells[m.cellOf(k)*Q+q].area += float64(n) * (end - t0)
		t0 = end
	}
}
