package capacity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// StepSpec is a step for a Prober to run: drive the platform at Level from
// the step's start; the calls intended to start within Warmup are not
// judged (the platform fills up meanwhile: a rate step's calls in
// progress grow for one hold time; a concurrent step's callers start spread
// over it).
type StepSpec struct {
	Kind    Kind
	Level   float64
	Purpose Purpose
	Warmup  time.Duration
	// Deadline: the step, its calls' ending included, must be over by then
	// (the context given to Probe ends a little before it).
	Deadline time.Time
}

// Ending is what a Prober does next with a step.
type Ending int

// Endings.
const (
	Continue Ending = iota
	// Drain: start no more calls; let the calls in progress end as they
	// would; then report.
	Drain
	// Abort: end the calls in progress now (the step collapsed).
	Abort
)

// Figures are a step's figures over its judged calls (those intended to
// start after the warm-up that ended), for the report.
type Figures struct {
	Attempted       uint64            `json:"attempted"` // judged calls, each with one outcome
	Completed       uint64            `json:"completed"`
	Failed          uint64            `json:"failed"`
	Abandoned       uint64            `json:"abandoned"`
	TimedOut        uint64            `json:"timed_out"`
	TransportErrors uint64            `json:"transport_errors"`
	StatusCodes     map[string]uint64 `json:"status_codes"`
	SER             float64           `json:"ser"`
	SRDP50          float64           `json:"srd_p50_ms"`
	SRDP95          float64           `json:"srd_p95_ms"`
	SRDP99          float64           `json:"srd_p99_ms"`
	AnswerP95       float64           `json:"answer_delay_p95_ms"`
	MOSP5           *float64          `json:"mos_p5,omitempty"`
	AchievedCPS     float64           `json:"achieved_cps"`
	MaxConcurrent   int64             `json:"max_concurrent"`
}

// Measurement is what a Prober measured of a step so far.
type Measurement struct {
	// AllStarted counts every call the step started (warm-up included),
	// AllNotCompleted those that ended without completing: the collapse
	// rule reads them (failures end at once, answered calls only after
	// their hold, so calls started, not calls ended, are the base).
	AllStarted, AllNotCompleted uint64
	// Aborted: the prober ended the step at once, on an Abort (collapse).
	Aborted bool
	// Measured is the time since the warm-up ended.
	Measured time.Duration
	Figures  Figures
	// Evidence holds one entry per threshold, in order, over the judged
	// calls.
	Evidence []Evidence
	// Interrupted: the step was cut short by its context.
	Interrupted bool
}

// Prober runs steps on a platform. Probe drives spec's level and calls
// decide (about every 200 ms after the warm-up, and whenever it likes)
// with what it measured so far; it ends the step as decide says, or when
// ctx ends (then Interrupted), and returns the final measurement once
// every call of the step has ended.
type Prober interface {
	Probe(ctx context.Context, spec StepSpec, decide func(Measurement) Ending) (Measurement, error)
}

// Hold says how long a step is held.
type Hold struct {
	// MinTime and MinCalls: a step is held at least this long after its
	// warm-up and until this many judged calls ended; a step with fewer
	// calls cannot pass.
	MinTime  time.Duration `json:"min_seconds"`
	MinCalls uint64        `json:"min_calls"`
	// MaxTime bounds a ramp or bisection step after its warm-up;
	// ConfirmMax a confirmation step, held until its calls decide.
	MaxTime    time.Duration `json:"max_seconds"`
	ConfirmMax time.Duration `json:"confirm_max_seconds"`
	// Warmup for each kind (calls intended before it are not judged).
	Warmup map[Kind]time.Duration `json:"warmup_seconds"`
	// Cooldown: the pause between steps, after a step's calls ended, so
	// one step's backlog on the platform does not fail the next.
	Cooldown time.Duration `json:"cooldown_seconds"`
	// Drain: how long calls may take to end once a step stops starting
	// them (the longest hold, and a response); the budget keeps room for it.
	Drain time.Duration `json:"drain_seconds"`
}

// Collapse: a step collapses when, with at least CollapseCalls of its calls
// started, more than half of them ended without completing.
const CollapseCalls = 20

