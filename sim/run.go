package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/scenarios"
)

// Options tune a run without changing its results.
type Options struct {
	// Workers is the number of replications run at once (default: the
	// number of CPUs). Results do not depend on it.
	Workers int
	// Progress, if set, is called about ten times a second from its own
	// goroutine with the calls simulated so far and the expected total.
	Progress func(done, total int64)
}

// Model is a scenario compiled for the engine. It can be run any number of
// times, also from several goroutines at once: a run reads it and never
// changes it. Callers that simulate many versions of a scenario (an
// optimizer, a sweep) compile each version once.
type Model struct{ m *model }

// Compile checks a scenario for what the engine needs and compiles it.
func Compile(sc *scenarios.Scenario) (*Model, error) {
	if sc == nil {
		return nil, errors.New("no scenario")
	}
	m, err := compile(sc)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", sc.Name, err)
	}
	return &Model{m: m}, nil
}

// Run simulates every replication of the scenario and aggregates them.
// When ctx is cancelled it stops and returns what the finished replications
// measured, marked Interrupted, or ctx's error when none had finished.
func Run(ctx context.Context, sc *scenarios.Scenario, opt Options) (*Result, error) {
	mod, err := Compile(sc)
	if err != nil {
		return nil, err
	}
	return mod.Run(ctx, opt)
}

// Run simulates every replication of the compiled scenario, as the
// function Run does.
func (mod *Model) Run(ctx context.Context, opt Options) (*Result, error) {
	m := mod.m
	start := time.Now()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, m.reps)

	var done atomic.Int64
	stopProgress := make(chan struct{})
	var progressWG sync.WaitGroup
	if opt.Progress != nil {
		progressWG.Add(1)
		go func() {
			defer progressWG.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-tick.C:
					opt.Progress(done.Load(), int64(m.estimatedCalls))
				}
			}
		}()
	}

	results := make([]*replicationResult, m.reps)
	runRep := func(rep int) {
		res, err := newReplication(m, rep).run(ctx, &done)
		if err == nil || m.keptBatches(&res) > 0 {
			results[rep] = &res
		}
	}
	if workers == 1 {
		// One worker: the replications run here, in turn, without a
		// goroutine and a channel to hand each over (an optimizer runs
		// thousands of small models this way).
		for rep := 0; rep < m.reps && ctx.Err() == nil; rep++ {
			runRep(rep)
		}
	} else {
		jobs := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rep := range jobs {
					runRep(rep)
				}
			}()
		}
	feed:
		for rep := 0; rep < m.reps; rep++ {
			select {
			case jobs <- rep:
			case <-ctx.Done():
				break feed
			}
		}
		close(jobs)
		wg.Wait()
	}
	close(stopProgress)
	progressWG.Wait()
	if opt.Progress != nil {
		opt.Progress(done.Load(), int64(m.estimatedCalls))
	}

	finished := results[:0:0]
	for _, r := range results {
		if r != nil {
			finished = append(finished, r)
		}
	}
	if len(finished) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("simulation interrupted before a replication finished: %w", err)
		}
		return nil, errors.New("no replication finished")
	}
	res := aggregate(m, finished)
	res.Interrupted = len(finished) < m.reps || ctx.Err() != nil
	wall := time.Since(start).Seconds()
	res.Run.Workers = workers
	res.Run.WallSeconds = wall
	if wall > 0 {
		res.Run.CallsPerSecond = float64(res.Run.CallsSimulated) / wall
	}
	return res, nil
}

// unit is one observation for confidence intervals: a replication, or a
// batch of a single replication.
type unit struct {
	q        qcell
	busy     float64
	handled  float64
	handleS  float64 // talk + wrap-up seconds of the calls handled
	staffed  float64 // agent seconds
	exposure float64 // seconds of measured window
	tmax     float64
	waitEnd  float64
}

// keptBatches is how many of a replication's batches count: all when it
// ran to the end; when it was interrupted, those that ended (with a margin
// of one batch for the calls still in progress) before it stopped.
func (m *model) keptBatches(r *replicationResult) int {
	if r.stoppedAt == 0 {
		return m.batches
	}
	done := int((int64(r.stoppedAt/m.interval) - m.firstInterval) / m.slotsPerBatch)
	return max(0, min(m.batches, done-1))
}

