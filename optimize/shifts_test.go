package optimize_test

import (
	"context"
	"strings"
	"testing"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/scenarios"
)

// TestShifts: a shift decision is covered from its catalogue (every shift
// chosen is one of the catalogue's, 4h or 8h long, starting on the hour,
// with the catalogue's break in the 8-hour ones), meets the target on
// fresh seeds, costs little more than the same headcounts per interval
// with no shift constraint (the cover's overhead), and its plan file
// parses with the shifts in place of the group's agents.
func TestShifts(t *testing.T) {
	src := strings.Replace(intraday, `  - name: in-house by interval
    decide: {groups.team.agents_by_interval: 0..60}`, `  - name: by interval
    decide: {groups.team.agents_by_interval: 0..60}
  - name: shifts
    decide:
      groups.team.shifts: {starts: {from: "00:00", to: "23:00", every: 1h}, lengths: [4h, 8h], break: {length: 30m, from: 6h}}`, 1)
	src = strings.Replace(src, "optimize: {every_interval: true, check_replications: 8}", "", 1)
	sc, err := scenarios.Parse("shifts.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := optimize.Run(context.Background(), sc, optimize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	free, sh := strategy(t, r, "by interval"), strategy(t, r, "shifts")
	t.Logf("by interval %.0f, shifts %.0f: %v", free.Cost.Total, sh.Cost.Total, sh.Decisions)
	if !sh.MeetsTargets {
		t.Errorf("shifts: %s", sh.Status)
	}
	vs, ok := sh.Decisions["groups.team.shifts"].([]optimize.ShiftValue)
	if !ok || len(vs) == 0 {
		t.Fatalf("no shifts decided: %v", sh.Decisions)
	}
	for _, v := range vs {
		if !strings.HasSuffix(v.Start, ":00") || (v.Length != "4h" && v.Length != "8h") || (v.Length == "8h") != (len(v.Breaks) == 1) || v.Agents < 1 {
			t.Errorf("shift %+v is not from the catalogue", v)
		}
	}
	if sh.SearchCost > 1.05*free.SearchCost {
		t.Errorf("shifts cost %.0f, more than 5%% above the free plan's %.0f", sh.SearchCost, free.SearchCost)
	}
	b, err := sh.PlanYAML(r.Scenario, r.Seed)
	if err != nil {
		t.Fatal(err)
	}
	p, err := scenarios.Parse("plan.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	if g := p.Groups[0]; len(g.Shifts) != len(vs) || len(g.AgentsByInterval) != 0 {
		t.Errorf("the plan file's group has %d shifts (want %d) and %d counts by interval", len(g.Shifts), len(vs), len(g.AgentsByInterval))
	}
}
