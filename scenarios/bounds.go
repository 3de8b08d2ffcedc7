package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Upper bounds of the numbers of a scenario. Each is far above what a real
// contact center needs and low enough that a run of a scenario within
// them stays within memory and ends (or is interrupted) in reasonable
// time. Validate checks them, so `scenarios check` and every command that
// reads a scenario give the same errors, with line and column.
const (
	MaxHorizon     = 3660 * 24 * time.Hour // ten years
	MinInterval    = time.Second
	MaxRatePerHour = 1_000_000 // arrivals per queue, on average over the day
	MaxWeekday     = 100       // arrivals.weekdays factors
	MaxBusynessCV  = 2.0       // arrivals.busyness.cv (200%)
	MaxCallLength  = 24 * time.Hour
	MaxCallback    = 366 * 24 * time.Hour // repeat.after and redial.after
	MinCallback    = time.Second
	MaxTotalAgents = MaxAgents // all groups together
	MaxPriority    = 1_000_000 // |priority|

	// MaxCallsPerReplication bounds the calls one replication is expected
	// to simulate (arrival rates x horizon, over every queue).
	MaxCallsPerReplication = 100_000_000
	// MaxHorizonIntervals bounds the reporting intervals in a horizon.
	MaxHorizonIntervals = 2_000_000
	// MaxReportingCells bounds what the simulator keeps per interval of
	// the day: units (replications, or 20 batches of a single one) x
	// intervals of the day x (queues + groups).
	MaxReportingCells = 1_000_000
	// MaxAmount bounds every cost and price.
	MaxAmount = 1e12
)

