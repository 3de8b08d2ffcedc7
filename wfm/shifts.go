package wfm

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// ShiftOptions describe the shifts PlanShifts may use: every start on a
// grid of Step from 00:00, every length of Lengths, and, in shifts at
// least BreakFrom long, one break of BreakLength in the middle (after half
// the shift, rounded down to the step). Shifts may run past midnight: the
// requirement is one day's, repeated every day.
type ShiftOptions struct {
	Interval    time.Duration   // length of an interval of the requirement
	Step        time.Duration   // grid of start times (default 30m)
	Lengths     []time.Duration // shift lengths (default 4h, 6h, 8h)
	BreakLength time.Duration   // break length (0: no breaks)
	BreakFrom   time.Duration   // shifts at least this long get a break
}

// DefaultShiftOptions: starts every 30 minutes, 4h, 6h and 8h shifts, one
// break of 30 minutes in shifts of 6h or more.
func DefaultShiftOptions(interval time.Duration) ShiftOptions {
	return ShiftOptions{Interval: interval, Step: 30 * time.Minute,
		Lengths:     []time.Duration{4 * time.Hour, 6 * time.Hour, 8 * time.Hour},
		BreakLength: 30 * time.Minute, BreakFrom: 6 * time.Hour}
}

// PlannedShift is a block of agents working the same hours.
type PlannedShift struct {
	Start  time.Duration     `json:"-"`
	Length time.Duration     `json:"-"`
	Breaks []scenarios.Break `json:"-"`
	Agents int               `json:"agents"`
	// For JSON: "08:00", "8h", "4h" after start.
	StartText  string `json:"start"`
	LengthText string `json:"length"`
	BreakAfter string `json:"break_after,omitempty"`
	BreakLen   string `json:"break_length,omitempty"`
}

// ShiftPlan covers a requirement with shifts.
type ShiftPlan struct {
	Shifts []PlannedShift `json:"shifts"`
	// PaidHours: agent hours paid a day; RequiredHours: the requirement's
	// agent hours; LowerBound: no plan covering the requirement with the
	// allowed shifts pays less (see PlanShifts); Gap = PaidHours /
	// LowerBound - 1.
	PaidHours     float64 `json:"paid_hours_per_day"`
	RequiredHours float64 `json:"required_hours_per_day"`
	LowerBound    float64 `json:"lower_bound_hours"`
	Gap           float64 `json:"gap"`
	// Coverage is the least number of agents on duty and not on break
	// within each interval of the requirement.
	Coverage  []int `json:"coverage"`
	Headcount int   `json:"headcount"`
	// Simulated: the scenario simulated with these shifts (and the
	// shrinkage) in place of the group's staffing, with the plan's check
	// seed; set by SimulateShifts.
	Simulated *ShiftCheck `json:"simulated,omitempty"`
}

// ShiftCheck is the outcome of simulating a shift plan.
type ShiftCheck struct {
	Seed         uint64    `json:"seed"`
	ServiceLevel []float64 `json:"service_level"` // per interval of the day
	AllMeet      bool      `json:"all_meet"`      // point estimates
	Missed       []string  `json:"missed,omitempty"`
}

type pattern struct {
	start, length time.Duration
	brk           *scenarios.Break
	units         []int
	cost          float64 // paid hours
}

