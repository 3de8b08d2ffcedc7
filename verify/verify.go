package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/segment"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sipcenter"
)

// Defaults applied by Run.
const (
	DefaultTimeScale = 60
	DefaultDuration  = 60 * time.Second // wall time: 1 h of scenario time at K=60
	DefaultZ         = 1.96
	DefaultInflation = 3
	DefaultSIPDelay  = 2 * time.Millisecond // wall time per call
	// agentHold is the caller's hold time: long, so that the agent hangs up.
	agentHold = time.Hour
)

// Config describes one verification.
type Config struct {
	Scenario *scenarios.Scenario
	// Target is the SIP URI to call; empty: start the embedded target.
	Target string
	// Agents overrides the embedded target's headcount (0: the scenario's).
	Agents int
	// TimeScale K: scenario time runs K times faster than wall time.
	TimeScale float64
	// Duration is the wall time calls arrive for (default 60s).
	Duration time.Duration
	// WarmUp is the wall time excluded at the start (default: 10% of
	// Duration): the center starts empty.
	WarmUp time.Duration
	// Z is the normal quantile of the measurement term (default 1.96).
	Z float64
	// Inflation multiplies the i.i.d. standard errors for autocorrelation
	// (default 3).
	Inflation float64
	// SIPDelay is the timing allowance per call in wall time (default 2ms).
	SIPDelay time.Duration
	// Seed fixes the arrivals, patience and handle times (default: the
	// scenario's seed).
	Seed uint64
	// SimWorkers is passed to sim.Run.
	SimWorkers int
	// Segment makes this run segment i of n: it places its share of the
	// calls (Poisson arrivals at rate/n, a seed derived from (Seed, i)) at
	// Target, which the segments share. Zero: the whole run.
	Segment segment.Segment
	// StartAt, if set, is when the calls start (after the simulation).
	StartAt time.Time
	Logger  *slog.Logger
	// Observer, if set, is told of every call placed (live metrics).
	Observer loadgen.Observer
}

// KPI is one figure compared.
type KPI struct {
	Name          string  `json:"name"`
	Unit          string  `json:"unit"` // "fraction" or "seconds"
	Predicted     float64 `json:"predicted"`
	PredictedCI95 float64 `json:"predicted_ci95"`
	Measured      float64 `json:"measured"`
	// MeasuredSE is the inflated standard error of the measurement.
	MeasuredSE float64 `json:"measured_se"`
	// SIPAllowance covers signalling and timer offsets.
	SIPAllowance float64 `json:"sip_allowance"`
	// Quantile multiplies MeasuredSE: Z, or with batch means Student's t
	// at 97.5% with BatchDF degrees of freedom.
	Quantile float64 `json:"quantile"`
	BatchDF  int     `json:"batch_df,omitempty"`
	// Tolerance = PredictedCI95 + Quantile*MeasuredSE + SIPAllowance.
	Tolerance  float64 `json:"tolerance"`
	Difference float64 `json:"difference"` // measured - predicted
	Consistent bool    `json:"consistent"`
}

// Measurement holds what was measured, in scenario time, after the warm-up.
type Measurement struct {
	Source         string  `json:"source"` // "target" (its statistics) or "caller" (call records)
	Offered        uint64  `json:"offered"`
	Answered       uint64  `json:"answered"`
	Abandoned      uint64  `json:"abandoned"`
	Other          uint64  `json:"other"` // failed, timed out, transport errors, 503s
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	ServiceLevel   float64 `json:"service_level"`
	ASASeconds     float64 `json:"asa_seconds"`
	AbandonRate    float64 `json:"abandon_rate"`
	// Occupancy is measured only from the embedded target (-1 otherwise).
	Occupancy float64 `json:"occupancy"`
}

