package sim

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/scenarios"
)

// contracts is the compiled form of what the vendors' contracts need: whose
// queues are whose, the price of each queue at each group (and the serving
// priority it gives), and the service-level agreements.
type contracts struct {
	ours      []bool   // per queue: our calls (not another client's)
	client    []string // per queue: the other client, or ""
	hasOthers bool     // some queue is another client's
	// prio is the priority group g gives to queue q ([g*Q+q]).
	prio []int
	// terms are the volume prices of queue q at group g ([g*Q+q]).
	terms      []scenarios.VolumeTerms
	slas       []msla
	slaOf      [][]int // per queue: the SLAs covering it
	slaOfGroup []int   // per group: its SLA, or -1
	// skill: group g lists queue q in its skills ([g*Q+q]).
	skill []bool
	// sole is, per group, the queue it serves when it has one skill, or
	// -1: a vendor serving one queue is billed from its reporting cells.
	sole []int
	// perQueue is set when the engine must keep the volumes of each group
	// and queue (contractTally.gq): some vendor serves several queues.
	perQueue bool
}

// msla is a compiled service-level agreement.
type msla struct {
	group    int
	a        *scenarios.SLA
	within   float64
	minCalls float64
	queues   []string
}

// compileContracts fills m.contracts from the scenario.
func (m *model) compileContracts(sc *scenarios.Scenario) {
	Q, G := len(m.c.Queues), len(m.c.Groups)
	c := &contracts{
		ours:   make([]bool, Q),
		client: make([]string, Q),
		prio:   make([]int, G*Q),
		skill:  make([]bool, G*Q),
		terms:  make([]scenarios.VolumeTerms, G*Q),
		slaOf:  make([][]int, Q),
	}
	for range G {
		c.slaOfGroup = append(c.slaOfGroup, -1)
	}
	qIndex := map[string]int{}
	for qi, q := range sc.Queues {
		qIndex[q.Name] = qi
		c.ours[qi] = q.Ours()
		c.client[qi] = q.Client
		c.hasOthers = c.hasOthers || !q.Ours()
	}
	for gi := range sc.Groups {
		g := &sc.Groups[gi]
		for qi, q := range sc.Queues {
			c.prio[gi*Q+qi] = sc.ServePriority(g, q.Name)
			c.terms[gi*Q+qi] = g.Cost.Terms(q.Name)
		}
		c.sole = append(c.sole, -1)
		for _, sk := range g.Skills {
			if qi, ok := qIndex[sk]; ok {
				c.skill[gi*Q+qi] = true
			}
		}
		if len(g.Skills) == 1 {
			if qi, ok := qIndex[g.Skills[0]]; ok {
				c.sole[gi] = qi
			}
		}
		if m.sourcing[gi] != scenarios.Outsourced {
			continue
		}
		c.perQueue = c.perQueue || c.sole[gi] < 0
		if a := g.Cost.SLA; a != nil {
			s := msla{group: gi, a: a, within: a.Within.Seconds(), minCalls: math.Max(1, float64(a.MinCalls)), queues: a.Queues}
			for _, name := range a.Queues {
				if qi, ok := qIndex[name]; ok && c.ours[qi] {
					c.slaOf[qi] = append(c.slaOf[qi], len(c.slas))
				}
			}
			c.slaOfGroup[gi] = len(c.slas)
			c.slas = append(c.slas, s)
		}
	}
	m.contracts = c
}

// ours reports whether queue q's calls are ours.
func (m *model) ours(q int) bool { return m.contracts.ours[q] }

// servePriority is the priority group g gives to calls of queue q.
func (m *model) servePriority(g, q int) int { return m.contracts.prio[g*len(m.c.Queues)+q] }

// gqcell holds what a group handled of one queue: the volumes a vendor
// bills per queue.
type gqcell struct {
	handled, talk, wrap, resolved float64
}

