package wfm

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/segment"
	"github.com/callsim/callsim/sim"
)

// Axis is one swept parameter: a scenario path and the YAML values it takes.
type Axis struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// ParseAxis reads "path=v1,v2,..." or a numeric range "path=28..40" (step
// 1) or "path=28..40:2". Values are YAML scalars.
func ParseAxis(spec string) (Axis, error) {
	path, rhs, err := splitAssign(spec)
	if err != nil {
		return Axis{}, err
	}
	if lo, hi, ok := strings.Cut(rhs, ".."); ok {
		step := "1"
		if h, s, ok := strings.Cut(hi, ":"); ok {
			hi, step = h, s
		}
		vals, err := expandRange(lo, hi, step)
		if err != nil {
			return Axis{}, fmt.Errorf("%s: range %q: %w", path, rhs, err)
		}
		return Axis{Path: path, Values: vals}, nil
	}
	var vals []string
	for _, v := range strings.Split(rhs, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return Axis{}, fmt.Errorf("%s: empty value in %q", path, rhs)
		}
		vals = append(vals, v)
	}
	return Axis{Path: path, Values: vals}, nil
}

// ParseOverride reads "path=value".
func ParseOverride(spec string) (path, value string, err error) {
	path, value, err = splitAssign(spec)
	if err == nil && strings.TrimSpace(value) == "" {
		err = fmt.Errorf("%q: empty value", spec)
	}
	return path, value, err
}

func splitAssign(spec string) (string, string, error) {
	path, rhs, ok := strings.Cut(spec, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" {
		return "", "", fmt.Errorf("%q: want path=value (e.g. groups.staff.agents=30,32,34)", spec)
	}
	if strings.Contains(path, " ") || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
		return "", "", fmt.Errorf("%q: bad path %q (dotted keys, list items by name: groups.staff.agents)", spec, path)
	}
	return path, strings.TrimSpace(rhs), nil
}

const maxPoints = 10000

func expandRange(lo, hi, step string) ([]string, error) {
	a, err1 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(hi), 64)
	s, err3 := strconv.ParseFloat(strings.TrimSpace(step), 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("want FROM..TO or FROM..TO:STEP with numbers")
	}
	if !(s > 0) || math.IsInf(s, 0) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return nil, fmt.Errorf("step must be a positive finite number")
	}
	if b < a {
		return nil, fmt.Errorf("%v is below %v", b, a)
	}
	n := int(math.Floor((b-a)/s+1e-9)) + 1
	if n > maxPoints {
		return nil, fmt.Errorf("%d values, at most %d", n, maxPoints)
	}
	vals := make([]string, n)
	for i := range vals {
		v := a + float64(i)*s
		vals[i] = strconv.FormatFloat(math.Round(v*1e9)/1e9, 'f', -1, 64)
	}
	return vals, nil
}

// Point is one simulated point of a sweep.
type Point struct {
	// Set holds the swept values, in the order of the axes.
	Set                 []string `json:"set"`
	ServiceLevel        float64  `json:"service_level"`
	ServiceLevelCI95    float64  `json:"service_level_ci95"`
	ASASeconds          float64  `json:"asa_seconds"`
	ASASecondsCI95      float64  `json:"asa_seconds_ci95"`
	AbandonRate         float64  `json:"abandon_rate"`
	AbandonRateCI95     float64  `json:"abandon_rate_ci95"`
	Occupancy           float64  `json:"occupancy"`
	OccupancyCI95       float64  `json:"occupancy_ci95"`
	CostPerMonth        float64  `json:"cost_per_month"`
	CostPerMonthCI95    float64  `json:"cost_per_month_ci95"`
	CostPerOfferedCall  float64  `json:"cost_per_offered_call"`
	CostPerOfferedCI95  float64  `json:"cost_per_offered_call_ci95"`
	MeetsTargets        bool     `json:"meets_targets"`
	Currency            string   `json:"currency"`
	Interrupted         bool     `json:"interrupted,omitempty"`
	QueuesMissingTarget []string `json:"queues_missing_target,omitempty"`
	// CostObservations is the monthly cost per observation (replication
	// or batch), so that the cheapest point's margin over the others is
	// judged on paired differences, in a merged sweep too.
	CostObservations []float64 `json:"cost_per_month_observations,omitempty"`
}