// Report is the outcome of a verification.
type Report struct {
	Scenario      string  `json:"scenario"`
	Queue         string  `json:"queue"`
	Target        string  `json:"target"`
	Embedded      bool    `json:"embedded"`
	Agents        int     `json:"agents"`
	TargetAgents  int     `json:"target_agents"`
	TimeScale     float64 `json:"time_scale"`
	WallSeconds   float64 `json:"wall_seconds"`
	WarmUpSeconds float64 `json:"warmup_wall_seconds"`
	RateWall      float64 `json:"rate_wall_cps"`
	WithinSeconds float64 `json:"within_seconds"`
	Z             float64 `json:"z"`
	Inflation     float64 `json:"inflation"`
	// SEMethod says how the measured standard errors were found: "batch
	// means" (of the measured run, against an external platform) or
	// "i.i.d. x inflation".
	SEMethod       string           `json:"se_method"`
	SIPDelayMillis float64          `json:"sip_delay_wall_ms"`
	Measurement    Measurement      `json:"measurement"`
	KPIs           []KPI            `json:"kpis"`
	Consistent     bool             `json:"consistent"`
	Inconsistent   []string         `json:"inconsistent"`
	Load           *loadgen.Result  `json:"load,omitempty"`
	TargetStats    *sipcenter.Stats `json:"target_stats,omitempty"`
	// Interrupted is set when the run was stopped (its context cancelled):
	// Measurement then holds the caller's side of the calls made so far
	// and there is no verdict (KPIs empty, Consistent false).
	Interrupted bool `json:"interrupted"`
}

// Check reports why the scenario is outside the simple case verify supports.
func Check(sc *scenarios.Scenario) error {
	if sc == nil {
		return errors.New("no scenario")
	}
	var why []string
	add := func(f string, a ...any) { why = append(why, fmt.Sprintf(f, a...)) }
	if len(sc.Queues) != 1 {
		add("%d queues (verify needs exactly one)", len(sc.Queues))
	}
	if len(sc.Groups) != 1 {
		add("%d groups (verify needs exactly one)", len(sc.Groups))
	}
	if len(sc.Queues) == 1 {
		q := sc.Queues[0]
		if k := q.HandleTime.Kind; k != scenarios.Exponential && k != scenarios.Constant {
			add("queue %q: handle time is %s (only exponential or constant)", q.Name, k)
		}
		if q.Patience != nil && q.Patience.Kind != scenarios.Exponential {
			add("queue %q: patience is %s (only exponential, or none)", q.Name, q.Patience.Kind)
		}
		if q.WrapUp != nil && q.WrapUp.Mean > 0 {
			add("queue %q: wrap-up is not supported", q.Name)
		}
		a := q.Arrivals
		if a.WeekRates != nil || a.Busyness > 0 || !flat(a.Profile) {
			add("queue %q: arrivals must be a flat rate (no profile, forecast or busyness)", q.Name)
		}
		for _, w := range a.Weekdays {
			if w != 1 {
				add("queue %q: weekday factors are not supported", q.Name)
				break
			}
		}
		if a.Rate <= 0 {
			add("queue %q: arrival rate is zero", q.Name)
		}
		if q.Redial.Probability > 0 || q.SelfService > 0 || q.Open != nil || q.TransferTo != "" {
			add("queue %q: redials, self-service, opening hours and transfers are not supported", q.Name)
		}
	}
	if len(sc.Groups) == 1 {
		g := sc.Groups[0]
		if len(g.Shifts) > 0 || len(g.AgentsByInterval) > 0 || len(g.Outages) > 0 || g.Shrinkage > 0 || g.Hours != nil {
			add("group %q: the headcount must be constant (no shifts, agents by interval, hours, shrinkage or outages)", g.Name)
		}
		if g.Agents < 1 {
			add("group %q: no agents", g.Name)
		}
		for _, v := range g.HandleTimeFactor {
			if v != 1 {
				add("group %q: handle time factors are not supported", g.Name)
				break
			}
		}
		for _, v := range g.Resolution {
			if v != 1 {
				add("group %q: resolution below 100%% is not supported", g.Name)
				break
			}
		}
		for _, v := range g.Transfer {
			if v != 0 {
				add("group %q: transfers are not supported", g.Name)
				break
			}
		}
	}
	if len(why) == 0 {
		return nil
	}
	msg := "verify supports only one queue served by one group with a constant headcount, exponential or constant handle time and exponential or no patience:"
	for _, w := range why {
		msg += "\n  " + w
	}
	return errors.New(msg)
}