// slaCell holds, for one SLA and one interval of the measured window, the
// covered calls offered and answered within the agreed threshold (counted
// by arrival time, inside the agreement's hours).
type slaCell struct {
	offered, within float64
}

// contractTally holds the figures of one replication that the contract
// terms need beyond the reporting cells: per batch, group and queue the
// volumes handled (when a vendor serves several queues); per SLA and
// interval of the window (not folded into intervals of the day) the calls
// measured. The engine feeds it through offer and serve; it is nil when no
// contract needs it.
type contractTally struct {
	gq  []gqcell    // [batch*G*Q + g*Q + q], or nil
	sla [][]slaCell // [sla][k - firstInterval]
}

func newContractTally(m *model) *contractTally {
	c := m.contracts
	if c == nil || (!c.perQueue && len(c.slas) == 0) {
		return nil
	}
	t := &contractTally{}
	if c.perQueue {
		t.gq = make([]gqcell, m.batches*len(m.c.Groups)*len(m.c.Queues))
	}
	n := m.windowIntervals()
	for range c.slas {
		t.sla = append(t.sla, make([]slaCell, n))
	}
	return t
}

// windowIntervals is the number of intervals that overlap the measured
// window.
func (m *model) windowIntervals() int {
	return int(int64(math.Ceil(m.horizon/m.interval)) - m.firstInterval)
}

// offer counts a call of queue q offered at time t (inside the window).
func (t *contractTally) offer(m *model, q int, at float64) {
	for _, si := range m.contracts.slaOf[q] {
		s := &m.contracts.slas[si]
		if s.a.Hours == nil || center.IsOpen(s.a.Hours, at) {
			t.sla[si][int64(at/m.interval)-m.firstInterval].offered++
		}
	}
}

// serve counts a call of queue q that arrived at time arrive (inside the
// window, in reporting cell cell) and was answered by group g after wait
// seconds, with talk and wrap seconds of work.
func (t *contractTally) serve(m *model, cell, g, q int, arrive, wait, talk, wrap float64, resolved bool) {
	if t.gq != nil {
		b := 0
		if m.batches > 1 {
			b = cell / m.nSlots
		}
		c := &t.gq[(b*len(m.c.Groups)+g)*len(m.c.Queues)+q]
		c.handled++
		c.talk += talk
		c.wrap += wrap
		if resolved {
			c.resolved++
		}
	}
	for _, si := range m.contracts.slaOf[q] {
		s := &m.contracts.slas[si]
		if wait <= s.within && (s.a.Hours == nil || center.IsOpen(s.a.Hours, arrive)) {
			t.sla[si][int64(arrive/m.interval)-m.firstInterval].within++
		}
	}
}

// slaTally is how an SLA fared over one observation unit.
type slaTally struct {
	periods, met, missed     int
	pointsShort, pointsAbove float64
}

// measure adds one period's calls to the tally.
func (s *slaTally) measure(a *msla, offered, within float64) {
	if offered < a.minCalls || offered == 0 {
		return
	}
	s.periods++
	sl := within / offered
	if within >= a.a.ServiceLevel*offered-1e-9 {
		s.met++
		s.pointsAbove += 100 * math.Max(0, sl-a.a.ServiceLevel)
	} else {
		s.missed++
		s.pointsShort += 100 * (a.a.ServiceLevel - sl)
	}
}

// net is the penalty the vendor owes for the tally, less the bonus it earns.
func (s *slaTally) net(a *scenarios.SLA) float64 {
	return a.PenaltyPerMiss*float64(s.missed) + a.PenaltyPerPoint*s.pointsShort -
		a.BonusPerMet*float64(s.met) - a.BonusPerPoint*s.pointsAbove
}