// SweepResult is the curve (or grid) of a sweep.
type SweepResult struct {
	Scenario string            `json:"scenario"`
	Seed     uint64            `json:"seed"`
	Axes     []Axis            `json:"axes"`
	Fixed    map[string]string `json:"fixed,omitempty"`
	Points   []Point           `json:"points"`
	// Cheapest is the index of the point with the least cost per month
	// among those meeting every queue's target (-1: none does).
	Cheapest int `json:"cheapest"`
	// CheapestSignificant: the cheapest point is cheaper than every other
	// point meeting every target by more than the confidence interval of
	// the paired difference (CheapestMargin, see sim.Margin); false: it is
	// tied with the points in CheapestMargin.Tied within noise.
	CheapestSignificant bool        `json:"cheapest_significant"`
	CheapestMargin      *sim.Margin `json:"cheapest_margin,omitempty"`
	// Knee is the index of the knee of the service-level curve (one axis
	// only; -1 otherwise): the point farthest from the chord joining the
	// first and last points, with both coordinates scaled to [0, 1]
	// (Kneedle). Past it, each step buys less service level.
	Knee int `json:"knee"`
	// Interrupted is set when the sweep was stopped (its context
	// cancelled) before every point was simulated: Points holds those that
	// were, the last possibly from fewer replications (its own Interrupted).
	Interrupted bool `json:"interrupted"`

	// Segment is set when the result holds one segment of a split sweep:
	// the points p with p mod n == i (see SweepSegment). Cheapest and Knee
	// are then -1: they are judged once the segments are merged.
	Segment *segment.Segment `json:"segment,omitempty"`
	// TestID, set with Segment, identifies the sweep (a hash of the base
	// scenario with its seed, the fixed values and the axes): segments of
	// different sweeps do not merge.
	TestID string `json:"test_id,omitempty"`
	// Total is the number of points of the whole sweep (with Segment).
	Total int `json:"total_points,omitempty"`
}

// RunFunc simulates a scenario; sim.Run with fixed options by default.
type RunFunc func(ctx context.Context, sc *scenarios.Scenario) (*sim.Result, error)

// BuildPoints applies fixed and every combination of the axes' values to
// sc, returning the scenarios in row-major order (first axis outermost).
// An unknown path or a bad value is reported before anything is simulated.
func BuildPoints(sc *scenarios.Scenario, fixed map[string]string, axes []Axis) ([][]string, []*scenarios.Scenario, error) {
	if len(axes) == 0 || len(axes) > 2 {
		return nil, nil, fmt.Errorf("a sweep has one or two axes, got %d", len(axes))
	}
	for i, a := range axes {
		if len(a.Values) == 0 {
			return nil, nil, fmt.Errorf("axis %s has no values", a.Path)
		}
		if _, dup := fixed[a.Path]; dup {
			return nil, nil, fmt.Errorf("%s is both swept and fixed", a.Path)
		}
		for j := range i {
			if axes[j].Path == a.Path {
				return nil, nil, fmt.Errorf("%s is swept twice", a.Path)
			}
		}
	}
	combos := [][]string{{}}
	for _, a := range axes {
		var next [][]string
		for _, c := range combos {
			for _, v := range a.Values {
				next = append(next, append(append([]string(nil), c...), v))
			}
		}
		combos = next
	}
	if len(combos) > maxPoints {
		return nil, nil, fmt.Errorf("%d points, at most %d", len(combos), maxPoints)
	}
	scs := make([]*scenarios.Scenario, len(combos))
	for i, c := range combos {
		set := make(map[string]string, len(fixed)+len(c))
		for k, v := range fixed {
			set[k] = v
		}
		for j, v := range c {
			set[axes[j].Path] = v
		}
		p, err := sc.With(set)
		if err != nil {
			return nil, nil, fmt.Errorf("point %s: %w", describe(axes, c), err)
		}
		scs[i] = p
	}
	return combos, scs, nil
}

func describe(axes []Axis, vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = axes[i].Path + "=" + v
	}
	return strings.Join(parts, " ")
}

// Sweep simulates every point. Each point keeps the scenario's seed, so
// points differ only where their overrides differ (common random numbers).
// progress, when set, is called after each point. When ctx is cancelled,
// Sweep returns the points simulated so far (maybe none), marked
// Interrupted, and no error.
func Sweep(ctx context.Context, sc *scenarios.Scenario, fixed map[string]string, axes []Axis, run RunFunc, progress func(done, total int)) (*SweepResult, error) {
	return SweepSegment(ctx, sc, fixed, axes, segment.Segment{}, run, progress)
}

