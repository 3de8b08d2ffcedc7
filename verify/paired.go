package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sipcenter"
)

// Defaults of a paired run.
const (
	DefaultPairedSpan      = 4 * time.Hour // scenario time replayed
	DefaultPairedTimeScale = 720           // 4 h of scenario time in 20 s
	// MaxPairedCalls bounds the calls a paired run replays.
	MaxPairedCalls = 50_000
	// pairedLead is how long before the replay's time zero the center
	// starts (the callers prepare their sockets meanwhile).
	pairedLead = 500 * time.Millisecond
)

// PairedConfig describes a paired verification: the simulation's own call
// trace replayed over SIP against the embedded center.
type PairedConfig struct {
	Scenario *scenarios.Scenario
	// CenterSet changes the embedded center only (PATH=VALUE as a
	// variant's set: groups.staff.agents=9): a planted discrepancy.
	CenterSet map[string]string
	// Span is the scenario time replayed from Monday 00:00 (default 4h).
	Span time.Duration
	// TimeScale K (default 720).
	TimeScale float64
	// SIPDelay is the timing allowance per call, wall time (default 2ms).
	SIPDelay time.Duration
	Logger   *slog.Logger
	Observer loadgen.Observer
}

// PairedCheck is one KPI of one queue or group, measured against the trace.
type PairedCheck struct {
	Scope     string  `json:"scope"` // "queue" or "group"
	Name      string  `json:"name"`  // the queue's or group's name
	KPI       string  `json:"kpi"`
	Unit      string  `json:"unit"` // "fraction" or "seconds"
	Calls     int     `json:"calls"`
	Predicted float64 `json:"predicted"`
	Measured  float64 `json:"measured"`
	// Explained is the part of Measured - Predicted that SIP timing
	// explains call by call (legs with the simulated outcome and group and
	// a wait within d, or a fate decided within d of the patience);
	// Difference = Measured - Explained - Predicted is the rest, judged
	// against Tolerance (what the contested ties may exchange, at 95%).
	Explained  float64 `json:"explained"`
	Difference float64 `json:"difference"`
	Tolerance  float64 `json:"tolerance"`
	Consistent bool    `json:"consistent"`
}

