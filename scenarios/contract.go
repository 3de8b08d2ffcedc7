package scenarios

import (
	"math"
	"slices"
	"sort"
	"time"
)

// GroupPriority says how a group picks among the queues it serves
// (groups[i].priority).
type GroupPriority string

// The ways a group orders the queues it serves.
const (
	// ByQueue (the default, written "queue") follows the queues' own
	// priority.
	ByQueue GroupPriority = "queue"
	// ByPrice ranks each queue by the price of its contract with the
	// vendor, per minute of agent time (see PriceRate): the dearer contract
	// is served first and the cheaper one waits longer.
	ByPrice GroupPriority = "by_price"
)

// QueueTerms are a vendor's volume prices for the calls of one queue
// (groups[i].cost.by_queue.QUEUE). A nil field takes the group's own price:
// the group's cost block is the contract's default, by_queue the exceptions.
type QueueTerms struct {
	PerHandledMinute   *float64 // per_handled_minute
	BillWrapUp         *bool    // bill_wrap_up
	PerCall            *float64 // per_call
	PerResolvedContact *float64 // per_resolved_contact
}

// VolumeTerms are the volume prices that apply to the calls of one queue at
// one vendor, defaults and by_queue exceptions merged.
type VolumeTerms struct {
	PerHandledMinute   float64
	BillWrapUp         bool
	PerCall            float64
	PerResolvedContact float64
}

// Terms returns the volume prices for calls of queue at the group.
func (c *GroupCost) Terms(queue string) VolumeTerms {
	t := VolumeTerms{PerHandledMinute: c.PerHandledMinute, BillWrapUp: c.BillWrapUp, PerCall: c.PerCall, PerResolvedContact: c.PerResolvedContact}
	q, ok := c.ByQueue[queue]
	if !ok {
		return t
	}
	if q.PerHandledMinute != nil {
		t.PerHandledMinute = *q.PerHandledMinute
	}
	if q.BillWrapUp != nil {
		t.BillWrapUp = *q.BillWrapUp
	}
	if q.PerCall != nil {
		t.PerCall = *q.PerCall
	}
	if q.PerResolvedContact != nil {
		t.PerResolvedContact = *q.PerResolvedContact
	}
	return t
}

// CommitPeriod is the period of a capacity commitment or a minimum.
type CommitPeriod string

// The periods of a capacity commitment.
const (
	PerMonth CommitPeriod = "month"
	PerWeek  CommitPeriod = "week"
)

// Seconds is the length of the period: a week, or an average month of
// 30.4375 days.
func (p CommitPeriod) Seconds() float64 {
	if p == PerWeek {
		return 7 * 86400
	}
	return 30.4375 * 86400
}

// Commitment is capacity-based pricing (groups[i].cost.committed_hours):
// the client buys Hours agent hours per Per at Price an hour, used or not
// (take or pay); hours the vendor staffs above the commitment cost Above an
// hour. Staffed hours are the group's scheduled (paid) agent hours, as for
// per_agent_hour.
type Commitment struct {
	Hours float64      // hours: committed agent hours per period
	Per   CommitPeriod // per: month (default) or week
	Price float64      // price: per committed hour
	// Above is the price of an hour staffed above the commitment (above;
	// nil: Price).
	Above *float64
}

// AbovePrice is the price of an hour above the commitment.
func (c *Commitment) AbovePrice() float64 {
	if c.Above != nil {
		return *c.Above
	}
	return c.Price
}

// SLAPeriod is the period over which a service-level agreement is measured.
type SLAPeriod string

// The periods of a service-level agreement.
const (
	SLAPerInterval SLAPeriod = "interval" // every reporting interval of every day
	SLAPerDay      SLAPeriod = "day"      // every calendar day
	SLAPerMonth    SLAPeriod = "month"    // the month as a whole
)