// aggregateStats counts the work aggregate does, for tests that guard its
// complexity.
type aggregateStats struct {
	cellVisits int64 // (replication, batch, slot) cells read by collect
}

func aggregate(m *model, reps []*replicationResult) *Result {
	return aggregateCounting(m, reps, &aggregateStats{})
}

func aggregateCounting(m *model, reps []*replicationResult, st *aggregateStats) *Result {
	Q, G, S := len(m.c.Queues), len(m.c.Groups), m.nSlots
	res := &Result{
		Scenario:        m.name,
		Seed:            m.seed,
		Replications:    len(reps),
		HorizonSeconds:  m.horizon,
		WarmupSeconds:   m.warmup,
		IntervalSeconds: m.interval,
		CIMethod:        "replications",
	}
	if m.batches > 1 {
		res.CIMethod = "batch_means"
	}
	res.CIObservations = 0
	for _, r := range reps {
		res.CIObservations += m.keptBatches(r)
	}
	totalAgents := 0
	for _, g := range m.c.Groups {
		totalAgents += g.Agents
	}
	for _, r := range reps {
		res.Run.CallsSimulated += r.callsSimulated
		res.Run.Events += r.events
	}

	// collect builds the units for one selection of cells: slot < 0 means
	// every slot, q < 0 every queue of ours (another client's queue counts
	// only on its own), g < 0 every group (g == -2: none). It visits only
	// the cells of the slots selected, so the per-interval tables cost one
	// pass over the cells in all, not one per interval.
	others := m.contracts.hasOthers
	nUnits := 0
	for _, r := range reps {
		nUnits += m.keptBatches(r)
	}
	// Two scratch buffers: collect(&bufA, ...) reuses bufA, so the units
	// of one call are read before the next call on the same buffer.
	bufA, bufB := make([]unit, 0, nUnits), make([]unit, 0, nUnits)
	collect := func(buf *[]unit, slot, q, g int) []unit {
		us := (*buf)[:0]
		defer func() { *buf = us }()
		lo, hi := 0, S
		if slot >= 0 {
			lo, hi = slot, slot+1
		}
		for _, r := range reps {
			for b := 0; b < m.keptBatches(r); b++ {
				var u unit
				for s := lo; s < hi; s++ {
					st.cellVisits++
					cell := b*S + s
					u.exposure += m.exposure[cell]
					if q < 0 && !others {
						u.tmax = max(u.tmax, r.tmax[cell])
					}
					for qi := 0; qi < Q; qi++ {
						if (q < 0 && m.ours(qi)) || qi == q {
							u.q.Add(&r.qcells[cell*Q+qi])
						}
					}
					if q < 0 && others {
						u.tmax = max(u.tmax, u.q.MaxLen) // the longest of our queues
					}
					if q >= 0 {
						u.tmax = max(u.tmax, r.qcells[cell*Q+q].MaxLen)
					}
					for gi := 0; gi < G; gi++ {
						if g == -1 || gi == g {
							gc := &r.gcells[cell*G+gi]
							u.busy += gc.Busy
							u.handled += gc.Handled
							u.handleS += gc.Talk + gc.Wrap
							u.staffed += m.staffed[cell*G+gi]
						}
					}
				}
				if b == 0 && slot < 0 {
					for qi := 0; qi < Q; qi++ {
						if (q < 0 && m.ours(qi)) || qi == q {
							u.waitEnd += float64(r.waitingAtEnd[qi])
						}
					}
				}
				if u.exposure > 0 {
					us = append(us, u)
				}
			}
		}
		return us
	}

	perRep := m.measuredSeconds // a count per replication is a count per this much window
	res.KPIs = KPIs{callKPIs(collect(&bufA, -1, -1, -1), perRep, len(reps)), agentKPIs(collect(&bufB, -1, -2, -1), totalAgents, perRep)}
	for qi, q := range m.c.Queues {
		ck := callKPIs(collect(&bufA, -1, qi, -2), perRep, len(reps))
		res.Queues = append(res.Queues, QueueResult{
			Name:                q.Name,
			Client:              m.contracts.client[qi],
			CallKPIs:            ck,
			TargetServiceLevel:  q.TargetSL,
			TargetWithinSeconds: q.Within,
			MeetsTarget:         ck.Offered > 0 && ck.ServiceLevel >= q.TargetSL, // no calls: nothing met
		})
	}
	for gi, g := range m.c.Groups {
		res.Groups = append(res.Groups, GroupResult{Name: g.Name, Sourcing: string(m.sourcing[gi]), AgentKPIs: agentKPIs(collect(&bufA, -1, -2, gi), g.Agents, perRep)})
	}
	cu := costUnits(m, reps)
	res.Cost = costResult(m, cu)
	calls, agents := collect(&bufA, -1, -1, -2), collect(&bufB, -1, -2, -1)
	for i := range calls {
		c, a := &calls[i], &agents[i]
		o := Observation{
			ServiceLevel: kpi.ServiceLevel.Of(&c.q),
			ASASeconds:   kpi.ASA.Of(&c.q),
			AbandonRate:  kpi.AbandonRate.Of(&c.q),
			Occupancy:    kpi.Occupancy.Of(&kpi.Group{Busy: a.busy, Staffed: a.staffed}),
			Resolution:   kpi.ResolutionRate.Of(&c.q),
		}
		if i < len(cu) {
			o.CostPerMonth = safeDiv(cu[i].total.total(), cu[i].exposure/month)
			o.CostPerCall = safeDiv(cu[i].total.total(), cu[i].offered)
		}
		res.Observations = append(res.Observations, o)
	}
	res.Intervals = make([]IntervalResult, 0, S) // nil again below if none
	for s := 0; s < S; s++ {
		exp := 0.0
		for b := 0; b < m.batches; b++ {
			exp += m.exposure[b*S+s]
		}
		if exp == 0 {
			continue
		}
		start := int(float64(s) * m.interval)
		ir := IntervalResult{
			Start:        fmt.Sprintf("%02d:%02d", start/3600, start/60%60),
			StartSeconds: start,
			KPIs:         KPIs{callKPIs(collect(&bufA, s, -1, -1), m.interval, len(reps)), agentKPIs(collect(&bufB, s, -2, -1), totalAgents, m.interval)},
		}
		if n := len(m.c.Queues); n > 0 {
			ir.Queues = make([]QueueInterval, 0, n)
		}
		if n := len(m.c.Groups); n > 0 {
			ir.Groups = make([]GroupResult, 0, n)
		}
		for qi, q := range m.c.Queues {
			ir.Queues = append(ir.Queues, QueueInterval{Name: q.Name, CallKPIs: callKPIs(collect(&bufA, s, qi, -2), m.interval, len(reps))})
		}
		for gi, g := range m.c.Groups {
			ir.Groups = append(ir.Groups, GroupResult{Name: g.Name, AgentKPIs: agentKPIs(collect(&bufA, s, -2, gi), g.Agents, m.interval)})
		}
		res.Intervals = append(res.Intervals, ir)
	}
	if len(res.Intervals) == 0 {
		res.Intervals = nil
	}
	return res
}