func flat(p []float64) bool {
	for _, v := range p {
		if math.Abs(v-1) > 1e-9 {
			return false
		}
	}
	return true
}

func (c *Config) defaults() error {
	if c.TimeScale == 0 {
		c.TimeScale = DefaultTimeScale
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.WarmUp == 0 {
		c.WarmUp = c.Duration / 10
	}
	if c.Z == 0 {
		c.Z = DefaultZ
	}
	if c.Inflation == 0 {
		c.Inflation = DefaultInflation
	}
	if c.SIPDelay == 0 {
		c.SIPDelay = DefaultSIPDelay
	}
	if c.Seed == 0 && c.Scenario != nil {
		c.Seed = c.Scenario.Seed
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.TimeScale < 1 || math.IsNaN(c.TimeScale) || math.IsInf(c.TimeScale, 0):
		return fmt.Errorf("time scale %g: must be at least 1", c.TimeScale)
	case c.Duration <= 0:
		return fmt.Errorf("duration %v: must be positive", c.Duration)
	case c.WarmUp < 0 || c.WarmUp >= c.Duration:
		return fmt.Errorf("warm-up %v: must be shorter than the duration %v", c.WarmUp, c.Duration)
	case c.Segment.Validate() != nil:
		return c.Segment.Validate()
	case !c.Segment.Whole() && c.Target == "":
		return fmt.Errorf("segment %s: segments must share one target: give its URI (the embedded target would see 1/%d of the traffic)", c.Segment, c.Segment.N())
	case c.Agents < 0:
		return fmt.Errorf("agents %d: must not be negative", c.Agents)
	case c.Z < 0 || c.Inflation < 1 || c.SIPDelay < 0:
		return fmt.Errorf("z %g, inflation %g, sip delay %v: need z >= 0, inflation >= 1, delay >= 0", c.Z, c.Inflation, c.SIPDelay)
	}
	return nil
}

// wallDist converts a scenario distribution (seconds) to a loadgen one in
// wall time at time scale k.
func wallDist(d scenarios.Dist, k float64) loadgen.Dist {
	mean := time.Duration(d.Mean / k * float64(time.Second))
	if d.Kind == scenarios.Constant {
		return loadgen.Dist{Kind: loadgen.DistConstant, Mean: mean}
	}
	return loadgen.Dist{Kind: loadgen.DistExp, Mean: mean}
}

// scenarioDist converts a scenario distribution to a loadgen one in scenario time.
func scenarioDist(d scenarios.Dist) loadgen.Dist { return wallDist(d, 1) }

// Run simulates the scenario, drives the target with its traffic and
// compares. The error is about the run; inconsistency is in the Report.
// When ctx is cancelled, Run returns a Report marked Interrupted with the
// calls measured so far and no verdict.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	sc := cfg.Scenario
	if err := Check(sc); err != nil {
		return nil, err
	}
	q, g := sc.Queues[0], sc.Groups[0]

	res, err := sim.Run(ctx, sc, sim.Options{Workers: cfg.SimWorkers})
	if ctx.Err() != nil {
		return interrupted(&Report{Scenario: sc.Name, Queue: q.Name, Agents: g.Agents, Target: cfg.Target}, Measurement{Source: "caller", Occupancy: -1}), nil
	}
	if err != nil {
		return nil, fmt.Errorf("simulating %s: %w", sc.Name, err)
	}
	if len(res.Queues) != 1 {
		return nil, fmt.Errorf("simulating %s: %d queue results, want 1", sc.Name, len(res.Queues))
	}
	pred := res.Queues[0]

	k := cfg.TimeScale
	rep := &Report{
		Scenario: sc.Name, Queue: q.Name, Agents: g.Agents, TargetAgents: g.Agents,
		TimeScale: k, WallSeconds: cfg.Duration.Seconds(), WarmUpSeconds: cfg.WarmUp.Seconds(),
		RateWall: q.Arrivals.Rate * k, WithinSeconds: q.Target.Within.Seconds(),
		Z: cfg.Z, Inflation: cfg.Inflation, SIPDelayMillis: float64(cfg.SIPDelay) / float64(time.Millisecond),
		Target: cfg.Target,
	}
	if cfg.Agents > 0 {
		rep.TargetAgents = cfg.Agents
	}

	var srv *sipcenter.Server
	uri := cfg.Target
	if uri == "" {
		rep.Embedded = true
		srv, err = sipcenter.Start(ctx, sipcenter.Config{
			Listen:    "udp:127.0.0.1:0",
			Agents:    rep.TargetAgents,
			Handle:    scenarioDist(q.HandleTime),
			TimeScale: k,
			Within:    q.Target.Within,
			Seed:      cfg.Seed + 1,
			Logger:    cfg.Logger,
		})
		if err != nil {
			if ctx.Err() != nil {
				return interrupted(rep, Measurement{Source: "caller", Occupancy: -1}), nil
			}
			return nil, fmt.Errorf("starting the embedded target: %w", err)
		}
		defer srv.Close() //nolint:errcheck // closed below; a second Close is a no-op
		uri = srv.URI(q.Name)
		rep.Target = uri
	}

	lc := loadgen.Config{
		Target:   uri,
		Mode:     loadgen.ModeCall,
		Rate:     rep.RateWall,
		Arrivals: "poisson",
		Duration: cfg.Duration,
		Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: agentHold},
		Seed:     cfg.Seed,
		Logger:   cfg.Logger,
		Segment:  cfg.Segment,
		StartAt:  cfg.StartAt,
		IOTick:   replayIOTick,
	}
	if q.Patience != nil {
		lc.Patience = wallDist(*q.Patience, k)
	}
	// Caller-side records, used when the target is not ours.
	var (
		mu      sync.Mutex
		callers callerCounts
	)
	var warmEnd time.Time
	lc.Observer = cfg.Observer
	lc.OnCall = func(r loadgen.CallRecord) {
		mu.Lock()
		defer mu.Unlock()
		if !warmEnd.IsZero() && r.IntendedStart.Before(warmEnd) {
			return
		}
		callers.add(r, k, q.Target.Within)
	}

	var (
		warm, end sipcenter.Stats
		snapWG    sync.WaitGroup
		snapCtx   context.Context
		stopSnaps context.CancelFunc
	)
	snapCtx, stopSnaps = context.WithCancel(ctx)
	defer stopSnaps()
	start := time.Now()
	mu.Lock()
	warmEnd = start.Add(cfg.WarmUp)
	mu.Unlock()
	if srv != nil {
		snapWG.Add(1)
		go func() {
			defer snapWG.Done()
			warm = snapshotAt(snapCtx, srv, start.Add(cfg.WarmUp))
			end = snapshotAt(snapCtx, srv, start.Add(cfg.Duration))
		}()
	}
	lr, err := loadgen.Run(ctx, lc)
	stopSnaps()
	snapWG.Wait()
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("driving %s: %w", uri, err)
	}
	rep.Load = lr
	if lr == nil || lr.Interrupted || ctx.Err() != nil {
		mu.Lock()
		defer mu.Unlock()
		return interrupted(rep, callers.measurement(k)), nil
	}

	var bm batchMeans
	if srv != nil {
		final := srv.Stats() // every call has ended: loadgen.Run waited for them
		if err := srv.Close(); err != nil {
			return nil, fmt.Errorf("closing the embedded target: %w", err)
		}
		rep.TargetStats = &final
		m, err := fromTarget(warm, end, final)
		if err != nil {
			return nil, err
		}
		rep.Measurement = m
	} else {
		mu.Lock()
		rep.Measurement = callers.measurement(k)
		bm.se, bm.df = callers.batchSE(DefaultBatches)
		mu.Unlock()
	}
	compare(rep, pred, res.KPIs, q, cfg, bm)
	return rep, nil
}

