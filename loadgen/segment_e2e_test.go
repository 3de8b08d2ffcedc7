package loadgen_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/segment"
	"github.com/callsim/callsim/sipcenter"
)

// TestSegmentsAddUpToOneRun runs the same load against one embedded target
// on loopback as one process and as 4 segments at once (started together
// with StartAt), merges the segments' results and compares: attempted and
// completed add up exactly; rate and percentiles agree within noise.
func TestSegmentsAddUpToOneRun(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Enough agents that no caller waits; agents hang up after 200 ms.
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1000,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close() //nolint:errcheck // test cleanup
	const calls = 240
	cfg := loadgen.Config{Target: srv.URI("support"), Rate: 80, MaxCalls: calls, Duration: time.Minute,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 30 * time.Second}, Seed: 5}

	one, err := loadgen.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("one process: %v", err)
	}

	const n = 4
	parts := make([]*loadgen.Result, n)
	errs := make([]error, n)
	startAt := time.Now().Add(300 * time.Millisecond)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cfg
			c.Segment = segment.Segment{Index: i, Count: n}
			c.StartAt = startAt
			parts[i], errs[i] = loadgen.Run(ctx, c)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("segment %d/%d: %v", i, n, err)
		}
		if parts[i].Attempted != calls/n {
			t.Errorf("segment %d attempted %d, want %d", i, parts[i].Attempted, calls/n)
		}
		if d := parts[i].StartedAt.Sub(startAt); d < 0 || d > 2*time.Second {
			t.Errorf("segment %d started %v after its start time", i, d)
		}
	}
	m, err := loadgen.Merge(parts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one: attempted %d completed %d %.1f cps srd p50 %.2fms p99 %.2fms session p50 %.1fms",
		one.Attempted, one.Completed, one.AchievedCPS, one.SRD.P50, one.SRD.P99, one.SessionDuration.P50)
	t.Logf("merged: attempted %d completed %d %.1f cps srd p50 %.2fms p99 %.2fms session p50 %.1fms",
		m.Attempted, m.Completed, m.AchievedCPS, m.SRD.P50, m.SRD.P99, m.SessionDuration.P50)

	if one.Attempted != calls || m.Attempted != one.Attempted || m.Completed != one.Completed || m.Completed != calls {
		t.Errorf("attempted %d/%d, completed %d/%d (merged/one), want %d each", m.Attempted, one.Attempted, m.Completed, one.Completed, calls)
	}
	if m.TestID != one.TestID {
		t.Errorf("test ids differ: %s %s", m.TestID, one.TestID)
	}
	if math.Abs(m.AchievedCPS-one.AchievedCPS) > 0.1*one.AchievedCPS || math.Abs(m.TargetCPS-80) > 1e-9 {
		t.Errorf("merged rate %.2f (target %.2f), one process %.2f", m.AchievedCPS, m.TargetCPS, one.AchievedCPS)
	}
	// The agents hang up after 200 ms: the median session duration is the
	// same whichever process placed the call (the tail depends on how busy
	// the machine is).
	if math.Abs(m.SessionDuration.P50-one.SessionDuration.P50) > 20 || m.SessionDuration.Count != one.SessionDuration.Count {
		t.Errorf("session duration p50 %.1f ms merged (%d), %.1f ms one process (%d)",
			m.SessionDuration.P50, m.SessionDuration.Count, one.SessionDuration.P50, one.SessionDuration.Count)
	}
	// Loopback answers in a few ms; a busy machine may add tens.
	if m.SRD.P50 > 100 || one.SRD.P50 > 100 || m.SRD.Count != one.SRD.Count {
		t.Errorf("srd p50 %.2f ms merged (%d), %.2f ms one process (%d)", m.SRD.P50, m.SRD.Count, one.SRD.P50, one.SRD.Count)
	}
	// A quantile of the merged histogram lies between the segments' own.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range parts {
		lo, hi = math.Min(lo, p.SessionDuration.P90), math.Max(hi, p.SessionDuration.P90)
	}
	if m.SessionDuration.P90 < lo || m.SessionDuration.P90 > hi {
		t.Errorf("merged p90 %.3f outside the segments' [%.3f, %.3f]", m.SessionDuration.P90, lo, hi)
	}
	var started uint64
	for _, s := range m.Series {
		started += s.Started
	}
	if started != calls {
		t.Errorf("merged series starts %d calls, want %d", started, calls)
	}
}

// TestSegmentsClosedModel: --concurrency and --max-calls split exactly
// (5 callers and 10 calls over 3 segments: 2+2+1 callers, 4+3+3 calls).
func TestSegmentsClosedModel(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 20,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close() //nolint:errcheck // test cleanup
	var total uint64
	for i, want := range []struct {
		calls   uint64
		callers int64
	}{{4, 2}, {3, 2}, {3, 1}} {
		r, err := loadgen.Run(ctx, loadgen.Config{Target: srv.URI("support"), Concurrency: 5, MaxCalls: 10, Duration: 30 * time.Second,
			Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 10 * time.Second}, NoMedia: true, Segment: segment.Segment{Index: i, Count: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Attempted != want.calls || r.Completed != want.calls || r.MaxConcurrent > want.callers {
			t.Errorf("segment %d/3: attempted %d completed %d max concurrent %d; want %d calls by %d callers",
				i, r.Attempted, r.Completed, r.MaxConcurrent, want.calls, want.callers)
		}
		total += r.Attempted
	}
	if total != 10 {
		t.Errorf("segments made %d calls, want 10", total)
	}
}
