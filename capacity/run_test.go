package capacity

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"
)

// fakePlatform answers calls at any level up to capacity (calls/s or
// calls); above it, the calls beyond capacity fail, and beyond 1.5 x
// capacity most calls fail. Time is synctest's.
type fakePlatform struct {
	capacity float64
	hold     time.Duration // how long calls take to end once a step stops
	steps    []StepSpec
}

func (f *fakePlatform) Probe(ctx context.Context, spec StepSpec, decide func(Measurement) Ending) (Measurement, error) {
	f.steps = append(f.steps, spec)
	perSec := spec.Level
	if spec.Kind == Concurrent {
		perSec = spec.Level / f.hold.Seconds()
	}
	good := math.Min(1, f.capacity/perSec)
	if perSec > 1.5*f.capacity {
		good = 0.2 // overloaded beyond half again its capacity, the platform collapses
	}
	var m Measurement
	measure := func(since time.Duration) {
		m.Measured = since
		n := uint64(perSec * since.Seconds())
		k := uint64(math.Round(float64(n) * good))
		m.AllStarted = uint64(perSec * (since + spec.Warmup).Seconds())
		m.AllNotCompleted = m.AllStarted - uint64(math.Round(float64(m.AllStarted)*good))
		m.Figures = Figures{Attempted: n, Completed: k, Failed: n - k}
		v := 100.0
		if n > 0 {
			v = 100 * float64(k) / float64(n)
		}
		m.Evidence = []Evidence{{Expr: "ser>=99", Unit: "%", Value: v, Holds: v >= 99, Basis: Proportion, K: k, N: n, Share: 0.99, AtLeast: true}}
	}
	select {
	case <-time.After(spec.Warmup):
	case <-ctx.Done():
		m.Interrupted = true
		return m, nil
	}
	t0 := time.Now()
	for {
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			m.Interrupted = true
			return m, nil
		}
		measure(time.Since(t0))
		switch decide(m) {
		case Abort:
			m.Aborted = true
			return m, nil
		case Drain:
			time.Sleep(f.hold)
			return m, nil
		}
	}
}

func testHold() Hold {
	return Hold{MinTime: 2 * time.Second, MinCalls: 30, MaxTime: 10 * time.Second, ConfirmMax: 30 * time.Second,
		Warmup: map[Kind]time.Duration{Rate: 2 * time.Second, Concurrent: 2 * time.Second}, Cooldown: time.Second, Drain: 2 * time.Second}
}

// TestRunFindsTheKnee: against a platform that carries 25 calls/s or 50
// calls held (2 s calls), the run finds both knees, confirms the last
// pass with enough calls to show ser>=99 at 95% (299 without a failure),
// holds every step to its minimum, and ends within its budget.
func TestRunFindsTheKnee(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakePlatform{capacity: 25, hold: 2 * time.Second}
		cfg := Config{Thresholds: []string{"ser>=99"}, Hold: testHold(), Budget: 10 * time.Minute,
			Rate: &Plan{Kind: Rate, Start: 5, Max: 100}}
		start := time.Now()
		rep, err := Run(context.Background(), cfg, f)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		k := rep.Rate.Knee
		t.Logf("rate: last %v first %v %s in %v, %d steps", deref(k.LastPass), deref(k.FirstFail), k.Status, took, len(rep.Steps))
		if k.Status != Found || *k.LastPass > 25 || *k.LastPass < 23 || *k.FirstFail <= 25 || *k.FirstFail > 27 {
			t.Fatalf("knee %+v", k)
		}
		if rep.Concurrent != nil {
			t.Error("concurrent search reported though not asked for")
		}
		var confirmed bool
		for _, st := range rep.Steps {
			if !st.Collapse && (st.MeasuredSeconds < 2 || st.Calls < 30) {
				t.Errorf("step %v %s held %.1fs with %d calls: under its minimum", st.Level, st.Purpose, st.MeasuredSeconds, st.Calls)
			}
			if st.Level == *k.LastPass && st.Verdict == Pass {
				confirmed = true
				if st.Calls < 299 {
					t.Errorf("last pass shown with %d calls; ser>=99 needs 299", st.Calls)
				}
				if th := st.Thresholds[0]; !th.Pass || th.N != st.Calls || *th.Low < 0.99 {
					t.Errorf("threshold %+v", th)
				}
			}
		}
		if !confirmed {
			t.Error("no step shows the last pass")
		}
		if took > cfg.Budget {
			t.Errorf("took %v, budget %v", took, cfg.Budget)
		}
	})
}