// interrupted marks rep as interrupted with what was measured: no verdict.
func interrupted(rep *Report, m Measurement) *Report {
	rep.Interrupted = true
	rep.Measurement = m
	rep.KPIs, rep.Consistent, rep.Inconsistent = []KPI{}, false, []string{}
	return rep
}

// snapshotAt waits until t and returns the target's statistics then.
func snapshotAt(ctx context.Context, srv *sipcenter.Server, t time.Time) sipcenter.Stats {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	return srv.Stats()
}

// fromTarget measures the calls offered after the warm-up snapshot from the
// center's own tally (Stats.Sums, the simulator's counts and sums, package
// center/kpi): the counts and sums are cumulative, so the measured ones are
// differences; the calls' outcomes are read at the end (final), after
// every call ended, and the agents' busy and staffed time between the
// warm-up and the end of the arrivals (end).
func fromTarget(warm, end, final sipcenter.Stats) (Measurement, error) {
	m := Measurement{Source: "target", Occupancy: -1}
	if warm.ElapsedSeconds <= 0 || end.ElapsedSeconds <= warm.ElapsedSeconds || warm.Sums == nil || end.Sums == nil || final.Sums == nil {
		return m, errors.New("the target's statistics were not sampled (run interrupted?)")
	}
	sumQ := func(s sipcenter.Stats) kpi.Queue {
		var q kpi.Queue
		for i := range s.Sums.Queues {
			q.Add(&s.Sums.Queues[i])
		}
		return q
	}
	sumG := func(s sipcenter.Stats) kpi.Group {
		var g kpi.Group
		for i := range s.Sums.Groups {
			g.Add(&s.Sums.Groups[i])
		}
		return g
	}
	qw, qf := sumQ(warm), sumQ(final)
	d := kpi.Queue{Offered: qf.Offered - qw.Offered, Answered: qf.Answered - qw.Answered, Within: qf.Within - qw.Within,
		Abandoned: qf.Abandoned - qw.Abandoned, WaitAnswered: qf.WaitAnswered - qw.WaitAnswered}
	m.Offered, m.Answered, m.Abandoned = uint64(d.Offered), uint64(d.Answered), uint64(d.Abandoned)
	m.Other = final.Rejected - warm.Rejected + final.WaitingAtEnd - warm.WaitingAtEnd
	m.ElapsedSeconds = end.ElapsedSeconds - warm.ElapsedSeconds
	if m.Offered == 0 {
		return m, errors.New("no call was offered after the warm-up")
	}
	m.ServiceLevel = clamp01(kpi.ServiceLevel.Of(&d))
	m.ASASeconds = math.Max(0, kpi.ASA.Of(&d))
	m.AbandonRate = clamp01(kpi.AbandonRate.Of(&d))
	gw, ge := sumG(warm), sumG(end)
	dg := kpi.Group{Busy: ge.Busy - gw.Busy, Staffed: ge.Staffed - gw.Staffed}
	if dg.Staffed > 0 {
		m.Occupancy = clamp01(kpi.Occupancy.Of(&dg))
	}
	return m, nil
}