// callKPIs computes the callers' KPIs from units; counts are expressed per
// period seconds of measured window. Callers still waiting at the end are
// averaged over nReps replications.
func callKPIs(us []unit, period float64, nReps int) CallKPIs {
	// kpiOf estimates a KPI defined in package kpi.
	kpiOf := func(r kpi.Ratio) (float64, float64) {
		return ratioOf(us, func(u *unit) float64 { return r.Num(&u.q) }, func(u *unit) float64 { return r.Den(&u.q) })
	}
	count := func(f func(*qcell) float64) (float64, float64) {
		return ratioOf(us, func(u *unit) float64 { return f(&u.q) }, func(u *unit) float64 { return u.exposure / period })
	}
	var k CallKPIs
	k.Offered, k.OfferedCI95 = count(func(q *qcell) float64 { return q.Offered })
	k.Answered, k.AnsweredCI95 = count(func(q *qcell) float64 { return q.Answered })
	k.Abandoned, k.AbandonedCI95 = count(func(q *qcell) float64 { return q.Abandoned })
	k.ServiceLevel, k.ServiceLevelCI95 = kpiOf(kpi.ServiceLevel)
	k.ASASeconds, k.ASASecondsCI95 = kpiOf(kpi.ASA)
	k.AbandonRate, k.AbandonRateCI95 = kpiOf(kpi.AbandonRate)
	k.PWait, k.PWaitCI95 = kpiOf(kpi.PWait)
	k.MeanWaitSeconds, k.MeanWaitCI95 = kpiOf(kpi.MeanWait)
	k.MeanQueueLength, k.MeanQueueLenCI95 = ratioOf(us, func(u *unit) float64 { return u.q.Area }, func(u *unit) float64 { return u.exposure })
	k.MeanHandleSeconds, k.MeanHandleCI95 = kpiOf(kpi.MeanHandle)
	k.Resolved, _ = count(func(q *qcell) float64 { return q.Resolved })
	k.ResolutionRate, k.ResolutionRateCI95 = kpiOf(kpi.ResolutionRate)
	k.RepeatCalls, k.RepeatCallsCI95 = count(func(q *qcell) float64 { return q.Repeats })
	k.Redials, _ = count(func(q *qcell) float64 { return q.Redials })
	k.TransfersIn, _ = count(func(q *qcell) float64 { return q.TransfersIn })
	k.TransferredOut, _ = count(func(q *qcell) float64 { return q.TransferredOut })
	k.SelfServed, _ = count(func(q *qcell) float64 { return q.SelfServed })
	k.Closed, _ = count(func(q *qcell) float64 { return q.Closed })
	for _, u := range us {
		k.MaxQueueLength = max(k.MaxQueueLength, int(u.tmax))
		k.WaitingAtEnd += u.waitEnd
	}
	if nReps > 0 {
		k.WaitingAtEnd /= float64(nReps)
	}
	return k
}