// Config describes a capacity run.
type Config struct {
	// Target names the platform (for the report).
	Target string
	// Thresholds are the expressions judged (for the report; the prober
	// measures each as Evidence, in this order).
	Thresholds []string
	// Rate and Concurrent are the searches (nil: not searched); rate
	// runs first.
	Rate, Concurrent *Plan
	Hold             Hold
	// Confidence of the verdicts (default 0.95).
	Confidence float64
	// Budget bounds the whole run (both searches, every step, drain and
	// cool-down included); when both searches run, the rate search may use
	// half of it, and the concurrent search the rest.
	Budget time.Duration
	// OnStep, if set, is called after each step.
	OnStep func(Step)
	Logger *slog.Logger
}

// DefaultConfidence of the verdicts.
const DefaultConfidence = 0.95

// Step is one step of a search, as reported.
type Step struct {
	Kind    Kind    `json:"kind"`
	Level   float64 `json:"level"`
	Purpose Purpose `json:"purpose"`
	// Calls is the number of judged calls (intended to start after the
	// warm-up) that ended; every one has one outcome (see Figures).
	Calls   uint64 `json:"calls"`
	Figures `json:"figures"`
	// StartedAt is the step's start; Seconds its length, drain included;
	// MeasuredSeconds the part after the warm-up.
	StartedAt       time.Time `json:"started_at"`
	Seconds         float64   `json:"seconds"`
	WarmupSeconds   float64   `json:"warmup_seconds"`
	MeasuredSeconds float64   `json:"measured_seconds"`
	// Verdict: pass (every threshold shown to hold at the confidence
	// level), fail (one shown to fail, or collapse) or inconclusive; Lean
	// says whether every threshold held on the point estimates (with at
	// least the minimum of calls), which the search navigates by.
	Verdict     Verdict         `json:"verdict"`
	Lean        bool            `json:"holds"`
	Collapse    bool            `json:"collapse,omitempty"`
	TooFew      bool            `json:"too_few_calls,omitempty"`
	Interrupted bool            `json:"interrupted,omitempty"`
	Thresholds  []StepThreshold `json:"thresholds"`
}

// StepThreshold is one threshold judged on a step.
type StepThreshold struct {
	Expr string `json:"expression"`
	// Metric and Limit: the threshold's metric and its limit, in Unit.
	Metric string  `json:"metric"`
	Limit  float64 `json:"limit"`
	// Value is the metric over the step's judged calls, in the threshold's
	// unit (null: not measured).
	Value *float64 `json:"value"`
	Unit  string   `json:"unit,omitempty"`
	// Pass: shown to hold at the confidence level (Verdict pass); Holds:
	// holds on the point estimate.
	Pass    bool    `json:"pass"`
	Holds   bool    `json:"holds"`
	Verdict Verdict `json:"verdict"`
	Basis   Basis   `json:"basis"`
	// K of N calls counted (proportions); Low and High: the confidence
	// bounds of the share K/N (proportions, as fractions) or of the mean
	// (means, in the unit).
	K        uint64   `json:"k,omitempty"`
	N        uint64   `json:"n,omitempty"`
	Low      *float64 `json:"low,omitempty"`
	High     *float64 `json:"high,omitempty"`
	Evidence string   `json:"evidence"`
}

// SearchReport is one search's plan and answer.
type SearchReport struct {
	Knee
	Unit string `json:"unit"`
	Plan Plan   `json:"plan"`
}

// Report is the result of a capacity run. Its JSON is a contract: rate and
// concurrent (null when not searched) with last_pass and first_fail, and
// steps with kind, level, calls and thresholds (expression, value, pass).
type Report struct {
	Target      string        `json:"target"`
	Thresholds  []string      `json:"threshold_expressions"`
	Confidence  float64       `json:"confidence"`
	Rate        *SearchReport `json:"rate"`
	Concurrent  *SearchReport `json:"concurrent"`
	Steps       []Step        `json:"steps"`
	Hold        Hold          `json:"hold"`
	Method      string        `json:"method"`
	StartedAt   time.Time     `json:"started_at"`
	WallSeconds float64       `json:"wall_seconds"`
	Budget      float64       `json:"budget_seconds"`
	Interrupted bool          `json:"interrupted"`
}