func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

// callerCounts measures from the caller's call records (scenario time).
type callerCounts struct {
	offered, answered, abandoned, other, within uint64
	wait                                        float64
	first, last                                 time.Time
	calls                                       []callerCall // for batch means
}

// callerCall is one call as the caller measured it.
type callerCall struct {
	at                          time.Time
	answered, within, abandoned bool
	wait                        float64 // scenario seconds, answered calls
}

func (c *callerCounts) add(r loadgen.CallRecord, k float64, within time.Duration) {
	c.offered++
	if c.first.IsZero() || r.IntendedStart.Before(c.first) {
		c.first = r.IntendedStart
	}
	if r.IntendedStart.After(c.last) {
		c.last = r.IntendedStart
	}
	cc := callerCall{at: r.IntendedStart}
	switch {
	case r.Outcome == loadgen.OutcomeCompleted && r.AnswerDelay > 0:
		c.answered++
		w := r.AnswerDelay.Seconds() * k
		c.wait += w
		cc.answered, cc.wait = true, w
		if w <= within.Seconds() {
			c.within++
			cc.within = true
		}
	case r.Outcome == loadgen.OutcomeAbandoned:
		c.abandoned++
		cc.abandoned = true
	default:
		c.other++
	}
	c.calls = append(c.calls, cc)
}

