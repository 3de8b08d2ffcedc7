package sim

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

func ptr[T any](v T) *T { return &v }

// near reports whether got equals want up to floating-point summation
// order.
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// vendorOnly is a vendor answering one queue of ours: 0.05 calls a second
// of constant 4-minute talk and 30 s wrap-up on 25 agents (12.5 erlangs of
// work), 80% resolved, callers with 2 minutes' patience.
func vendorOnly() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "vendor", Horizon: 6 * 24 * time.Hour, WarmUp: 24 * time.Hour, Interval: time.Hour, Seed: 9, Replications: 4,
		Queues: []scenarios.Queue{{Name: "q", Arrivals: scenarios.Arrivals{Rate: 0.05},
			HandleTime: scenarios.Dist{Kind: scenarios.Constant, Mean: 240},
			WrapUp:     &scenarios.Dist{Kind: scenarios.Constant, Mean: 30},
			Patience:   &scenarios.Dist{Kind: scenarios.Exponential, Mean: 120},
			Repeat:     scenarios.Repeat{Probability: 0, After: scenarios.Dist{Kind: scenarios.Constant, Mean: 60}},
			Target:     scenarios.Target{ServiceLevel: 0.8, Within: 20 * time.Second}}},
		Groups: []scenarios.Group{{Name: "vendor", Agents: 14, Skills: []string{"q"}, Sourcing: scenarios.Outsourced,
			Resolution: map[string]float64{"q": 0.8}}},
	}
}

// TestContractTermsByHand: each volume or capacity term of a vendor
// contract adds to the monthly cost exactly what the simulated counts of
// the same run, priced by hand, say. The counts come from the result's KPIs
// (per replication of the measured window), not from the cost model.
func TestContractTermsByHand(t *testing.T) {
	base := vendorOnly()
	r0 := mustRun(t, base)
	measured := (base.Horizon - base.WarmUp).Seconds()
	toMonth := month / measured // a count per replication, per month
	q, g := r0.Queues[0], r0.Groups[0]
	talkMinutes := (q.MeanHandleSeconds - 30) * q.Answered / 60 // wrap-up is a constant 30 s
	paidHours := 14 * month / 3600
	tests := []struct {
		name string
		set  func(c *scenarios.GroupCost)
		part func(b *Breakdown) float64
		want float64
	}{
		{"per handled minute, talk only", func(c *scenarios.GroupCost) { c.PerHandledMinute = 0.5 },
			func(b *Breakdown) float64 { return b.VendorMinutes }, 0.5 * talkMinutes * toMonth},
		{"per handled minute, wrap-up billed", func(c *scenarios.GroupCost) { c.PerHandledMinute = 0.5; c.BillWrapUp = true },
			func(b *Breakdown) float64 { return b.VendorMinutes }, 0.5 * g.HandledMinutes * toMonth},
		{"per call", func(c *scenarios.GroupCost) { c.PerCall = 0.3 },
			func(b *Breakdown) float64 { return b.VendorCalls }, 0.3 * g.Handled * toMonth},
		{"per resolved contact", func(c *scenarios.GroupCost) { c.PerResolvedContact = 2.5 },
			func(b *Breakdown) float64 { return b.VendorResolved }, 2.5 * q.Resolved * toMonth},
		{"per agent hour", func(c *scenarios.GroupCost) { c.PerAgentHour = 21 },
			func(b *Breakdown) float64 { return b.VendorAgentHours }, 21 * paidHours},
		{"by_queue price of our queue", func(c *scenarios.GroupCost) {
			c.PerHandledMinute = 0.5
			c.ByQueue = map[string]scenarios.QueueTerms{"q": {PerHandledMinute: ptr(0.7)}}
		}, func(b *Breakdown) float64 { return b.VendorMinutes }, 0.7 * talkMinutes * toMonth},
		{"committed hours a month, staffed above", func(c *scenarios.GroupCost) {
			c.Committed = &scenarios.Commitment{Hours: 6000, Per: scenarios.PerMonth, Price: 20, Above: ptr(26.0)}
		}, func(b *Breakdown) float64 { return b.VendorCommitted + b.VendorAbove }, 6000*20 + (paidHours-6000)*26},
		{"committed hours a month, staffed below (take or pay)", func(c *scenarios.GroupCost) {
			c.Committed = &scenarios.Commitment{Hours: 12000, Per: scenarios.PerMonth, Price: 20}
		}, func(b *Breakdown) float64 { return b.VendorCommitted + b.VendorAbove }, 12000 * 20},
		{"committed hours a week", func(c *scenarios.GroupCost) {
			c.Committed = &scenarios.Commitment{Hours: 2000, Per: scenarios.PerWeek, Price: 20}
		}, func(b *Breakdown) float64 { return b.VendorCommitted + b.VendorAbove }, 2000*20*month/(7*day) + (paidHours-2000*month/(7*day))*20},
		{"minimum minutes", func(c *scenarios.GroupCost) { c.PerHandledMinute = 0.5; c.MinimumMinutes = 1e6 },
			func(b *Breakdown) float64 { return b.VendorMinutes + b.VendorMinimum }, 0.5 * 1e6},
		{"minimum calls", func(c *scenarios.GroupCost) { c.PerCall = 0.3; c.MinimumCalls = 2e5 },
			func(b *Breakdown) float64 { return b.VendorCalls + b.VendorMinimum }, 0.3 * 2e5},
		{"minimum monthly bill", func(c *scenarios.GroupCost) { c.PerHandledMinute = 0.5; c.MinimumMonthly = 1e6 },
			func(b *Breakdown) float64 { return b.VendorMinutes + b.VendorMinimum }, 1e6},
		{"setup fee", func(c *scenarios.GroupCost) { c.SetupFee = 24000; c.ContractMonths = 8 },
			func(b *Breakdown) float64 { return b.VendorSetup }, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := vendorOnly()
			tt.set(&sc.Groups[0].Cost)
			r := mustRun(t, sc)
			if got := tt.part(&r.Cost.Breakdown); !near(got, tt.want) {
				t.Errorf("breakdown part %.6f, want %.6f by hand", got, tt.want)
			}
			if d := r.Cost.Total - r0.Cost.Total; !near(d, tt.want) {
				t.Errorf("the term adds %.6f to the monthly cost, want %.6f", d, tt.want)
			}
			if !near(r.Cost.Groups[0].Total, r.Cost.Total) || !near(r.Cost.Breakdown.total(), r.Cost.Total) {
				t.Errorf("group total %g, breakdown %g, total %g", r.Cost.Groups[0].Total, r.Cost.Breakdown.total(), r.Cost.Total)
			}
		})
	}
}

