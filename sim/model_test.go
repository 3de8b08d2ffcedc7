package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

func TestHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var h eventHeap
	var want []float64
	for round := 0; round < 50; round++ {
		for i := 0; i < r.IntN(200); i++ {
			x := r.Float64()
			h.push(event{t: x})
			want = append(want, x)
		}
		slices.Sort(want)
		for i := 0; i < r.IntN(h.len()+1); i++ {
			got := h.pop().t
			if got != want[0] {
				t.Fatalf("pop %g, want %g", got, want[0])
			}
			want = want[1:]
		}
	}
}

func TestEventMeta(t *testing.T) {
	for _, c := range []struct {
		kind uint32
		step int
		gen  uint32
	}{{evArrival, 0, 0}, {evEligible, maxRouteStep, genMask}, {evAbandon, 3, 12345}} {
		e := event{meta: mkMeta(c.kind, c.step, c.gen)}
		if e.kind() != c.kind || e.step() != c.step || e.gen() != c.gen {
			t.Errorf("meta round trip %+v: got %d %d %d", c, e.kind(), e.step(), e.gen())
		}
	}
}

// base returns a one-queue scenario to modify.
func base(rate float64, agents int) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "test", Horizon: 100 * time.Hour, WarmUp: 5 * time.Hour, Interval: 30 * time.Minute, Seed: 1, Replications: 4,
		Queues: []scenarios.Queue{{Name: "q", Arrivals: scenarios.Arrivals{Rate: rate},
			HandleTime: scenarios.Dist{Kind: scenarios.Exponential, Mean: 300},
			Target:     scenarios.Target{ServiceLevel: 0.8, Within: 20 * time.Second}}},
		Groups: []scenarios.Group{{Name: "g", Agents: agents, Skills: []string{"q"}}},
	}
}

