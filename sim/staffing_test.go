package sim

import (
	"github.com/callsim/callsim/center"
	"math"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

func day7() [7]bool { return [7]bool{true, true, true, true, true, true, true} }

// TestShifts: agents are on duty exactly during their shift, less breaks;
// calls are answered only then.
func TestShifts(t *testing.T) {
	sc := base(0.01, 0)
	sc.Horizon, sc.WarmUp, sc.Interval = 14*24*time.Hour, 0, time.Hour
	sc.Queues[0].Patience = &scenarios.Dist{Kind: scenarios.Exponential, Mean: 60}
	sc.Groups[0].Shifts = []scenarios.Shift{{Start: 8 * time.Hour, Length: 8 * time.Hour, Days: day7(), Agents: 10,
		Breaks: []scenarios.Break{{After: 4 * time.Hour, Length: time.Hour}}}}
	r := mustRun(t, sc)
	for _, iv := range r.Intervals {
		h := iv.StartSeconds / 3600
		want := 0.0
		if h >= 8 && h < 16 && h != 12 {
			want = 10
		}
		if iv.StaffedAgents != want {
			t.Errorf("%s: %g agents staffed, want %g", iv.Start, iv.StaffedAgents, want)
		}
		if want == 0 && h != 7 && h != 12 && iv.Answered > 0 {
			// Calls waiting when the shift or the break starts are answered
			// then (counted in the hour they arrived); none other.
			t.Errorf("%s: %g calls answered with nobody on duty", iv.Start, iv.Answered)
		}
	}
	if r.Groups[0].Agents != 10 {
		t.Errorf("peak headcount %d, want 10", r.Groups[0].Agents)
	}
}

// TestShrinkageAndOutage: shrinkage removes available agents but not paid
// hours; an outage removes every agent for exactly its window.
func TestShrinkageAndOutage(t *testing.T) {
	sc := base(0.01, 10)
	sc.Horizon, sc.WarmUp, sc.Interval = 7*24*time.Hour, 0, time.Hour
	sc.Groups[0].Shrinkage = 0.3
	sc.Groups[0].Outages = []scenarios.Outage{{Start: 2*24*time.Hour + 10*time.Hour, Length: 4 * time.Hour}}
	sc.Groups[0].Cost = scenarios.GroupCost{HourlyWage: 10}
	r := mustRun(t, sc)
	// 7 agents available, except 4 hours of the week.
	if want := 7 * (168 - 4) / 168.0; math.Abs(r.KPIs.StaffedAgents-want) > 1e-9 {
		t.Errorf("staffed agents %g, want %g", r.KPIs.StaffedAgents, want)
	}
	for _, iv := range r.Intervals {
		h := iv.StartSeconds / 3600
		want := 7.0
		if h >= 10 && h < 14 {
			want = 7 * 6 / 7.0 // down on one day of seven
		}
		if math.Abs(iv.StaffedAgents-want) > 1e-9 {
			t.Errorf("%s: %g staffed, want %g", iv.Start, iv.StaffedAgents, want)
		}
	}
	// Paid: all 10 agents, every hour, outage or not.
	if want := 10 * 10 * 30.4375 * 24; math.Abs(r.Cost.Breakdown.Wages-want) > 1e-6*want {
		t.Errorf("wages %g per month, want %g", r.Cost.Breakdown.Wages, want)
	}
}

// TestOpenHours: calls outside opening hours are counted as closed.
func TestOpenHours(t *testing.T) {
	sc := base(0.05, 20)
	sc.Horizon, sc.WarmUp = 28*24*time.Hour, 0
	sc.Queues[0].Open = &scenarios.OpenHours{From: 8 * time.Hour, To: 20 * time.Hour, Days: [7]bool{true, true, true, true, true}}
	k := mustRun(t, sc).KPIs
	open := 0.05 * 12 * 3600 * 20 // 12 hours on 20 weekdays
	all := 0.05 * 86400 * 28
	if math.Abs(k.Offered-open) > 5*math.Sqrt(open) || math.Abs(k.Closed-(all-open)) > 5*math.Sqrt(all-open) {
		t.Errorf("offered %g (want %g), closed %g (want %g)", k.Offered, open, k.Closed, all-open)
	}
	night := &scenarios.OpenHours{From: 22 * time.Hour, To: 6 * time.Hour, Days: day7()}
	for _, c := range []struct {
		t    float64
		want bool
	}{{23 * 3600, true}, {5 * 3600, true}, {12 * 3600, false}, {6 * 3600, false}, {22 * 3600, true}} {
		if got := center.IsOpen(night, 3*86400+c.t); got != c.want {
			t.Errorf("night line open at %gh: %v, want %v", c.t/3600, got, c.want)
		}
	}
}
