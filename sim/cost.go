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
	Wages            float64 `json:"wages"`
	Overhead         float64 `json:"overhead"`
	Supervision      float64 `json:"supervision"`
	Seats            float64 `json:"seats"`
	Turnover         float64 `json:"turnover"`
	VendorSetup      float64 `json:"vendor_setup"`
	VendorMinutes    float64 `json:"vendor_minutes"`
	VendorCalls      float64 `json:"vendor_calls"`
	VendorResolved   float64 `json:"vendor_resolved_contacts"`
	VendorAgentHours float64 `json:"vendor_agent_hours"`
	// VendorCommitted is the price of the committed agent hours (take or
	// pay); VendorAbove that of the hours staffed above the commitment.
	VendorCommitted float64 `json:"vendor_committed_hours"`
	VendorAbove     float64 `json:"vendor_hours_above_commitment"`
	// VendorMinimum tops the bill up to the minimum volumes (minutes,
	// calls) and the minimum monthly bill.
	VendorMinimum float64 `json:"vendor_minimum_top_up"`
	// VendorSLA is what service-level agreements move: bonuses we pay less
	// penalties we receive; negative when we receive more (a credit).
	VendorSLA          float64 `json:"vendor_sla"`
	AbandonedCalls     float64 `json:"abandoned_calls"`
	UnresolvedContacts float64 `json:"unresolved_contacts"`
}

func (b *Breakdown) total() float64 {
	return b.Wages + b.Overhead + b.Supervision + b.Seats + b.Turnover + b.VendorSetup + b.VendorMinutes +
		b.VendorCalls + b.VendorResolved + b.VendorAgentHours + b.VendorCommitted + b.VendorAbove + b.VendorMinimum +
		b.VendorSLA + b.AbandonedCalls + b.UnresolvedContacts
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
	b.VendorResolved += scale * o.VendorResolved
	b.VendorAgentHours += scale * o.VendorAgentHours
	b.VendorCommitted += scale * o.VendorCommitted
	b.VendorAbove += scale * o.VendorAbove
	b.VendorMinimum += scale * o.VendorMinimum
	b.VendorSLA += scale * o.VendorSLA
	b.AbandonedCalls += scale * o.AbandonedCalls
	b.UnresolvedContacts += scale * o.UnresolvedContacts
}

// Cost is the cost of running the center, per month (the measured window
// scaled to an average month of 30.4375 days), with 95% half-widths. Only
// our queues count: another client's calls in a vendor's shared funnel are
// neither billed to us nor in the costs of poor service or the per-call
// figures.
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
	// SLAPenalties is the net penalty we receive per month from every
	// vendor's service-level agreement together (penalties less bonuses,
	// after the caps: the negative of Breakdown.VendorSLA on average), over
	// the observations; nil when no vendor has an agreement.
	SLAPenalties *Distribution `json:"sla_penalties,omitempty"`
}

// GroupCost is one group's share of the cost (poor service excluded).
type GroupCost struct {
	Name      string    `json:"name"`
	Sourcing  string    `json:"sourcing"`
	Total     float64   `json:"total"`
	Breakdown Breakdown `json:"breakdown"`
	// Billed: for a vendor, the volumes it bills us, per month.
	Billed *Billed `json:"billed,omitempty"`
	// SLA: for a vendor with a service-level agreement, how it fared.
	SLA *SLAResult `json:"sla,omitempty"`
}

// inHouseCost computes an in-house group's cost over exposure seconds with
// paid agent seconds.
func inHouseCost(c *scenarios.GroupCost, paid, exposure float64) Breakdown {
	var b Breakdown
	if paid == 0 {
		return b // a group with no agents is not staffed or hired
	}
	n := paid / exposure // average paid headcount
	b.Wages = paid / 3600 * c.HourlyWage
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
	vendors  []vendorUnit // per group; zero for in-house groups
	exposure float64
	offered  float64
	handled  float64
	resolved float64
}