// slaTallies measures SLA si over replication r: one tally per batch. A
// day belongs to the batch of its first interval in the window; a month is
// the batch itself (the replication's window, or a batch of one
// replication, stands for a month).
func (m *model) slaTallies(r *replicationResult, si int) []slaTally {
	a := &m.contracts.slas[si]
	out := make([]slaTally, m.batches)
	if r.contracts == nil {
		return out
	}
	cells := r.contracts.sla[si]
	batchOf := func(j int) int { return m.cellOf(int64(j)+m.firstInterval) / m.nSlots }
	var off, in float64
	flush := func(b int) {
		out[b].measure(a, off, in)
		off, in = 0, 0
	}
	for j, c := range cells {
		b := batchOf(j)
		switch a.a.Per {
		case scenarios.SLAPerInterval:
			off, in = c.offered, c.within
			flush(b)
			continue
		case scenarios.SLAPerDay:
			k := int64(j) + m.firstInterval
			off += c.offered
			in += c.within
			last := j == len(cells)-1
			if last || (k+1)%int64(m.nSlots) == 0 {
				first := max(0, j-int(k%int64(m.nSlots)))
				flush(batchOf(first))
			}
		case scenarios.SLAPerMonth:
			off += c.offered
			in += c.within
			if j == len(cells)-1 || batchOf(j+1) != b {
				flush(b)
			}
		}
	}
	return out
}

// Billed holds the volumes a vendor bills us, per month.
type Billed struct {
	// Minutes, Calls and ResolvedContacts are of our queues only: another
	// client's calls in a shared funnel are billed to that client.
	Minutes          float64 `json:"minutes"`
	Calls            float64 `json:"calls"`
	ResolvedContacts float64 `json:"resolved_contacts"`
	// AgentHours are the group's scheduled (paid) agent hours.
	AgentHours float64 `json:"agent_hours"`
	// CommittedHours are the hours bought under a capacity commitment
	// (take or pay), HoursAboveCommitment those staffed beyond it.
	CommittedHours       float64       `json:"committed_hours,omitempty"`
	HoursAboveCommitment float64       `json:"hours_above_commitment,omitempty"`
	Queues               []BilledQueue `json:"queues"`
}

// BilledQueue is what a vendor bills us for one of our queues, per month,
// at that queue's prices.
type BilledQueue struct {
	Queue              string  `json:"queue"`
	Minutes            float64 `json:"minutes"`
	Calls              float64 `json:"calls"`
	ResolvedContacts   float64 `json:"resolved_contacts"`
	PerHandledMinute   float64 `json:"per_handled_minute"`
	PerCall            float64 `json:"per_call"`
	PerResolvedContact float64 `json:"per_resolved_contact"`
	// Priority is the priority the group gives to the queue's calls (the
	// queue's own, or its price rank when the group serves by_price).
	Priority int     `json:"priority"`
	Amount   float64 `json:"amount"`
}

// SLAResult is how a vendor's service-level agreement fared.
type SLAResult struct {
	Per           string   `json:"per"`
	ServiceLevel  float64  `json:"service_level"`
	WithinSeconds float64  `json:"within_seconds"`
	Queues        []string `json:"queues"`
	Terms         SLATerms `json:"terms"`
	// Periods measured, met and missed per month (means over the
	// observations).
	PeriodsPerMonth float64 `json:"periods_per_month"`
	MetPerMonth     float64 `json:"met_per_month"`
	MissedPerMonth  float64 `json:"missed_per_month"`
	// Penalty is the net penalty we receive per month (penalties less
	// bonuses; negative: we pay a net bonus), after the cap, over the
	// observations.
	Penalty Distribution `json:"penalty"`
	// Observations are the agreement's figures in each replication (or
	// batch of one replication).
	Observations []SLAObservation `json:"observations"`
}

// SLATerms are the money terms of an agreement, as in the scenario: cap
// is an amount per month (CapAmount) or a share of the month's vendor
// fees (CapShare); 0: none.
type SLATerms struct {
	PenaltyPerMiss  float64 `json:"penalty_per_miss"`
	PenaltyPerPoint float64 `json:"penalty_per_point"`
	BonusPerMet     float64 `json:"bonus_per_met"`
	BonusPerPoint   float64 `json:"bonus_per_point"`
	CapAmount       float64 `json:"cap_amount"`
	CapShare        float64 `json:"cap_share"`
}

