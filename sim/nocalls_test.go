package sim

import (
	"context"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

// TestNoCallsNoTarget: a queue offered no calls has measured nothing, so it
// does not meet its target (it used to be reported as meeting it), and a
// queue open "00:00" to "00:00" is open all day, not silently closed.
func TestNoCallsNoTarget(t *testing.T) {
	src := `name: no calls
horizon: 2d
seed: 3
replications: 2
queues:
  - name: busy
    arrivals: {per_hour: 60}
    handle_time: 2m
    open: {from: "00:00", to: "00:00"}
  - name: silent
    arrivals: {per_hour: 0}
    handle_time: 2m
groups:
  - {name: g, agents: 6, skills: [busy, silent]}
`
	sc, err := scenarios.Parse("nocalls.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	busy, silent := res.Queues[0], res.Queues[1]
	if busy.Offered < 1000 || busy.Closed != 0 || !busy.MeetsTarget {
		t.Errorf("busy (open 00:00-00:00): offered %v, closed %v, meets %v; want open all day", busy.Offered, busy.Closed, busy.MeetsTarget)
	}
	if silent.Offered != 0 || silent.MeetsTarget {
		t.Errorf("silent: offered %v, meets target %v; want no calls, not met", silent.Offered, silent.MeetsTarget)
	}
}
