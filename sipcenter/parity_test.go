package sipcenter

import (
	"context"
	"math"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// parityScenario has three queues (sales with priority over support;
// support transfers a share of its calls to billing), four groups (gen on
// two shifts with a break, spec and bill constant, vendor with a slower
// handle time for support), overflow delays on two routes, and patience,
// wrap-up and non-exponential handle times.
const parityScenario = `
name: parity
horizon: 14h
seed: 11
replications: 1
queues:
  - name: sales
    priority: 1
    arrivals: {per_hour: 45}
    handle_time: {mean: 240s, dist: lognormal, cv: 0.8}
    wrap_up: {mean: 30s, dist: exponential}
    patience: {mean: 90s, dist: exponential}
  - name: support
    arrivals: {per_hour: 50}
    handle_time: {mean: 300s, dist: gamma, cv: 0.7}
    patience: {mean: 150s, dist: exponential}
    transfer_to: billing
  - name: billing
    arrivals: {per_hour: 8}
    handle_time: {dist: uniform, min: 60s, max: 300s}
    wrap_up: {mean: 20s, dist: constant}
    patience: {mean: 120s, dist: exponential}
groups:
  - name: gen
    shifts:
      - {start: "06:00", length: 8h, days: [mon], agents: 3, breaks: [{after: 3h, length: 30m}]}
      - {start: "09:00", length: 5h, days: [mon], agents: 2}
    skills: [sales, support]
    transfer: {support: 0.25}
  - name: spec
    agents: 2
    skills: [support]
  - name: bill
    agents: 1
    skills: [billing]
  - name: vendor
    agents: 2
    skills: [sales, support]
    handle_time_factor: {support: 1.3}
routing:
  - queue: sales
    groups: [gen, {group: vendor, after: 20s}]
  - queue: support
    groups: [spec, {group: gen, after: 15s}, {group: vendor, after: 45s}]
  - queue: billing
    groups: [bill]
`

func secondsDur(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// replay drives the SIP center's core (the acd the server drives) with a
// simulation's call trace under a fake clock, as callers and the server's
// call handling would: each traced fresh call arrives at its time, hangs
// up at its patience unless an agent took it, talks for what answer says
// and, when transferred, is held for the wrap-up and handed on (the center
// then keeps the patience the call brings to its next queue). It returns
// the center's call log.
func replay(t *testing.T, sc *scenarios.Scenario, tr *sim.Trace, mutate func(*acd)) []CallLogEntry {
	t.Helper()
	var log []CallLogEntry
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		a, err := newACD(Config{Scenario: sc, Seed: sc.Seed, TimeScale: 1, Trace: tr.Needs(), CallLog: true, CallLogMax: MaxCallLog}, start)
		if err != nil {
			t.Fatal(err)
		}
		if mutate != nil {
			mutate(a)
		}
		next := map[int]int{} // leg -> the leg it is handed on to
		for i, c := range tr.Calls {
			if c.From >= 0 {
				next[c.From] = i
			}
		}
		var wg sync.WaitGroup
		for i := range tr.Calls {
			if tr.Calls[i].Why == kpi.Transfer {
				continue
			}
			wg.Go(func() {
				leg := i
				time.Sleep(time.Until(start.Add(secondsDur(tr.Calls[leg].Arrive))))
				c := &call{id: strconv.Itoa(i), queue: tr.Queues[tr.Calls[leg].Queue], arrived: time.Now(), assigned: make(chan *agent, 1)}
				if got := a.admit(c, time.Now()); got != admitted {
					t.Errorf("call %d: admission %v", i, got)
					return
				}
				for {
					var patience <-chan time.Time
					if p := tr.Calls[leg].Needs.Patience; leg == i && !math.IsInf(p, 1) {
						tm := time.NewTimer(secondsDur(p))
						defer tm.Stop()
						patience = tm.C
					}
					select {
					case <-c.assigned:
					case <-patience:
						a.abandon(c, time.Now())
						return
					case <-c.gaveUp: // a handed-on leg: the center keeps its patience
						return
					}
					time.Sleep(a.answer(c, time.Now()))
					hold, ok := a.endTalk(c, time.Now())
					if !ok {
						a.finish(c, false, time.Now())
						return
					}
					time.Sleep(hold)
					// The run ends at the horizon: no transfer after it.
					if a.now(time.Now()) >= tr.Horizon {
						a.finishHeld(c, false)
						return
					}
					if a.handOn(c, time.Now()) != admitted {
						a.finishHeld(c, false)
						return
					}
					n, ok := next[leg]
					if !ok {
						// The simulator did not hand it on (mismatches reports it).
						a.abandon(c, time.Now())
						return
					}
					leg = n
				}
			})
		}
		wg.Wait()
		time.Sleep(24 * time.Hour) // the last wrap-ups
		a.close(time.Now())
		var dropped uint64
		log, dropped = a.callLogSnapshot()
		if dropped > 0 {
			t.Fatalf("%d call log entries dropped", dropped)
		}
	})
	return log
}

func (a *acd) callLogSnapshot() ([]CallLogEntry, uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]CallLogEntry(nil), a.callLog.entries...), a.callLog.dropped
}

