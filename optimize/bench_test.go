package optimize_test

import (
	"context"
	"testing"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/scenarios"
)

// center48 is the speed case of the README: two queues, three groups
// (a billing team and a technical team on shifts, a vendor for both after
// an overflow delay), 48 half-hour intervals with an intraday profile.
const center48 = `name: two queues, three groups, shifts
horizon: 3d
warmup: 6h
interval: 30m
seed: 8
replications: 4
queues:
  - name: billing
    arrivals:
      per_day: 3000
      profile: [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 2.0, 2.1, 2.0, 1.8, 1.8, 1.9, 1.8, 1.6, 1.4, 1.2, 1.0, 0.8, 0.6, 0.4, 0.3]
    handle_time: {mean: 4m, dist: lognormal, cv: 0.8}
    patience: {mean: 3m, dist: exponential}
    target: {service_level: 80%, within: 20s}
  - name: technical
    arrivals:
      per_day: 1000
      profile: [0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, 1.0, 1.5, 1.8, 1.9, 1.8, 1.7, 1.7, 1.7, 1.6, 1.5, 1.3, 1.1, 1.0, 0.8, 0.7, 0.5, 0.4]
    handle_time: {mean: 8m, dist: gamma, cv: 0.7}
    patience: {mean: 2m, dist: exponential}
    target: {service_level: 80%, within: 30s}
    priority: 1
groups:
  - name: billing-team
    agents: 20
    skills: [billing]
    cost: {hourly_wage: 21, overhead: 30%, supervisor_ratio: 15, supervisor_hourly_wage: 34}
  - name: tech-team
    agents: 10
    skills: [technical]
    cost: {hourly_wage: 26, overhead: 30%, supervisor_ratio: 15, supervisor_hourly_wage: 38}
  - name: vendor
    sourcing: outsourced
    agents: 4
    skills: [billing, technical]
    handle_time_factor: {billing: 1.1, technical: 1.2}
    cost: {per_agent_hour: 16}
routing:
  - queue: billing
    groups: [billing-team, {group: vendor, after: 15s}]
  - queue: technical
    groups: [tech-team, {group: vendor, after: 20s}]
strategies:
  - name: teams on shifts and a vendor
    decide:
      groups.billing-team.shifts: {starts: {from: "00:00", to: "23:30", every: 30m}, lengths: [4h, 8h], break: {length: 30m, from: 6h}}
      groups.tech-team.shifts: {starts: {from: "00:00", to: "23:30", every: 30m}, lengths: [4h, 8h], break: {length: 30m, from: 6h}}
      groups.vendor.agents: 0..20
`

// BenchmarkCenter48 optimizes center48 (README, "callsim optimize"):
//
//	go test ./optimize -run X -bench Center48 -benchtime 1x
func BenchmarkCenter48(b *testing.B) {
	sc, err := scenarios.Parse("center48.yaml", []byte(center48))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := optimize.Run(context.Background(), sc, optimize.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s := r.Strategies[0]
		b.ReportMetric(float64(s.Evaluations), "plans")
		b.Logf("%s: %s, %.0f a month, %d plans in %.1f s", s.Name, s.Status, s.Cost.Total, s.Evaluations, s.Seconds)
	}
}

// BenchmarkHybrid optimizes the built-in hybrid's three strategies
// (README, "callsim optimize"):
//
//	go test ./optimize -run X -bench Hybrid -benchtime 3x
func BenchmarkHybrid(b *testing.B) {
	sc, err := scenarios.LoadBuiltin("hybrid")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := optimize.Run(context.Background(), sc, optimize.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