// PlanShifts covers req (agents needed in each interval of the day) with
// shifts at the least paid hours it can find. The problem is a set-covering
// integer program; PlanShifts uses a heuristic:
//
//  1. greedy: while some unit of time is short of agents, add the shift
//     that covers the most short units per paid hour (ties: earliest start,
//     then shortest);
//  2. improvement, repeated until nothing changes: drop any shift whose
//     agents are not needed anywhere, longest first; replace a shift by a
//     cheaper one (any start, any length) when coverage still holds.
//
// The cover itself is SolveCover's: the LP relaxation, rounded and
// improved. The lower bound is weak LP duality: for any weights y ≥ 0 on
// units of time with, for every allowed shift, the sum of y over the units
// it covers at most its paid hours, Σ req·y is at most the LP optimum,
// hence at most any integer plan's paid hours. Several such y are tried
// (the LP dual optimum found by the simplex method, uniform, proportional
// to the requirement, and greedy dual ascent in a few orders; each scaled
// to exact feasibility) and the best is rounded up to a multiple of the
// greatest common divisor of the shift lengths, since every plan's paid
// hours are such a multiple.
func PlanShifts(req []int, opt ShiftOptions) (*ShiftPlan, error) {
	pats, unit, err := patterns(len(req), opt)
	if err != nil {
		return nil, err
	}
	nUnits := int(day / unit)
	per := int(opt.Interval / unit)
	need := make([]int, nUnits)
	for k := range need {
		need[k] = req[k/per]
		if need[k] < 0 {
			return nil, fmt.Errorf("requirement %d in interval %d is negative", need[k], k/per)
		}
	}
	prob := CoverProblem{Need: need, Units: make([][]int, len(pats)), Cost: make([]float64, len(pats))}
	for i, p := range pats {
		prob.Units[i], prob.Cost[i] = p.units, p.cost
	}
	sol, err := SolveCover(prob)
	if err != nil {
		return nil, err
	}
	count, cov, lpY := sol.Count, sol.Coverage, sol.Dual
	plan := &ShiftPlan{Coverage: make([]int, len(req))}
	for i, p := range pats {
		if count[i] == 0 {
			continue
		}
		ps := PlannedShift{Start: p.start, Length: p.length, Agents: count[i],
			StartText: clock(p.start), LengthText: fmtDuration(p.length)}
		if p.brk != nil {
			ps.Breaks = []scenarios.Break{*p.brk}
			ps.BreakAfter, ps.BreakLen = fmtDuration(p.brk.After), fmtDuration(p.brk.Length)
		}
		plan.Shifts = append(plan.Shifts, ps)
		plan.PaidHours += float64(count[i]) * p.cost
		plan.Headcount += count[i]
	}
	for s := range req {
		m := math.MaxInt
		for k := s * per; k < (s+1)*per; k++ {
			m = min(m, cov[k])
		}
		plan.Coverage[s] = m
		plan.RequiredHours += float64(req[s]) * opt.Interval.Hours()
	}
	plan.LowerBound = lowerBound(need, pats, opt.Lengths, lpY)
	if plan.LowerBound > 0 {
		plan.Gap = plan.PaidHours/plan.LowerBound - 1
	}
	return plan, nil
}

func patterns(nReq int, opt ShiftOptions) ([]pattern, time.Duration, error) {
	if opt.Interval <= 0 || day%opt.Interval != 0 {
		return nil, 0, fmt.Errorf("interval %v does not divide a day", opt.Interval)
	}
	if nReq != int(day/opt.Interval) {
		return nil, 0, fmt.Errorf("requirement has %d intervals, want %d for %v intervals", nReq, day/opt.Interval, opt.Interval)
	}
	if opt.Step <= 0 || day%opt.Step != 0 || opt.Step%time.Minute != 0 {
		return nil, 0, fmt.Errorf("shift step %v must be whole minutes dividing a day", opt.Step)
	}
	if len(opt.Lengths) == 0 {
		return nil, 0, fmt.Errorf("no shift lengths")
	}
	if opt.BreakLength < 0 || opt.BreakLength%time.Minute != 0 {
		return nil, 0, fmt.Errorf("break length %v must be whole minutes", opt.BreakLength)
	}
	g := gcd(opt.Interval, opt.Step)
	if opt.BreakLength > 0 {
		g = gcd(g, opt.BreakLength)
	}
	for _, l := range opt.Lengths {
		if l <= 0 || l > day || l%time.Minute != 0 {
			return nil, 0, fmt.Errorf("shift length %v must be whole minutes, above 0 and at most 24h", l)
		}
		if opt.BreakLength > 0 && l >= opt.BreakFrom && opt.BreakLength >= l {
			return nil, 0, fmt.Errorf("break %v does not fit in a %v shift", opt.BreakLength, l)
		}
		g = gcd(g, l)
	}
	unit := g
	nUnits := int(day / unit)
	var pats []pattern
	lengths := append([]time.Duration(nil), opt.Lengths...)
	sort.Slice(lengths, func(a, b int) bool { return lengths[a] < lengths[b] })
	for st := time.Duration(0); st < day; st += opt.Step {
		for i, l := range lengths {
			if i > 0 && l == lengths[i-1] {
				continue
			}
			p := pattern{start: st, length: l, cost: l.Hours()}
			var b0, b1 time.Duration = -1, -1
			if opt.BreakLength > 0 && l >= opt.BreakFrom {
				after := (l / 2) / opt.Step * opt.Step
				if after+opt.BreakLength > l {
					after = l - opt.BreakLength
				}
				p.brk = &scenarios.Break{After: after, Length: opt.BreakLength}
				b0, b1 = after, after+opt.BreakLength
			}
			for off := time.Duration(0); off < l; off += unit {
				// A unit counts when the agent is on duty for all of it.
				if b0 >= 0 && off+unit > b0 && off < b1 {
					continue
				}
				p.units = append(p.units, int((st+off)/unit)%nUnits)
			}
			pats = append(pats, p)
		}
	}
	return pats, unit, nil
}

