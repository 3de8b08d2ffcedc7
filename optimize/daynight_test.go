package optimize_test

import (
	"context"
	"testing"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/scenarios"
)

// TestDayAndNight optimizes the built-in day-and-night: both strategies
// meet every hour's target on fresh seeds; the partner's hours are one of
// the candidate windows, and with the partner the team works fewer night
// hours than alone; the recommendation follows the paired difference.
func TestDayAndNight(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("day-and-night")
	if err != nil {
		t.Fatal(err)
	}
	// Fewer replications than the built-in's, to keep the test short.
	r, err := optimize.Run(context.Background(), sc, optimize.Options{Replications: 4, CheckReplications: 6})
	if err != nil {
		t.Fatal(err)
	}
	alone, mixed := strategy(t, r, "in-house around the clock"), strategy(t, r, "day team and night partner")
	for _, s := range []*optimize.StrategyResult{alone, mixed} {
		t.Logf("%s: %s %.0f %v", s.Name, s.Status, s.Cost.Total, s.Decisions)
		if !s.MeetsTargets {
			t.Errorf("%s: %s", s.Name, s.Status)
		}
	}
	h, ok := mixed.Decisions["groups.partner.hours"].(optimize.Hours)
	if !ok {
		t.Fatalf("no hours decision: %v", mixed.Decisions)
	}
	if (h.From != "18:00" && h.From != "20:00" && h.From != "22:00") || (h.To != "06:00" && h.To != "08:00") {
		t.Errorf("partner hours %v are not a candidate window", h)
	}
	night := func(s *optimize.StrategyResult) int {
		n := 0
		for _, v := range s.Decisions["groups.staff.agents_by_interval"].([]int)[:6] {
			n += v
		}
		return n
	}
	if night(mixed) >= night(alone) {
		t.Errorf("the team works %d agent hours from 00:00 to 06:00 with the partner, %d alone", night(mixed), night(alone))
	}
	d := alone.Vs
	if r.Best == mixed.Name && d != nil && (d.CostPerMonth > d.CostPerMonthCI95) != (r.Recommendation.Verdict == "cheapest") {
		t.Errorf("verdict %q with a difference of %.0f ±%.0f", r.Recommendation.Verdict, d.CostPerMonth, d.CostPerMonthCI95)
	}
}
