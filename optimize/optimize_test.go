package optimize_test

import (
	"math"

	"context"
	"fmt"
	"github.com/callsim/callsim/reports"
	"strings"
	"sync"
	"testing"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/wfm"
)

var hybridOnce struct {
	sync.Once
	sc  *scenarios.Scenario
	res *optimize.Result
	err error
}

// hybrid optimizes the built-in hybrid once for the tests that read it.
func hybrid(t *testing.T) (*scenarios.Scenario, *optimize.Result) {
	t.Helper()
	h := &hybridOnce
	h.Do(func() {
		h.sc, h.err = scenarios.LoadBuiltin("hybrid")
		if h.err == nil {
			h.res, h.err = optimize.Run(context.Background(), h.sc, optimize.Options{})
		}
	})
	if h.err != nil {
		t.Fatal(h.err)
	}
	return h.sc, h.res
}

func strategy(t *testing.T, r *optimize.Result, name string) *optimize.StrategyResult {
	t.Helper()
	for i := range r.Strategies {
		if r.Strategies[i].Name == name {
			return &r.Strategies[i]
		}
	}
	t.Fatalf("no strategy %q in the result", name)
	return nil
}

// sweepCheapest runs a full sweep of the strategy's scenario on the
// search's sample and returns its cheapest point meeting every target by
// the point estimates, and the cheapest meeting the target by the check's
// own rule (the lower end of its 95% interval at least target; one
// queue).
func sweepCheapest(t *testing.T, sc *scenarios.Scenario, name string, target float64, axes ...wfm.Axis) (point, byCI wfm.Point) {
	t.Helper()
	st := sc.StrategyByName(name)
	run := func(ctx context.Context, s *scenarios.Scenario) (*sim.Result, error) {
		return sim.Run(ctx, s, sim.Options{})
	}
	sw, err := wfm.Sweep(context.Background(), st.Scenario, nil, axes, run, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sw.Cheapest < 0 {
		t.Fatalf("%s: no point of the sweep meets the targets", name)
	}
	best := -1
	for i, p := range sw.Points {
		if p.ServiceLevel-p.ServiceLevelCI95 >= target && (best < 0 || p.CostPerMonth < sw.Points[best].CostPerMonth) {
			best = i
		}
	}
	if best < 0 {
		t.Fatalf("%s: no point of the sweep meets the target by its interval", name)
	}
	return sw.Points[sw.Cheapest], sw.Points[best]
}

func axis(path string, lo, hi int) wfm.Axis {
	a := wfm.Axis{Path: path}
	for v := lo; v <= hi; v++ {
		a.Values = append(a.Values, fmt.Sprint(v))
	}
	return a
}

// TestHybridAgainstSweep is acceptance 1: every strategy of the built-in
// hybrid costs at most 1% more than the cheapest point of a sweep meeting
// the targets, and meets them on fresh seeds.
func TestHybridAgainstSweep(t *testing.T) {
	sc, r := hybrid(t)
	cases := []struct {
		name string
		axes []wfm.Axis
	}{
		{"in-house only", []wfm.Axis{axis("groups.staff.agents", 1, 40)}},
		{"outsourced only", []wfm.Axis{axis("groups.vendor.agents", 1, 40)}},
		// The 2-D sweep around the frontier: below 10 in-house agents the
		// vendor alone costs more than 20 of its agents (outsourced only),
		// and above 17 the in-house team alone meets the target.
		{"hybrid", []wfm.Axis{axis("groups.staff.agents", 8, 17), axis("groups.vendor.agents", 1, 12)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := strategy(t, r, tc.name)
			p, pc := sweepCheapest(t, sc, tc.name, 0.8, tc.axes...)
			t.Logf("optimize: %v at %.0f (search %.0f); sweep: %v at %.0f", s.Decisions, s.Cost.Total, s.SearchCost, p.Set, p.CostPerMonth)
			if !s.MeetsTargets || s.Status != optimize.StatusMeets {
				t.Errorf("status %s, meets_targets %v on fresh seeds; want the targets met", s.Status, s.MeetsTargets)
			}
			if s.SearchCost > 1.01*p.CostPerMonth {
				t.Errorf("optimized cost %.0f on the search's sample is more than 1%% above the sweep's cheapest %.0f (%v)", s.SearchCost, p.CostPerMonth, p.Set)
			}
			// The plan as checked, against the sweep's cheapest point that
			// meets the target by the check's own rule.
			t.Logf("sweep, judged by its intervals: %v at %.0f", pc.Set, pc.CostPerMonth)
			if s.Cost.Total > 1.01*pc.CostPerMonth+s.Cost.TotalCI95 {
				t.Errorf("optimized cost %.0f ±%.0f on fresh seeds is more than 1%% above the sweep's cheapest %.0f meeting the target by its interval (%v)", s.Cost.Total, s.Cost.TotalCI95, pc.CostPerMonth, pc.Set)
			}
		})
	}
	if r.Best == "" || r.Recommendation.Verdict == "none" {
		t.Errorf("no best strategy: %+v", r.Recommendation)
	}
}

// TestHybridJSONContract checks the fields promised to users.
func TestHybridDecisionsArePaths(t *testing.T) {
	sc, r := hybrid(t)
	for _, s := range r.Strategies {
		if len(s.Decisions) == 0 {
			t.Errorf("%s: no decisions", s.Name)
		}
		set := map[string]string{}
		for k, v := range s.Decisions {
			if !strings.HasPrefix(k, "groups.") {
				t.Errorf("%s: decision path %q", s.Name, k)
			}
			set[k] = fmt.Sprint(v)
		}
		// The decisions applied as variants' overrides give the plan.
		st := sc.StrategyByName(s.Name)
		p, err := st.Scenario.With(set)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		for _, g := range p.Groups {
			for _, pg := range s.Plan.Groups {
				if g.Name == pg.Name && g.Agents != pg.Agents {
					t.Errorf("%s: group %s has %d agents by the decisions, %d in the plan", s.Name, g.Name, g.Agents, pg.Agents)
				}
			}
		}
	}
}

// TestHybridLowerBound: the lower bound and gap are computed and printed
// for every hybrid strategy; for in-house only it is the work bound
// worked out by hand (80% of 120 calls an hour answered, 6 minutes each,
// at 22 an hour plus 35% overhead and a 35-an-hour supervisor per 15
// agents), and no plan found costs less than it.
func TestHybridLowerBound(t *testing.T) {
	_, r := hybrid(t)
	for _, s := range r.Strategies {
		if s.LowerBound == nil || s.Gap == nil {
			t.Fatalf("%s: no lower bound", s.Name)
		}
		if *s.LowerBound > s.Cost.Total || *s.LowerBound > s.SearchCost {
			t.Errorf("%s: lower bound %.0f above the plan's cost %.0f", s.Name, *s.LowerBound, s.Cost.Total)
		}
	}
	const month = 30.4375 * 24 // hours
	want := 0.8 * 120 * month * 0.1 * (22*1.35 + 35.0/15)
	if got := *strategy(t, r, "in-house only").LowerBound; math.Abs(got-want) > 1e-6*want {
		t.Errorf("in-house only: lower bound %.2f, want %.2f", got, want)
	}
	var b strings.Builder
	if err := reports.WriteOptimizeText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "lower bound") || !strings.Contains(b.String(), fmt.Sprintf("%.1f%%", 100**strategy(t, r, "in-house only").Gap)) {
		t.Errorf("the text shows no lower bound and gap:\n%s", b.String())
	}
}
