package optimize

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/wfm"
)

// Options tune Run.
type Options struct {
	// Replications of the sample plans are compared on (default: the
	// scenario's optimize.replications, else its replications).
	Replications int
	// CheckReplications of the fresh check of every chosen plan (default:
	// optimize.check_replications, else Replications).
	CheckReplications int
	// CheckSeedOffset: the check runs with the scenario's seed plus this
	// (default 1,000,003); a failed check's second check with twice it.
	CheckSeedOffset uint64
	// EveryInterval overrides optimize.every_interval when set.
	EveryInterval *bool
	// Strategies, when given, limits the run to the strategies so named.
	Strategies []string
	// MaxCombinations bounds the discrete choices of one strategy
	// (default 256).
	MaxCombinations int
	// Progress, when set, is called after evaluations with the state of
	// the run.
	Progress func(Progress)
}

// Progress is the state of a run, for a progress bar.
type Progress struct {
	Strategy    string
	Index       int // of the strategy, from 0
	Strategies  int
	Evaluations int64
	// Fraction of the run done (an estimate), Elapsed and ETA.
	Fraction float64
	Elapsed  time.Duration
	ETA      time.Duration
}

// Status of a strategy's result.
const (
	// StatusMeets: the plan meets every target on the fresh check.
	StatusMeets = "meets_targets"
	// StatusCheckFailed: the plan met the targets on the search's sample
	// but misses one on fresh seeds (its 95% interval below the target),
	// even after repair.
	StatusCheckFailed = "check_failed"
	// StatusInconclusive: on fresh seeds, with up to four times the check's
	// replications, some target is neither met nor missed at 95%
	// confidence (and repair did not settle it).
	StatusInconclusive = "inconclusive"
	// StatusInfeasible: even the most agents and every choice miss a
	// target: infeasible within the bounds.
	StatusInfeasible = "infeasible"
	// StatusInterrupted: the run was stopped; the plan is the best found.
	StatusInterrupted = "interrupted"
)

// Result is the outcome of Run.
type Result struct {
	Scenario   string           `json:"scenario"`
	Seed       uint64           `json:"seed"`
	Method     Method           `json:"method"`
	Strategies []StrategyResult `json:"strategies"`
	// Best is the cheapest strategy meeting its targets ("" when none).
	Best string `json:"best"`
	// Recommendation says whether Best is cheaper than every other
	// strategy meeting its targets beyond noise, or tied with some.
	Recommendation Recommendation `json:"recommendation"`
	Interrupted    bool           `json:"interrupted"`
	WallSeconds    float64        `json:"wall_seconds"`
}

// Method states how plans were searched and judged.
type Method struct {
	Replications      int    `json:"replications"`
	CheckReplications int    `json:"check_replications"`
	CheckSeed         uint64 `json:"check_seed"`
	EveryInterval     bool   `json:"every_interval"`
	Criterion         string `json:"criterion"`
}

// Recommendation is the verdict on the strategies.
type Recommendation struct {
	// Verdict: "cheapest" (Best's advantage exceeds the confidence interval
	// of every paired difference), "tied" (with Tied), "only" (the only
	// strategy meeting its targets) or "none" (no strategy meets them).
	Verdict string      `json:"verdict"`
	Text    string      `json:"text"`
	Tied    []string    `json:"tied,omitempty"`
	Margin  *sim.Margin `json:"margin,omitempty"`
}