// Method describes the search and the rule, for the report.
const Method = "For each kind: a ramp from the start level, multiplying by the factor, until a level does not hold on its point estimates; then bisection between the highest level that held and the lowest that did not, to the resolution; then the highest holding level is confirmed: held until its calls show every threshold to hold at the confidence level (or its longest). Each step is held for at least its minimum time and calls after a warm-up whose calls are not judged, with a cool-down between steps; a step where most calls fail (collapse) ends at once and no higher level is run. A threshold holds at a step when its confidence interval lies on the passing side: ratios and percentiles as shares of calls (srd_p99<250ms: at least 99% of the calls under 250 ms) with one-sided exact Clopper-Pearson bounds, means with a normal interval, counts and extremes exactly; last_pass is the highest level shown to pass, first_fail the lowest level above it that did not (failed, or was not shown to pass)."

// StepVerdict combines the thresholds' judgements.
func StepVerdict(js []Judgement) Verdict {
	v := Pass
	for _, j := range js {
		switch j.Verdict {
		case Fail:
			return Fail
		case Inconclusive:
			v = Inconclusive
		}
	}
	return v
}

func (c *Config) judge(m Measurement) []Judgement {
	js := make([]Judgement, len(m.Evidence))
	for i, e := range m.Evidence {
		js[i] = Judge(e, c.Confidence)
	}
	return js
}

func collapsed(m Measurement) bool {
	return m.AllStarted >= CollapseCalls && 2*m.AllNotCompleted > m.AllStarted
}

