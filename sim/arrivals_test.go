package sim

import (
	"math"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// TestProfile: with an intraday profile each interval gets its share of the
// daily volume, and the day's total is unchanged.
func TestProfile(t *testing.T) {
	sc := base(0, 200)
	sc.Horizon, sc.WarmUp, sc.Interval = 28*24*time.Hour, 0, 6*time.Hour
	perDay := 20000.0
	sc.Queues[0].Arrivals.Rate = perDay / 86400
	sc.Queues[0].Arrivals.Profile = []float64{0, 0.4, 2.4, 1.2} // 00-06, 06-12, 12-18, 18-24 (average 1)
	r := mustRun(t, sc)
	for i, iv := range r.Intervals {
		want := perDay * sc.Queues[0].Arrivals.Profile[i] / 4
		if tol := 5*math.Sqrt(want/28/4) + 1e-9; math.Abs(iv.Offered-want) > tol {
			t.Errorf("interval %s: offered %g per day, want %g ± %g", iv.Start, iv.Offered, want, tol)
		}
	}
	if want := perDay * 28; math.Abs(r.KPIs.Offered-want) > 5*math.Sqrt(want) {
		t.Errorf("offered %g per replication, want %g", r.KPIs.Offered, want)
	}
}

// TestWeekdays: no calls on weekends means 5/7 of the volume.
func TestWeekdays(t *testing.T) {
	sc := base(0.05, 40)
	sc.Horizon, sc.WarmUp = 70*24*time.Hour, 0
	sc.Queues[0].Arrivals.Weekdays = [7]float64{1, 1, 1, 1, 1, 0, 0}
	k := mustRun(t, sc).KPIs
	if want := 0.05 * 86400 * 50; math.Abs(k.Offered-want) > 5*math.Sqrt(want) {
		t.Errorf("offered %g, want %g (50 weekdays)", k.Offered, want)
	}
}

// TestBusyness: a gamma day factor makes daily volumes spread more than
// Poisson alone: the spread of the total over replications grows.
func TestBusyness(t *testing.T) {
	sc := base(0.05, 60)
	sc.Horizon, sc.WarmUp, sc.Replications = 7*24*time.Hour, 0, 30
	plain := mustRun(t, sc).KPIs.OfferedCI95
	sc.Queues[0].Arrivals.Busyness = 0.3
	busy := mustRun(t, sc).KPIs
	// Weekly total: Poisson sd sqrt(30240) = 174; with cv 0.3 per day the sd
	// of the week is about 0.3*4320*sqrt(7) = 3429: 20 times larger.
	if busy.OfferedCI95 < 8*plain {
		t.Errorf("offered ± %g with busyness, ± %g without: want a much wider spread", busy.OfferedCI95, plain)
	}
	if want := 0.05 * 86400 * 7; math.Abs(busy.Offered-want) > 0.05*want {
		t.Errorf("busyness changed the mean: %g, want %g", busy.Offered, want)
	}
}

// TestForecast: a forecast file's volumes arrive in their intervals.
func TestForecast(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/testdata/forecast.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Replications, sc.WarmUp = 20, 0 // two whole weeks: two Mondays
	r := mustRun(t, sc)
	for _, iv := range r.Intervals {
		var want float64
		switch iv.Start {
		case "08:00":
			want = (120 + 60) / 7.0 // Mondays only, averaged over the days of the week
		case "08:30":
			want = 150 / 7.0
		}
		if tol := 5 * math.Sqrt(want/(14*20)); math.Abs(iv.Offered-want) > tol+1e-9 {
			t.Errorf("%s: %g calls per day, want %g ± %g", iv.Start, iv.Offered, want, tol)
		}
	}
}
