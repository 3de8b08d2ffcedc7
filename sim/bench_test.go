package sim

import (
	"context"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// canonical is the benchmark case of the README: 100 agents at load 0.95,
// exponential handle time 300 s and patience 120 s, one replication.
func canonical(calls float64) *scenarios.Scenario {
	rate := 0.95 * 100 / 300.0
	h := time.Duration(calls / rate * float64(time.Second))
	return &scenarios.Scenario{Name: "canonical", Horizon: h, WarmUp: h / 100, Interval: 30 * time.Minute, Seed: 1, Replications: 1,
		Queues: []scenarios.Queue{{Name: "q", Arrivals: scenarios.Arrivals{Rate: rate},
			HandleTime: scenarios.Dist{Kind: scenarios.Exponential, Mean: 300},
			Patience:   &scenarios.Dist{Kind: scenarios.Exponential, Mean: 120},
			Target:     scenarios.Target{ServiceLevel: 0.8, Within: 20 * time.Second}}},
		Groups: []scenarios.Group{{Name: "agents", Agents: 100, Skills: []string{"q"}}}}
}

// BenchmarkCanonical reports simulated calls per second on one core.
func BenchmarkCanonical(b *testing.B) {
	sc := canonical(2e6)
	var calls int64
	for b.Loop() {
		r, err := Run(context.Background(), sc, Options{Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		calls += r.Run.CallsSimulated
	}
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
}

// BenchmarkMultiSkill runs the built-in two-skills center (two queues, a
// specialist and a generalist group, priority, a 30 s overflow delay,
// lognormal and gamma handle times, wrap-up, abandonment) for about 2
// million calls on one core.
func BenchmarkMultiSkill(b *testing.B) { benchBuiltin(b, "two-skills", 252*24*time.Hour) }

// BenchmarkShifts runs the built-in night-partner base (intraday profile,
// weekday factors, shifts with breaks, shrinkage, two groups) on one core.
func BenchmarkShifts(b *testing.B) { benchBuiltin(b, "night-partner", 2*365*24*time.Hour) }

// benchBuiltin runs one replication of a built-in scenario's base over the
// given horizon on one core and reports simulated calls per second.
func benchBuiltin(b *testing.B, name string, horizon time.Duration) {
	sc, err := scenarios.LoadBuiltin(name)
	if err != nil {
		b.Fatal(err)
	}
	sc.Replications, sc.Horizon, sc.WarmUp = 1, horizon, 24*time.Hour
	var calls int64
	for b.Loop() {
		r, err := Run(context.Background(), sc, Options{Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		calls += r.Run.CallsSimulated
	}
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
}

// BenchmarkEvaluations is an optimizer's inner loop: 1,000 evaluations of
// a small change to a small scenario (the built-in single-queue's base,
// one day of calls, 5 replications, one core), each compiling the changed
// scenario and running it. Profile it to see the time spent outside the
// event loop (README, Performance):
//
//	go test ./sim -run X -bench Evaluations -cpuprofile cpu.out
//	go tool pprof -top -cum sim.test cpu.out | grep -E 'replication\).run|Compile|aggregate'
func BenchmarkEvaluations(b *testing.B) {
	base, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		b.Fatal(err)
	}
	base.Replications, base.Horizon, base.WarmUp = 5, 24*time.Hour, time.Hour
	agents := base.Groups[0].Agents
	var calls, evals int64
	for b.Loop() {
		for i := range 1000 {
			sc := base.Clone()
			sc.Groups[0].Agents = agents - 2 + i%5
			mod, err := Compile(sc)
			if err != nil {
				b.Fatal(err)
			}
			r, err := mod.Run(context.Background(), Options{Workers: 1})
			if err != nil {
				b.Fatal(err)
			}
			calls += r.Run.CallsSimulated
			evals++
		}
	}
	b.ReportMetric(float64(evals)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
}