// sharedFunnel is a vendor pool answering our line and another client's,
// which pays more and has priority.
func sharedFunnel() *scenarios.Scenario {
	q := func(name, client string) scenarios.Queue {
		return scenarios.Queue{Name: name, Client: client, Arrivals: scenarios.Arrivals{Rate: 200.0 / 3600},
			HandleTime: scenarios.Dist{Kind: scenarios.Exponential, Mean: 300},
			Patience:   &scenarios.Dist{Kind: scenarios.Exponential, Mean: 120},
			Target:     scenarios.Target{ServiceLevel: 0.8, Within: 20 * time.Second}}
	}
	return &scenarios.Scenario{
		Name: "funnel", Horizon: 3 * 24 * time.Hour, WarmUp: 12 * time.Hour, Interval: 30 * time.Minute, Seed: 3, Replications: 4,
		Queues: []scenarios.Queue{q("ours", ""), q("theirs", "premium")},
		Groups: []scenarios.Group{{Name: "pool", Agents: 38, Skills: []string{"ours", "theirs"}, Sourcing: scenarios.Outsourced,
			Priority: scenarios.ByPrice,
			Cost: scenarios.GroupCost{PerHandledMinute: 0.55, PerCall: 0.1,
				ByQueue: map[string]scenarios.QueueTerms{"theirs": {PerHandledMinute: ptr(0.80)}}}}},
		Costs: scenarios.ServiceCosts{PerAbandoned: 4},
	}
}