// SLAObservation is an SLA over one replication (or batch): its measured
// window, the periods measured, met and missed, the points short of and
// above the agreed service level summed over the periods, the net penalty
// over the window before the cap, and the net penalty per month after it.
type SLAObservation struct {
	WindowSeconds float64 `json:"window_seconds"`
	Periods       int     `json:"periods"`
	Met           int     `json:"met"`
	Missed        int     `json:"missed"`
	PointsShort   float64 `json:"points_short"`
	PointsAbove   float64 `json:"points_above"`
	Net           float64 `json:"net"`
	Monthly       float64 `json:"monthly"`
	Capped        bool    `json:"capped"`
}

// Distribution summarises a monthly amount over the observations
// (replications, or batches of one replication): the mean with its 95%
// half-width, and the empirical quantiles (observed values, no
// interpolation).
type Distribution struct {
	Observations int     `json:"observations"`
	Mean         float64 `json:"mean"`
	MeanCI95     float64 `json:"mean_ci95"`
	Min          float64 `json:"min"`
	P10          float64 `json:"p10"`
	P50          float64 `json:"p50"`
	P90          float64 `json:"p90"`
	Max          float64 `json:"max"`
}

// vendorUnit is what one vendor group cost in one observation unit, with
// the volumes behind it.
type vendorUnit struct {
	b                               Breakdown
	minutes, calls, resolved, hours float64
	committed, above                float64
	queues                          []BilledQueue // amounts over the unit, not per month
	sla                             *SLAObservation
}

// vendorCost computes vendor group gi's cost in batch b of replication r,
// whose measured window is exposure seconds with paid agent seconds, in
// which the group's reporting cells sum to gs.
func (m *model) vendorCost(r *replicationResult, gi, b int, paid, exposure float64, gs *gcell, sla []slaTally) vendorUnit {
	c := &m.groupCosts[gi]
	var u vendorUnit
	if paid == 0 {
		return u // a group with no agents is not contracted
	}
	Q, G := len(m.c.Queues), len(m.c.Groups)
	perMonth := exposure / month // this unit's share of a month
	months := c.ContractMonths
	if months <= 0 {
		months = scenarios.DefaultContractMonths
	}
	u.b.VendorSetup = c.SetupFee / months * perMonth
	for qi := 0; qi < Q; qi++ {
		var x gqcell
		switch {
		case !m.ours(qi):
			continue
		case m.contracts.sole[gi] == qi:
			x = gqcell{handled: gs.Handled, talk: gs.Talk, wrap: gs.Wrap, resolved: gs.Resolved}
		case m.contracts.sole[gi] < 0 && m.contracts.skill[gi*Q+qi] && r.contracts != nil && r.contracts.gq != nil:
			x = r.contracts.gq[(b*G+gi)*Q+qi]
		default:
			continue // the group does not serve the queue
		}
		t := m.contracts.terms[gi*Q+qi]
		billed := x.talk
		if t.BillWrapUp {
			billed += x.wrap
		}
		bq := BilledQueue{Queue: m.c.Queues[qi].Name, Minutes: billed / 60, Calls: x.handled, ResolvedContacts: x.resolved,
			PerHandledMinute: t.PerHandledMinute, PerCall: t.PerCall, PerResolvedContact: t.PerResolvedContact, Priority: m.servePriority(gi, qi)}
		mins, calls, res := bq.Minutes*t.PerHandledMinute, x.handled*t.PerCall, x.resolved*t.PerResolvedContact
		bq.Amount = mins + calls + res
		u.b.VendorMinutes += mins
		u.b.VendorCalls += calls
		u.b.VendorResolved += res
		u.minutes += bq.Minutes
		u.calls += x.handled
		u.resolved += x.resolved
		u.queues = append(u.queues, bq)
	}
	u.hours = paid / 3600
	u.b.VendorAgentHours = u.hours * c.PerAgentHour
	if k := c.Committed; k != nil {
		u.committed = k.Hours * exposure / k.Per.Seconds()
		u.above = math.Max(0, u.hours-u.committed)
		u.b.VendorCommitted = u.committed * k.Price
		u.b.VendorAbove = u.above * k.AbovePrice()
	}
	// Minimum volumes, then the minimum bill, top the bill up.
	if floor := c.MinimumMinutes * perMonth; u.minutes < floor {
		u.b.VendorMinimum += (floor - u.minutes) * c.PerHandledMinute
	}
	if floor := c.MinimumCalls * perMonth; u.calls < floor {
		u.b.VendorMinimum += (floor - u.calls) * c.PerCall
	}
	fees := u.b.VendorMinutes + u.b.VendorCalls + u.b.VendorResolved + u.b.VendorAgentHours + u.b.VendorCommitted + u.b.VendorAbove + u.b.VendorMinimum
	if floor := c.MinimumMonthly * perMonth; fees < floor {
		u.b.VendorMinimum += floor - fees
		fees = floor
	}
	if a := c.SLA; a != nil && sla != nil {
		t := sla[b]
		o := &SLAObservation{WindowSeconds: exposure, Periods: t.periods, Met: t.met, Missed: t.missed,
			PointsShort: t.pointsShort, PointsAbove: t.pointsAbove, Net: t.net(a)}
		o.Monthly = o.Net / perMonth
		if a.Per == scenarios.SLAPerMonth {
			o.Monthly = o.Net // the unit stands for a month
		}
		limit := a.CapAmount
		if a.CapShare > 0 {
			limit = a.CapShare * fees / perMonth
		}
		if limit > 0 && math.Abs(o.Monthly) > limit {
			o.Monthly = math.Copysign(limit, o.Monthly)
			o.Capped = true
		}
		u.b.VendorSLA = -o.Monthly * perMonth
		u.sla = o
	}
	return u
}

