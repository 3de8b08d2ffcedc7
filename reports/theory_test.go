package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/erlang"
)

// TestWriteTheoryCheck: each KPI's row says whether its interval holds the
// exact value; a scenario that is not one M/M/N(+M) queue gets nothing.
func TestWriteTheoryCheck(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	q := sc.Queues[0]
	agents := 0
	for _, g := range sc.Groups {
		agents += g.Agents
	}
	var want erlang.Result
	if q.Patience != nil {
		want, err = erlang.A(q.Arrivals.Rate, q.HandleTime.Mean, q.Patience.Mean, agents, q.Target.Within.Seconds())
	} else {
		want, err = erlang.C(q.Arrivals.Rate, q.HandleTime.Mean, agents, q.Target.Within.Seconds())
	}
	if err != nil {
		t.Fatal(err)
	}
	res := &sim.Result{Queues: make([]sim.QueueResult, 1)}
	qr := &res.Queues[0]
	qr.ServiceLevel, qr.ServiceLevelCI95 = want.ServiceLevel+0.001, 0.01
	qr.ASASeconds, qr.ASASecondsCI95 = want.ASA+5, 1 // 5 s off, 1 s interval: misses
	qr.AbandonRate, qr.AbandonRateCI95 = want.AbandonRate, 0.001
	res.KPIs.Occupancy, res.KPIs.OccupancyCI95 = want.Occupancy, 0.01
	var buf bytes.Buffer
	if err := WriteTheoryCheck(&buf, sc, res); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for kpi, yes := range map[string]string{"service level": "yes", "ASA": "no", "abandon rate": "yes", "occupancy": "yes"} {
		got := ""
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 2 && f[0] == q.Name && strings.Contains(l, " "+kpi+" ") {
				got = f[len(f)-1]
			}
		}
		if got != yes {
			t.Errorf("%s: within the interval %q, want %q\n%s", kpi, got, yes, out)
		}
	}
	if !strings.Contains(out, "Check against exact theory (Erlang") {
		t.Errorf("no heading:\n%s", out)
	}

	two, err := scenarios.LoadBuiltin("two-skills")
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := WriteTheoryCheck(&buf, two, &sim.Result{Queues: make([]sim.QueueResult, len(two.Queues))}); err != nil || buf.Len() != 0 {
		t.Errorf("two-skills: %v %q, want nothing", err, buf.String())
	}
}