// TestSharedFunnelBillsOurCalls: in a vendor's shared funnel we pay for our
// own queue's minutes and calls at our price, not for the pool's, and
// another client's callers are in neither our KPIs nor our cost of poor
// service. (Before queues could belong to another client, the bill was the
// whole pool's minutes: about twice ours.)
func TestSharedFunnelBillsOurCalls(t *testing.T) {
	sc := sharedFunnel()
	r := mustRun(t, sc)
	toMonth := month / (sc.Horizon - sc.WarmUp).Seconds()
	ours, theirs, pool := r.Queues[0], r.Queues[1], r.Groups[0]
	if ours.Client != "" || theirs.Client != "premium" {
		t.Fatalf("clients %q %q", ours.Client, theirs.Client)
	}
	b := r.Cost.Breakdown
	wantMinutes := 0.55 * ours.Answered * ours.MeanHandleSeconds / 60 * toMonth
	if !near(b.VendorMinutes, wantMinutes) {
		t.Errorf("vendor minutes %.2f a month, want %.2f (our line's minutes at 0.55); the pool's minutes would be %.2f",
			b.VendorMinutes, wantMinutes, 0.55*pool.HandledMinutes*toMonth)
	}
	if want := 0.1 * ours.Answered * toMonth; !near(b.VendorCalls, want) {
		t.Errorf("vendor calls %.2f, want %.2f", b.VendorCalls, want)
	}
	if want := 4 * ours.Abandoned * toMonth; !near(b.AbandonedCalls, want) {
		t.Errorf("abandoned calls cost %.2f, want %.2f (ours only)", b.AbandonedCalls, want)
	}
	if k := r.KPIs; k.Offered != ours.Offered || k.ServiceLevel != ours.ServiceLevel || k.Abandoned != ours.Abandoned {
		t.Errorf("center KPIs offered %g SL %g abandoned %g, want our line's %g %g %g", k.Offered, k.ServiceLevel, k.Abandoned,
			ours.Offered, ours.ServiceLevel, ours.Abandoned)
	}
	if !near(r.Cost.PerOfferedCall*ours.Offered*toMonth, r.Cost.Total) {
		t.Errorf("cost per offered call %g is not the total over our offered calls", r.Cost.PerOfferedCall)
	}
	bl := r.Cost.Groups[0].Billed
	if bl == nil || len(bl.Queues) != 1 || bl.Queues[0].Queue != "ours" || !near(bl.Minutes*0.55, b.VendorMinutes) {
		t.Errorf("billed %+v", bl)
	}
	// The premium client pays more per minute, so by_price serves it first.
	if !(theirs.ASASeconds < ours.ASASeconds) || !(theirs.ServiceLevel > ours.ServiceLevel) {
		t.Errorf("by_price: their ASA %g SL %g, ours %g %g: the dearer contract should be served first",
			theirs.ASASeconds, theirs.ServiceLevel, ours.ASASeconds, ours.ServiceLevel)
	}
	// Another client's target is not ours: missing it does not fail us.
	res := *r
	res.Queues = slices.Clone(r.Queues)
	res.Queues[1].MeetsTarget = false
	if res.MeetsTargets() != res.Queues[0].MeetsTarget {
		t.Errorf("MeetsTargets counts another client's queue")
	}
}

// TestByPrice: the priority a vendor gives follows the prices. Outbidding
// the other client turns the order round; equal prices serve both oldest
// first, exactly as equal queue priorities do.
func TestByPrice(t *testing.T) {
	outbid := sharedFunnel()
	outbid.Groups[0].Cost.PerHandledMinute = 0.85
	r := mustRun(t, outbid)
	if !(r.Queues[0].ASASeconds < r.Queues[1].ASASeconds) {
		t.Errorf("paying 0.85 against 0.80: our ASA %g, theirs %g, want ours shorter", r.Queues[0].ASASeconds, r.Queues[1].ASASeconds)
	}
	if p := r.Cost.Groups[0].Billed.Queues[0].Priority; p != 1 {
		t.Errorf("our priority %d, want 1 (the dearer contract)", p)
	}

	equal := sharedFunnel()
	equal.Groups[0].Cost.PerHandledMinute = 0.80
	fifo := sharedFunnel()
	fifo.Groups[0].Cost.PerHandledMinute = 0.80
	fifo.Groups[0].Priority = scenarios.ByQueue
	a, b := mustRun(t, equal), mustRun(t, fifo)
	ja, _ := json.Marshal(a.Queues)
	jb, _ := json.Marshal(b.Queues)
	if string(ja) != string(jb) {
		t.Errorf("equal prices by_price differ from equal queue priorities:\n%s\n%s", ja, jb)
	}
	// By price, the per-call price counts too, spread over the call's
	// agent time: 0.55 a minute plus 2.00 a call on 5-minute calls is
	// 0.95 a minute, dearer than 0.80.
	withFee := sharedFunnel()
	withFee.Groups[0].Cost.PerCall = 2
	withFee.Groups[0].Cost.ByQueue["theirs"] = scenarios.QueueTerms{PerHandledMinute: ptr(0.80), PerCall: ptr(0.0)}
	if p := withFee.ServePriority(&withFee.Groups[0], "ours"); p != 1 {
		t.Errorf("priority with a per-call fee %d, want 1", p)
	}
}