// DefaultBatches is how many batches of equal length the measured calls of
// an external platform are cut into for batch means.
const DefaultBatches = 10

// minBatches is the fewest non-empty batches batch means are taken from.
const minBatches = 5

// batchSE returns the batch-means standard errors of the service level,
// the abandon rate and ASA over b batches of equal length (by intended
// start), with the degrees of freedom of each (0: too few batches).
func (c *callerCounts) batchSE(b int) (se [3]float64, df [3]int) {
	if b < minBatches || len(c.calls) == 0 || !c.last.After(c.first) {
		return se, df
	}
	type bt struct{ n, within, ab, ans, wait float64 }
	bs := make([]bt, b)
	span := c.last.Sub(c.first)
	for _, x := range c.calls {
		i := min(b-1, int(float64(b)*float64(x.at.Sub(c.first))/float64(span)))
		i = max(i, 0)
		bs[i].n++
		if x.within {
			bs[i].within++
		}
		if x.abandoned {
			bs[i].ab++
		}
		if x.answered {
			bs[i].ans++
			bs[i].wait += x.wait
		}
	}
	for k, f := range []func(bt) (float64, bool){
		func(x bt) (float64, bool) { return x.within / x.n, x.n > 0 },
		func(x bt) (float64, bool) { return x.ab / x.n, x.n > 0 },
		func(x bt) (float64, bool) { return x.wait / x.ans, x.ans > 0 },
	} {
		var vs []float64
		for _, x := range bs {
			if v, ok := f(x); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) < minBatches {
			continue
		}
		mean := 0.0
		for _, v := range vs {
			mean += v
		}
		mean /= float64(len(vs))
		ss := 0.0
		for _, v := range vs {
			ss += (v - mean) * (v - mean)
		}
		se[k] = math.Sqrt(ss / float64(len(vs)-1) / float64(len(vs)))
		df[k] = len(vs) - 1
	}
	return se, df
}

func (c *callerCounts) measurement(k float64) Measurement {
	m := Measurement{Source: "caller", Offered: c.offered, Answered: c.answered, Abandoned: c.abandoned, Other: c.other, Occupancy: -1}
	if c.offered == 0 {
		return m
	}
	m.ElapsedSeconds = c.last.Sub(c.first).Seconds() * k
	// The KPIs as defined once (center/kpi), over the caller's counts.
	q := kpi.Queue{Offered: float64(c.offered), Answered: float64(c.answered), Within: float64(c.within),
		Abandoned: float64(c.abandoned), WaitAnswered: c.wait}
	m.ServiceLevel = kpi.ServiceLevel.Of(&q)
	m.AbandonRate = kpi.AbandonRate.Of(&q)
	m.ASASeconds = kpi.ASA.Of(&q)
	return m
}

// batchMeans are the measured run's batch-means standard errors of the
// service level, abandon rate and ASA (df 0: not available).
type batchMeans struct {
	se [3]float64
	df [3]int
}