// StrategyResult is one strategy at its optimum.
type StrategyResult struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Status      string `json:"status"`
	// MeetsTargets is judged on the fresh-seed check, by confidence
	// intervals (see Method.Criterion).
	MeetsTargets bool `json:"meets_targets"`
	// Repaired: the plan failed its first fresh check, was given agents
	// and passed (or not) a second check on other fresh seeds.
	Repaired bool `json:"repaired,omitempty"`
	// Cost, KPIs and Queues are the check's (fresh seeds).
	Cost      sim.Cost          `json:"cost"`
	Decisions map[string]any    `json:"decisions"`
	KPIs      sim.KPIs          `json:"kpis"`
	Queues    []sim.QueueResult `json:"queues"`
	Groups    []sim.GroupResult `json:"groups"`
	// SearchCost is the cost, on the search's sample, of the plan the
	// search found (before any repair after a failed check).
	SearchCost float64 `json:"search_cost"`
	// RepairedFrom holds the decisions the search found when the check on
	// fresh seeds failed and agents were added (Repaired).
	RepairedFrom map[string]any `json:"repaired_from,omitempty"`
	// LowerBound on the cost where one is computed (nil otherwise), with
	// what it rests on, and the gap (cost - bound) / cost.
	LowerBound       *float64 `json:"lower_bound"`
	LowerBoundMethod string   `json:"lower_bound_method,omitempty"`
	Gap              *float64 `json:"gap"`
	// Binding names the target with the least margin on the check (a queue,
	// or a queue and an interval), and Slack that margin.
	Binding string  `json:"binding"`
	Slack   float64 `json:"slack"`
	// Undecided counts the targets (queues, or queues in an interval)
	// that the check could neither show met nor missed at 95% confidence;
	// CheckReplications is the number of fresh replications it ended with.
	Undecided         int     `json:"undecided_targets"`
	CheckReplications int     `json:"check_replications"`
	Evaluations       int64   `json:"evaluations"`
	Seconds           float64 `json:"seconds"`
	// Vs is this strategy minus Best, paired over the check's replications.
	Vs *Difference `json:"vs_best,omitempty"`
	// IntervalSeconds and Intervals are the check's figures per interval
	// of the day (for reports of a saved result).
	IntervalSeconds float64              `json:"interval_seconds,omitempty"`
	Intervals       []sim.IntervalResult `json:"intervals,omitempty"`
	// Check is the full result of the fresh check, for reports.
	Check *sim.Result `json:"-"`
	// Plan is the strategy's scenario with the chosen decisions.
	Plan *scenarios.Scenario `json:"-"`
	// Requirement is the Erlang requirement of the plan's queues together,
	// scheduled agents per interval of the day (wfm.Analytic), for reports
	// (nil where it cannot be computed).
	Requirement []int `json:"requirement_by_interval,omitempty"`

	strategy *scenarios.Strategy
}

// Difference is a strategy minus the best, paired over the check's
// replications, with 95% confidence half-widths.
type Difference struct {
	CostPerMonth     float64 `json:"cost_per_month"`
	CostPerMonthCI95 float64 `json:"cost_per_month_ci95"`
	ServiceLevel     float64 `json:"service_level"`
	ServiceLevelCI95 float64 `json:"service_level_ci95"`
	Paired           bool    `json:"paired"`
}

// ErrNoStrategies is returned for a scenario without strategies.
var ErrNoStrategies = errors.New(`the scenario has no strategies to optimize: add a "strategies:" list, each with a name and decisions (decide: {groups.staff.agents: 5..40}); see "callsim scenarios reference"`)

// Run optimizes every strategy of sc.
func Run(ctx context.Context, sc *scenarios.Scenario, opt Options) (*Result, error) {
	t0 := time.Now()
	if len(sc.Strategies) == 0 {
		return nil, ErrNoStrategies
	}
	reps := opt.Replications
	if reps <= 0 {
		reps = sc.Optimize.Replications
	}
	if reps <= 0 {
		reps = sc.Replications
	}
	checkReps := opt.CheckReplications
	if checkReps <= 0 {
		checkReps = sc.Optimize.CheckReplications
	}
	if checkReps <= 0 {
		checkReps = reps
	}
	off := opt.CheckSeedOffset
	if off == 0 {
		off = 1_000_003
	}
	every := sc.Optimize.EveryInterval
	if opt.EveryInterval != nil {
		every = *opt.EveryInterval
	}
	maxCombos := opt.MaxCombinations
	if maxCombos <= 0 {
		maxCombos = 256
	}
	var sts []*scenarios.Strategy
	for i := range sc.Strategies {
		st := &sc.Strategies[i]
		if len(opt.Strategies) == 0 || slices.Contains(opt.Strategies, st.Name) {
			sts = append(sts, st)
		}
	}
	for _, name := range opt.Strategies {
		if sc.StrategyByName(name) == nil {
			return nil, fmt.Errorf("no strategy %q (there are: %v)", name, sc.StrategyNames())
		}
	}
	spaces := make([]*space, len(sts))
	for i, st := range sts {
		sp, err := newSpace(st)
		if err != nil {
			return nil, err
		}
		if n := sp.combos(); n > maxCombos {
			return nil, fmt.Errorf("strategy %q: %d combinations of discrete choices (after, hours, skills), at most %d: give fewer options", st.Name, n, maxCombos)
		}
		spaces[i] = sp
	}
	out := &Result{Scenario: sc.Name, Seed: sc.Seed, Strategies: []StrategyResult{},
		Method: Method{Replications: reps, CheckReplications: checkReps, CheckSeed: sc.Seed + off, EveryInterval: every,
			Criterion: criterion(every)}}
	var evals atomic.Int64
	for i, sp := range spaces {
		o := &optimizer{s: sp, index: i, count: len(spaces), seed: sc.Seed, reps: reps, checkReps: checkReps, off: off, every: every, evals: &evals, t0: t0, progress: opt.Progress}
		r, err := o.run(ctx)
		if err != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("strategy %q: %w", sp.st.Name, err)
		}
		if r != nil {
			out.Strategies = append(out.Strategies, *r)
		}
		if ctx.Err() != nil {
			out.Interrupted = true
			break
		}
	}
	out.compare()
	out.WallSeconds = time.Since(t0).Seconds()
	return out, nil
}

