package sim

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/acd"
	"github.com/callsim/callsim/center/kpi"
)

// callData is what the simulator keeps with a call in the ACD: its needs,
// drawn at arrival.
type callData struct {
	talk     float64
	wrap     float64
	deadline float64
	u        float64 // uniform deciding resolution, drawn at arrival for common random numbers
}

// replication is the state of one simulation run.
type replication struct {
	m    *model
	c    *center.Center
	now  float64
	heap eventHeap
	acd  acd.ACD[callData]
	st   center.Streams
	t    kpi.Tally
	// serveQueued serves a call an agent coming on duty takes (SetStaff).
	serveQueued func(ci, ag int32)
	// Fresh arrivals of a center with few queues wait beside the heap, not
	// in it: arrT holds each queue's next arrival (+Inf: none), arrNext and
	// arrQ the earliest. A third of the events then costs no heap push and
	// pop.
	arrLocal bool
	arrT     []float64
	arrNext  float64
	arrQ     int

	callsSimulated int64
	events         int64
	waitingAtEnd   []int
	ct             *contractTally // what the contract terms need (contract.go); nil without a vendor
	rec            *traceRec      // the call trace (trace.go); nil without one
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

type (
	qcell = kpi.Queue
	gcell = kpi.Group
)

func newReplication(m *model, rep int) *replication {
	r := &replication{
		m:            m,
		c:            m.c,
		waitingAtEnd: make([]int, len(m.c.Queues)),
		ct:           newContractTally(m),
	}
	r.t = kpi.NewTally(&m.layout, len(m.c.Queues), len(m.c.Groups))
	r.acd.Init(m.c, &r.t)
	r.st = center.NewStreams(m.c, m.seed, rep)
	r.heap.a = make([]event, 0, 64+m.c.NAgents)
	r.serveQueued = func(ci, ag int32) { r.serve(ci, ag, true) }
	r.arrLocal = len(m.c.Queues) <= maxLocalArrivals
	r.arrT = make([]float64, len(m.c.Queues))
	for i := range r.arrT {
		r.arrT[i] = math.Inf(1)
	}
	r.arrNext, r.arrQ = math.Inf(1), -1
	return r
}

func (r *replication) result() replicationResult {
	return replicationResult{qcells: r.t.Queues, gcells: r.t.Groups, tmax: r.t.MaxTotal, waitingAtEnd: r.waitingAtEnd,
		callsSimulated: r.callsSimulated, events: r.events, contracts: r.ct}
}

// setStaff applies change ci of group g's headcount (see acd.SetStaff) and
// schedules the group's next change.
func (r *replication) setStaff(g int, ci int) {
	cg := &r.c.Groups[g]
	r.acd.SetStaff(g, cg.Changes[ci].Avail, r.now, r.serveQueued)
	if ci+1 < len(cg.Changes) {
		r.heap.push(event{t: cg.Changes[ci+1].T, idx: int32(g), meta: mkMeta(evStaff, 0, uint32(ci+1))})
	}
}

// run simulates one replication. progress, if not nil, is advanced by the
// number of calls simulated as the run goes.
func (r *replication) run(ctx context.Context, progress *atomic.Int64) (replicationResult, error) {
	m := r.m
	for g := range r.c.Groups {
		if len(r.c.Groups[g].Changes) > 0 {
			r.setStaff(g, 0)
		}
	}
	for qi := range r.c.Queues {
		r.scheduleArrival(qi)
	}
	const checkEvery = 1 << 16
	var reported int64
	for {
		var ev event
		if r.arrQ >= 0 && (r.heap.len() == 0 || r.arrNext < r.heap.a[0].t) {
			ev = event{t: r.arrNext, idx: int32(r.arrQ), meta: mkMeta(evArrival, 0, 0)}
		} else if r.heap.len() > 0 {
			ev = r.heap.pop()
		} else {
			break
		}
		r.now = ev.t
		r.events++
		switch ev.kind() {
		case evArrival:
			r.scheduleArrival(int(ev.idx))
			r.arrive(int(ev.idx), kpi.Fresh)
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
				res := r.result()
				res.stoppedAt = r.now
				return res, err
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
	// Callers still waiting when no event is left (no agent can ever take
	// them) count towards the queue length up to the horizon.
	r.acd.Close(m.horizon, func(ci int32) {
		if c := &r.acd.Calls[ci]; c.Cell >= 0 {
			r.waitingAtEnd[c.Q]++
		}
	})
	return r.result(), nil
}

// maxLocalArrivals is the most queues whose next arrivals are kept beside
// the heap (finding the earliest is a scan).
const maxLocalArrivals = 8

func (r *replication) scheduleArrival(qi int) {
	t := math.Inf(1)
	if r.c.Queues[qi].Arrivals.Rate > 0 {
		if next := r.st.NextArrival(r.c, qi, r.now, r.m.horizon); next < r.m.horizon {
			t = next
		}
	}
	if !r.arrLocal {
		if !math.IsInf(t, 1) {
			r.heap.push(event{t: t, idx: int32(qi), meta: mkMeta(evArrival, 0, 0)})
		}
		return
	}
	r.arrT[qi] = t
	r.arrNext, r.arrQ = math.Inf(1), -1
	for q, at := range r.arrT {
		if at < r.arrNext {
			r.arrNext, r.arrQ = at, q
		}
	}
}

// arrive brings a call into queue qi for reason why (kpi.Fresh, ...).
func (r *replication) arrive(qi int, why int) {
	c := r.c
	q := &c.Queues[qi]
	now := r.now
	r.callsSimulated++
	cell := r.m.layout.CellAt(now)
	if q.Open != nil && !center.IsOpen(q.Open, now) {
		if cell >= 0 {
			r.t.Queue(cell, qi).Closed++
		}
		return
	}
	if why != kpi.Transfer && r.st.SelfServed(c, qi) {
		if cell >= 0 {
			r.t.Queue(cell, qi).SelfServed++
		}
		return
	}
	n := r.st.Draw(c, qi)
	if cell >= 0 {
		r.t.Offer(cell, qi, why)
		if r.ct != nil {
			r.ct.offer(r.m, qi, now)
		}
	}
	ci, ag := r.acd.Arrive(qi, now, cell, callData{talk: n.Talk, wrap: n.Wrap, deadline: now + n.Patience, u: n.U})
	if r.rec != nil {
		r.rec.arrive(r, qi, why, ci, n)
	}
	if ag >= 0 {
		r.serve(ci, ag, false)
		return
	}
	gen := r.acd.Calls[ci].Gen
	deadline := now + n.Patience
	if q.HasPatience {
		r.heap.push(event{t: deadline, idx: ci, meta: mkMeta(evAbandon, 0, gen)})
	}
	for s, st := range q.Route {
		if st.After > 0 && now+st.After < deadline {
			r.heap.push(event{t: now + st.After, idx: ci, meta: mkMeta(evEligible, s, gen)})
		}
	}
}

// serve starts the service of call ci by agent a; queued says the call
// waited in its queue.
func (r *replication) serve(ci int32, a int32, queued bool) {
	m := r.m
	c := r.c
	call := &r.acd.Calls[ci]
	qi, g := int(call.Q), r.acd.Group(a)
	wait := r.now - call.Arrive
	talk := call.P.talk * c.Factor[g*len(c.Queues)+qi]
	wrap := call.P.wrap
	q := &c.Queues[qi]
	transferred, resolved := r.st.Answer(c, qi, g, call.P.u)
	if call.Cell >= 0 {
		r.t.Answer(call.Cell, qi, g, wait, queued, q.Within, talk, wrap, resolved, transferred)
		if r.ct != nil {
			r.ct.serve(m, int(call.Cell), g, qi, call.Arrive, wait, talk, wrap, resolved)
		}
	}
	end := r.now + talk + wrap
	if r.rec != nil {
		r.rec.serve(r, ci, g, wait, end, transferred)
	}
	r.heap.push(event{t: end, idx: a, meta: mkMeta(evDone, 0, 0)})
	switch {
	case transferred:
		if end < m.horizon {
			r.heap.push(event{t: end, idx: int32(q.TransferTo), meta: mkMeta(evReturn, kpi.Transfer, 0)})
		}
	case !resolved:
		if after, ok := r.st.Repeat(c, qi); ok {
			if t := end + after; t < m.horizon {
				r.heap.push(event{t: t, idx: int32(qi), meta: mkMeta(evReturn, kpi.Repeat, 0)})
			}
		}
	}
	r.acd.Free(ci)
}

func (r *replication) done(a int32) {
	if ci := r.acd.Done(a, r.now); ci >= 0 {
		r.serve(ci, a, true)
	}
}

func (r *replication) abandon(ci int32, gen uint32) {
	if !r.acd.Abandon(ci, gen, r.now) {
		return // already served
	}
	c := &r.acd.Calls[ci]
	if c.Cell >= 0 {
		r.t.Abandon(c.Cell, int(c.Q), r.now-c.Arrive)
	}
	if r.rec != nil {
		r.rec.abandon(r, ci, r.now-c.Arrive)
	}
	if after, ok := r.st.Redial(r.c, int(c.Q)); ok {
		if t := r.now + after; t < r.m.horizon {
			r.heap.push(event{t: t, idx: c.Q, meta: mkMeta(evReturn, kpi.Redial, 0)})
		}
	}
	r.acd.Free(ci)
}

// eligible: call ci has waited long enough for route step s.
func (r *replication) eligible(ci int32, gen uint32, s int) {
	if a := r.acd.Eligible(ci, gen, s, r.now); a >= 0 {
		r.serve(ci, a, true)
	}
}
