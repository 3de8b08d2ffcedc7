package optimize_test

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// TestChoicesPlanFile: a strategy with every kind of discrete decision
// (an overflow delay, which queues go to the vendor) besides two
// headcounts is optimized, and its plan file simulates exactly as the
// plan the optimizer chose (the routes a skills decision changes
// included).
func TestChoicesPlanFile(t *testing.T) {
	src, err := os.ReadFile("testdata/choices.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse("choices.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	r, err := optimize.Run(context.Background(), sc, optimize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := strategy(t, r, "choices")
	if _, ok := s.Decisions["groups.vendor.skills"]; !ok {
		t.Fatalf("decisions %v", s.Decisions)
	}
	b, err := s.PlanYAML(r.Scenario, r.Seed)
	if err != nil {
		t.Fatal(err)
	}
	file, err := scenarios.Parse("plan.yaml", b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	a, err := sim.Run(context.Background(), s.Plan, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := sim.Run(context.Background(), file, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a.Cost.Total-f.Cost.Total) > 1e-6*a.Cost.Total || a.KPIs.ServiceLevel != f.KPIs.ServiceLevel {
		t.Errorf("the plan file simulates to %.2f (SL %.4f), the plan chosen to %.2f (SL %.4f)\n%s", f.Cost.Total, f.KPIs.ServiceLevel, a.Cost.Total, a.KPIs.ServiceLevel, b)
	}
	if z := strategy(t, r, "zero"); z.Status != optimize.StatusInfeasible || z.MeetsTargets {
		t.Errorf("zero: %s", z.Status)
	}
}
