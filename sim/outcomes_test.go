package sim

import (
	"math"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// TestRepeatCalls: with first-contact resolution p, every unresolved caller
// calling again and nobody waiting long, a share 1-p of offered calls are
// repeats (each customer calls 1/p times on average).
func TestRepeatCalls(t *testing.T) {
	for _, p := range []float64{0.9, 0.7, 0.5} {
		sc := base(0.05, 40)
		sc.Groups[0].Resolution = map[string]float64{"q": p}
		sc.Queues[0].Repeat = scenarios.Repeat{Probability: 1, After: scenarios.Dist{Kind: scenarios.Exponential, Mean: 600}}
		k := mustRun(t, sc).KPIs
		share := k.RepeatCalls / k.Offered
		// The repeat share is a ratio of counts from about 20,000 calls per
		// replication: allow 5 binomial standard errors.
		n := k.Offered * 4
		if tol := 5 * math.Sqrt(p*(1-p)/n); math.Abs(share-(1-p)) > tol {
			t.Errorf("p=%g: repeat share %g, want %g ± %g", p, share, 1-p, tol)
		}
		if math.Abs(k.ResolutionRate-p) > 4*k.ResolutionRateCI95/2+0.005 {
			t.Errorf("p=%g: resolution rate %g ± %g", p, k.ResolutionRate, k.ResolutionRateCI95)
		}
		if want := 0.05 / p * 95 * 3600; math.Abs(k.Offered-want) > 0.03*want {
			t.Errorf("p=%g: offered %g, want about %g (first calls plus repeats)", p, k.Offered, want)
		}
	}
}

// TestHandleTimeFactor: a factor of 1.5 on the only group's skill makes the
// work, and so the occupancy, half as large again.
func TestHandleTimeFactor(t *testing.T) {
	sc := base(0.05, 60)
	sc.Queues[0].HandleTime = scenarios.Dist{Kind: scenarios.Constant, Mean: 200}
	sc.Groups[0].HandleTimeFactor = map[string]float64{"q": 1.5}
	r := mustRun(t, sc)
	if want := 0.05 * 300 / 60; math.Abs(r.KPIs.Occupancy-want) > r.KPIs.OccupancyCI95+1e-3 {
		t.Errorf("occupancy %g ± %g, want %g", r.KPIs.Occupancy, r.KPIs.OccupancyCI95, want)
	}
	if r.KPIs.MeanHandleSeconds != 300 {
		t.Errorf("mean handle %g, want 300", r.KPIs.MeanHandleSeconds)
	}
}

// TestCostsByHand checks the cost model against a hand calculation on a
// small center: an in-house group taking queue "in" and a vendor taking
// queue "out", constant talk times and ample agents so that every call is
// answered at once.
func TestCostsByHand(t *testing.T) {
	sc := &scenarios.Scenario{
		Name: "costs", Horizon: 31 * 24 * time.Hour, WarmUp: 24 * time.Hour, Interval: time.Hour, Seed: 3, Replications: 4,
		Queues: []scenarios.Queue{
			{Name: "in", Arrivals: scenarios.Arrivals{Rate: 0.01}, HandleTime: scenarios.Dist{Kind: scenarios.Constant, Mean: 120}},
			{Name: "out", Arrivals: scenarios.Arrivals{Rate: 0.02}, HandleTime: scenarios.Dist{Kind: scenarios.Constant, Mean: 120},
				WrapUp: &scenarios.Dist{Kind: scenarios.Constant, Mean: 30}},
		},
		Groups: []scenarios.Group{
			{Name: "staff", Agents: 10, Skills: []string{"in"}, Cost: scenarios.GroupCost{
				HourlyWage: 20, Overhead: 0.5, SupervisorRatio: 15, SupervisorHourlyWage: 30,
				SeatPerMonth: 100, AnnualAttrition: 0.3, HiringCost: 4000}},
			{Name: "vendor", Agents: 12, Skills: []string{"out"}, Sourcing: scenarios.Outsourced,
				Resolution: map[string]float64{"out": 0.8},
				Cost:       scenarios.GroupCost{SetupFee: 12000, ContractMonths: 6, PerHandledMinute: 0.5, PerCall: 0.1}},
		},
		Costs: scenarios.ServiceCosts{PerUnresolved: 2},
	}
	sc.Queues[1].Repeat = scenarios.Repeat{Probability: 0, After: scenarios.Dist{Kind: scenarios.Constant, Mean: 60}}
	r := mustRun(t, sc)
	c := r.Cost
	hours := 30.4375 * 24.0 // paid hours per agent per month
	b := c.Breakdown
	exact := []struct {
		name      string
		got, want float64
	}{
		{"wages", b.Wages, 10 * hours * 20},
		{"overhead", b.Overhead, 10 * hours * 20 * 0.5},
		{"supervision", b.Supervision, 1 * hours * 30},
		{"seats", b.Seats, 10 * 100},
		{"turnover", b.Turnover, 10 * 0.3 * 4000 * 30.4375 / 365.25},
		{"vendor setup", b.VendorSetup, 12000 / 6.0},
	}
	for _, e := range exact {
		if math.Abs(e.got-e.want) > 1e-6*e.want {
			t.Errorf("%s: %g, want %g", e.name, e.got, e.want)
		}
	}
	// Vendor calls are random: 0.02 per second over a month, 2 billed
	// minutes each (wrap-up not billed), 0.5 a minute plus 0.1 a call, and
	// 20% of them unresolved at 2 each.
	calls := 0.02 * 30.4375 * 86400
	sd := math.Sqrt(calls / 30 * 4) // Poisson spread of the monthly count over 4 replications of 30 days
	for _, v := range []struct {
		name      string
		got, want float64
		perCall   float64
	}{
		{"vendor minutes", b.VendorMinutes, calls * 2 * 0.5, 1},
		{"vendor calls", b.VendorCalls, calls * 0.1, 0.1},
		{"unresolved", b.UnresolvedContacts, calls * 0.2 * 2, 2},
	} {
		if math.Abs(v.got-v.want) > 5*sd*v.perCall+0.01*v.want {
			t.Errorf("%s: %g, want about %g", v.name, v.got, v.want)
		}
	}
	if sum := b.total(); math.Abs(sum-c.Total) > 1e-6*sum {
		t.Errorf("breakdown adds to %g, total %g", sum, c.Total)
	}
	if g := c.Groups; len(g) != 2 || g[1].Sourcing != "outsourced" || g[0].Breakdown.VendorMinutes != 0 || g[1].Breakdown.Wages != 0 {
		t.Errorf("group costs %+v", g)
	}
	if c.PerOfferedCall <= 0 || c.PerResolvedContact <= c.PerHandledCall {
		t.Errorf("per offered %g, per handled %g, per resolved %g", c.PerOfferedCall, c.PerHandledCall, c.PerResolvedContact)
	}
}

// TestSelfService: an IVR share of callers never reaches the queue.
func TestSelfService(t *testing.T) {
	sc := base(0.1, 40)
	sc.Queues[0].SelfService = 0.3
	k := mustRun(t, sc).KPIs
	all := k.Offered + k.SelfServed
	if share := k.SelfServed / all; math.Abs(share-0.3) > 5*math.Sqrt(0.3*0.7/(4*all)) {
		t.Errorf("self-served share %g, want 0.3", share)
	}
	if want := 0.7 * 0.1 * 95 * 3600; math.Abs(k.Offered-want) > 0.03*want {
		t.Errorf("offered %g, want about %g", k.Offered, want)
	}
}

// TestRedials: with no agents every caller abandons; with redial
// probability 1/2 each caller calls twice on average.
func TestRedials(t *testing.T) {
	sc := base(0.1, 0)
	sc.Queues[0].Patience = &scenarios.Dist{Kind: scenarios.Exponential, Mean: 60}
	sc.Queues[0].Redial = scenarios.Repeat{Probability: 0.5, After: scenarios.Dist{Kind: scenarios.Exponential, Mean: 300}}
	k := mustRun(t, sc).KPIs
	if share := k.Redials / k.Offered; math.Abs(share-0.5) > 5*math.Sqrt(0.25/(4*k.Offered)) {
		t.Errorf("redial share %g of %g offered, want 0.5", share, k.Offered)
	}
	if k.Abandoned != k.Offered {
		t.Errorf("abandoned %g of %g", k.Abandoned, k.Offered)
	}
}

// TestTransfers: tier 1 hands 20% of its calls to specialists; the
// transferred calls arrive in the specialists' queue and load them with
// that queue's handle time, and nobody else.
func TestTransfers(t *testing.T) {
	sc := base(0.1, 0)
	sc.Queues[0].Name = "tier1"
	sc.Queues[0].TransferTo = "expert"
	sc.Queues = append(sc.Queues, scenarios.Queue{Name: "expert", HandleTime: scenarios.Dist{Kind: scenarios.Exponential, Mean: 600},
		Target: scenarios.Target{ServiceLevel: 0.8, Within: 20 * time.Second}})
	sc.Groups = []scenarios.Group{
		{Name: "vendor", Agents: 45, Skills: []string{"tier1"}, Transfer: map[string]float64{"tier1": 0.2}},
		{Name: "specialists", Agents: 30, Skills: []string{"expert"}},
	}
	r := mustRun(t, sc)
	t1, ex := r.Queues[0], r.Queues[1]
	if share := t1.TransferredOut / t1.Answered; math.Abs(share-0.2) > 5*math.Sqrt(0.16/(4*t1.Answered)) {
		t.Errorf("transferred share %g, want 0.2", share)
	}
	if math.Abs(ex.TransfersIn-t1.TransferredOut) > 0.002*t1.TransferredOut+1 || ex.Offered != ex.TransfersIn {
		t.Errorf("expert queue: offered %g, transfers in %g; tier 1 transferred out %g", ex.Offered, ex.TransfersIn, t1.TransferredOut)
	}
	// Specialists' work: 0.1/s x 20% x 600 s over 30 agents = 40%.
	if occ := r.Groups[1].Occupancy; math.Abs(occ-0.4) > 3*r.Groups[1].OccupancyCI95+0.01 {
		t.Errorf("specialist occupancy %g ± %g, want 0.4", occ, r.Groups[1].OccupancyCI95)
	}
	if t1.ResolutionRate > 0.8+1e-9 {
		t.Errorf("transferred calls must not count as resolved at tier 1: resolution %g", t1.ResolutionRate)
	}
}

// TestOverflowInfiniteDelay: an overflow step that is never reached leaves
// two separate systems: queue A, served by its own group, gives exactly the
// figures of A alone (same random numbers), and queue B those of B alone
// within their confidence intervals.
func TestOverflowInfiniteDelay(t *testing.T) {
	mk := func(qs ...string) *scenarios.Scenario {
		sc := base(0, 0)
		sc.Queues, sc.Groups, sc.Routing = nil, nil, nil
		for _, q := range qs {
			sc.Queues = append(sc.Queues, scenarios.Queue{Name: q, Arrivals: scenarios.Arrivals{Rate: 0.08},
				HandleTime: scenarios.Dist{Kind: scenarios.Exponential, Mean: 300},
				Patience:   &scenarios.Dist{Kind: scenarios.Exponential, Mean: 180},
				Target:     scenarios.Target{ServiceLevel: 0.8, Within: 20 * time.Second}})
			sc.Groups = append(sc.Groups, scenarios.Group{Name: "G" + q, Agents: 26, Skills: []string{q}})
		}
		return sc
	}
	both := mk("A", "B")
	both.Groups[1].Skills = []string{"A", "B"}
	both.Routing = []scenarios.Route{
		{Queue: "A", Groups: []scenarios.RouteGroup{{Group: "GA"}, {Group: "GB", After: 1000 * 24 * time.Hour}}},
		{Queue: "B", Groups: []scenarios.RouteGroup{{Group: "GB"}}},
	}
	r := mustRun(t, both)
	a := mustRun(t, mk("A"))
	if r.Queues[0].CallKPIs != a.Queues[0].CallKPIs {
		t.Errorf("queue A with an unreachable overflow differs from A alone:\n%+v\n%+v", r.Queues[0].CallKPIs, a.Queues[0].CallKPIs)
	}
	bAlone := mk("B")
	b := mustRun(t, bAlone).Queues[0]
	rb := r.Queues[1]
	if d := math.Abs(rb.ServiceLevel - b.ServiceLevel); d > rb.ServiceLevelCI95+b.ServiceLevelCI95 {
		t.Errorf("queue B: %g ± %g with A's overflow, %g ± %g alone", rb.ServiceLevel, rb.ServiceLevelCI95, b.ServiceLevel, b.ServiceLevelCI95)
	}
	// And with no delay the overflow does take calls: A's service improves.
	both.Routing[0].Groups[1].After = 0
	if r2 := mustRun(t, both); !(r2.Queues[0].ServiceLevel > r.Queues[0].ServiceLevel+r.Queues[0].ServiceLevelCI95) {
		t.Errorf("overflow without delay: A's service level %g, with an unreachable one %g", r2.Queues[0].ServiceLevel, r.Queues[0].ServiceLevel)
	}
}

// TestConservationWithClosed: every arrival is answered, abandoned, closed,
// self-served or still waiting at the end.
func TestConservationWithClosed(t *testing.T) {
	sc := base(0.1, 30)
	sc.Queues[0].Patience = &scenarios.Dist{Kind: scenarios.Exponential, Mean: 90}
	sc.Queues[0].Open = &scenarios.OpenHours{From: 8 * time.Hour, To: 18 * time.Hour, Days: day7()}
	sc.Queues[0].SelfService = 0.1
	k := mustRun(t, sc).KPIs
	if d := k.Offered - k.Answered - k.Abandoned - k.WaitingAtEnd; math.Abs(d) > 1e-6 {
		t.Errorf("offered %g != answered %g + abandoned %g + waiting %g", k.Offered, k.Answered, k.Abandoned, k.WaitingAtEnd)
	}
	arrivals := k.Offered + k.Closed + k.SelfServed
	if want := 0.1 * 95 * 3600; math.Abs(arrivals-want) > 5*math.Sqrt(want) {
		t.Errorf("offered + closed + self-served = %g, want about %g", arrivals, want)
	}
	if math.Abs(k.Closed/arrivals-14.0/24) > 0.02 {
		t.Errorf("closed share %g, want 14/24", k.Closed/arrivals)
	}
}
