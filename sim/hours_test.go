package sim

import (
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// TestGroupHours: a group with hours has its agents on duty, and paid,
// only within them; a window past midnight belongs to the day it starts.
func TestGroupHours(t *testing.T) {
	for _, tt := range []struct {
		name  string
		hours scenarios.OpenHours
		on    func(wd, h int) bool
	}{
		{"day", scenarios.OpenHours{From: 8 * time.Hour, To: 20 * time.Hour, Days: day7()},
			func(_, h int) bool { return h >= 8 && h < 20 }},
		{"weekday nights", scenarios.OpenHours{From: 20 * time.Hour, To: 8 * time.Hour, Days: [7]bool{true, true, true, true, true}},
			func(wd, h int) bool { return (h >= 20 && wd < 5) || (h < 8 && wd >= 1 && wd <= 5) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc := base(0.01, 0)
			sc.Horizon, sc.WarmUp, sc.Interval = 14*24*time.Hour, 0, time.Hour
			sc.Groups[0].Agents = 6
			h := tt.hours
			sc.Groups[0].Hours = &h
			sc.Groups[0].Cost = scenarios.GroupCost{HourlyWage: 10}
			hc, err := Headcount(sc)
			if err != nil {
				t.Fatal(err)
			}
			avail := func(at float64) int {
				n := 0
				for _, c := range hc[0] {
					if c.At.Seconds() <= at {
						n = c.Available
					}
				}
				return n
			}
			onHours := 0
			for k := 0; k < 14*24; k++ {
				wd, hr := (k/24)%7, k%24
				want := 0
				if tt.on(wd, hr) {
					want = 6
					onHours++
				}
				if got := avail(float64(k)*3600 + 1800); got != want {
					t.Errorf("day %d %02d:30: %d agents, want %d", k/24, hr, got, want)
				}
			}
			r := mustRun(t, sc)
			// Wages: 10 an hour for each agent hour within the hours.
			want := float64(onHours) * 6 * 10 / 14 / 24 * (30.4375 * 24)
			if got := r.Cost.Breakdown.Wages; got < want*0.999 || got > want*1.001 {
				t.Errorf("wages %.0f a month, want %.0f (paid only within the hours)", got, want)
			}
		})
	}
}

// TestAgentsByWeekInterval: agents_by_interval of a week gives each day
// its own headcount.
func TestAgentsByWeekInterval(t *testing.T) {
	sc := base(0.01, 0)
	sc.Horizon, sc.WarmUp, sc.Interval = 14*24*time.Hour, 0, 6*time.Hour
	week := make([]int, 28)
	for i := range week {
		week[i] = i%4 + i/4 // day d, slot s: s + d
	}
	sc.Groups[0].AgentsByInterval = week
	hc, err := Headcount(sc)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 56; k++ {
		want := week[k%28]
		got := 0
		for _, c := range hc[0] {
			if c.At.Seconds() <= float64(k)*6*3600+1 {
				got = c.Available
			}
		}
		if got != want {
			t.Errorf("interval %d of the fortnight: %d agents, want %d", k, got, want)
		}
	}
	hourly := make([]int, 7*24)
	for i := range hourly {
		hourly[i] = i / 24
	}
	sc.Interval = 30 * time.Minute
	sc.Groups[0].AgentsByInterval = hourly
	hc, err = Headcount(sc)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(hc[0]); n != 14 {
		t.Errorf("hourly week counts: %d changes over two weeks, want 14 (one a day)", n)
	}
}
