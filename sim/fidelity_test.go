package sim

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim/erlang"
)

// TestFidelity checks the simulator against exact queueing theory: M/M/N
// (Erlang C) and M/M/N+M (Erlang A) centers from 1 to 2,000 agents at light,
// heavy and overloaded traffic. Each case simulates about 300,000 calls in
// 20 independent replications; the tolerance is z standard errors of the
// simulated estimate, the standard error being measured from the spread of
// the replications (so it shrinks as 1/sqrt(calls) and grows where the
// system mixes slowly, near critical load).
func TestFidelity(t *testing.T) {
	const (
		aht      = 300.0
		patience = 120.0
		within   = 20.0
		calls    = 300_000
		reps     = 20
		z        = 4.5 // standard errors; the seeds are fixed, so a pass is reproducible
	)
	type tc struct {
		agents   int
		load     float64 // offered load per agent, λ·aht/N
		patience bool
	}
	var cases []tc
	for _, n := range []int{1, 3, 20, 50, 500, 2000} {
		cases = append(cases,
			tc{n, 0.7, false}, tc{n, 0.95, false},
			tc{n, 0.7, true}, tc{n, 0.95, true}, tc{n, 1.2, true})
	}
	for _, c := range cases {
		model := "C"
		if c.patience {
			model = "A"
		}
		t.Run(fmt.Sprintf("Erlang%s/N=%d/load=%.2f", model, c.agents, c.load), func(t *testing.T) {
			lambda := c.load * float64(c.agents) / aht
			var want erlang.Result
			var err error
			if c.patience {
				want, err = erlang.A(lambda, aht, patience, c.agents, within)
			} else {
				want, err = erlang.C(lambda, aht, c.agents, within)
			}
			if err != nil {
				t.Fatal(err)
			}
			// Warm up for a fifth of the run, and at least 20 handle times: the
			// center starts empty and a large one needs a few handle times to
			// fill up.
			measured := calls / lambda / reps
			warm := math.Max(measured/4, 20*aht)
			horizon := measured + warm
			sc := &scenarios.Scenario{
				Name:         t.Name(),
				Horizon:      time.Duration(horizon * float64(time.Second)),
				WarmUp:       time.Duration(warm * float64(time.Second)),
				Interval:     30 * time.Minute,
				Seed:         uint64(c.agents)*1000 + uint64(c.load*100),
				Replications: reps,
				Queues: []scenarios.Queue{{
					Name:       "q",
					Arrivals:   scenarios.Arrivals{Rate: lambda},
					HandleTime: scenarios.Dist{Kind: scenarios.Exponential, Mean: aht},
					Target:     scenarios.Target{ServiceLevel: 0.8, Within: within * time.Second},
				}},
				Groups: []scenarios.Group{{Name: "g", Agents: c.agents, Skills: []string{"q"}}},
			}
			if c.patience {
				sc.Queues[0].Patience = &scenarios.Dist{Kind: scenarios.Exponential, Mean: patience}
			}
			res, err := Run(context.Background(), sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			k := res.KPIs
			se := func(hw float64) float64 { return hw / tQuantile(res.CIObservations-1) }
			// Where the replications agree exactly (rare events, such as a wait
			// over 20 s in a huge center), their spread says nothing: fall back
			// to the binomial standard error of a proportion p from n calls.
			n := k.Offered * float64(res.Replications)
			floor := func(p float64) float64 { return z*math.Sqrt(p*(1-p)/n) + 3/n }
			check := func(name string, got, hw, exact, unit float64) {
				p := math.Min(exact/unit, 1)
				tol := z*se(hw) + floor(p)*unit
				if math.Abs(got-exact) > tol {
					t.Errorf("%s: simulated %.6g ± %.3g (95%%), exact %.6g: off by %.2f standard errors", name, got, hw, exact, math.Abs(got-exact)/se(hw))
				} else {
					t.Logf("%s: simulated %.6g ± %.3g, exact %.6g", name, got, hw, exact)
				}
			}
			check("service level", k.ServiceLevel, k.ServiceLevelCI95, want.ServiceLevel, 1)
			check("ASA", k.ASASeconds, k.ASASecondsCI95, want.ASA, aht)
			check("abandon rate", k.AbandonRate, k.AbandonRateCI95, want.AbandonRate, 1)
			check("occupancy", k.Occupancy, k.OccupancyCI95, want.Occupancy, 1)
			check("p(wait)", k.PWait, k.PWaitCI95, want.PWait, 1)
			check("mean queue length", k.MeanQueueLength, k.MeanQueueLenCI95, want.MeanQueueLength, float64(c.agents))
			if k.Offered*float64(res.Replications) < 0.9*calls {
				t.Errorf("only %.0f calls measured, want about %d", k.Offered*float64(res.Replications), calls)
			}
		})
	}
}
