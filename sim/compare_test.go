package sim

import (
	"context"
	"math"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

func withAgents(sc *scenarios.Scenario, n int) *scenarios.Scenario {
	c := *sc
	c.Groups = append([]scenarios.Group(nil), sc.Groups...)
	c.Groups[0].Agents = n
	c.Variants = nil
	return &c
}

func TestCompare(t *testing.T) {
	sc := base(0.1, 31)
	sc.Queues[0].Patience = &scenarios.Dist{Kind: scenarios.Exponential, Mean: 120}
	sc.Groups[0].Cost = scenarios.GroupCost{HourlyWage: 20}
	sc.Costs = scenarios.ServiceCosts{PerAbandoned: 1}
	sc.Variants = []scenarios.Variant{
		{Name: "same", Scenario: withAgents(sc, 31)},
		{Name: "34 agents", Scenario: withAgents(sc, 34)},
		{Name: "40 agents", Scenario: withAgents(sc, 40)},
	}
	cmp, err := Compare(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Variants) != 4 || cmp.Variants[0].Name != "base" || cmp.Variants[0].VsBase != nil {
		t.Fatalf("variants %+v", cmp.Variants)
	}
	// Common random numbers: an unchanged variant is the base, exactly.
	if d := cmp.Variants[1].VsBase; d.ServiceLevel != 0 || d.ServiceLevelCI95 != 0 || d.CostPerMonth != 0 {
		t.Errorf("unchanged variant differs from base: %+v", d)
	}
	// More agents: better service, and the paired interval is narrower than
	// the two separate intervals would suggest.
	d := cmp.Variants[2].VsBase
	if !d.Paired || d.ServiceLevel-d.ServiceLevelCI95 <= 0 {
		t.Errorf("34 vs 31 agents: service level difference %g ± %g, want clearly positive", d.ServiceLevel, d.ServiceLevelCI95)
	}
	sep := math.Hypot(cmp.Variants[2].KPIs.ServiceLevelCI95, cmp.Variants[0].KPIs.ServiceLevelCI95)
	if d.ServiceLevelCI95 >= sep {
		t.Errorf("paired half-width %g not below unpaired %g: common random numbers not shared", d.ServiceLevelCI95, sep)
	}
	// 31 agents miss 80/20 (about 77%); 34 and 40 meet it and 34 is cheaper.
	if cmp.Variants[0].MeetsTargets || !cmp.Variants[2].MeetsTargets || !cmp.Variants[3].MeetsTargets {
		t.Errorf("meets targets: %v %v %v", cmp.Variants[0].MeetsTargets, cmp.Variants[2].MeetsTargets, cmp.Variants[3].MeetsTargets)
	}
	if cmp.CheapestMeetingTargets != "34 agents" {
		t.Errorf("cheapest meeting targets %q, want \"34 agents\"", cmp.CheapestMeetingTargets)
	}
}
