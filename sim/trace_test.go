package sim

import (
	"context"
	"math"
	"testing"

	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/scenarios"
)

// TestTraceIsTheRun: the trace of a run counts the calls the run's KPIs
// count (offered, answered, abandoned, service level and ASA, over the
// measured window), and ties each transfer to the call handed on.
func TestTraceIsTheRun(t *testing.T) {
	sc, err := scenarios.Parse("t.yaml", []byte(`
name: trace
horizon: 10h
seed: 3
replications: 1
queues:
  - name: front
    arrivals: {per_hour: 120}
    handle_time: {mean: 200s, dist: exponential}
    patience: {mean: 60s, dist: exponential}
    target: {service_level: 80%, within: 20s}
    transfer_to: back
  - name: back
    arrivals: {per_hour: 10}
    handle_time: {mean: 100s, dist: constant}
    patience: {mean: 60s, dist: exponential}
    target: {service_level: 80%, within: 20s}
groups:
  - {name: a, agents: 6, skills: [front], transfer: {front: 0.2}}
  - {name: b, agents: 2, skills: [back]}
`))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := RunTrace(context.Background(), sc, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The run measures the calls that arrive after the warm-up.
	var n, answered, abandoned, within, wait float64
	for i, c := range tr.Calls {
		if c.Arrive < sc.WarmUp.Seconds() {
			continue
		}
		n++
		switch c.Outcome {
		case TraceAnswered:
			answered++
			wait += c.Wait
			if c.Wait <= 20 {
				within++
			}
		case TraceAbandoned:
			abandoned++
		}
		if c.Why == kpi.Transfer {
			if c.From < 0 || c.From >= i {
				t.Fatalf("call %d: a transfer from %d", i, c.From)
			}
			if p := tr.Calls[c.From]; !p.Transferred || p.Queue != 0 || c.Queue != 1 {
				t.Fatalf("call %d: a transfer from %d (%+v)", i, c.From, p)
			}
		}
	}
	k := res.KPIs
	if math.Abs(k.Offered-n) > 1e-6 || math.Abs(k.Answered-answered) > 1e-6 || math.Abs(k.Abandoned-abandoned) > 1e-6 {
		t.Errorf("run: offered %g answered %g abandoned %g; trace: %g %g %g", k.Offered, k.Answered, k.Abandoned, n, answered, abandoned)
	}
	if math.Abs(k.ServiceLevel-within/n) > 1e-12 || math.Abs(k.ASASeconds-wait/answered) > 1e-9 {
		t.Errorf("run: service level %g ASA %g; trace: %g %g", k.ServiceLevel, k.ASASeconds, within/n, wait/answered)
	}
	if _, err := RunTrace(context.Background(), sc, 1); err == nil {
		t.Error("replication 1 of 1 traced")
	}
}