// Run runs the searches of cfg on the platform p. It returns the report
// (steps so far, marked Interrupted, when ctx ended) and an error only
// when a step could not be run at all.
func Run(ctx context.Context, cfg Config, p Prober) (*Report, error) {
	if cfg.Confidence == 0 {
		cfg.Confidence = DefaultConfidence
	}
	if !(cfg.Confidence > 0.5 && cfg.Confidence < 1) {
		return nil, fmt.Errorf("confidence %v: want between 0.5 and 1 (e.g. 0.95)", cfg.Confidence)
	}
	if cfg.Rate == nil && cfg.Concurrent == nil {
		return nil, errors.New("nothing to search: give a rate and/or a concurrent plan")
	}
	if cfg.Budget <= 0 {
		return nil, errors.New("no time budget: give a positive duration")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	rep := &Report{Target: cfg.Target, Thresholds: cfg.Thresholds, Confidence: cfg.Confidence, Steps: []Step{},
		Hold: cfg.Hold, Method: Method, StartedAt: start, Budget: cfg.Budget.Seconds()}
	end := start.Add(cfg.Budget)
	var searches []*Plan
	for _, pl := range []*Plan{cfg.Rate, cfg.Concurrent} {
		if pl != nil {
			searches = append(searches, pl)
		}
	}
	var err error
	for i, pl := range searches {
		deadline := end
		if i == 0 && len(searches) == 2 {
			deadline = start.Add(cfg.Budget / 2)
		}
		var sr *SearchReport
		sr, err = runSearch(ctx, &cfg, p, *pl, deadline, rep)
		if sr != nil {
			if pl.Kind == Rate {
				rep.Rate = sr
			} else {
				rep.Concurrent = sr
			}
		}
		if err != nil || ctx.Err() != nil {
			break
		}
	}
	rep.Interrupted = ctx.Err() != nil
	rep.WallSeconds = time.Since(start).Seconds()
	// A search never started (interrupted, or an error before it) is
	// reported as incomplete, not as not searched.
	for _, pl := range searches {
		if pl.Kind == Rate && rep.Rate == nil {
			rep.Rate = &SearchReport{Knee: Knee{Status: Incomplete}, Unit: Rate.Unit(), Plan: *pl}
		}
		if pl.Kind == Concurrent && rep.Concurrent == nil {
			rep.Concurrent = &SearchReport{Knee: Knee{Status: Incomplete}, Unit: Concurrent.Unit(), Plan: *pl}
		}
	}
	return rep, err
}

func runSearch(ctx context.Context, cfg *Config, p Prober, plan Plan, deadline time.Time, rep *Report) (*SearchReport, error) {
	s, err := NewSearch(plan)
	if err != nil {
		return nil, err
	}
	sr := func() *SearchReport { return &SearchReport{Knee: s.Knee(), Unit: plan.Kind.Unit(), Plan: s.Plan()} }
	h := cfg.Hold
	warm := h.Warmup[plan.Kind]
	first := true
	for {
		pr, ok := s.Next()
		if !ok {
			return sr(), nil
		}
		if !first && h.Cooldown > 0 {
			t := time.NewTimer(h.Cooldown)
			select {
			case <-ctx.Done():
				t.Stop()
				s.Stop()
				return sr(), nil
			case <-t.C:
			}
		}
		first = false
		maxTime := h.MaxTime
		if pr.Purpose == Confirm {
			maxTime = h.ConfirmMax
		}
		// The step must end, drained, before the deadline.
		room := time.Until(deadline) - stepGrace - warm - h.Drain
		if room < h.MinTime || ctx.Err() != nil {
			cfg.Logger.Info("capacity: no time left for another step", "kind", plan.Kind, "level", pr.Level, "left", time.Until(deadline).Round(time.Second))
			s.Stop()
			return sr(), nil
		}
		cut := room < maxTime // the budget, not the plan, limits this step
		maxTime = min(maxTime, room)
		spec := StepSpec{Kind: plan.Kind, Level: pr.Level, Purpose: pr.Purpose, Warmup: warm, Deadline: deadline}
		decide := func(m Measurement) Ending {
			if collapsed(m) {
				return Abort
			}
			if m.Measured >= maxTime {
				return Drain
			}
			if m.Measured < h.MinTime || m.Figures.Attempted < h.MinCalls {
				return Continue
			}
			if pr.Purpose != Confirm || StepVerdict(cfg.judge(m)) != Inconclusive {
				return Drain
			}
			return Continue
		}
		// The context ends the step (its calls hung up) a little before the
		// deadline, so that even a stuck step leaves the run on time.
		sctx, cancel := context.WithDeadline(ctx, deadline.Add(-stepGrace))
		t0 := time.Now()
		m, err := p.Probe(sctx, spec, decide)
		cancel()
		if err != nil {
			s.Stop()
			return sr(), fmt.Errorf("%s step at %v %s: %w", plan.Kind, pr.Level, plan.Kind.Unit(), err)
		}
		st := cfg.step(spec, m, t0, h.MinCalls)
		if cut && st.TooFew && !st.Collapse {
			// The time left was too short for the step's calls: no verdict.
			st.Interrupted, m.Interrupted = true, true
		}
		rep.Steps = append(rep.Steps, st)
		if cfg.OnStep != nil {
			cfg.OnStep(st)
		}
		if m.Interrupted && !st.Collapse {
			// Cut short (Ctrl-C, or the deadline): not a verdict.
			s.Stop()
			return sr(), nil
		}
		s.Record(pr, Outcome{Verdict: st.Verdict, Lean: st.Lean, Collapse: st.Collapse})
	}
}

// stepGrace is how long before its search's deadline a step is cut: the
// time its calls get to end when hung up.
const stepGrace = 3 * time.Second

// step builds the report of a step from its final measurement.
func (c *Config) step(spec StepSpec, m Measurement, t0 time.Time, minCalls uint64) Step {
	js := c.judge(m)
	st := Step{Kind: spec.Kind, Level: spec.Level, Purpose: spec.Purpose, Calls: m.Figures.Attempted, Figures: m.Figures,
		StartedAt: t0, Seconds: time.Since(t0).Seconds(), WarmupSeconds: spec.Warmup.Seconds(), MeasuredSeconds: m.Measured.Seconds(),
		Verdict: StepVerdict(js), Lean: true, Collapse: m.Aborted || collapsed(m), Interrupted: m.Interrupted}
	for _, j := range js {
		t := StepThreshold{Expr: j.Expr, Metric: j.Metric, Limit: j.Bound, Unit: j.Unit, Pass: j.Verdict == Pass, Holds: j.Holds, Verdict: j.Verdict,
			Basis: j.Basis, K: j.K, N: j.N, Evidence: j.Describe(c.Confidence)}
		if !math.IsNaN(j.Value) {
			v := j.Value
			t.Value = &v
		}
		if j.Basis != Exact {
			lo, hi := j.Low, j.High
			t.Low, t.High = &lo, &hi
		}
		st.Thresholds = append(st.Thresholds, t)
		if !j.Holds {
			st.Lean = false
		}
	}
	if m.Figures.Attempted < minCalls {
		st.TooFew, st.Lean = true, false
		if st.Verdict == Pass {
			st.Verdict = Inconclusive
		}
	}
	if st.Collapse {
		st.Verdict, st.Lean = Fail, false
	}
	return st
}