// compare fills the KPIs and the verdict. With batch means, a KPI's
// measured error is its batch-means standard error times Student's t;
// without, the i.i.d. error under the prediction times the inflation,
// times z.
func compare(rep *Report, pred sim.QueueResult, center sim.KPIs, q scenarios.Queue, cfg Config, bm batchMeans) {
	m := rep.Measurement
	infl, z := cfg.Inflation, cfg.Z
	d := cfg.SIPDelay.Seconds() * cfg.TimeScale // scenario seconds
	n := float64(m.Offered)
	pw := math.Max(pred.PWait, 1e-6)
	asa := pred.ASASeconds
	// Density of the wait at the threshold, for an exponential wait given a
	// wait with mean ASA/PWait.
	dens := 0.0
	if asa > 0 {
		theta := pw / asa
		dens = pw * theta * math.Exp(-theta*q.Target.Within.Seconds())
	}
	prop := func(p, nn float64) float64 {
		if nn <= 0 {
			return math.Inf(1)
		}
		return math.Sqrt(p*(1-p)/nn) * infl
	}
	rep.SEMethod = "i.i.d. x inflation"
	if bm.df != [3]int{} {
		rep.SEMethod = fmt.Sprintf("batch means (%d batches)", DefaultBatches)
	}
	// which: 0 service level, 1 abandon rate, 2 ASA, -1 occupancy.
	add := func(name, unit string, p, ci, meas, se, allow float64, which int) {
		kp := KPI{Name: name, Unit: unit, Predicted: p, PredictedCI95: ci, Measured: meas, MeasuredSE: se, SIPAllowance: allow, Quantile: z}
		if which >= 0 && bm.df[which] > 0 {
			kp.MeasuredSE, kp.BatchDF = bm.se[which], bm.df[which]
			kp.Quantile = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(bm.df[which])}.Quantile(0.975)
		}
		kp.Tolerance = ci + kp.Quantile*kp.MeasuredSE + allow
		kp.Difference = meas - p
		kp.Consistent = math.Abs(kp.Difference) <= kp.Tolerance
		rep.KPIs = append(rep.KPIs, kp)
	}
	add("service_level", "fraction", pred.ServiceLevel, pred.ServiceLevelCI95, m.ServiceLevel,
		prop(pred.ServiceLevel, n), math.Min(1, d*dens), 0)
	asaSE := math.Inf(1)
	if m.Answered > 0 {
		asaSE = asa * math.Sqrt(math.Max(0, 2/pw-1)) / math.Sqrt(float64(m.Answered)) * infl
	}
	add("asa", "seconds", asa, pred.ASASecondsCI95, m.ASASeconds, asaSE, d, 2)
	abAllow := 0.0
	if q.Patience != nil && q.Patience.Mean > 0 {
		abAllow = pw * d / q.Patience.Mean
	}
	add("abandon_rate", "fraction", pred.AbandonRate, pred.AbandonRateCI95, m.AbandonRate,
		prop(pred.AbandonRate, n), abAllow, 1)
	if m.Occupancy >= 0 {
		cv2 := 1.0
		if q.HandleTime.Kind == scenarios.Constant {
			cv2 = 0
		}
		occSE := math.Inf(1)
		if n > 0 {
			occSE = center.Occupancy * math.Sqrt((1+cv2)/n)
		}
		add("occupancy", "fraction", center.Occupancy, center.OccupancyCI95, m.Occupancy,
			occSE, center.Occupancy*d/q.HandleTime.Mean, -1)
	}
	rep.Consistent = true
	rep.Inconsistent = []string{}
	for _, kp := range rep.KPIs {
		if !kp.Consistent {
			rep.Consistent = false
			rep.Inconsistent = append(rep.Inconsistent, kp.Name)
		}
	}
}

// replayIOTick is the load generator's I/O tick when it plays scenario
// time faster than real time (verify, the service line of a claim): none,
// every message handled at once. At a time scale of K a tick's delay is K
// times longer in scenario time (4 ms at 720x is 2.9 s of waiting, of
// patience running out late, of arrivals moved), and these runs place few
// calls a second, where coalescing saves little CPU.
const replayIOTick = -1