func agentKPIs(us []unit, agents int, period float64) AgentKPIs {
	k := AgentKPIs{Agents: agents}
	per := func(u *unit) float64 { return u.exposure / period }
	k.Occupancy, k.OccupancyCI95 = ratioOf(us, func(u *unit) float64 { return u.busy }, func(u *unit) float64 { return u.staffed })
	var st, ex float64
	for _, u := range us {
		st += u.staffed
		ex += u.exposure
	}
	k.StaffedAgents = safeDiv(st, ex)
	k.CallsPerAgentHour, k.CallsPerAgentCI95 = ratioOf(us, func(u *unit) float64 { return u.handled }, func(u *unit) float64 { return u.staffed / 3600 })
	k.Handled, k.HandledCI95 = ratioOf(us, func(u *unit) float64 { return u.handled }, per)
	k.HandledMinutes, _ = ratioOf(us, func(u *unit) float64 { return u.handleS / 60 }, per)
	return k
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// ratio estimates ΣY/ΣX from paired observations and its 95% confidence
// half-width by the delta method: Var ≈ Var(Y − R·X) / (n·mean(X)²), with a
// Student t quantile for n−1 degrees of freedom.
func ratio(y, x []float64) (est, hw float64) {
	var sy, sx float64
	for i := range y {
		sy += y[i]
		sx += x[i]
	}
	if sx == 0 {
		return 0, 0
	}
	est = sy / sx
	n := float64(len(y))
	if len(y) < 2 {
		return est, 0
	}
	var ss float64
	for i := range y {
		d := y[i] - est*x[i]
		ss += d * d
	}
	mx := sx / n
	se := math.Sqrt(ss/(n-1)/n) / mx
	return est, tQuantile(len(y)-1) * se
}

// ratioOf is ratio over the units, with y and x read from each: the same
// sums in the same order, without building the slices.
func ratioOf(us []unit, y, x func(*unit) float64) (est, hw float64) {
	var sy, sx float64
	for i := range us {
		sy += y(&us[i])
		sx += x(&us[i])
	}
	if sx == 0 {
		return 0, 0
	}
	est = sy / sx
	n := float64(len(us))
	if len(us) < 2 {
		return est, 0
	}
	var ss float64
	for i := range us {
		d := y(&us[i]) - est*x(&us[i])
		ss += d * d
	}
	mx := sx / n
	se := math.Sqrt(ss/(n-1)/n) / mx
	return est, tQuantile(len(us)-1) * se
}

// tTable caches tQuantile for small degrees of freedom (the float's bits;
// 0: not computed yet), tCache the others.
var (
	tTable [256]atomic.Uint64
	tCache sync.Map
)

// tQuantile is the 97.5% quantile of Student's t with df degrees of freedom.
func tQuantile(df int) float64 {
	if df >= 0 && df < len(tTable) {
		if b := tTable[df].Load(); b != 0 {
			return math.Float64frombits(b)
		}
		q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
		tTable[df].Store(math.Float64bits(q))
		return q
	}
	if v, ok := tCache.Load(df); ok {
		return v.(float64)
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
	tCache.Store(df, q)
	return q
}