// optimizer optimizes one strategy.
type optimizer struct {
	s                 *space
	index, count      int
	seed              uint64
	reps, checkReps   int
	off               uint64
	every             bool
	evals             *atomic.Int64
	t0                time.Time
	progress          func(Progress)
	combosDone, total int
}

func (o *optimizer) note() {
	if o.progress == nil {
		return
	}
	f := (float64(o.index) + float64(o.combosDone)/float64(max(o.total, 1))) / float64(o.count)
	el := time.Since(o.t0)
	p := Progress{Strategy: o.s.st.Name, Index: o.index, Strategies: o.count, Evaluations: o.evals.Load(), Fraction: f, Elapsed: el}
	if f > 0.01 {
		p.ETA = time.Duration(float64(el) * (1 - f) / f)
	}
	o.progress(p)
}

func (o *optimizer) run(ctx context.Context) (*StrategyResult, error) {
	t0 := time.Now()
	st := o.s.st
	r := &StrategyResult{Name: st.Name, Description: st.Description, strategy: st}
	e := newEvaluator(o.s, o.seed, o.reps, o.every, o.evals)
	sr := &searcher{s: o.s, e: e, note: o.note}
	o.total = o.s.combos() + 1
	var best, top *eval
	var err error
	for ci := 0; ci < o.s.combos(); ci++ {
		pick := o.s.pickOf(ci)
		var ev *eval
		ev, err = sr.search(ctx, pick, o.start(pick))
		if err == nil && ev != nil && ev.feasible && len(o.s.cats) > 0 {
			ev, err = sr.coverPhase(ctx, ev)
		}
		o.combosDone++
		if err != nil {
			break
		}
		if ev != nil && !ev.feasible && top == nil {
			top = ev
		}
		if better(ev, best) {
			best = ev
		}
	}
	interrupted := ctx.Err() != nil
	if interrupted && better(sr.best, best) {
		best = sr.best
	}
	if err != nil && !interrupted {
		return nil, err
	}
	r.Seconds = time.Since(t0).Seconds()
	if best == nil {
		// Nothing met the targets: infeasible within the bounds (or
		// stopped before anything did).
		if top == nil {
			if interrupted {
				r.Status = StatusInterrupted
				r.Decisions = map[string]any{}
				return r, nil
			}
			return nil, fmt.Errorf("no plan was evaluated")
		}
		r.Status = StatusInfeasible
		if interrupted {
			r.Status = StatusInterrupted
		}
		o.fill(r, top, top)
		r.Evaluations = int64(len(e.cache))
		return r, nil
	}
	if interrupted {
		r.Status = StatusInterrupted
		o.fill(r, best, best)
		r.Evaluations = int64(len(e.cache))
		return r, nil
	}
	// The check on fresh seeds.
	foundCost := best.cost
	chk, err := o.check(ctx, best.p, o.seed+o.off)
	if err != nil {
		return o.stopped(r, best, e, err, ctx)
	}
	if chk.verdict != verdictMeets {
		// Give the plan agents until it meets every target with a margin
		// (the point estimate at least the target plus twice its
		// half-width) on the check's largest sample, then check it again
		// on other fresh seeds.
		me := newEvaluator(o.s, o.seed+o.off, o.checkReps*maxCheckGrowth, o.every, o.evals)
		me.mode = judgeMargin
		rs := &searcher{s: o.s, e: me, note: o.note}
		fixed, err := rs.repair(ctx, best.p.clone(), nil)
		if err != nil {
			return o.stopped(r, best, e, err, ctx)
		}
		if fixed != nil {
			r.Repaired = true
			r.RepairedFrom = o.s.decisions(best.p)
			if chk, err = o.check(ctx, fixed.p, o.seed+2*o.off); err != nil {
				return o.stopped(r, best, e, err, ctx)
			}
			if best, err = e.eval(ctx, fixed.p, 0); err != nil {
				return o.stopped(r, best, e, err, ctx)
			}
		}
	}
	switch chk.verdict {
	case verdictMeets:
		r.Status = StatusMeets
	case verdictMisses:
		r.Status = StatusCheckFailed
	default:
		r.Status = StatusInconclusive
	}
	o.fill(r, best, chk)
	r.SearchCost = foundCost
	if lb, ok := workBound(st); ok {
		gap := 0.0
		if r.Cost.Total > 0 {
			gap = (r.Cost.Total - lb) / r.Cost.Total
		}
		r.LowerBound, r.Gap, r.LowerBoundMethod = &lb, &gap, BoundMethod
	}
	r.Evaluations = int64(len(e.cache))
	r.Seconds = time.Since(t0).Seconds()
	o.combosDone = o.total
	o.note()
	return r, nil
}

