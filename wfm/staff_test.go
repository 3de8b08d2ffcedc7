package wfm

import (
	"context"
	"strings"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

func TestGross(t *testing.T) {
	tests := []struct {
		n    int
		s    float64
		want int
	}{
		{0, 0.3, 0}, {10, 0, 10}, {7, 0.3, 10}, {21, 0.3, 30}, {22, 0.3, 32}, {3, 0.25, 4}, {1, 0.5, 2},
	}
	for _, tt := range tests {
		if got := Gross(tt.n, tt.s); got != tt.want {
			t.Errorf("Gross(%d, %v) = %d, want %d", tt.n, tt.s, got, tt.want)
		}
	}
}

func TestAnalyticSingleQueue(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	s := 0.3
	p, err := Analytic(sc, &s)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Queues[0]
	if q.Model != "erlang_a" || q.AHTSeconds != 300 || q.Group != "staff" || len(q.Intervals) != 48 {
		t.Fatalf("plan = %+v", q)
	}
	for _, ip := range q.Intervals {
		// 30 Erlangs, 80/20, patience 120 s: 32 agents (the scenario's own).
		if ip.Analytic != 32 || ip.Scheduled != 46 || ip.Calls != 180 {
			t.Fatalf("interval %s: %+v", ip.Start, ip)
		}
	}
}

const profiled = `name: profiled
horizon: 5d
seed: 3
replications: 8
queues:
  - name: sales
    arrivals:
      per_day: 4000
      profile: [0.2,0.1,0.1,0.1,0.1,0.2,0.4,0.8,1.5,2.0,2.2,2.0,1.8,1.9,2.0,1.9,1.7,1.5,1.2,1.0,0.8,0.6,0.4,0.3]
      weekdays: {mon: 1.2, sat: 0.6, sun: 0.3}
    handle_time: {mean: 240s, dist: lognormal, cv: 0.8}
    wrap_up: {mean: 30s, dist: constant}
    patience: {mean: 90s, dist: exponential}
    target: {service_level: 80%, within: 20s}
groups:
  - name: team
    agents: 20
    shrinkage: 25%
    skills: [sales]
`

// Acceptance: every interval of the verified plan meets the target in a
// simulation with fresh seeds.
func TestStaffVerifiedMeetsWithFreshSeeds(t *testing.T) {
	sc, err := scenarios.Parse("profiled.yaml", []byte(profiled))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Staff(context.Background(), sc, StaffOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	q := p.Queues[0]
	if q.Weekday != "mon" || q.WeekdayFactor != 1.2 {
		t.Errorf("busiest weekday %s x%v, want mon x1.2", q.Weekday, q.WeekdayFactor)
	}
	if !p.AllMeet || !p.CheckAllMeet {
		t.Errorf("all meet %v, with fresh seeds %v after %d rounds", p.AllMeet, p.CheckAllMeet, p.Rounds)
	}
	for _, ip := range q.Intervals {
		if ip.Verified < ip.Analytic {
			t.Errorf("%s: verified %d below analytic %d", ip.Start, ip.Verified, ip.Analytic)
		}
		if ip.Scheduled != Gross(ip.Verified, 0.25) {
			t.Errorf("%s: scheduled %d for %d verified", ip.Start, ip.Scheduled, ip.Verified)
		}
		if ip.CheckSL < 0.8 {
			t.Errorf("%s: fresh-seed SL %v", ip.Start, ip.CheckSL)
		}
	}
}

func TestStaffRefusesMultiSkill(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("two-skills")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Staff(context.Background(), sc, StaffOptions{Verify: true}); err == nil || !strings.Contains(err.Error(), "cannot verify") {
		t.Fatalf("err = %v", err)
	}
	p, err := Staff(context.Background(), sc, StaffOptions{})
	if err != nil || len(p.Queues) != 2 || p.Verified {
		t.Fatalf("analytic: %v %+v", err, p)
	}
}

func TestStaffBadOptions(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	bad := 1.2
	if _, err := Staff(context.Background(), sc, StaffOptions{Shrinkage: &bad}); err == nil {
		t.Error("shrinkage 120% accepted")
	}
	if _, err := Staff(context.Background(), sc, StaffOptions{Verify: true, Criterion: "median"}); err == nil {
		t.Error("criterion median accepted")
	}
}

// The shift plan covering the verified plan's scheduled agents, with its
// breaks and the group's shrinkage, meets the target when simulated.
func TestSimulateShifts(t *testing.T) {
	sc, err := scenarios.Parse("profiled.yaml", []byte(profiled))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Staff(context.Background(), sc, StaffOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := PlanQueueShifts(p, DefaultShiftOptions(sc.Interval)); err != nil {
		t.Fatal(err)
	}
	if err := SimulateShifts(context.Background(), sc, p, nil); err != nil {
		t.Fatal(err)
	}
	c := p.Queues[0].ShiftPlan.Simulated
	if c == nil || !c.AllMeet {
		t.Fatalf("shift plan misses the target: %+v", c)
	}
}