// SweepSegment simulates segment seg of the sweep: the points p (row-major
// index) with p mod n == i, each with exactly the scenario it has in the
// whole sweep, so MergeSweeps of all segments equals Sweep. The zero
// segment is the whole sweep.
func SweepSegment(ctx context.Context, sc *scenarios.Scenario, fixed map[string]string, axes []Axis, seg segment.Segment, run RunFunc, progress func(done, total int)) (*SweepResult, error) {
	if err := seg.Validate(); err != nil {
		return nil, err
	}
	combos, scs, err := BuildPoints(sc, fixed, axes)
	if err != nil {
		return nil, err
	}
	out := &SweepResult{Scenario: sc.Name, Seed: sc.Seed, Axes: axes, Fixed: fixed, Points: []Point{}, Cheapest: -1, Knee: -1}
	if !seg.Whole() {
		out.Segment = &seg
		out.Total = len(scs)
		if out.TestID, err = sweepID(sc, fixed, axes); err != nil {
			return nil, err
		}
	}
	mine := seg.ShareInt(len(scs))
	for k := range mine {
		i := int(seg.Global(uint64(k)))
		p := scs[i]
		if ctx.Err() != nil {
			out.Interrupted = true
			break
		}
		res, err := run(ctx, p)
		if err != nil {
			if ctx.Err() != nil {
				out.Interrupted = true
				break
			}
			return out, fmt.Errorf("point %s: %w", describe(axes, combos[i]), err)
		}
		out.Points = append(out.Points, pointOf(combos[i], res))
		if progress != nil {
			progress(k+1, mine)
		}
		if res.Interrupted {
			out.Interrupted = true
			break
		}
	}
	if !seg.Whole() {
		return out, nil
	}
	out.judgeCheapest()
	if len(axes) == 1 {
		out.Knee = knee(axes[0].Values, out.Points)
	}
	return out, nil
}

func pointOf(set []string, r *sim.Result) Point {
	p := Point{
		Set:                set,
		ServiceLevel:       r.KPIs.ServiceLevel,
		ServiceLevelCI95:   r.KPIs.ServiceLevelCI95,
		ASASeconds:         r.KPIs.ASASeconds,
		ASASecondsCI95:     r.KPIs.ASASecondsCI95,
		AbandonRate:        r.KPIs.AbandonRate,
		AbandonRateCI95:    r.KPIs.AbandonRateCI95,
		Occupancy:          r.KPIs.Occupancy,
		OccupancyCI95:      r.KPIs.OccupancyCI95,
		CostPerMonth:       r.Cost.Total,
		CostPerMonthCI95:   r.Cost.TotalCI95,
		CostPerOfferedCall: r.Cost.PerOfferedCall,
		CostPerOfferedCI95: r.Cost.PerOfferedCallCI95,
		Currency:           r.Cost.Currency,
		Interrupted:        r.Interrupted,
		MeetsTargets:       true,
	}
	for _, o := range r.Observations {
		p.CostObservations = append(p.CostObservations, o.CostPerMonth)
	}
	for _, q := range r.Queues {
		if q.Client == "" && !q.MeetsTarget { // another client's queue is not ours to meet
			p.MeetsTargets = false
			p.QueuesMissingTarget = append(p.QueuesMissingTarget, q.Name)
		}
	}
	return p
}

// judgeCheapest sets Cheapest and its margin over the other points
// meeting every target.
func (r *SweepResult) judgeCheapest() {
	r.Cheapest = cheapest(r.Points)
	names := make([]string, len(r.Points))
	obs := make([][]float64, len(r.Points))
	var candidates []int
	for i, p := range r.Points {
		names[i] = describe(r.Axes, p.Set)
		obs[i] = p.CostObservations
		if p.MeetsTargets {
			candidates = append(candidates, i)
		}
	}
	r.CheapestMargin = sim.CheapestMargin(names, obs, candidates, r.Cheapest)
	r.CheapestSignificant = r.CheapestMargin != nil && r.CheapestMargin.Significant
}

func cheapest(ps []Point) int {
	best := -1
	for i, p := range ps {
		if p.MeetsTargets && (best < 0 || p.CostPerMonth < ps[best].CostPerMonth) {
			best = i
		}
	}
	return best
}

// knee returns the Kneedle knee of service level against the axis values
// (numeric values only; otherwise their index), or -1 with fewer than
// three points or a flat curve.
func knee(vals []string, ps []Point) int {
	n := len(ps)
	if n < 3 {
		return -1
	}
	xs := make([]float64, n)
	for i, v := range vals[:n] {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			for j := range xs {
				xs[j] = float64(j)
			}
			break
		}
		xs[i] = x
	}
	x0, x1 := xs[0], xs[n-1]
	y0, y1 := ps[0].ServiceLevel, ps[n-1].ServiceLevel
	if x1 == x0 || y1 == y0 {
		return -1
	}
	best, bestD := -1, 0.0
	for i := range ps {
		x := (xs[i] - x0) / (x1 - x0)
		y := (ps[i].ServiceLevel - y0) / (y1 - y0)
		// Distance above the chord y = x (concave curve rising, or falling
		// mirrored by the scaling).
		if d := y - x; d > bestD {
			best, bestD = i, d
		}
	}
	return best
}