// validateBounds checks the upper bounds above.
func (s *Scenario) validateBounds(v *validator) {
	if s.Horizon > MaxHorizon {
		v.errorf("horizon", "simulate up to ten years (3660d); use replications for more precision", "must be at most %v (3660d), got %v", MaxHorizon, s.Horizon)
	}
	if s.Interval > 0 && s.Interval < MinInterval {
		v.errorf("interval", "use e.g. 15m, 30m or 1h", "must be at least %v, got %v", MinInterval, s.Interval)
	}
	intervalOK := s.Interval >= MinInterval && (24*time.Hour)%s.Interval == 0
	if intervalOK && s.Horizon > 0 && s.Horizon <= MaxHorizon {
		if n := int64((s.Horizon + s.Interval - 1) / s.Interval); n > MaxHorizonIntervals {
			v.errorf("interval", "use a longer interval or a shorter horizon",
				"the horizon %v holds %s intervals of %v, more than %s", s.Horizon, count(n), s.Interval, count(MaxHorizonIntervals))
		}
		units := int64(s.Replications)
		if units == 1 {
			units = 20 // batch means
		}
		perDay := int64(24 * time.Hour / s.Interval)
		if cells := units * perDay * int64(len(s.Queues)+len(s.Groups)); s.Replications >= 1 && s.Replications <= MaxReplications && cells > MaxReportingCells {
			v.errorf("interval", "use a longer interval, fewer replications, or fewer queues and groups",
				"%d units (replications, or 20 batches of one) x %s intervals a day x %d queues and groups are %s reporting cells, more than %s",
				units, count(perDay), len(s.Queues)+len(s.Groups), count(cells), count(MaxReportingCells))
		}
	}
	calls, callsKnown := 0.0, s.Horizon <= MaxHorizon
	for i, q := range s.Queues {
		p := fmt.Sprintf("queues[%d]", i)
		if perHour := q.Arrivals.Rate * 3600; perHour > MaxRatePerHour {
			v.errorf(p+".arrivals", "", "must average at most %s calls an hour, got %s", count(MaxRatePerHour), strconv.FormatFloat(perHour, 'g', 6, 64))
			callsKnown = false
		}
		wd := 0.0
		for d, f := range q.Arrivals.Weekdays {
			if f > MaxWeekday || !finite(f) {
				v.errorf(fmt.Sprintf("%s.arrivals.weekdays.%s", p, weekdayNames[d]), "weekday factors scale the day's volume, e.g. 0.5", "must be at most %d, got %g", MaxWeekday, f)
				callsKnown = false
			}
			wd += f / 7
		}
		if b := q.Arrivals.Busyness; b > MaxBusynessCV {
			v.errorf(p+".arrivals.busyness.cv", "typical day-to-day spreads are 5% to 30%", "must be at most %s, got %s", fmtPercent(MaxBusynessCV), fmtPercent(b))
		}
		if finite(q.Arrivals.Rate) && finite(wd) {
			calls += q.Arrivals.Rate * wd * s.Horizon.Seconds()
		}
		v.maxDist(p+".handle_time", &q.HandleTime, MaxCallLength)
		if q.WrapUp != nil {
			v.maxDist(p+".wrap_up", q.WrapUp, MaxCallLength)
		}
		if q.Patience != nil {
			v.maxDist(p+".patience", q.Patience, MaxCallLength)
		}
		if q.Target.Within > MaxCallLength {
			v.errorf(p+".target.within", "", "must be at most %v, got %v", MaxCallLength, q.Target.Within)
		}
		for _, r := range []struct {
			key string
			rp  Repeat
		}{{"repeat", q.Repeat}, {"redial", q.Redial}} {
			if r.rp.After.Kind == "" {
				continue
			}
			v.dist(p+"."+r.key+".after", &r.rp.After, true)
			if r.rp.After.Mean < MinCallback.Seconds() && r.rp.After.Mean > 0 {
				v.errorf(p+"."+r.key+".after", "callers call again after seconds to days, e.g. {mean: 10m}", "the mean must be at least %v, got %s", MinCallback, fmtDur(r.rp.After.Mean))
			}
			v.maxDist(p+"."+r.key+".after", &r.rp.After, MaxCallback)
		}
		if q.Priority > MaxPriority || q.Priority < -MaxPriority {
			v.errorf(p+".priority", "", "must be between %d and %d, got %d", -MaxPriority, MaxPriority, q.Priority)
		}
	}
	if callsKnown && calls > MaxCallsPerReplication {
		v.errorf("horizon", "use a shorter horizon (the replications give the precision) or lower rates",
			"the queues' arrival rates over the horizon %v make %s calls per replication, more than %s", s.Horizon, count(int64(math.Round(calls))), count(MaxCallsPerReplication))
	}
	total := 0
	for i, g := range s.Groups {
		p := fmt.Sprintf("groups[%d]", i)
		peak := g.Agents
		for j, c := range g.AgentsByInterval {
			if c > MaxAgents {
				v.errorf(fmt.Sprintf("%s.agents_by_interval[%d]", p, j), "", "must be at most %d, got %d", MaxAgents, c)
			}
			peak = max(peak, c)
		}
		shifts := 0
		for j, sh := range g.Shifts {
			if sh.Agents > MaxAgents {
				v.errorf(fmt.Sprintf("%s.shifts[%d].agents", p, j), "", "must be at most %d, got %d", MaxAgents, sh.Agents)
			} else if sh.Agents > 0 {
				shifts += sh.Agents
			}
		}
		if shifts > MaxAgents {
			v.errorf(p+".shifts", "", "the shifts hold %d agents, more than %d", shifts, MaxAgents)
		}
		peak = max(peak, min(shifts, MaxAgents+1))
		if peak > 0 && peak <= MaxAgents {
			total += peak
		}
		for j, o := range g.Outages {
			if o.Start > MaxHorizon || o.Length > MaxHorizon {
				v.errorf(fmt.Sprintf("%s.outages[%d]", p, j), "", "start and length must be at most %v", MaxHorizon)
			}
		}
		for j, sh := range g.Shifts {
			for k, b := range sh.Breaks {
				if b.After > MaxCallLength || b.Length > MaxCallLength {
					v.errorf(fmt.Sprintf("%s.shifts[%d].breaks[%d]", p, j, k), "", "after and length must be at most %v", MaxCallLength)
				}
			}
		}
		c := g.Cost
		for _, a := range []struct {
			key string
			x   float64
		}{{"hourly_wage", c.HourlyWage}, {"supervisor_ratio", c.SupervisorRatio}, {"supervisor_hourly_wage", c.SupervisorHourlyWage},
			{"team_lead_ratio", c.TeamLeadRatio}, {"team_lead_hourly_wage", c.TeamLeadHourlyWage}, {"seat_per_month", c.SeatPerMonth},
			{"hiring_cost", c.HiringCost}, {"setup_fee", c.SetupFee}, {"contract_months", c.ContractMonths},
			{"per_handled_minute", c.PerHandledMinute}, {"per_call", c.PerCall}, {"per_agent_hour", c.PerAgentHour},
			{"minimum_monthly", c.MinimumMonthly}, {"overhead", c.Overhead}, {"attrition", c.AnnualAttrition}} {
			if a.x > MaxAmount {
				v.errorf(p+".cost."+a.key, "", "must be at most %g, got %g", float64(MaxAmount), a.x)
			}
		}
	}
	if total > MaxTotalAgents {
		v.errorf("groups", "", "the groups hold %d agents at their peaks, more than %d", total, MaxTotalAgents)
	}
	for _, a := range []struct {
		key string
		x   float64
	}{{"per_abandoned_call", s.Costs.PerAbandoned}, {"per_unresolved_contact", s.Costs.PerUnresolved}} {
		if a.x > MaxAmount {
			v.errorf("costs."+a.key, "", "must be at most %g, got %g", float64(MaxAmount), a.x)
		}
	}
}

// maxDist checks that a distribution's parameters are at most limit.
func (v *validator) maxDist(p string, x *Dist, limit time.Duration) {
	lim := limit.Seconds()
	over := func(key string, f float64) {
		if f > lim {
			v.errorf(p+"."+key, "", "must be at most %v, got %s", limit, fmtDur(f))
		}
	}
	switch x.Kind {
	case Constant, Exponential, Lognormal, Gamma:
		over("mean", x.Mean)
		if x.CV > 100 {
			v.errorf(p+".cv", "typical coefficients of variation are 0.3 to 2", "must be at most 100, got %g", x.CV)
		}
	case Uniform, Triangular:
		over("max", x.Max)
		over("min", x.Min)
		over("mode", x.Mode)
	case Empirical:
		for i, f := range x.Values {
			over(fmt.Sprintf("values[%d]", i), f)
		}
	}
}

// count writes n with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
