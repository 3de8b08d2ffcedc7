package wfm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/erlang"
)

// Verification criteria: how a simulated interval is judged against the
// target.
const (
	// CriterionPoint: the service level's point estimate reaches the
	// target (plus the margin).
	CriterionPoint = "point"
	// CriterionLower: the lower end of its 95% confidence interval does.
	CriterionLower = "lower"
)

// StaffOptions tune Staff.
type StaffOptions struct {
	// Shrinkage, when set, replaces each queue's group shrinkage in the
	// gross-up to scheduled agents.
	Shrinkage *float64
	// Verify simulates and corrects the analytic requirement.
	Verify bool
	// MaxRounds caps the verification rounds (default 20).
	MaxRounds int
	// Criterion is CriterionPoint or CriterionLower (default).
	Criterion string
	// Margin is added to every target in verification (e.g. 0.01).
	Margin float64
	// CheckSeedOffset: the final plan is simulated again with seed +
	// this offset (default 1000); 0 uses the default.
	CheckSeedOffset uint64
	// Run simulates a scenario (default sim.Run with default options).
	Run RunFunc
	// Progress, when set, is told about each round.
	Progress func(round int, missed int)
}

// StaffPlan is the staffing requirement of every queue of a scenario.
type StaffPlan struct {
	Scenario        string      `json:"scenario"`
	Seed            uint64      `json:"seed"`
	IntervalSeconds float64     `json:"interval_seconds"`
	Verified        bool        `json:"verified"`
	Criterion       string      `json:"criterion,omitempty"`
	Margin          float64     `json:"margin,omitempty"`
	Rounds          int         `json:"rounds"`
	MaxRounds       int         `json:"max_rounds,omitempty"`
	AllMeet         bool        `json:"all_meet"`
	CheckSeed       uint64      `json:"check_seed,omitempty"`
	CheckAllMeet    bool        `json:"check_all_meet"`
	Queues          []QueuePlan `json:"queues"`
	Notes           []string    `json:"notes,omitempty"`
}

// QueuePlan is one queue's requirement per interval of the day.
type QueuePlan struct {
	Queue string `json:"queue"`
	// Group is the queue's dedicated group ("" when the queue has none and
	// the plan is analytic only).
	Group string `json:"group,omitempty"`
	// Model is "erlang_a" (exponential patience with the mean of the
	// queue's patience) or "erlang_c" (no abandonment).
	Model           string  `json:"model"`
	Weekday         string  `json:"weekday"`
	WeekdayFactor   float64 `json:"weekday_factor"`
	AHTSeconds      float64 `json:"aht_seconds"`
	PatienceSeconds float64 `json:"patience_seconds,omitempty"`
	TargetSL        float64 `json:"target_service_level"`
	TargetWithin    float64 `json:"target_within_seconds"`
	Shrinkage       float64 `json:"shrinkage"`
	// Paid agent hours a day of the scheduled plan.
	ScheduledHours float64        `json:"scheduled_hours_per_day"`
	Intervals      []IntervalPlan `json:"intervals"`
	// ShiftPlan covers the scheduled agents with shifts (PlanQueueShifts).
	ShiftPlan *ShiftPlan `json:"shift_plan,omitempty"`
}

// PlanQueueShifts plans shifts covering every queue's scheduled agents.
func PlanQueueShifts(p *StaffPlan, opt ShiftOptions) error {
	for qi := range p.Queues {
		qp := &p.Queues[qi]
		req := make([]int, len(qp.Intervals))
		for s, ip := range qp.Intervals {
			req[s] = ip.Scheduled
		}
		sp, err := PlanShifts(req, opt)
		if err != nil {
			return fmt.Errorf("queue %s: shift plan: %w", qp.Queue, err)
		}
		qp.ShiftPlan = sp
	}
	return nil
}

