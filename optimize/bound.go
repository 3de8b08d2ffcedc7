package optimize

import (
	"math"
	"slices"

	"github.com/callsim/callsim/scenarios"
)

const (
	monthSeconds = 30.4375 * 86400 // the simulator's average month
	yearSeconds  = 365.25 * 86400
)

// BoundMethod describes the lower bound Run computes.
const BoundMethod = "work bound: a plan meeting a queue's target answers at least that share of its offered calls, each costing at least the cheapest serving group's cost per handled call (in-house: wages, overhead, supervision, seats and turnover per paid hour, over the busy share after shrinkage; a vendor: its prices per minute, call, agent hour and resolved contact); holds for any handle-time distribution; repeat calls, redials, transfers, fees and the price of poor service only add to it"

// workBound returns a lower bound on the monthly cost of every plan of the
// strategy that meets every queue's target (over the horizon), or false
// where the bound is not computed: queues with opening hours, weekday
// factors or a forecast, another client's queues, skills decisions,
// vendors with a service-level agreement (its credits lower the cost),
// committed hours or per-queue prices.
func workBound(st *scenarios.Strategy) (float64, bool) {
	sc := st.Scenario
	for _, d := range st.Decisions {
		if d.Kind == scenarios.DecideSkills {
			return 0, false
		}
	}
	for _, g := range sc.Groups {
		c := g.Cost
		if c.SLA != nil || c.Committed != nil || len(c.ByQueue) > 0 {
			return 0, false
		}
	}
	total := 0.0
	for qi, q := range sc.Queues {
		if q.Client != "" || q.Open != nil || len(q.Arrivals.WeekRates) > 0 {
			return 0, false
		}
		w := q.Arrivals.Weekdays
		if w != ([7]float64{}) && slices.Min(w[:]) != slices.Max(w[:]) {
			return 0, false
		}
		factor := 1.0
		if w != ([7]float64{}) {
			factor = w[0]
		}
		calls := q.Target.ServiceLevel * q.Arrivals.Rate * factor * (1 - q.SelfService) * monthSeconds
		if calls == 0 {
			continue
		}
		cheapest := math.Inf(1)
		if qi < len(sc.Routing) {
			for _, rg := range sc.Routing[qi].Groups {
				if gi := groupIndex(sc, rg.Group); gi >= 0 && canServe(st, gi) {
					cheapest = min(cheapest, perCall(&sc.Groups[gi], &q))
				}
			}
		}
		if math.IsInf(cheapest, 0) {
			return 0, false
		}
		total += calls * cheapest
	}
	return total, true
}

// perCall is the least cost of one call of q handled by group g.
func perCall(g *scenarios.Group, q *scenarios.Queue) float64 {
	f := 1.0
	if x, ok := g.HandleTimeFactor[q.Name]; ok && x > 0 {
		f = x
	}
	talk := q.HandleTime.Mean * f
	wrap := 0.0
	if q.WrapUp != nil {
		wrap = q.WrapUp.Mean
	}
	c := &g.Cost
	res := 1.0
	if x, ok := g.Resolution[q.Name]; ok {
		res = x
	}
	if g.Sourcing == scenarios.Outsourced {
		billed := talk
		if c.BillWrapUp {
			billed += wrap
		}
		return c.PerHandledMinute*billed/60 + c.PerCall + c.PerResolvedContact*res + c.PerAgentHour*(talk+wrap)/3600
	}
	// In-house: paid agent seconds are at least busy / (1 - shrinkage).
	perPaidSecond := c.HourlyWage * (1 + c.Overhead) / 3600
	if c.SupervisorRatio > 0 {
		perPaidSecond += c.SupervisorHourlyWage / c.SupervisorRatio / 3600
	}
	if c.TeamLeadRatio > 0 {
		perPaidSecond += c.TeamLeadHourlyWage / c.TeamLeadRatio / 3600
	}
	perPaidSecond += c.SeatPerMonth/monthSeconds + c.AnnualAttrition*c.HiringCost/yearSeconds
	return perPaidSecond * (talk + wrap) / (1 - g.Shrinkage)
}

// canServe reports whether group gi may have agents in some plan of the
// strategy: its staffing is decided with a positive upper bound, or it has
// agents of its own.
func canServe(st *scenarios.Strategy, gi int) bool {
	g := &st.Scenario.Groups[gi]
	for _, d := range st.Decisions {
		if d.Group == g.Name && (d.Kind == scenarios.DecideAgents || d.Kind == scenarios.DecideAgentsByInterval) {
			return d.Max > 0
		}
		if d.Group == g.Name && d.Kind == scenarios.DecideShifts {
			return true
		}
	}
	if len(g.Shifts) > 0 {
		for _, s := range g.Shifts {
			if s.Agents > 0 {
				return true
			}
		}
		return false
	}
	if len(g.AgentsByInterval) > 0 {
		return slices.Max(g.AgentsByInterval) > 0
	}
	return g.Agents > 0
}