func mustRun(t *testing.T, sc *scenarios.Scenario) *Result {
	t.Helper()
	r, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestConservation: every counted call is answered, abandoned or still
// waiting at the end.
func TestConservation(t *testing.T) {
	for _, tt := range []struct {
		name     string
		agents   int
		patience bool
	}{{"no agents, no patience", 0, false}, {"no agents", 0, true}, {"overloaded", 5, true}, {"stable", 40, false}} {
		t.Run(tt.name, func(t *testing.T) {
			sc := base(0.1, tt.agents)
			if tt.patience {
				sc.Queues[0].Patience = &scenarios.Dist{Kind: scenarios.Exponential, Mean: 60}
			}
			k := mustRun(t, sc).KPIs
			if d := k.Offered - k.Answered - k.Abandoned - k.WaitingAtEnd; math.Abs(d) > 1e-6 {
				t.Errorf("offered %g != answered %g + abandoned %g + waiting %g", k.Offered, k.Answered, k.Abandoned, k.WaitingAtEnd)
			}
			if tt.agents == 0 && !tt.patience && k.WaitingAtEnd != k.Offered {
				t.Errorf("with no agents and no patience all %g calls must still wait, got %g", k.Offered, k.WaitingAtEnd)
			}
			if want := 0.1 * 95 * 3600; math.Abs(k.Offered-want) > 5*math.Sqrt(want) {
				t.Errorf("offered %g per replication, want about %g (warm-up excluded)", k.Offered, want)
			}
		})
	}
}

// TestWrapUpOccupancy: with ample agents nobody waits, and occupancy is
// exactly the offered work (talk + wrap-up) over the agents.
func TestWrapUpOccupancy(t *testing.T) {
	sc := base(0.05, 60)
	sc.Queues[0].HandleTime = scenarios.Dist{Kind: scenarios.Constant, Mean: 100}
	sc.Queues[0].WrapUp = &scenarios.Dist{Kind: scenarios.Constant, Mean: 50}
	r := mustRun(t, sc)
	want := 0.05 * 150 / 60
	if k := r.KPIs; math.Abs(k.Occupancy-want) > 4*k.OccupancyCI95/2+1e-3 {
		t.Errorf("occupancy %g ± %g, want %g", k.Occupancy, k.OccupancyCI95, want)
	}
	if r.KPIs.MeanHandleSeconds != 150 {
		t.Errorf("mean handle %g, want 150 (talk + wrap-up)", r.KPIs.MeanHandleSeconds)
	}
}

// TestPriority: one group serves two equal queues, one with priority: the
// priority queue waits less.
func TestPriority(t *testing.T) {
	sc := base(0.05, 0)
	sc.Queues = append(sc.Queues, sc.Queues[0])
	sc.Queues[0].Name, sc.Queues[1].Name = "low", "high"
	sc.Queues[1].Priority = 1
	sc.Groups[0] = scenarios.Group{Name: "g", Agents: 33, Skills: []string{"low", "high"}}
	r := mustRun(t, sc)
	low, high := r.Queues[0], r.Queues[1]
	if !(high.ASASeconds+high.ASASecondsCI95 < low.ASASeconds-low.ASASecondsCI95) {
		t.Errorf("priority queue ASA %g ± %g, other %g ± %g: want clearly less", high.ASASeconds, high.ASASecondsCI95, low.ASASeconds, low.ASASecondsCI95)
	}
}

// TestRouteOrder: the first group on a route takes calls first; the second,
// with an overflow delay, only gets calls that waited that long.
func TestRouteOrder(t *testing.T) {
	sc := base(0.1, 0)
	sc.Groups = []scenarios.Group{{Name: "first", Agents: 28, Skills: []string{"q"}}, {Name: "overflow", Agents: 10, Skills: []string{"q"}}}
	sc.Routing = []scenarios.Route{{Queue: "q", Groups: []scenarios.RouteGroup{{Group: "first"}, {Group: "overflow", After: 30 * time.Second}}}}
	r := mustRun(t, sc)
	first, over := r.Groups[0], r.Groups[1]
	if !(first.Occupancy > 0.85 && over.Occupancy < first.Occupancy/2) {
		t.Errorf("occupancy first %g, overflow %g: want the first group much busier", first.Occupancy, over.Occupancy)
	}
	if r.KPIs.ServiceLevel > 0.99 {
		t.Errorf("service level %g: calls going to overflow waited 30 s, so some must miss 20 s", r.KPIs.ServiceLevel)
	}
}

// TestMemoryDoesNotGrowWithCalls: a replication of ten times the calls must
// not allocate ten times the memory (the aggregation afterwards works on a
// fixed number of cells and is left out).
func TestMemoryDoesNotGrowWithCalls(t *testing.T) {
	alloc := func(calls float64) uint64 {
		m, err := compile(canonical(calls))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := newReplication(m, 0).run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(2e5), alloc(2e6)
	t.Logf("2e5 calls: %d bytes allocated; 2e6 calls: %d bytes", small, large)
	if large > 2*small {
		t.Errorf("memory grows with the number of calls")
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, base(0.1, 32), Options{}); err == nil {
		t.Fatal("a cancelled run returned no error and no result")
	}
}

// TestInterruptedKeepsBatches: a single long replication stopped half-way
// still yields the figures of the batches it completed, marked interrupted.
func TestInterruptedKeepsBatches(t *testing.T) {
	sc := canonical(2e7)
	ctx, cancel := context.WithCancel(context.Background())
	var once bool
	r, err := Run(ctx, sc, Options{Workers: 1, Progress: func(done, total int64) {
		if !once && done > total/2 {
			once = true
			cancel()
		}
	}})
	if err != nil {
		t.Fatalf("interrupted run returned no result: %v", err)
	}
	if !r.Interrupted || r.CIObservations < 2 || r.CIObservations >= batchesForSingleReplication {
		t.Fatalf("interrupted %v with %d batches", r.Interrupted, r.CIObservations)
	}
	if r.KPIs.ServiceLevel < 0.5 || r.KPIs.Offered < 1e6 {
		t.Errorf("partial result: service level %g, offered %g per replication", r.KPIs.ServiceLevel, r.KPIs.Offered)
	}
}