// offHours is a vendor that is not staffed from 00:00 to 06:00 and has
// ample agents the rest of the day. With an agreed threshold of 0 s every
// call of the six night hours waits (service level 0) and every call of the
// day is answered at once (100%), so which intervals and days miss the
// agreement is known by hand.
func offHours(a *scenarios.SLA) *scenarios.Scenario {
	counts := make([]int, 24)
	for h := range counts {
		if h >= 6 {
			counts[h] = 30
		}
	}
	return &scenarios.Scenario{
		Name: "off hours", Horizon: 4 * 24 * time.Hour, WarmUp: 24 * time.Hour, Interval: time.Hour, Seed: 5, Replications: 5,
		Queues: []scenarios.Queue{{Name: "q", Arrivals: scenarios.Arrivals{Rate: 0.05},
			HandleTime: scenarios.Dist{Kind: scenarios.Constant, Mean: 60},
			Patience:   &scenarios.Dist{Kind: scenarios.Constant, Mean: 5},
			Target:     scenarios.Target{ServiceLevel: 0.8, Within: 0}}},
		Groups: []scenarios.Group{{Name: "vendor", AgentsByInterval: counts, Skills: []string{"q"}, Sourcing: scenarios.Outsourced,
			Cost: scenarios.GroupCost{PerHandledMinute: 0.5, SLA: a}}},
	}
}

func sla(per scenarios.SLAPeriod, level float64, set func(a *scenarios.SLA)) *scenarios.SLA {
	a := &scenarios.SLA{Per: per, ServiceLevel: level, Within: 0, Queues: []string{"q"}, MinCalls: 1}
	set(a)
	return a
}

