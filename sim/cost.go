package sim

import (
	"math"

	"github.com/callsim/callsim/scenarios"
)

const (
	month = 30.4375 * day // an average month
	year  = 365.25 * day
)

// Breakdown splits a cost into its parts. Amounts are per month.
type Breakdown struct {
	Wages              float64 `json:"wages"`
	Overhead           float64 `json:"overhead"`
	Supervision        float64 `json:"supervision"`
	Seats              float64 `json:"seats"`
	Turnover           float64 `json:"turnover"`
	VendorSetup        float64 `json:"vendor_setup"`
	VendorMinutes      float64 `json:"vendor_minutes"`
	VendorCalls        float64 `json:"vendor_calls"`
	VendorAgentHours   float64 `json:"vendor_agent_hours"`
	VendorMinimum      float64 `json:"vendor_minimum_top_up"`
	AbandonedCalls     float64 `json:"abandoned_calls"`
	UnresolvedContacts float64 `json:"unresolved_contacts"`
}

func (b *Breakdown) total() float64 {
	return b.Wages + b.Overhead + b.Supervision + b.Seats + b.Turnover + b.VendorSetup + b.VendorMinutes +
		b.VendorCalls + b.VendorAgentHours + b.VendorMinimum + b.AbandonedCalls + b.UnresolvedContacts
}

func (b *Breakdown) add(o *Breakdown, scale float64) {
	b.Wages += scale * o.Wages
	b.Overhead += scale * o.Overhead
	b.Supervision += scale * o.Supervision
	b.Seats += scale * o.Seats
	b.Turnover += scale * o.Turnover
	b.VendorSetup += scale * o.VendorSetup
	b.VendorMinutes += scale * o.VendorMinutes
	b.VendorCalls += scale * o.VendorCalls
	b.VendorAgentHours += scale * o.VendorAgentHours
	b.VendorMinimum += scale * o.VendorMinimum
	b.AbandonedCalls += scale * o.AbandonedCalls
	b.UnresolvedContacts += scale * o.UnresolvedContacts
}

// Cost is the cost of running the center, per month (the measured window
// scaled to an average month of 30.4375 days), with 95% half-widths.
type Cost struct {
	Currency               string      `json:"currency"`
	Period                 string      `json:"period"`
	Total                  float64     `json:"total"`
	TotalCI95              float64     `json:"total_ci95"`
	PerOfferedCall         float64     `json:"per_offered_call"`
	PerOfferedCallCI95     float64     `json:"per_offered_call_ci95"`
	PerHandledCall         float64     `json:"per_handled_call"`
	PerHandledCallCI95     float64     `json:"per_handled_call_ci95"`
	PerResolvedContact     float64     `json:"per_resolved_contact"`
	PerResolvedContactCI95 float64     `json:"per_resolved_contact_ci95"`
	Breakdown              Breakdown   `json:"breakdown"`
	Groups                 []GroupCost `json:"groups"`
}

// GroupCost is one group's share of the cost (poor service excluded).
type GroupCost struct {
	Name      string    `json:"name"`
	Sourcing  string    `json:"sourcing"`
	Total     float64   `json:"total"`
	Breakdown Breakdown `json:"breakdown"`
}

