package sim

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/callsim/callsim/scenarios"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestCheapestMargin checks the margin against hand computation: paired
// differences 1, 3, 2, 4, 0 have mean 2 and variance 2.5, so the 95%
// half-width is t(4, 0.975) x sqrt(2.5/5) = 1.963: 2 clears it. With a
// second rival the Bonferroni level 1 - 0.05/4 widens it to t(4, 0.9875) x
// 0.7071 = 2.471, and the same margin is a tie.
func TestCheapestMargin(t *testing.T) {
	base := []float64{100, 102, 98, 101, 99}
	plus := func(d ...float64) []float64 {
		out := slices.Clone(base)
		for i := range out {
			out[i] += d[i]
		}
		return out
	}
	names := []string{"a", "b", "c", "d"}
	obs := [][]float64{base, plus(1, 3, 2, 4, 0), plus(50, 50, 50, 50, 50), plus(5, -5, 5, -5, 0)}
	want := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 4}.Quantile(0.975) * math.Sqrt(2.5/5)
	m := CheapestMargin(names, obs, []int{0, 1}, 0)
	if !m.Significant || m.RunnerUp != "b" || math.Abs(m.CostPerMonth-2) > 1e-12 || math.Abs(m.CostPerMonthCI95-want) > 1e-12 ||
		!m.Paired || m.Rivals != 1 || len(m.Tied) != 0 {
		t.Errorf("one rival: %+v, want significant, 2 ± %.4f", m, want)
	}
	want2 := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 4}.Quantile(1-0.05/4) * math.Sqrt(2.5/5)
	m = CheapestMargin(names, obs, []int{0, 1, 2}, 0)
	if m.Significant || m.RunnerUp != "b" || math.Abs(m.CostPerMonthCI95-want2) > 1e-12 || !slices.Equal(m.Tied, []string{"b"}) {
		t.Errorf("two rivals: %+v, want b tied within ± %.4f", m, want2)
	}
	// A rival costing the same on average is tied; one with no rival is
	// significant by default; a non-candidate has no margin.
	if m = CheapestMargin(names, obs, []int{0, 3}, 0); m.Significant || m.CostPerMonth != 0 || !slices.Equal(m.Tied, []string{"d"}) {
		t.Errorf("equal cost: %+v", m)
	}
	if m = CheapestMargin(names, obs, []int{2}, 2); !m.Significant || m.Rivals != 0 {
		t.Errorf("no rival: %+v", m)
	}
	if m = CheapestMargin(names, obs, []int{1, 2}, 0); m != nil {
		t.Errorf("best not a candidate: %+v", m)
	}
	// Unequal observation counts: Welch, not paired.
	if m = CheapestMargin(names, [][]float64{base, {200, 201, 199}}, []int{0, 1}, 0); m.Paired || !m.Significant {
		t.Errorf("unpaired: %+v", m)
	}
}

// TestCompareCheapestTied: two variants that differ only in a name cost
// the same in every replication, so neither is the cheapest: the
// comparison still names the first in cheapest_meeting_targets (kept for
// compatibility) but says the margin is not significant.
func TestCompareCheapestTied(t *testing.T) {
	sc := base(0.1, 34)
	sc.Queues[0].Patience = &scenarios.Dist{Kind: scenarios.Exponential, Mean: 120}
	sc.Groups[0].Cost = scenarios.GroupCost{HourlyWage: 20}
	sc.Variants = []scenarios.Variant{{Name: "twin", Scenario: withAgents(sc, 34)}, {Name: "40 agents", Scenario: withAgents(sc, 40)}}
	cmp, err := Compare(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := cmp.CheapestMargin
	if cmp.CheapestMeetingTargets != "base" || cmp.CheapestSignificant || m == nil || m.Significant ||
		!slices.Equal(m.Tied, []string{"twin"}) || m.Rivals != 2 {
		t.Errorf("cheapest %q significant %v margin %+v; want base tied with twin", cmp.CheapestMeetingTargets, cmp.CheapestSignificant, m)
	}
	// Without the twin, 34 agents are cheaper than 40 by 6 agents' wages,
	// far beyond the noise.
	sc.Variants = sc.Variants[1:]
	if cmp, err = Compare(context.Background(), sc, Options{}); err != nil {
		t.Fatal(err)
	}
	if !cmp.CheapestSignificant || cmp.CheapestMargin.RunnerUp != "40 agents" || cmp.CheapestMargin.CostPerMonth <= 0 {
		t.Errorf("34 vs 40 agents: %+v", cmp.CheapestMargin)
	}
}