// distribution summarises monthly amounts ys observed over months xs
// (each observation's share of a month): the mean is the ratio estimator
// Σ ys·xs / Σ xs, as for every cost, so it matches the breakdown.
func distribution(ys, xs []float64) Distribution {
	d := Distribution{Observations: len(ys)}
	if len(ys) == 0 {
		return d
	}
	w := make([]float64, len(ys))
	for i := range ys {
		w[i] = ys[i] * xs[i]
	}
	d.Mean, d.MeanCI95 = ratio(w, xs)
	sorted := slices.Clone(ys)
	slices.Sort(sorted)
	// The empirical quantile: the smallest observation whose empirical
	// distribution function reaches p.
	q := func(p float64) float64 { return stat.Quantile(p, stat.Empirical, sorted, nil) }
	d.Min, d.P10, d.P50, d.P90, d.Max = sorted[0], q(0.1), q(0.5), q(0.9), sorted[len(sorted)-1]
	return d
}

// checkContracts guards scenarios built in Go: the engine's own needs.
func checkContracts(sc *scenarios.Scenario) error {
	for _, g := range sc.Groups {
		if a := g.Cost.SLA; a != nil && g.Sourcing == scenarios.Outsourced {
			if a.Per != scenarios.SLAPerInterval && a.Per != scenarios.SLAPerDay && a.Per != scenarios.SLAPerMonth {
				return fmt.Errorf("group %q: sla per %q: want interval, day or month", g.Name, a.Per)
			}
		}
		if k := g.Cost.Committed; k != nil && k.Per != scenarios.PerMonth && k.Per != scenarios.PerWeek {
			return fmt.Errorf("group %q: committed_hours per %q: want month or week", g.Name, k.Per)
		}
	}
	return nil
}