// TestSLAPerInterval: the penalty per interval missed is the number of
// missed intervals of each replication times the rate, scaled to a month;
// per point, the points short times the rate; a bonus per point above is
// paid for the day's intervals. The distribution has one observation per
// replication, and its mean is the credit in the breakdown.
func TestSLAPerInterval(t *testing.T) {
	tests := []struct {
		name string
		a    *scenarios.SLA
		// per replication of 3 measured days: 18 night hours missed (0%), 54
		// day hours met (100%)
		net float64
	}{
		{"per miss", sla(scenarios.SLAPerInterval, 0.8, func(a *scenarios.SLA) { a.PenaltyPerMiss = 50 }), 18 * 50},
		{"per point", sla(scenarios.SLAPerInterval, 0.8, func(a *scenarios.SLA) { a.PenaltyPerPoint = 3 }), 18 * 80 * 3},
		{"bonus per point and per interval met", sla(scenarios.SLAPerInterval, 0.8, func(a *scenarios.SLA) {
			a.PenaltyPerMiss, a.BonusPerPoint, a.BonusPerMet = 50, 1, 4
		}), 18*50 - 54*20*1 - 54*4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := offHours(tt.a)
			r := mustRun(t, sc)
			s := r.Cost.Groups[0].SLA
			if s == nil || len(s.Observations) != sc.Replications || s.Penalty.Observations != sc.Replications {
				t.Fatalf("SLA result %+v: want %d observations", s, sc.Replications)
			}
			for i, o := range s.Observations {
				if o.Periods != 72 || o.Missed != 18 || o.Met != 54 {
					t.Errorf("replication %d: %d intervals measured, %d missed, %d met; want 72, 18, 54", i, o.Periods, o.Missed, o.Met)
				}
				if want := float64(o.Missed)*tt.a.PenaltyPerMiss + o.PointsShort*tt.a.PenaltyPerPoint -
					float64(o.Met)*tt.a.BonusPerMet - o.PointsAbove*tt.a.BonusPerPoint; !near(o.Net, want) || !near(o.Net, tt.net) {
					t.Errorf("replication %d: net %g, want %g (= %g by hand)", i, o.Net, want, tt.net)
				}
				if want := tt.net * month / o.WindowSeconds; !near(o.Monthly, want) {
					t.Errorf("replication %d: %g a month, want %g", i, o.Monthly, want)
				}
			}
			want := tt.net * month / (3 * day)
			if !near(s.Penalty.Mean, want) || !near(-r.Cost.Breakdown.VendorSLA, want) || !near(r.Cost.SLAPenalties.Mean, want) {
				t.Errorf("penalty a month %g (breakdown %g, total %g), want %g", s.Penalty.Mean, r.Cost.Breakdown.VendorSLA, r.Cost.SLAPenalties.Mean, want)
			}
			if !near(s.MissedPerMonth, 18*month/(3*day)) {
				t.Errorf("missed %g a month, want %g", s.MissedPerMonth, 18*month/(3*day))
			}
			plain := offHours(nil)
			if d := r.Cost.Total - mustRun(t, plain).Cost.Total; !near(d, -want) {
				t.Errorf("the agreement moves the cost by %g, want %g", d, -want)
			}
		})
	}
}

// TestSLAPerDayAndMonth: a day's service level is its share of calls in
// the staffed hours, about 75%: every day misses a 90% agreement and meets
// a 50% one. Over the month, the points short are those of each
// replication's own service level.
func TestSLAPerDayAndMonth(t *testing.T) {
	r := mustRun(t, offHours(sla(scenarios.SLAPerDay, 0.9, func(a *scenarios.SLA) { a.PenaltyPerMiss = 1000 })))
	for i, o := range r.Cost.Groups[0].SLA.Observations {
		if o.Periods != 3 || o.Missed != 3 {
			t.Errorf("90%% a day, replication %d: %d days, %d missed, want 3 and 3", i, o.Periods, o.Missed)
		}
	}
	r = mustRun(t, offHours(sla(scenarios.SLAPerDay, 0.5, func(a *scenarios.SLA) { a.BonusPerMet = 1000 })))
	for i, o := range r.Cost.Groups[0].SLA.Observations {
		if o.Periods != 3 || o.Met != 3 || !near(o.Monthly, -3000*month/(3*day)) {
			t.Errorf("50%% a day, replication %d: %d days, %d met, %g a month", i, o.Periods, o.Met, o.Monthly)
		}
	}
	r = mustRun(t, offHours(sla(scenarios.SLAPerMonth, 0.9, func(a *scenarios.SLA) { a.PenaltyPerPoint = 100 })))
	s := r.Cost.Groups[0].SLA
	if len(s.Observations) != len(r.Observations) {
		t.Fatalf("%d SLA observations, %d observations", len(s.Observations), len(r.Observations))
	}
	for i, o := range s.Observations {
		want := 100 * 100 * math.Max(0, 0.9-r.Observations[i].ServiceLevel)
		if o.Periods != 1 || !near(o.Monthly, want) {
			t.Errorf("month, replication %d: %d periods, %g a month, want 1 and %g (service level %g)", i, o.Periods, o.Monthly, want, r.Observations[i].ServiceLevel)
		}
	}
}

