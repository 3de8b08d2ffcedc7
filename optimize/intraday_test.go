package optimize_test

import (
	"context"
	"testing"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/wfm"
)

// intraday is a single queue with an intraday profile and hourly
// intervals, its one group's headcount decided per interval.
const intraday = `name: intraday
horizon: 4d
warmup: 12h
interval: 1h
seed: 5
replications: 4
queues:
  - name: sales
    arrivals:
      per_day: 2000
      profile: [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.0, 2.2, 2.0, 1.8, 1.9, 2.0, 1.9, 1.7, 1.5, 1.2, 1.0, 0.8, 0.6, 0.4, 0.3]
    handle_time: {mean: 240s, dist: lognormal, cv: 0.8}
    wrap_up: {mean: 30s, dist: constant}
    patience: {mean: 90s, dist: exponential}
    target: {service_level: 80%, within: 20s}
groups:
  - name: team
    agents: 20
    skills: [sales]
    cost: {hourly_wage: 20, overhead: 30%}
optimize: {every_interval: true, check_replications: 8}
strategies:
  - name: in-house by interval
    decide: {groups.team.agents_by_interval: 0..60}
`

// TestIntradayAgainstStaff is acceptance 2: the optimized per-interval
// plan costs no more than callsim staff's verified plan for the same
// scenario and meets every interval's target on fresh seeds.
func TestIntradayAgainstStaff(t *testing.T) {
	sc, err := scenarios.Parse("intraday.yaml", []byte(intraday))
	if err != nil {
		t.Fatal(err)
	}
	r, err := optimize.Run(context.Background(), sc, optimize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Strategies[0]
	t.Logf("optimized: %v, cost %.0f, %s, %d plans in %.1f s, binding %s", s.Decisions, s.Cost.Total, s.Status, s.Evaluations, s.Seconds, s.Binding)
	if !s.MeetsTargets {
		t.Fatalf("status %s: the optimized plan misses on fresh seeds (binding %s %+.3f)", s.Status, s.Binding, s.Slack)
	}
	// Every interval offered a call meets the target on the check by the
	// stated rule: the lower end of its 95% interval at least the target.
	for _, iv := range s.Check.Intervals {
		q := iv.Queues[0]
		if q.Offered >= 1 && q.ServiceLevel-q.ServiceLevelCI95 < 0.8-1e-12 {
			t.Errorf("interval %s: service level %.3f ±%.3f on fresh seeds", iv.Start, q.ServiceLevel, q.ServiceLevelCI95)
		}
	}

	st := sc.StrategyByName("in-house by interval").Scenario
	plan, err := wfm.Staff(context.Background(), st, wfm.StaffOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.CheckAllMeet {
		t.Logf("staff's plan misses some interval on its own check")
	}
	staffSc := st.Clone()
	var counts []int
	for _, ip := range plan.Queues[0].Intervals {
		counts = append(counts, ip.Scheduled)
	}
	staffSc.Groups[0].AgentsByInterval = counts
	staffSc.Seed = r.Method.CheckSeed
	staffSc.Replications = r.Method.CheckReplications
	sr, err := sim.Run(context.Background(), staffSc, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("staff: %v, cost %.0f", counts, sr.Cost.Total)
	if s.Cost.Total > sr.Cost.Total+1e-6 {
		t.Errorf("optimized plan costs %.0f, more than staff's verified plan %.0f", s.Cost.Total, sr.Cost.Total)
	}
}