func (o *optimizer) stopped(r *StrategyResult, best *eval, e *evaluator, err error, ctx context.Context) (*StrategyResult, error) {
	if ctx.Err() == nil {
		if err == nil {
			err = errors.New("the plan could not be repaired")
		}
		return nil, err
	}
	r.Status = StatusInterrupted
	o.fill(r, best, best)
	r.Evaluations = int64(len(e.cache))
	return r, nil
}

// fill sets the result's plan from found (on the search's sample) and its
// figures from judged (the check, or found itself).
func (o *optimizer) fill(r *StrategyResult, found, judged *eval) {
	r.Decisions = o.s.decisions(found.p)
	r.Plan = o.s.apply(found.p)
	r.Plan.Strategies, r.Plan.Variants = nil, nil
	r.SearchCost = found.cost
	r.MeetsTargets = judged.feasible && r.Status == StatusMeets
	res := judged.res
	r.Check = res
	r.Cost, r.KPIs, r.Queues, r.Groups = res.Cost, res.KPIs, res.Queues, res.Groups
	r.CheckReplications = res.Replications
	r.IntervalSeconds, r.Intervals = res.IntervalSeconds, res.Intervals
	r.Binding, r.Slack = judged.binding, judged.slack
	r.Undecided = judged.undecided
	if req, err := wfm.Analytic(r.Plan, nil); err == nil {
		r.Requirement = make([]int, o.s.nSlots)
		for _, q := range req.Queues {
			for k, ip := range q.Intervals {
				if k < len(r.Requirement) {
					r.Requirement[k] += ip.Scheduled
				}
			}
		}
	}
	if math.IsInf(r.Slack, 0) {
		r.Slack = 0
	}
}

// start is the analytic starting plan: every queue's Erlang requirement
// per interval (scheduled agents, after shrinkage), shared evenly among
// the decided groups serving it; a constant headcount takes the peak.
func (o *optimizer) start(pick []int) plan {
	s := o.s
	p := plan{x: make([]int, len(s.coords)), pick: slices.Clone(pick)}
	for i, c := range s.coords {
		p.x[i] = (c.min + c.max + 1) / 2
	}
	sc := s.apply(p)
	req, err := wfm.Analytic(sc, nil)
	if err != nil {
		return p
	}
	decided := map[int]bool{}
	for _, c := range s.coords {
		decided[c.group] = true
	}
	need := map[int][]float64{} // group -> per slot
	for qi, qp := range req.Queues {
		var serving []int
		if qi < len(sc.Routing) {
			for _, rg := range sc.Routing[qi].Groups {
				if gi := groupIndex(sc, rg.Group); gi >= 0 && decided[gi] && !slices.Contains(serving, gi) {
					serving = append(serving, gi)
				}
			}
		}
		for _, gi := range serving {
			if need[gi] == nil {
				need[gi] = make([]float64, s.nSlots)
			}
			for k, ip := range qp.Intervals {
				if k < s.nSlots {
					need[gi][k] += float64(ip.Scheduled) / float64(len(serving))
				}
			}
		}
	}
	for i, c := range s.coords {
		n := need[c.group]
		if n == nil {
			continue
		}
		if c.slot >= 0 {
			p.x[i] = int(math.Ceil(n[c.slot] - 1e-9))
		} else {
			p.x[i] = int(math.Ceil(slices.Max(n) - 1e-9))
		}
	}
	return s.clip(p)
}

// maxCheckGrowth: an undecided check is extended to twice, then this many
// times, its replications.
const maxCheckGrowth = 4

// check judges plan p on fresh seeds from seed by its confidence
// intervals, with the check's replications, then twice and four times as
// many while some target is undecided.
func (o *optimizer) check(ctx context.Context, p plan, seed uint64) (*eval, error) {
	var ev *eval
	for k := 1; k <= maxCheckGrowth; k *= 2 {
		ce := newEvaluator(o.s, seed, o.checkReps*k, o.every, o.evals)
		ce.mode = judgeCI
		var err error
		if ev, err = ce.eval(ctx, p, 0); err != nil {
			return nil, err
		}
		if ev.verdict != verdictUndecided {
			break
		}
	}
	return ev, nil
}

func criterion(every bool) string {
	what := "every queue's service level over the horizon"
	if every {
		what += " and in every interval offered a call on average"
	}
	return "the search: " + what + ", point estimates, at least its target (sample-average approximation); the check on fresh seeds: each target met when the lower end of its 95% confidence interval reaches it, missed when the upper end is below it, else the check is extended to twice and four times its replications and, still undecided, the plan is inconclusive; a plan not meeting every target is given agents until its point estimates clear the targets by twice their half-widths on the largest check sample, and checked again on other fresh seeds"
}