// PairedReport is the outcome of a paired verification.
type PairedReport struct {
	Scenario  string            `json:"scenario"`
	Mode      string            `json:"mode"` // "paired"
	CenterSet map[string]string `json:"center_set,omitempty"`
	Target    string            `json:"target"`
	TimeScale float64           `json:"time_scale"`
	// SpanSeconds is the scenario time replayed; WallSeconds how long it took.
	SpanSeconds float64 `json:"span_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	// SIPDelayMillis is the per-call timing allowance (wall); TimingSeconds
	// is d = K x SIPDelay + ArrivalOffsetP99, in scenario time.
	SIPDelayMillis float64 `json:"sip_delay_wall_ms"`
	TimingSeconds  float64 `json:"timing_seconds"`
	// ArrivalOffsetP99 is the 99th percentile of how far the calls'
	// arrivals at the center were from their simulated times (scenario
	// seconds); TimingSeconds includes it.
	ArrivalOffsetP99 float64 `json:"arrival_offset_p99_seconds"`
	// Calls: legs in the trace; Placed: calls the callers placed (fresh,
	// repeat and redial legs; when Interrupted, those that ended before the
	// stop, and Agree and Unmatched are over their first legs); Agree: legs with the trace's outcome and group
	// and a wait within TimingSeconds of the trace's; Ties: pairs of
	// routing events in the trace closer than TimingSeconds.
	Calls  int `json:"calls"`
	Placed int `json:"placed"`
	Agree  int `json:"agree"`
	Ties   int `json:"ties"`
	// Unmatched: placed calls the center has no record of, or that did
	// not end as answered or abandoned (failed, rejected, timed out).
	Unmatched    int           `json:"unmatched"`
	Checks       []PairedCheck `json:"checks"`
	Consistent   bool          `json:"consistent"`
	Inconsistent []string      `json:"inconsistent"`
	Interrupted  bool          `json:"interrupted"`
	// CenterStats are the embedded center's own figures at the end.
	CenterStats *sipcenter.Stats `json:"center_stats,omitempty"`
}

func (c *PairedConfig) defaults() error {
	if c.Span == 0 {
		c.Span = DefaultPairedSpan
	}
	if c.TimeScale == 0 {
		c.TimeScale = DefaultPairedTimeScale
	}
	if c.SIPDelay == 0 {
		c.SIPDelay = DefaultSIPDelay
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.Scenario == nil:
		return errors.New("no scenario")
	case c.Span <= 0:
		return fmt.Errorf("span %v: must be positive", c.Span)
	case c.TimeScale < 1 || c.TimeScale > 1e5 || math.IsNaN(c.TimeScale):
		return fmt.Errorf("time scale %g: want 1 to 100000", c.TimeScale)
	case c.SIPDelay < 0:
		return fmt.Errorf("sip delay %v: must not be negative", c.SIPDelay)
	}
	return nil
}

// RunPaired replays the scenario's simulated calls over SIP against the
// embedded center (see the package documentation): the callers place
// every traced call at its time with its patience, the center takes each
// call's talk and wrap-up from the trace, and the outcome of every call is
// set beside the simulator's, per queue and per group.
func RunPaired(ctx context.Context, cfg PairedConfig) (*PairedReport, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	span := cfg.Span.String()
	sc, err := cfg.Scenario.With(map[string]string{"horizon": strconv.FormatFloat(cfg.Span.Seconds(), 'f', -1, 64) + "s", "warmup": "0s", "replications": "1"})
	if err != nil {
		return nil, fmt.Errorf("span %s: %w", span, err)
	}
	centerSc := sc
	if len(cfg.CenterSet) > 0 {
		set := map[string]string{"horizon": strconv.FormatFloat(cfg.Span.Seconds(), 'f', -1, 64) + "s", "warmup": "0s", "replications": "1"}
		for k, v := range cfg.CenterSet {
			set[k] = v
		}
		if centerSc, err = cfg.Scenario.With(set); err != nil {
			return nil, fmt.Errorf("--center-set: %w", err)
		}
		if len(centerSc.Queues) != len(sc.Queues) {
			return nil, errors.New("--center-set: the center must keep the scenario's queues")
		}
	}
	tr, err := sim.RunTrace(ctx, sc, 0)
	if err != nil {
		return nil, fmt.Errorf("simulating %s: %w", sc.Name, err)
	}
	if len(tr.Calls) > MaxPairedCalls {
		return nil, fmt.Errorf("%d calls in %s of scenario time, more than %d: shorten --span", len(tr.Calls), span, MaxPairedCalls)
	}
	k := cfg.TimeScale
	rep := &PairedReport{Scenario: sc.Name, Mode: "paired", CenterSet: cfg.CenterSet, TimeScale: k, SpanSeconds: cfg.Span.Seconds(),
		SIPDelayMillis: float64(cfg.SIPDelay) / float64(time.Millisecond), TimingSeconds: cfg.SIPDelay.Seconds() * k, Calls: len(tr.Calls)}

	// The calls the callers place: every leg but transfers (the center's).
	var placed []int
	for i, c := range tr.Calls {
		if c.Why != kpi.Transfer {
			placed = append(placed, i)
		}
	}
	rep.Placed = len(placed)
	if len(placed) == 0 {
		return nil, fmt.Errorf("no calls in %s of scenario time", span)
	}
	wall := func(s float64) time.Duration { return time.Duration(s / k * float64(time.Second)) }
	sched := &loadgen.Schedule{}
	callers := &loadgen.Callers{Source: "trace", Columns: []string{"queue"}}
	for j, i := range placed {
		c := tr.Calls[i]
		sched.At = append(sched.At, wall(c.Arrive))
		p := time.Duration(0)
		if !math.IsInf(c.Needs.Patience, 1) {
			p = max(wall(c.Needs.Patience), time.Nanosecond)
		}
		sched.Patience = append(sched.Patience, p)
		callers.Rows = append(callers.Rows, []string{tr.Queues[c.Queue]})
		callers.Lines = append(callers.Lines, j+1)
	}

	// Callers and center share time zero, a moment from now.
	epoch := time.Now().Add(pairedLead)
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: centerSc, TimeScale: k, Seed: sc.Seed, Epoch: epoch,
		Trace: tr.Needs(), CallLog: true, CallLogMax: MaxPairedCalls * 4, NoMedia: true, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("starting the embedded center: %w", err)
	}
	defer srv.Close() //nolint:errcheck // closed below; a second Close is a no-op
	rep.Target = srv.URI(tr.Queues[0])

	var mu sync.Mutex
	seqOf := map[string]int{} // Call-ID -> index in placed
	lr, err := loadgen.Run(ctx, loadgen.Config{
		Target: rep.Target, Mode: loadgen.ModeCall, Schedule: sched, Callers: callers, StartAt: epoch,
		Duration: sched.At[len(sched.At)-1] + time.Second, MaxInFlight: MaxPairedCalls,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: agentHold}, NoMedia: true,
		Logger: cfg.Logger, Observer: cfg.Observer, IOTick: replayIOTick,
		OnCall: func(r loadgen.CallRecord) {
			mu.Lock()
			seqOf[r.CallID] = int(r.Seq)
			mu.Unlock()
		},
	})
	rep.WallSeconds = time.Since(epoch).Seconds()
	if ctx.Err() != nil || (lr != nil && lr.Interrupted) {
		// What was measured before the stop: the calls that ended at the
		// caller, each first leg set beside the trace's; no checks and no
		// verdict (the calls still to come would change every KPI).
		rep.Interrupted = true
		rep.Checks, rep.Inconsistent = []PairedCheck{}, []string{}
		st := srv.Stats()
		_ = srv.Close()
		st.Sums = nil
		rep.CenterStats = &st
		log, _ := srv.CallLog()
		mu.Lock()
		rep.Placed, rep.Agree, rep.Unmatched = pairedPartial(tr, placed, seqOf, log, rep.TimingSeconds)
		mu.Unlock()
		return rep, nil
	}
	if err != nil {
		return nil, fmt.Errorf("driving %s: %w", rep.Target, err)
	}
	st := srv.Stats()
	if err := srv.Close(); err != nil {
		return nil, fmt.Errorf("closing the embedded center: %w", err)
	}
	st.Sums = nil
	rep.CenterStats = &st
	log, _ := srv.CallLog()
	pairedCompare(rep, tr, placed, seqOf, log, sc)
	return rep, nil
}

// pairedPartial compares the first legs of the calls that ended at the
// caller (seqOf) with the trace: how many ended, how many agree (outcome,
// group and a wait within d of the trace's), how many the center has no
// final record of.
func pairedPartial(tr *sim.Trace, placed []int, seqOf map[string]int, log []sipcenter.CallLogEntry, d float64) (ended, agree, unmatched int) {
	firstLeg := map[string]*sipcenter.CallLogEntry{}
	for i := range log {
		if _, ok := firstLeg[log[i].CallID]; !ok {
			firstLeg[log[i].CallID] = &log[i]
		}
	}
	for id, j := range seqOf {
		if j < 0 || j >= len(placed) {
			continue
		}
		ended++
		c := tr.Calls[placed[j]]
		e := firstLeg[id]
		if e == nil || (e.Outcome != sipcenter.LogAnswered && e.Outcome != sipcenter.LogAbandoned) {
			unmatched++
			continue
		}
		if e.Outcome == c.Outcome && (c.Group < 0 || e.Group == tr.Groups[c.Group]) && math.Abs(e.WaitSeconds-c.Wait) <= d {
			agree++
		}
	}
	return ended, agree, unmatched
}

// flipBound bounds, at 95%, the net change of a count that ties legs
// of it with another contested event can make: each tie may exchange the
// fates of its two calls, in either direction, independently of the other
// ties, so the net change is a sum of ties terms of -1, 0 or +1 (normal
// approximation, variance at most ties).
func flipBound(ties float64) float64 { return 1.96 * math.Sqrt(ties) }

// legOutcome is what became of one leg, on either side.
type legOutcome struct {
	outcome string // sim.TraceAnswered, sim.TraceAbandoned, or "" (no record)
	group   string
	wait    float64
}

// pairedCompare sets every leg's outcome at the center beside the trace's
// and fills the checks. See the package documentation for the tolerances.
func pairedCompare(rep *PairedReport, tr *sim.Trace, placed []int, seqOf map[string]int, log []sipcenter.CallLogEntry, sc *scenarios.Scenario) {
	d := rep.TimingSeconds
	next := map[int]int{}
	for i, c := range tr.Calls {
		if c.From >= 0 {
			next[c.From] = i
		}
	}
	// The center's legs, by trace index.
	got := make([]legOutcome, len(tr.Calls))
	first := make([]*sipcenter.CallLogEntry, len(tr.Calls)) // a placed call's first leg at the center
	byID := map[string][]sipcenter.CallLogEntry{}
	for _, e := range log {
		byID[e.CallID] = append(byID[e.CallID], e)
	}
	for id, legs := range byID {
		j, ok := seqOf[id]
		if !ok || j < 0 || j >= len(placed) {
			continue
		}
		leg := placed[j]
		first[leg] = &legs[0]
		for n, e := range legs {
			if e.Outcome == sipcenter.LogAnswered || e.Outcome == sipcenter.LogAbandoned {
				got[leg] = legOutcome{outcome: e.Outcome, group: e.Group, wait: e.WaitSeconds}
			}
			nx, ok := next[leg]
			if !ok || n+1 >= len(legs) {
				break
			}
			leg = nx
		}
	}
	// SIP timing as measured: how late each placed call reached the
	// center against its simulated arrival (the arrivals do not depend
	// on routing, so a center that routes differently does not widen
	// this). d is the allowance per call plus the 99th percentile.
	var offs []float64
	for _, i := range placed {
		if e := first[i]; e != nil {
			offs = append(offs, math.Abs(e.ArrivedSeconds-tr.Calls[i].Arrive))
		}
	}
	if len(offs) > 0 {
		sort.Float64s(offs)
		rep.ArrivalOffsetP99 = offs[min(len(offs)-1, int(math.Ceil(0.99*float64(len(offs))))-1)]
	}
	d += rep.ArrivalOffsetP99
	rep.TimingSeconds = d
	within := map[string]float64{}
	for _, q := range sc.Queues {
		within[q.Name] = q.Target.Within.Seconds()
	}

	// Near ties: routing events of the trace (takes and abandonments)
	// closer than d to the next one; each may exchange two calls' fates.
	type ev struct {
		t   float64
		leg int
	}
	var evs []ev
	for i, c := range tr.Calls {
		// Contested events only: a take after a wait (a freed agent, an
		// overflow, a shift) or an abandonment; a call taken at once by an
		// idle agent competes with nobody.
		if (c.Outcome == sim.TraceAnswered && c.Wait > 0) || c.Outcome == sim.TraceAbandoned {
			evs = append(evs, ev{c.Arrive + c.Wait, i})
		}
	}
	sort.Slice(evs, func(a, b int) bool { return evs[a].t < evs[b].t })
	tieLegs := make([]int, len(tr.Calls)) // ties each leg takes part in
	for i := 1; i < len(evs); i++ {
		if evs[i].t-evs[i-1].t <= d {
			rep.Ties++
			tieLegs[evs[i].leg]++
			tieLegs[evs[i-1].leg]++
		}
	}

	type acc struct {
		n, ans, within, ab                 float64
		gotAns, gotWithin, gotAb, gotWaitS float64
		adjAns, adjWithin, adjAb, adjWaitS float64 // legs timing explains at their simulated values
		waitS, waitQ, nWaited              float64
		nearT, nearP, ties                 float64
	}
	qs := make([]acc, len(tr.Queues))
	type gacc struct{ pred, got, adj, ties float64 }
	gs := make([]gacc, len(tr.Groups))
	var answeredAll, gotAnsweredAll, adjAnsweredAll float64
	for i, c := range tr.Calls {
		a := &qs[c.Queue]
		g := got[i]
		if g.outcome == "" {
			rep.Unmatched++
		}
		if g.outcome == c.Outcome && (c.Group < 0 || g.group == tr.Groups[c.Group]) && math.Abs(g.wait-c.Wait) <= d {
			rep.Agree++
		}
		T := within[tr.Queues[c.Queue]]
		a.n++
		a.ties += float64(tieLegs[i])
		switch c.Outcome {
		case sim.TraceAnswered:
			a.ans++
			a.waitS += c.Wait
			if c.Wait > 0 {
				a.waitQ += c.Wait
				a.nWaited++
			}
			if c.Wait <= T {
				a.within++
			}
			if math.Abs(c.Wait-T) <= d {
				a.nearT++
			}
			if c.Needs.Patience-c.Wait <= d {
				a.nearP++
			}
			gs[c.Group].pred++
			gs[c.Group].ties += float64(tieLegs[i])
			answeredAll++
		case sim.TraceAbandoned:
			a.ab++
			if math.Abs(c.Wait-T) <= d {
				a.nearT++
			}
		}
		// A leg SIP timing explains call by call: the same outcome and group
		// with a wait within d of the simulated one, or answered on one side
		// and abandoned on the other with the simulated wait within d of the
		// patience and the measured within d of the simulated.
		explained := g.outcome != "" && math.Abs(g.wait-c.Wait) <= d &&
			((g.outcome == c.Outcome && (c.Group < 0 || g.group == tr.Groups[c.Group])) || math.Abs(c.Needs.Patience-c.Wait) <= d)
		adj := legOutcome{outcome: c.Outcome, wait: c.Wait}
		if c.Group >= 0 {
			adj.group = tr.Groups[c.Group]
		}
		if !explained {
			adj = g
		}
		switch adj.outcome {
		case sipcenter.LogAnswered:
			a.adjAns++
			adjAnsweredAll++
			a.adjWaitS += adj.wait
			if adj.wait <= T {
				a.adjWithin++
			}
			for gi, name := range tr.Groups {
				if name == adj.group {
					gs[gi].adj++
				}
			}
		case sipcenter.LogAbandoned:
			a.adjAb++
		}
		switch g.outcome {
		case sipcenter.LogAnswered:
			a.gotAns++
			a.gotWaitS += g.wait
			if g.wait <= T {
				a.gotWithin++
			}
			for gi, name := range tr.Groups {
				if name == g.group {
					gs[gi].got++
				}
			}
			gotAnsweredAll++
		case sipcenter.LogAbandoned:
			a.gotAb++
		}
	}
	add := func(scope, name, kpiName, unit string, calls int, pred, meas, adjusted, tol float64) {
		c := PairedCheck{Scope: scope, Name: name, KPI: kpiName, Unit: unit, Calls: calls, Predicted: pred, Measured: meas,
			Explained: meas - adjusted, Difference: adjusted - pred, Tolerance: tol}
		c.Consistent = math.Abs(c.Difference) <= tol+1e-12
		rep.Checks = append(rep.Checks, c)
	}
	for qi, a := range qs {
		if a.n == 0 {
			continue
		}
		name := tr.Queues[qi]
		flips := flipBound(a.ties)
		add("queue", name, "service_level", "fraction", int(a.n), a.within/a.n, a.gotWithin/a.n, a.adjWithin/a.n, flips/a.n)
		add("queue", name, "abandon_rate", "fraction", int(a.n), a.ab/a.n, a.gotAb/a.n, a.adjAb/a.n, flips/a.n)
		if a.ans > 0 {
			meanWait := 0.0
			if a.nWaited > 0 {
				meanWait = a.waitQ / a.nWaited
			}
			meas, adjusted := math.Inf(1), math.Inf(1)
			if a.gotAns > 0 {
				meas = a.gotWaitS / a.gotAns
			}
			if a.adjAns > 0 {
				adjusted = a.adjWaitS / a.adjAns
			}
			add("queue", name, "asa", "seconds", int(a.ans), a.waitS/a.ans, meas, adjusted, flips*meanWait/a.ans)
		}
	}
	for gi, g := range gs {
		if answeredAll == 0 {
			break
		}
		meas, adjusted := 0.0, 0.0
		if gotAnsweredAll > 0 {
			meas = g.got / gotAnsweredAll
		}
		if adjAnsweredAll > 0 {
			adjusted = g.adj / adjAnsweredAll
		}
		add("group", tr.Groups[gi], "share_answered", "fraction", int(g.pred), g.pred/answeredAll, meas, adjusted, flipBound(g.ties)/answeredAll)
	}
	rep.Consistent = rep.Unmatched == 0
	rep.Inconsistent = []string{}
	if rep.Unmatched > 0 {
		rep.Inconsistent = append(rep.Inconsistent, fmt.Sprintf("%d calls without an answer or abandonment at the center", rep.Unmatched))
	}
	for _, c := range rep.Checks {
		if !c.Consistent {
			rep.Consistent = false
			rep.Inconsistent = append(rep.Inconsistent, c.Scope+" "+c.Name+": "+c.KPI)
		}
	}
}