// groupCost computes a group's cost over exposure seconds of staffed time
// in which it handled the given calls and talk and wrap-up seconds.
func groupCost(c *scenarios.GroupCost, src scenarios.Sourcing, paid, exposure, handled, talk, wrap float64) Breakdown {
	var b Breakdown
	if paid == 0 {
		return b // a group with no agents is not staffed, hired or contracted
	}
	n := paid / exposure // average paid headcount
	hours := paid / 3600
	if src == scenarios.Outsourced {
		months := c.ContractMonths
		if months <= 0 {
			months = 12
		}
		b.VendorSetup = c.SetupFee / months * exposure / month
		billed := talk
		if c.BillWrapUp {
			billed += wrap
		}
		b.VendorMinutes = billed / 60 * c.PerHandledMinute
		b.VendorCalls = handled * c.PerCall
		b.VendorAgentHours = hours * c.PerAgentHour
		if floor := c.MinimumMonthly * exposure / month; b.VendorMinutes+b.VendorCalls+b.VendorAgentHours < floor {
			b.VendorMinimum = floor - (b.VendorMinutes + b.VendorCalls + b.VendorAgentHours)
		}
		return b
	}
	b.Wages = hours * c.HourlyWage
	b.Overhead = b.Wages * c.Overhead
	if c.SupervisorRatio > 0 {
		b.Supervision += math.Ceil(n/c.SupervisorRatio) * c.SupervisorHourlyWage * exposure / 3600
	}
	if c.TeamLeadRatio > 0 {
		b.Supervision += math.Ceil(n/c.TeamLeadRatio) * c.TeamLeadHourlyWage * exposure / 3600
	}
	b.Seats = n * c.SeatPerMonth * exposure / month
	b.Turnover = n * c.AnnualAttrition * c.HiringCost * exposure / year
	return b
}

// costUnit is the cost of one observation unit, not yet scaled to a month.
type costUnit struct {
	total    Breakdown
	groups   []Breakdown
	exposure float64
	offered  float64
	handled  float64
	resolved float64
}

func costUnits(m *model, reps []*replicationResult) []costUnit {
	Q, G, S := len(m.queues), len(m.groups), m.nSlots
	var out []costUnit
	for _, r := range reps {
		for b := 0; b < m.keptBatches(r); b++ {
			u := costUnit{groups: make([]Breakdown, G)}
			gs := make([]gcell, G)
			paid := make([]float64, G)
			var qs qcell
			for s := 0; s < S; s++ {
				cell := b*S + s
				u.exposure += m.exposure[cell]
				for gi := 0; gi < G; gi++ {
					gs[gi].add(&r.gcells[cell*G+gi])
					paid[gi] += m.paid[cell*G+gi]
				}
				for qi := 0; qi < Q; qi++ {
					qs.add(&r.qcells[cell*Q+qi])
				}
			}
			if u.exposure == 0 {
				continue
			}
			for gi := range gs {
				u.groups[gi] = groupCost(&m.groupCosts[gi], m.sourcing[gi], paid[gi], u.exposure, gs[gi].handled, gs[gi].talk, gs[gi].wrap)
				u.total.add(&u.groups[gi], 1)
			}
			u.total.AbandonedCalls = qs.abandoned * m.costs.PerAbandoned
			u.total.UnresolvedContacts = (qs.answered - qs.resolved) * m.costs.PerUnresolved
			u.offered, u.handled, u.resolved = qs.offered, qs.answered, qs.resolved
			out = append(out, u)
		}
	}
	return out
}

func costResult(m *model, us []costUnit) Cost {
	c := Cost{Currency: m.costs.Currency, Period: "month"}
	if c.Currency == "" {
		c.Currency = "EUR"
	}
	n := len(us)
	tot, months, off, hand, res := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	var exposure float64
	for i, u := range us {
		tot[i] = u.total.total()
		months[i] = u.exposure / month
		off[i], hand[i], res[i] = u.offered, u.handled, u.resolved
		exposure += u.exposure
	}
	c.Total, c.TotalCI95 = ratio(tot, months)
	c.PerOfferedCall, c.PerOfferedCallCI95 = ratio(tot, off)
	c.PerHandledCall, c.PerHandledCallCI95 = ratio(tot, hand)
	c.PerResolvedContact, c.PerResolvedContactCI95 = ratio(tot, res)
	if exposure == 0 {
		return c
	}
	scale := month / exposure
	groups := make([]Breakdown, len(m.groups))
	for _, u := range us {
		c.Breakdown.add(&u.total, scale)
		for gi := range u.groups {
			groups[gi].add(&u.groups[gi], scale)
		}
	}
	for gi, g := range m.groups {
		c.Groups = append(c.Groups, GroupCost{Name: g.name, Sourcing: string(m.sourcing[gi]), Total: groups[gi].total(), Breakdown: groups[gi]})
	}
	return c
}