func costUnits(m *model, reps []*replicationResult) []costUnit {
	Q, G, S := len(m.c.Queues), len(m.c.Groups), m.nSlots
	var out []costUnit
	for _, r := range reps {
		slas := make([][]slaTally, len(m.contracts.slas))
		for si := range slas {
			slas[si] = m.slaTallies(r, si)
		}
		for b := 0; b < m.keptBatches(r); b++ {
			u := costUnit{groups: make([]Breakdown, G), vendors: make([]vendorUnit, G)}
			paid := make([]float64, G)
			gs := make([]gcell, G)
			var qs qcell
			for s := 0; s < S; s++ {
				cell := b*S + s
				u.exposure += m.exposure[cell]
				for gi := 0; gi < G; gi++ {
					paid[gi] += m.paid[cell*G+gi]
					gs[gi].Add(&r.gcells[cell*G+gi])
				}
				for qi := 0; qi < Q; qi++ {
					if m.ours(qi) {
						qs.Add(&r.qcells[cell*Q+qi])
					}
				}
			}
			if u.exposure == 0 {
				continue
			}
			for gi := range u.groups {
				if m.sourcing[gi] != scenarios.Outsourced {
					u.groups[gi] = inHouseCost(&m.groupCosts[gi], paid[gi], u.exposure)
				} else {
					var t []slaTally
					if si := m.contracts.slaOfGroup[gi]; si >= 0 {
						t = slas[si]
					}
					u.vendors[gi] = m.vendorCost(r, gi, b, paid[gi], u.exposure, &gs[gi], t)
					u.groups[gi] = u.vendors[gi].b
				}
				u.total.add(&u.groups[gi], 1)
			}
			u.total.AbandonedCalls = qs.Abandoned * m.costs.PerAbandoned
			u.total.UnresolvedContacts = (qs.Answered - qs.Resolved) * m.costs.PerUnresolved
			u.offered, u.handled, u.resolved = qs.Offered, qs.Answered, qs.Resolved
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
	groups := make([]Breakdown, len(m.c.Groups))
	for _, u := range us {
		c.Breakdown.add(&u.total, scale)
		for gi := range u.groups {
			groups[gi].add(&u.groups[gi], scale)
		}
	}
	var penalties []float64 // per unit, all agreements together
	for gi, g := range m.c.Groups {
		gc := GroupCost{Name: g.Name, Sourcing: string(m.sourcing[gi]), Total: groups[gi].total(), Breakdown: groups[gi]}
		if m.sourcing[gi] == scenarios.Outsourced {
			gc.Billed, gc.SLA = vendorResult(m, gi, us, months, scale)
			if gc.SLA != nil {
				if penalties == nil {
					penalties = make([]float64, n)
				}
				for i := range us {
					if o := us[i].vendors[gi].sla; o != nil {
						penalties[i] += o.Monthly
					}
				}
			}
		}
		c.Groups = append(c.Groups, gc)
	}
	if penalties != nil {
		d := distribution(penalties, months)
		c.SLAPenalties = &d
	}
	return c
}

// vendorResult sums vendor group gi's volumes over the units, per month, and
// summarises its service-level agreement.
func vendorResult(m *model, gi int, us []costUnit, months []float64, scale float64) (*Billed, *SLAResult) {
	b := &Billed{Queues: []BilledQueue{}}
	idx := map[string]int{}
	for _, u := range us {
		v := &u.vendors[gi]
		b.Minutes += scale * v.minutes
		b.Calls += scale * v.calls
		b.ResolvedContacts += scale * v.resolved
		b.AgentHours += scale * v.hours
		b.CommittedHours += scale * v.committed
		b.HoursAboveCommitment += scale * v.above
		for _, q := range v.queues {
			i, ok := idx[q.Queue]
			if !ok {
				i = len(b.Queues)
				idx[q.Queue] = i
				b.Queues = append(b.Queues, BilledQueue{Queue: q.Queue, PerHandledMinute: q.PerHandledMinute, PerCall: q.PerCall,
					PerResolvedContact: q.PerResolvedContact, Priority: q.Priority})
			}
			x := &b.Queues[i]
			x.Minutes += scale * q.Minutes
			x.Calls += scale * q.Calls
			x.ResolvedContacts += scale * q.ResolvedContacts
			x.Amount += scale * q.Amount
		}
	}
	a := m.groupCosts[gi].SLA
	if a == nil {
		return b, nil
	}
	s := &SLAResult{Per: string(a.Per), ServiceLevel: a.ServiceLevel, WithinSeconds: a.Within.Seconds(), Queues: a.Queues,
		Terms: SLATerms{PenaltyPerMiss: a.PenaltyPerMiss, PenaltyPerPoint: a.PenaltyPerPoint, BonusPerMet: a.BonusPerMet,
			BonusPerPoint: a.BonusPerPoint, CapAmount: a.CapAmount, CapShare: a.CapShare},
		Observations: []SLAObservation{}}
	monthly := make([]float64, len(us))
	for i, u := range us {
		o := u.vendors[gi].sla
		if o == nil {
			o = &SLAObservation{WindowSeconds: u.exposure} // the group had no agents: no contract
		}
		s.Observations = append(s.Observations, *o)
		monthly[i] = o.Monthly
		s.PeriodsPerMonth += scale * float64(o.Periods)
		s.MetPerMonth += scale * float64(o.Met)
		s.MissedPerMonth += scale * float64(o.Missed)
	}
	if a.Per == scenarios.SLAPerMonth {
		// Each observation stands for a month.
		s.PeriodsPerMonth, s.MetPerMonth, s.MissedPerMonth = 0, 0, 0
		for i := range s.Observations {
			w := months[i] / sum(months)
			s.PeriodsPerMonth += w * float64(s.Observations[i].Periods)
			s.MetPerMonth += w * float64(s.Observations[i].Met)
			s.MissedPerMonth += w * float64(s.Observations[i].Missed)
		}
	}
	s.Penalty = distribution(monthly, months)
	return b, s
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}