// IntervalPlan is the requirement in one interval of the day.
type IntervalPlan struct {
	Start        string  `json:"start"`
	StartSeconds int     `json:"start_seconds"`
	Calls        float64 `json:"calls"` // expected offered calls in the interval
	Analytic     int     `json:"analytic_agents"`
	AnalyticSL   float64 `json:"analytic_service_level"`
	Verified     int     `json:"verified_agents"`
	Scheduled    int     `json:"scheduled_agents"`
	// Simulated figures of the verified plan (absent when not verified).
	SimulatedSL     float64 `json:"simulated_service_level"`
	SimulatedSLCI95 float64 `json:"simulated_service_level_ci95"`
	SimulatedCalls  float64 `json:"simulated_calls"`
	Meets           bool    `json:"meets"`
	// The same with fresh seeds.
	CheckSL     float64 `json:"check_service_level"`
	CheckSLCI95 float64 `json:"check_service_level_ci95"`
	CheckMeets  bool    `json:"check_meets"`
}

var weekdayNames = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

const day = 24 * time.Hour

// Analytic computes the Erlang requirement of every queue without
// simulation.
func Analytic(sc *scenarios.Scenario, shrinkage *float64) (*StaffPlan, error) {
	if sc.Interval <= 0 || day%sc.Interval != 0 {
		return nil, fmt.Errorf("interval %v does not divide a day", sc.Interval)
	}
	nSlots := int(day / sc.Interval)
	iv := sc.Interval.Seconds()
	plan := &StaffPlan{Scenario: sc.Name, Seed: sc.Seed, IntervalSeconds: iv}
	for qi := range sc.Queues {
		q := &sc.Queues[qi]
		qp := QueuePlan{Queue: q.Name, TargetSL: q.Target.ServiceLevel, TargetWithin: q.Target.Within.Seconds()}
		gi := dedicatedGroup(sc, qi)
		factor := 1.0
		if gi >= 0 {
			g := &sc.Groups[gi]
			qp.Group = g.Name
			qp.Shrinkage = g.Shrinkage
			if f, ok := g.HandleTimeFactor[q.Name]; ok && f > 0 {
				factor = f
			}
		} else if gs := servingGroups(sc, qi); len(gs) > 0 {
			qp.Shrinkage = sc.Groups[gs[0]].Shrinkage
		}
		if shrinkage != nil {
			qp.Shrinkage = *shrinkage
		}
		if !(qp.Shrinkage >= 0 && qp.Shrinkage < 1) {
			return nil, fmt.Errorf("shrinkage %v: must be in [0, 1)", qp.Shrinkage)
		}
		qp.AHTSeconds = q.HandleTime.Mean * factor
		if q.WrapUp != nil {
			qp.AHTSeconds += q.WrapUp.Mean
		}
		qp.Model = "erlang_c"
		if q.Patience != nil {
			qp.Model = "erlang_a"
			qp.PatienceSeconds = q.Patience.Mean
		}
		wd := busiestWeekday(q.Arrivals.Weekdays)
		qp.Weekday, qp.WeekdayFactor = weekdayNames[wd], weekdayFactor(q.Arrivals.Weekdays, wd)
		target := erlang.Target{ServiceLevel: q.Target.ServiceLevel, Within: q.Target.Within.Seconds()}
		if len(q.Arrivals.Profile) != 0 && len(q.Arrivals.Profile) != nSlots {
			return nil, fmt.Errorf("queue %s: profile has %d weights, want %d", q.Name, len(q.Arrivals.Profile), nSlots)
		}
		for s := range nSlots {
			start := time.Duration(s) * sc.Interval
			ip := IntervalPlan{Start: clock(start), StartSeconds: int(start.Seconds())}
			lambda := q.Arrivals.Rate * qp.WeekdayFactor * (1 - q.SelfService)
			if len(q.Arrivals.Profile) > 0 {
				lambda *= q.Arrivals.Profile[s]
			}
			if q.Open != nil && !openAt(q.Open, float64(wd)*86400+start.Seconds()+iv/2) {
				lambda = 0
			}
			ip.Calls = lambda * iv
			if lambda > 0 {
				r, err := erlang.StaffA(lambda, qp.AHTSeconds, qp.PatienceSeconds, target)
				if err != nil {
					return nil, fmt.Errorf("queue %s, interval %s (%.1f calls): %w", q.Name, ip.Start, ip.Calls, err)
				}
				ip.Analytic, ip.AnalyticSL = r.Agents, r.ServiceLevel
			} else {
				ip.AnalyticSL = 1
			}
			ip.Verified = ip.Analytic
			qp.Intervals = append(qp.Intervals, ip)
		}
		qp.regross(iv)
		plan.Queues = append(plan.Queues, qp)
	}
	return plan, nil
}

