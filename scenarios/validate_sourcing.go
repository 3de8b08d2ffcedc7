package scenarios

import (
	"fmt"
	"sort"
	"time"
)

// validateSourcing checks the sourcing keys of groups and queues: per-skill
// factors and resolution name the group's skills, cost keys suit the
// group's sourcing, probabilities are probabilities, variants have names.
func (s *Scenario) validateSourcing(v *validator) {
	for i, g := range s.Groups {
		gp := fmt.Sprintf("groups[%d]", i)
		if g.Sourcing != "" && g.Sourcing != InHouse && g.Sourcing != Outsourced {
			v.errorf(gp+".sourcing", "write in-house or outsourced", "unknown sourcing %q", g.Sourcing)
		}
		check := func(key string, m map[string]float64, ok func(float64) bool, rule string) {
			names := make([]string, 0, len(m))
			for q := range m {
				names = append(names, q)
			}
			sort.Strings(names)
			for _, q := range names {
				p := gp + "." + key + "." + q
				if !contains(g.Skills, q) {
					v.errorf(p, didYouMean(q, g.Skills, "skills of this group"), "%q is not a skill of group %q", q, g.Name)
				} else if !ok(m[q]) {
					v.errorf(p, "", "must be %s, got %g", rule, m[q])
				}
			}
		}
		check("handle_time_factor", g.HandleTimeFactor, func(f float64) bool { return f > 0 && finite(f) }, "> 0")
		check("resolution", g.Resolution, func(f float64) bool { return f >= 0 && f <= 1 }, "between 0% and 100%")
		check("transfer", g.Transfer, func(f float64) bool { return f >= 0 && f <= 1 }, "between 0% and 100%")
		for q, share := range g.Transfer {
			for qi, qq := range s.Queues {
				if qq.Name == q && share > 0 && qq.TransferTo == "" {
					v.errorf(gp+".transfer."+q, fmt.Sprintf("add transfer_to: QUEUE to queues[%d] (%s)", qi, q), "queue %q has no transfer_to, so its calls cannot be transferred", q)
				}
			}
		}

		if g.Shrinkage < 0 || g.Shrinkage >= 1 {
			v.errorf(gp+".shrinkage", "typical shrinkage is 25% to 35%", "must be at least 0%% and below 100%%, got %s", fmtPercent(g.Shrinkage))
		}
		if n := len(g.AgentsByInterval); n > 0 && s.Interval > 0 {
			perDay := int(24 * time.Hour / s.Interval)
			if !headcountsValid(n, perDay) {
				v.errorf(gp+".agents_by_interval", fmt.Sprintf("give %d counts (one per %v interval) or 24 (one per hour), every day or for each day of the week", perDay, s.Interval), "has %d counts", n)
			}
		}
		v.validateHours(gp, &g)
		for j, sh := range g.Shifts {
			sp := fmt.Sprintf("%s.shifts[%d]", gp, j)
			if sh.Length <= 0 || sh.Length > 24*time.Hour {
				v.errorf(sp+".length", "", "must be more than 0 and at most 24h, got %v", sh.Length)
			}
			if sh.Agents < 0 {
				v.errorf(sp+".agents", "", "must be >= 0, got %d", sh.Agents)
			}
			if sh.Days == ([7]bool{}) {
				v.errorf(sp+".days", "", "no days given")
			}
			for k, b := range sh.Breaks {
				if b.After < 0 || b.Length <= 0 || b.After+b.Length > sh.Length {
					v.errorf(fmt.Sprintf("%s.breaks[%d]", sp, k), "", "a break must lie within its shift (after %v, length %v, shift %v)", b.After, b.Length, sh.Length)
				}
			}
		}
		for j, o := range g.Outages {
			if o.Start < 0 || o.Length <= 0 {
				v.errorf(fmt.Sprintf("%s.outages[%d]", gp, j), "", "start must be >= 0 and length > 0")
			}
		}

		c := g.Cost
		inHouse := map[string]float64{"hourly_wage": c.HourlyWage, "overhead": c.Overhead, "supervisor_ratio": c.SupervisorRatio,
			"supervisor_hourly_wage": c.SupervisorHourlyWage, "team_lead_ratio": c.TeamLeadRatio, "team_lead_hourly_wage": c.TeamLeadHourlyWage,
			"seat_per_month": c.SeatPerMonth, "attrition": c.AnnualAttrition, "hiring_cost": c.HiringCost}
		outsourced := map[string]float64{"setup_fee": c.SetupFee, "per_handled_minute": c.PerHandledMinute, "per_call": c.PerCall,
			"per_agent_hour": c.PerAgentHour, "minimum_monthly": c.MinimumMonthly, "per_resolved_contact": c.PerResolvedContact,
			"minimum_minutes": c.MinimumMinutes, "minimum_calls": c.MinimumCalls}
		if c.Committed != nil {
			outsourced["committed_hours"] = 1
		}
		if c.SLA != nil {
			outsourced["sla"] = 1
		}
		if len(c.ByQueue) > 0 {
			outsourced["by_queue"] = 1
		}
		wrong, block := outsourced, "outsourced"
		if g.Sourcing == Outsourced {
			wrong, block = inHouse, "in-house"
		}
		keys := make([]string, 0, len(wrong))
		for k, x := range wrong {
			if x != 0 {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.errorf(gp+".cost."+k, fmt.Sprintf("set sourcing: %s, or remove the key", block),
				"%s is an %s cost, but group %q is %s", k, block, g.Name, orDefault(g.Sourcing))
		}
		if g.Sourcing != Outsourced && c.BillWrapUp {
			v.errorf(gp+".cost.bill_wrap_up", "", "bill_wrap_up is an outsourced cost setting, but group %q is in-house", g.Name)
		}
		for k, x := range map[string]float64{"overhead": c.Overhead, "attrition": c.AnnualAttrition} {
			if x < 0 || !finite(x) {
				v.errorf(gp+".cost."+k, "", "must be >= 0")
			}
		}
	}
	names := make([]string, len(s.Queues))
	for i, q := range s.Queues {
		names[i] = q.Name
	}
	for i, q := range s.Queues {
		qp := fmt.Sprintf("queues[%d]", i)
		if p := q.Repeat.Probability; p < 0 || p > 1 {
			v.errorf(qp+".repeat.probability", "", "must be between 0%% and 100%%, got %g", p)
		}
		if p := q.Redial.Probability; p < 0 || p > 1 {
			v.errorf(qp+".redial.probability", "", "must be between 0%% and 100%%, got %g", p)
		}
		if p := q.SelfService; p < 0 || p > 1 {
			v.errorf(qp+".self_service", "", "must be between 0%% and 100%%, got %g", p)
		}
		if q.TransferTo != "" {
			if q.TransferTo == q.Name {
				v.errorf(qp+".transfer_to", "transfer to another queue, served by other groups", "a queue cannot transfer to itself")
			} else if !contains(names, q.TransferTo) {
				v.errorf(qp+".transfer_to", didYouMean(q.TransferTo, names, "queues"), "unknown queue %q", q.TransferTo)
			}
		}
	}
	s.validateContracts(v)
	for i, vr := range s.Variants {
		if vr.Name == "" {
			v.errorf(fmt.Sprintf("variants[%d].name", i), "", "a variant needs a name")
		}
	}
}

func orDefault(s Sourcing) Sourcing {
	if s == "" {
		return InHouse
	}
	return s
}