func lowerBound(need []int, pats []pattern, lengths []time.Duration, lpY []float64) float64 {
	n := len(need)
	cover := make([][]int, n) // patterns covering each unit
	for i, p := range pats {
		for _, k := range p.units {
			cover[k] = append(cover[k], i)
		}
	}
	eval := func(y []float64) float64 {
		// Scale y down to dual feasibility.
		scale := math.Inf(1)
		for _, p := range pats {
			s := 0.0
			for _, k := range p.units {
				s += y[k]
			}
			if s > 0 {
				scale = min(scale, p.cost/s)
			}
		}
		if math.IsInf(scale, 1) {
			return 0
		}
		lb := 0.0
		for k := range y {
			lb += float64(need[k]) * y[k] * scale
		}
		return lb
	}
	best := 0.0
	uniform := make([]float64, n)
	prop := make([]float64, n)
	for k := range uniform {
		uniform[k] = 1
		prop[k] = float64(need[k])
	}
	best = max(best, eval(uniform), eval(prop), eval(lpY))
	// Greedy dual ascent: raise y of each unit in turn as far as every
	// covering pattern's slack allows.
	ascent := func(order []int) float64 {
		slack := make([]float64, len(pats))
		for i, p := range pats {
			slack[i] = p.cost
		}
		y := make([]float64, n)
		for _, k := range order {
			if need[k] == 0 {
				continue
			}
			inc := math.Inf(1)
			for _, p := range cover[k] {
				inc = min(inc, slack[p])
			}
			if math.IsInf(inc, 1) || inc <= 0 {
				continue
			}
			y[k] = inc
			for _, p := range cover[k] {
				slack[p] -= inc
			}
		}
		lb := 0.0
		for k := range y {
			lb += float64(need[k]) * y[k]
		}
		return lb
	}
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k
	}
	byNeed := append([]int(nil), idx...)
	sort.SliceStable(byNeed, func(a, b int) bool { return need[byNeed[a]] > need[byNeed[b]] })
	best = max(best, ascent(byNeed))
	byFew := append([]int(nil), idx...)
	sort.SliceStable(byFew, func(a, b int) bool { return len(cover[byFew[a]]) < len(cover[byFew[b]]) })
	best = max(best, ascent(byFew))
	for off := 0; off < n; off += max(1, n/8) {
		rot := make([]int, n)
		for i := range rot {
			rot[i] = (i + off) % n
		}
		best = max(best, ascent(rot))
	}
	// Round up to a multiple of the lengths' common divisor.
	g := lengths[0]
	for _, l := range lengths[1:] {
		g = gcd(g, l)
	}
	gh := g.Hours()
	if best <= 0 {
		return 0
	}
	return math.Ceil(best/gh-1e-9) * gh
}

func gcd(a, b time.Duration) time.Duration {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// fmtDuration writes 8h, 30m or 4h30m.
func fmtDuration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	default:
		return fmt.Sprintf("%dm", m)
	}
}

// YAML writes the plan as a shifts: block for a group of a scenario,
// indented by indent spaces; the shifts run every day.
func (p *ShiftPlan) YAML(indent int) string {
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	b.WriteString(pad + "shifts:\n")
	for _, s := range p.Shifts {
		fmt.Fprintf(&b, "%s  - {start: %q, length: %s, days: [mon, tue, wed, thu, fri, sat, sun], agents: %d", pad, clock(s.Start), fmtDuration(s.Length), s.Agents)
		if len(s.Breaks) > 0 {
			fmt.Fprintf(&b, ", breaks: [{after: %s, length: %s}]", fmtDuration(s.Breaks[0].After), fmtDuration(s.Breaks[0].Length))
		}
		b.WriteString("}\n")
	}
	return b.String()
}