func (qp *QueuePlan) regross(iv float64) {
	qp.ScheduledHours = 0
	for i := range qp.Intervals {
		ip := &qp.Intervals[i]
		ip.Scheduled = Gross(ip.Verified, qp.Shrinkage)
		qp.ScheduledHours += float64(ip.Scheduled) * iv / 3600
	}
}

// Gross returns the scheduled agents that leave n available after
// shrinkage: ceil(n / (1 - shrinkage)).
func Gross(n int, shrinkage float64) int {
	if n <= 0 {
		return 0
	}
	return int(math.Ceil(float64(n)/(1-shrinkage) - 1e-9))
}

// Staff computes the analytic requirement and, with opt.Verify, corrects
// it by simulation and checks the result with fresh seeds.
func Staff(ctx context.Context, sc *scenarios.Scenario, opt StaffOptions) (*StaffPlan, error) {
	plan, err := Analytic(sc, opt.Shrinkage)
	if err != nil {
		return nil, err
	}
	plan.Notes = append(plan.Notes,
		"Erlang treats each interval as a steady state with exponential handle times (AHT = talk + wrap-up) and exponential patience.")
	if !opt.Verify {
		return plan, nil
	}
	if opt.Criterion == "" {
		opt.Criterion = CriterionLower
	}
	if opt.Criterion != CriterionPoint && opt.Criterion != CriterionLower {
		return nil, fmt.Errorf("criterion %q: want %q or %q", opt.Criterion, CriterionPoint, CriterionLower)
	}
	if opt.MaxRounds <= 0 {
		opt.MaxRounds = 20
	}
	if opt.CheckSeedOffset == 0 {
		opt.CheckSeedOffset = 1000
	}
	if opt.Run == nil {
		opt.Run = func(ctx context.Context, sc *scenarios.Scenario) (*sim.Result, error) {
			return sim.Run(ctx, sc, sim.Options{})
		}
	}
	if err := Verifiable(sc); err != nil {
		return nil, err
	}
	plan.Verified, plan.Criterion, plan.Margin, plan.MaxRounds = true, opt.Criterion, opt.Margin, opt.MaxRounds
	for round := 1; ; round++ {
		// Each round draws fresh random numbers, so an interval that met
		// the target by luck is tested again.
		vs, err := verificationScenario(sc, plan, sc.Seed+uint64(round-1))
		if err != nil {
			return nil, err
		}
		res, err := opt.Run(ctx, vs)
		if err != nil {
			return nil, fmt.Errorf("verification round %d: %w", round, err)
		}
		if res.Interrupted {
			return nil, fmt.Errorf("verification round %d: interrupted", round)
		}
		plan.Rounds = round
		missed := 0
		for qi := range plan.Queues {
			qp := &plan.Queues[qi]
			for s := range qp.Intervals {
				ip := &qp.Intervals[s]
				ci := queueInterval(res, s, qi)
				ip.SimulatedSL, ip.SimulatedSLCI95, ip.SimulatedCalls = ci.ServiceLevel, ci.ServiceLevelCI95, ci.Offered
				ip.Meets = meets(ci, qp.TargetSL+opt.Margin, opt.Criterion)
				if !ip.Meets {
					missed++
				}
			}
		}
		if opt.Progress != nil {
			opt.Progress(round, missed)
		}
		plan.AllMeet = missed == 0
		if missed == 0 || round >= opt.MaxRounds {
			break
		}
		for qi := range plan.Queues {
			qp := &plan.Queues[qi]
			for s := range qp.Intervals {
				if !qp.Intervals[s].Meets {
					qp.Intervals[s].Verified++
				}
			}
			qp.regross(plan.IntervalSeconds)
		}
	}
	if !plan.AllMeet {
		plan.Notes = append(plan.Notes, fmt.Sprintf("the round limit (%d) was reached before every interval met its target", opt.MaxRounds))
	}
	// The final check: the verified plan with fresh seeds, judged on point
	// estimates against the bare target.
	plan.CheckSeed = sc.Seed + opt.CheckSeedOffset
	vs, err := verificationScenario(sc, plan, plan.CheckSeed)
	if err != nil {
		return nil, err
	}
	res, err := opt.Run(ctx, vs)
	if err != nil {
		return nil, fmt.Errorf("check with fresh seeds: %w", err)
	}
	plan.CheckAllMeet = true
	for qi := range plan.Queues {
		qp := &plan.Queues[qi]
		for s := range qp.Intervals {
			ip := &qp.Intervals[s]
			ci := queueInterval(res, s, qi)
			ip.CheckSL, ip.CheckSLCI95 = ci.ServiceLevel, ci.ServiceLevelCI95
			ip.CheckMeets = meets(ci, qp.TargetSL, CriterionPoint)
			plan.CheckAllMeet = plan.CheckAllMeet && ip.CheckMeets
		}
	}
	return plan, nil
}