// mismatches compares call by call the simulation's trace with the SIP
// center's log of the same calls: each leg's queue, outcome, answering
// group and wait.
func mismatches(tr *sim.Trace, log []CallLogEntry) []string {
	byID := map[string][]CallLogEntry{}
	for _, e := range log {
		byID[e.CallID] = append(byID[e.CallID], e)
	}
	next := map[int]int{}
	for i, c := range tr.Calls {
		if c.From >= 0 {
			next[c.From] = i
		}
	}
	var bad []string
	for i, c := range tr.Calls {
		if c.Why == kpi.Transfer {
			continue
		}
		legs := byID[strconv.Itoa(i)]
		leg, k := i, 0
		for {
			want := &tr.Calls[leg]
			if k >= len(legs) {
				bad = append(bad, "call "+strconv.Itoa(i)+": leg "+strconv.Itoa(k)+" missing in the SIP center")
				break
			}
			got := legs[k]
			group := ""
			if want.Group >= 0 {
				group = tr.Groups[want.Group]
			}
			if got.Queue != tr.Queues[want.Queue] || got.Outcome != want.Outcome || got.Group != group || math.Abs(got.WaitSeconds-want.Wait) > 1e-6 {
				bad = append(bad, "call "+strconv.Itoa(i)+" leg "+strconv.Itoa(k)+": simulator "+tr.Queues[want.Queue]+" "+want.Outcome+" by "+group+
					" after "+strconv.FormatFloat(want.Wait, 'f', 3, 64)+"s, SIP center "+got.Queue+" "+got.Outcome+" by "+got.Group+
					" after "+strconv.FormatFloat(got.WaitSeconds, 'f', 3, 64)+"s")
				break
			}
			n, ok := next[leg]
			if !ok {
				if k+1 != len(legs) {
					bad = append(bad, "call "+strconv.Itoa(i)+": the SIP center handed it on, the simulator did not")
				}
				break
			}
			leg, k = n, k+1
		}
	}
	return bad
}

// TestParityWithSimulator: the SIP center's core, driven on a fake clock
// (testing/synctest) by the simulator's own call trace of a multi-queue,
// multi-group scenario with overflow, priorities, shifts, breaks,
// handle-time factors, wrap-up and transfers, gives every call the outcome
// the simulator gave it: answered or abandoned, by the same group, after
// the same wait. Exact, not statistical (waits to a microsecond: the wall
// clock counts nanoseconds).
func TestParityWithSimulator(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13} {
		sc, err := scenarios.Parse("parity.yaml", []byte(parityScenario))
		if err != nil {
			t.Fatal(err)
		}
		sc.Seed = seed
		tr, err := sim.RunTrace(context.Background(), sc, 0)
		if err != nil {
			t.Fatal(err)
		}
		checkExercised(t, tr)
		if bad := mismatches(tr, replay(t, sc, tr, nil)); len(bad) > 0 {
			for i, b := range bad {
				if i == 10 {
					t.Errorf("... %d mismatches in all", len(bad))
					break
				}
				t.Errorf("seed %d: %s", seed, b)
			}
		}
	}
}

// TestParityCatchesChanges: the same comparison fails when the SIP
// center's routing differs from the simulator's in one rule.
func TestParityCatchesChanges(t *testing.T) {
	sc, err := scenarios.Parse("parity.yaml", []byte(parityScenario))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := sim.RunTrace(context.Background(), sc, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*acd)
	}{
		{"handle-time factor ignored", func(a *acd) {
			for i := range a.c.Factor {
				a.c.Factor[i] = 1
			}
		}},
		{"no overflow delay", func(a *acd) {
			for q := range a.c.Queues {
				for s := range a.c.Queues[q].Route {
					a.c.Queues[q].Route[s].After = 0
				}
			}
			for g := range a.c.Groups {
				for s := range a.c.Groups[g].Serves {
					a.c.Groups[g].Serves[s].After = 0
				}
			}
		}},
		{"priorities ignored", func(a *acd) {
			for g := range a.c.Groups {
				for s := range a.c.Groups[g].Serves {
					a.c.Groups[g].Serves[s].Priority = 0
				}
			}
		}},
		{"transfers drawn from another seed", func(a *acd) { a.st = center.NewStreams(a.c, sc.Seed+1, 0) }},
	} {
		bad := mismatches(tr, replay(t, sc, tr, tc.mutate))
		t.Logf("%s: %d calls differ", tc.name, len(bad))
		if len(bad) == 0 {
			t.Errorf("%s: the SIP center changed and every call still agrees", tc.name)
		}
	}
}

// checkExercised fails unless the trace has abandonment, transfers,
// overflow and answers by every group.
func checkExercised(t *testing.T, tr *sim.Trace) {
	t.Helper()
	var answered, abandoned, transfers, overflow, byGroup = 0, 0, 0, 0, map[int]int{}
	for _, c := range tr.Calls {
		switch c.Outcome {
		case sim.TraceAnswered:
			answered++
			byGroup[c.Group]++
		case sim.TraceAbandoned:
			abandoned++
		default:
			t.Errorf("call at %gs: %s", c.Arrive, c.Outcome)
		}
		if c.Why == kpi.Transfer {
			transfers++
		}
		if c.Outcome == sim.TraceAnswered && tr.Groups[c.Group] == "vendor" && c.Wait >= 20 {
			overflow++
		}
	}
	t.Logf("%d calls: %d answered (by group %v), %d abandoned, %d transfers, %d overflowed to the vendor", len(tr.Calls), answered, byGroup, abandoned, transfers, overflow)
	if abandoned < 20 || transfers < 20 || overflow < 20 || len(byGroup) != 4 {
		t.Fatalf("the scenario does not exercise abandonment, transfers, overflow and every group")
	}
}
