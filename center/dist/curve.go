package dist

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/callsim/callsim/scenarios"
)

const day = 86400.0

// Curve is the arrival rate of a queue's Poisson process over the week:
// Rate x Profile[interval of the day] x Weekdays[day of the week], or a
// week of forecast rates, times a gamma day factor with coefficient of
// variation BusyCV. Time 0 is Monday 00:00.
type Curve struct {
	// Rate is the average rate, calls per second.
	Rate float64
	// Varying is false for a flat rate (no profile, weekday factor,
	// forecast or busyness).
	Varying   bool
	BusyCV    float64
	weekRates []float64 // per interval of the week, or nil
	profile   []float64
	weekdays  [7]float64
	interval  float64
	nSlots    int
}

// NewCurve compiles an arrival pattern whose profile has one weight per
// reporting interval of the given length (seconds, dividing a day).
func NewCurve(a *scenarios.Arrivals, interval float64) (Curve, error) {
	c := Curve{Rate: a.Rate, interval: interval, nSlots: int(day / interval)}
	if a.Rate < 0 || math.IsNaN(a.Rate) || math.IsInf(a.Rate, 0) {
		return c, fmt.Errorf("arrival rate must be finite and at least 0")
	}
	c.weekdays = a.Weekdays
	if c.weekdays == ([7]float64{}) {
		c.weekdays = [7]float64{1, 1, 1, 1, 1, 1, 1}
	}
	for _, w := range c.weekdays {
		if !(w >= 0) || math.IsInf(w, 0) {
			return c, fmt.Errorf("weekday factors must be finite and at least 0")
		}
		c.Varying = c.Varying || w != 1
	}
	if a.Profile != nil {
		if len(a.Profile) != c.nSlots {
			return c, fmt.Errorf("profile has %d weights, want one per interval (%d)", len(a.Profile), c.nSlots)
		}
		for _, w := range a.Profile {
			if !(w >= 0) || math.IsInf(w, 0) {
				return c, fmt.Errorf("profile weights must be finite and at least 0")
			}
		}
		c.profile, c.Varying = a.Profile, true
	}
	if !(a.Busyness >= 0) || math.IsInf(a.Busyness, 0) {
		return c, fmt.Errorf("busyness cv must be at least 0")
	}
	c.BusyCV = a.Busyness
	if a.WeekRates != nil {
		if len(a.WeekRates) != 7*c.nSlots {
			return c, fmt.Errorf("a forecast needs %d rates (one per interval of the week), got %d", 7*c.nSlots, len(a.WeekRates))
		}
		for _, r := range a.WeekRates {
			if !(r >= 0) || math.IsInf(r, 0) {
				return c, fmt.Errorf("forecast rates must be finite and at least 0")
			}
		}
		c.weekRates, c.Varying = a.WeekRates, true
	}
	c.Varying = c.Varying || c.BusyCV > 0
	return c, nil
}

// BusyDays draws the gamma day factors (mean 1, coefficient of variation
// BusyCV) of the given number of days, or returns nil without busyness.
func (c *Curve) BusyDays(r *rand.Rand, days int) []float64 {
	if c.BusyCV <= 0 {
		return nil
	}
	shape := 1 / (c.BusyCV * c.BusyCV)
	busy := make([]float64, days)
	for d := range busy {
		busy[d] = Gamma(r, shape) / shape
	}
	return busy
}

// RateAt is the rate at time t with the day factors busy (nil: none).
func (c *Curve) RateAt(t float64, busy []float64) float64 {
	if !c.Varying {
		return c.Rate
	}
	k := int64(t / c.interval)
	return c.rate(k, k/int64(c.nSlots), busy)
}

func (c *Curve) rate(k, dayIdx int64, busy []float64) float64 {
	var lam float64
	if c.weekRates != nil {
		lam = c.weekRates[k%int64(len(c.weekRates))]
	} else {
		lam = c.Rate * c.weekdays[dayIdx%7]
		if c.profile != nil {
			lam *= c.profile[k%int64(c.nSlots)]
		}
	}
	if busy != nil {
		lam *= busy[dayIdx]
	}
	return lam
}

// Next draws the arrival after now from r. A time-varying rate is constant
// within each interval: one unit exponential is spent against the
// integrated rate, interval by interval (exact, no thinning). Next returns
// a time at or past horizon when no arrival comes before it. The rate must
// be positive.
func (c *Curve) Next(r *rand.Rand, now, horizon float64, busy []float64) float64 {
	if !c.Varying {
		return now + r.ExpFloat64()/c.Rate
	}
	e := r.ExpFloat64()
	t := now
	for t < horizon {
		k := int64(t / c.interval)
		end := math.Min(float64(k+1)*c.interval, horizon)
		if lam := c.rate(k, k/int64(c.nSlots), busy); lam > 0 {
			if dt := e / lam; t+dt < end {
				return t + dt
			}
			e -= lam * (end - t)
		}
		t = end
	}
	return horizon
}