func meets(c sim.CallKPIs, target float64, criterion string) bool {
	if c.Offered == 0 {
		return true
	}
	sl := c.ServiceLevel
	if criterion == CriterionLower {
		sl -= c.ServiceLevelCI95
	}
	return sl >= target-1e-12
}

func queueInterval(res *sim.Result, s, qi int) sim.CallKPIs {
	if s < len(res.Intervals) && qi < len(res.Intervals[s].Queues) {
		return res.Intervals[s].Queues[qi].CallKPIs
	}
	return sim.CallKPIs{}
}

// Verifiable reports why a scenario's requirement cannot be verified by
// simulation: every queue must be served by exactly one group (in its
// route) that serves no other queue.
func Verifiable(sc *scenarios.Scenario) error {
	var errs []error
	for qi, q := range sc.Queues {
		if dedicatedGroup(sc, qi) < 0 {
			names := []string{}
			for _, gi := range servingGroups(sc, qi) {
				names = append(names, sc.Groups[gi].Name)
			}
			errs = append(errs, fmt.Errorf("queue %s is served by groups %v, not by one group of its own", q.Name, names))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("cannot verify by simulation (per-interval requirements are per queue; multi-skill groups need a joint plan): %w; use --analytic for the Erlang figures alone", errors.Join(errs...))
	}
	return nil
}

func servingGroups(sc *scenarios.Scenario, qi int) []int {
	var out []int
	if qi < len(sc.Routing) {
		for _, rg := range sc.Routing[qi].Groups {
			for gi := range sc.Groups {
				if sc.Groups[gi].Name == rg.Group && !slices.Contains(out, gi) {
					out = append(out, gi)
				}
			}
		}
	}
	return out
}

// dedicatedGroup returns the only group serving queue qi when it serves
// no other queue, or -1.
func dedicatedGroup(sc *scenarios.Scenario, qi int) int {
	gs := servingGroups(sc, qi)
	if len(gs) != 1 {
		return -1
	}
	for qj := range sc.Queues {
		if qj != qi && slices.Contains(servingGroups(sc, qj), gs[0]) {
			return -1
		}
	}
	return gs[0]
}

// verificationScenario is sc with each queue's dedicated group staffed by
// the plan's verified agents per interval (no shifts, no shrinkage: the
// verified figure is the available headcount) and each queue's arrivals at
// its busiest weekday every day.
func verificationScenario(sc *scenarios.Scenario, plan *StaffPlan, seed uint64) (*scenarios.Scenario, error) {
	c := *sc
	c.Seed = seed
	c.Variants = nil
	c.Queues = slices.Clone(sc.Queues)
	c.Groups = slices.Clone(sc.Groups)
	for qi := range plan.Queues {
		qp := &plan.Queues[qi]
		q := &c.Queues[qi]
		q.Arrivals.Rate *= qp.WeekdayFactor
		q.Arrivals.Weekdays = [7]float64{1, 1, 1, 1, 1, 1, 1}
		gi := dedicatedGroup(sc, qi)
		if gi < 0 {
			return nil, fmt.Errorf("queue %s has no dedicated group", qp.Queue)
		}
		g := &c.Groups[gi]
		g.Agents, g.Shifts, g.Shrinkage = 0, nil, 0
		g.AgentsByInterval = make([]int, len(qp.Intervals))
		for s, ip := range qp.Intervals {
			g.AgentsByInterval[s] = ip.Verified
		}
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("verification scenario: %w", err)
	}
	return &c, nil
}

func busiestWeekday(w [7]float64) int {
	best := 0
	for d := range w {
		if weekdayFactor(w, d) > weekdayFactor(w, best) {
			best = d
		}
	}
	return best
}

func weekdayFactor(w [7]float64, d int) float64 {
	if w == ([7]float64{}) {
		return 1
	}
	return w[d]
}

// openAt mirrors the simulator's opening hours at time t from Monday 00:00.
func openAt(o *scenarios.OpenHours, t float64) bool {
	d := int64(t / 86400)
	tod := t - float64(d)*86400
	from, to := o.From.Seconds(), o.To.Seconds()
	if from <= to {
		return o.Days[d%7] && tod >= from && tod < to
	}
	return (o.Days[d%7] && tod >= from) || (o.Days[(d+6)%7] && tod < to)
}

func clock(d time.Duration) string {
	m := int(d.Minutes())
	return fmt.Sprintf("%02d:%02d", m/60%24, m%60)
}

// SimulateShifts simulates sc with each queue's dedicated group working its
// planned shifts (after PlanQueueShifts) at the plan's shrinkage, arrivals
// at the busiest weekday every day, and records per interval whether the
// service level's point estimate meets the target.
func SimulateShifts(ctx context.Context, sc *scenarios.Scenario, p *StaffPlan, run RunFunc) error {
	if err := Verifiable(sc); err != nil {
		return err
	}
	if run == nil {
		run = func(ctx context.Context, sc *scenarios.Scenario) (*sim.Result, error) {
			return sim.Run(ctx, sc, sim.Options{})
		}
	}
	seed := p.CheckSeed
	if seed == 0 {
		seed = sc.Seed + 1000
	}
	c, err := verificationScenario(sc, p, seed)
	if err != nil {
		return err
	}
	for qi := range p.Queues {
		qp := &p.Queues[qi]
		if qp.ShiftPlan == nil {
			return fmt.Errorf("queue %s has no shift plan", qp.Queue)
		}
		g := &c.Groups[dedicatedGroup(sc, qi)]
		g.AgentsByInterval, g.Shrinkage = nil, qp.Shrinkage
		for _, s := range qp.ShiftPlan.Shifts {
			g.Shifts = append(g.Shifts, scenarios.Shift{Start: s.Start, Length: s.Length, Agents: s.Agents,
				Breaks: s.Breaks, Days: [7]bool{true, true, true, true, true, true, true}})
		}
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("shift check scenario: %w", err)
	}
	res, err := run(ctx, c)
	if err != nil {
		return fmt.Errorf("simulating the shift plan: %w", err)
	}
	for qi := range p.Queues {
		qp := &p.Queues[qi]
		chk := &ShiftCheck{Seed: seed, AllMeet: true}
		for s := range qp.Intervals {
			ci := queueInterval(res, s, qi)
			chk.ServiceLevel = append(chk.ServiceLevel, ci.ServiceLevel)
			if !meets(ci, qp.TargetSL, CriterionPoint) {
				chk.AllMeet = false
				chk.Missed = append(chk.Missed, qp.Intervals[s].Start)
			}
		}
		qp.ShiftPlan.Simulated = chk
	}
	return nil
}