// TestSLACapAndHours: the cap bounds the month's net penalty, as a share of
// the month's fees or as an amount; an agreement limited to the staffed
// hours is met in every interval.
func TestSLACapAndHours(t *testing.T) {
	r := mustRun(t, offHours(sla(scenarios.SLAPerInterval, 0.8, func(a *scenarios.SLA) { a.PenaltyPerMiss = 5000; a.CapShare = 0.1 })))
	if want := 0.1 * r.Cost.Breakdown.VendorMinutes; !near(-r.Cost.Breakdown.VendorSLA, want) {
		t.Errorf("capped at 10%% of the fees: credit %g, want %g", -r.Cost.Breakdown.VendorSLA, want)
	}
	for i, o := range r.Cost.Groups[0].SLA.Observations {
		if !o.Capped {
			t.Errorf("replication %d not capped: %+v", i, o)
		}
	}
	r = mustRun(t, offHours(sla(scenarios.SLAPerInterval, 0.8, func(a *scenarios.SLA) { a.PenaltyPerMiss = 5000; a.CapAmount = 20000 })))
	if d := r.Cost.Groups[0].SLA.Penalty; d.Min != 20000 || d.Max != 20000 || !near(d.Mean, 20000) {
		t.Errorf("capped at 20000 a month: %+v", d)
	}
	day := &scenarios.OpenHours{From: 6 * time.Hour, To: 24 * time.Hour, Days: [7]bool{true, true, true, true, true, true, true}}
	r = mustRun(t, offHours(sla(scenarios.SLAPerInterval, 0.8, func(a *scenarios.SLA) { a.PenaltyPerMiss = 50; a.Hours = day })))
	for i, o := range r.Cost.Groups[0].SLA.Observations {
		if o.Periods != 54 || o.Missed != 0 {
			t.Errorf("06:00-24:00 only, replication %d: %d intervals, %d missed; want 54, 0", i, o.Periods, o.Missed)
		}
	}
}

// TestPenaltyDistribution: one observation per replication, or per batch
// of a single replication; the quantiles are observed values in order.
func TestPenaltyDistribution(t *testing.T) {
	for _, reps := range []int{1, 7} {
		sc := vendorOnly()
		sc.Replications = reps
		sc.Groups[0].Cost.SLA = &scenarios.SLA{Per: scenarios.SLAPerInterval, ServiceLevel: 0.8, Within: 20 * time.Second,
			Queues: []string{"q"}, PenaltyPerPoint: 10}
		r := mustRun(t, sc)
		d := r.Cost.SLAPenalties
		if d == nil || d.Observations != r.CIObservations || len(r.Cost.Groups[0].SLA.Observations) != r.CIObservations {
			t.Fatalf("%d replication(s): distribution %+v, want %d observations", reps, d, r.CIObservations)
		}
		if reps == 7 && d.Observations != 7 {
			t.Errorf("7 replications: %d observations", d.Observations)
		}
		var values []float64
		for _, o := range r.Cost.Groups[0].SLA.Observations {
			values = append(values, o.Monthly)
		}
		for _, x := range []float64{d.Min, d.P10, d.P50, d.P90, d.Max} {
			if !slices.Contains(values, x) {
				t.Errorf("quantile %g is not an observation %v", x, values)
			}
		}
		if !(d.Min <= d.P10 && d.P10 <= d.P50 && d.P50 <= d.P90 && d.P90 <= d.Max && d.Min < d.Max) || !(d.Mean > 0) {
			t.Errorf("%d replication(s): %+v", reps, d)
		}
	}
}

// TestPricesByQueue: a vendor answering two queues of ours bills each
// queue's minutes at that queue's price.
func TestPricesByQueue(t *testing.T) {
	sc := sharedFunnel()
	sc.Queues[1].Client = ""
	r := mustRun(t, sc)
	toMonth := month / (sc.Horizon - sc.WarmUp).Seconds()
	a, b := r.Queues[0], r.Queues[1]
	want := (0.55*a.Answered*a.MeanHandleSeconds + 0.80*b.Answered*b.MeanHandleSeconds) / 60 * toMonth
	if got := r.Cost.Breakdown.VendorMinutes; !near(got, want) {
		t.Errorf("vendor minutes %.2f a month, want %.2f", got, want)
	}
	if q := r.Cost.Groups[0].Billed.Queues; len(q) != 2 || q[1].PerHandledMinute != 0.80 || q[0].PerHandledMinute != 0.55 {
		t.Errorf("billed queues %+v", q)
	}
	if r.KPIs.Offered != a.Offered+b.Offered {
		t.Errorf("offered %g, want both queues' %g", r.KPIs.Offered, a.Offered+b.Offered)
	}
}