// TestRunBudget: with too little time the run stops between steps, says
// the search is incomplete, and still ends within its budget.
func TestRunBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakePlatform{capacity: 25, hold: 2 * time.Second}
		cfg := Config{Thresholds: []string{"ser>=99"}, Hold: testHold(), Budget: 40 * time.Second,
			Rate: &Plan{Kind: Rate, Start: 5, Max: 100}, Concurrent: &Plan{Kind: Concurrent, Start: 5, Max: 100}}
		start := time.Now()
		rep, err := Run(context.Background(), cfg, f)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > cfg.Budget {
			t.Errorf("took %v, budget %v", took, cfg.Budget)
		}
		logSteps(t, rep)
		if rep.Rate.Status != Incomplete || rep.Concurrent.Status == Found {
			t.Errorf("statuses %s %s, want the rate search incomplete, and no knee", rep.Rate.Status, rep.Concurrent.Status)
		}
		var sawConcurrent bool
		for _, st := range rep.Steps {
			sawConcurrent = sawConcurrent || st.Kind == Concurrent
		}
		if !sawConcurrent {
			t.Error("the concurrent search got no time: the rate search must leave it half the budget")
		}
	})
}

// TestRunInterrupted: Ctrl-C during a step: the report holds the steps so
// far and is marked interrupted.
func TestRunInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		f := &fakePlatform{capacity: 25, hold: 2 * time.Second}
		rep, err := Run(ctx, Config{Thresholds: []string{"ser>=99"}, Hold: testHold(), Budget: time.Hour,
			Rate: &Plan{Kind: Rate, Start: 5, Max: 100}}, f)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Interrupted || rep.Rate.Status != Incomplete || len(rep.Steps) == 0 {
			t.Errorf("interrupted %v, status %s, %d steps", rep.Interrupted, rep.Rate.Status, len(rep.Steps))
		}
	})
}

// TestRunConcurrentCollapse: above 50 held calls, most calls fail: the
// step ends at once (no hold to its minimum), and no level above the
// first collapse is run.
func TestRunConcurrentCollapse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakePlatform{capacity: 25, hold: 2 * time.Second} // 25 calls/s = 50 held
		rep, err := Run(context.Background(), Config{Thresholds: []string{"ser>=99"}, Hold: testHold(), Budget: 10 * time.Minute,
			Concurrent: &Plan{Kind: Concurrent, Start: 10, Max: 400}}, f)
		if err != nil {
			t.Fatal(err)
		}
		k := rep.Concurrent.Knee
		logSteps(t, rep)
		if k.Status != Found || *k.LastPass < 48 || *k.LastPass > 50 || *k.FirstFail > 53 {
			t.Fatalf("knee %+v", k)
		}
		collapse := math.Inf(1)
		for _, st := range rep.Steps {
			if st.Level > collapse {
				t.Errorf("level %v run after a collapse at %v", st.Level, collapse)
			}
			if st.Collapse {
				collapse = min(collapse, st.Level)
				if st.MeasuredSeconds > 0.5 {
					t.Errorf("collapse at %v held %.1fs", st.Level, st.MeasuredSeconds)
				}
			}
		}
		if math.IsInf(collapse, 1) {
			t.Error("no collapse seen at 1.6x capacity")
		}
	})
}

func logSteps(t *testing.T, rep *Report) {
	for _, st := range rep.Steps {
		t.Logf("%s %v %s: %d calls %.1fs %s holds=%v collapse=%v", st.Kind, st.Level, st.Purpose, st.Calls, st.MeasuredSeconds, st.Verdict, st.Lean, st.Collapse)
	}
}