// SLA is a service-level agreement with a vendor (groups[i].cost.sla): the
// service level of the covered queues (calls answered within Within /
// calls offered, abandoned ones included, as callsim defines it) is
// measured in every period; each period that reaches ServiceLevel is met,
// the others are missed. The vendor pays PenaltyPerMiss per missed period
// and PenaltyPerPoint per percentage point short; the client pays
// BonusPerMet per met period and BonusPerPoint per point above. The net
// (penalties less bonuses) of a month is capped at CapAmount, or at
// CapShare of the month's vendor fees, either way.
type SLA struct {
	Per SLAPeriod // per: interval (default), day or month
	// ServiceLevel and Within are the agreed service level (service_level,
	// within; default: the covered queues' target, which must then agree).
	ServiceLevel float64
	Within       time.Duration
	// Queues are the covered queues (queues; default: every queue of ours
	// the group serves). Their calls are measured together.
	Queues []string
	// Hours, when set, are the hours the agreement applies to (hours);
	// calls arriving outside them are not measured.
	Hours *OpenHours
	// MinCalls: a period with fewer covered calls offered is not measured
	// (min_calls, default 1).
	MinCalls int

	PenaltyPerPoint float64 // penalty_per_point
	PenaltyPerMiss  float64 // penalty_per_miss
	BonusPerPoint   float64 // bonus_per_point
	BonusPerMet     float64 // bonus_per_met
	// CapAmount (cap: 20000) or CapShare (cap: 15%) bound the month's net
	// penalty, and the month's net bonus; 0: no cap.
	CapAmount float64
	CapShare  float64
}

// Ours reports whether the queue's calls are ours: not another client's
// traffic in a vendor's shared funnel.
func (q *Queue) Ours() bool { return q.Client == "" }

// queueByName returns the queue of that name, or nil.
func (s *Scenario) queueByName(name string) *Queue {
	for i := range s.Queues {
		if s.Queues[i].Name == name {
			return &s.Queues[i]
		}
	}
	return nil
}

// PriceRate is what the vendor group g earns per minute of agent time on a
// call of queue: its expected price (the per-minute price of the billed
// minutes, the price per call, the price per resolved contact times the
// group's resolution) over the call's expected agent time (talk, times the
// group's handle-time factor, plus wrap-up). A capacity-based price (per
// agent hour, committed hours) is earned whatever the calls, so it does not
// enter. It returns 0 for a queue the scenario does not have.
func (s *Scenario) PriceRate(g *Group, queue string) float64 {
	q := s.queueByName(queue)
	if q == nil {
		return 0
	}
	f := 1.0
	if x, ok := g.HandleTimeFactor[queue]; ok {
		f = x
	}
	res := 1.0
	if x, ok := g.Resolution[queue]; ok {
		res = x
	}
	talk := q.HandleTime.Mean * f
	wrap := 0.0
	if q.WrapUp != nil {
		wrap = q.WrapUp.Mean
	}
	busy := (talk + wrap) / 60
	if !(busy > 0) {
		return 0
	}
	t := g.Cost.Terms(queue)
	billed := talk
	if t.BillWrapUp {
		billed += wrap
	}
	return (t.PerHandledMinute*billed/60 + t.PerCall + t.PerResolvedContact*res) / busy
}

// ServePriority is the priority the group g gives to calls of queue: the
// queue's own priority, or, when g.Priority is ByPrice, the rank of the
// queue's PriceRate among the queues g serves (0 for the cheapest; equal
// rates share a rank, so their calls are served oldest first).
func (s *Scenario) ServePriority(g *Group, queue string) int {
	if g.Priority != ByPrice {
		if q := s.queueByName(queue); q != nil {
			return q.Priority
		}
		return 0
	}
	rates := make([]float64, 0, len(g.Skills))
	for _, sk := range g.Skills {
		rates = append(rates, s.PriceRate(g, sk))
	}
	sort.Float64s(rates)
	mine := s.PriceRate(g, queue)
	rank := 0
	for i := range rates {
		if i > 0 && !sameRate(rates[i], rates[i-1]) {
			rank++
		}
		if sameRate(rates[i], mine) {
			return rank
		}
	}
	return 0
}

func sameRate(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

// clone copies the contract terms that a GroupCost holds by reference.
func (c GroupCost) clone() GroupCost {
	if c.Committed != nil {
		k := *c.Committed
		if k.Above != nil {
			k.Above = ptrTo(*k.Above)
		}
		c.Committed = &k
	}
	if c.SLA != nil {
		a := *c.SLA
		a.Queues = slices.Clone(a.Queues)
		if a.Hours != nil {
			h := *a.Hours
			a.Hours = &h
		}
		c.SLA = &a
	}
	if c.ByQueue != nil {
		m := make(map[string]QueueTerms, len(c.ByQueue))
		for q, t := range c.ByQueue {
			m[q] = QueueTerms{PerHandledMinute: clonePtr(t.PerHandledMinute), BillWrapUp: clonePtr(t.BillWrapUp),
				PerCall: clonePtr(t.PerCall), PerResolvedContact: clonePtr(t.PerResolvedContact)}
		}
		c.ByQueue = m
	}
	return c
}

func ptrTo[T any](v T) *T { return &v }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	return ptrTo(*p)
}
