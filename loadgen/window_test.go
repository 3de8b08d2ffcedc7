package loadgen_test

import (
	"math"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/media"
)

// TestTally: a tally counts ended calls into a Result: outcomes adding up
// to attempted, ratios, delays, the warm-up filter, Reset.
func TestTally(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tl := loadgen.NewTally(t0, t0.Add(time.Second), true, 0)
	end := func(at time.Duration, o loadgen.Outcome, code int, srd time.Duration, mos float64) {
		c := &loadgen.EndedCall{CallRecord: loadgen.CallRecord{IntendedStart: t0.Add(at), ActualStart: t0.Add(at),
			Outcome: o, FinalStatus: code, SRD: srd}, EndedAt: t0.Add(at + time.Second)}
		if o == loadgen.OutcomeCompleted {
			c.AnswerDelay, c.Duration, c.EndedNormally = srd, time.Second, true
			c.Media = &media.Stats{MOS: mos, Sent: 50, Received: 50, ReceivedExpected: 50}
		}
		tl.CallEnded(c, 0)
	}
	tl.CallStarted(t0, false, 3)
	end(500*time.Millisecond, loadgen.OutcomeFailed, 503, time.Millisecond, 0) // before From: left out
	for i := range 97 {
		end(time.Second+time.Duration(i)*time.Millisecond, loadgen.OutcomeCompleted, 200, 10*time.Millisecond, 4.4)
	}
	end(2*time.Second, loadgen.OutcomeFailed, 486, 5*time.Millisecond, 0)
	end(2*time.Second, loadgen.OutcomeTimedOut, 0, 0, 0)
	end(2*time.Second, loadgen.OutcomeFailed, 302, time.Millisecond, 0)
	r := tl.Result(t0.Add(4 * time.Second))
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	if r.Attempted != 100 || r.Completed != 97 || r.Failed != 2 || r.TimedOut != 1 {
		t.Fatalf("counts %+v", r)
	}
	// SER = 97 / (100 - 1 redirected); SEER adds the 486; ISA the timeout.
	if math.Abs(r.SER-97.0/99) > 1e-12 || math.Abs(r.SEER-98.0/99) > 1e-12 || math.Abs(r.ISA-0.01) > 1e-12 || math.Abs(r.SCR-0.97) > 1e-12 {
		t.Errorf("ratios SER %v SEER %v ISA %v SCR %v", r.SER, r.SEER, r.ISA, r.SCR)
	}
	if r.SRD.Count != 99 || r.SRD.P50 < 9.9 || r.SRD.P50 > 10.1 || r.MaxConcurrent != 3 {
		t.Errorf("srd %+v, max concurrent %d", r.SRD, r.MaxConcurrent)
	}
	if r.Media == nil || r.Media.Calls != 97 || math.Abs(r.Media.MOS.P50-4.4) > 0.01 {
		t.Errorf("media %+v", r.Media)
	}
	if h := tl.Histogram("srd"); h == nil || h.TotalCount() != 99 {
		t.Errorf("srd histogram %v", h)
	}
	tl.Reset(t0.Add(5 * time.Second))
	if r := tl.Result(t0.Add(6 * time.Second)); r.Attempted != 0 || r.SRD.Count != 0 || r.Media.Calls != 0 {
		t.Errorf("after reset: %+v", r)
	}
}

// TestWindowAbort: the target answers the first calls and refuses every
// call from the 40th on (at 20 calls/s: from 2 s into the run). Judged per
// 1 s window on the calls that ended in it (answered calls end after their
// 0.4 s hold, refused ones at once), ser>=99 fails in the window of the
// breach, and
// --abort-on-fail ends the run at that window's end: within one window
// of the breach, no call started after it, every call accounted for.
func TestWindowAbort(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const breach = 40
	u := startFakeUAS(t, func(k int) []int {
		if k >= breach {
			return []int{100, 503}
		}
		return []int{100, 180, 200}
	})
	th, err := loadgen.ParseThreshold("ser>=99")
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadgen.Config{Target: u.uri(), Rate: 20, Duration: 20 * time.Second, NoMedia: true,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 400 * time.Millisecond}, Grace: 2 * time.Second,
		Window: time.Second, WindowThresholds: []loadgen.Threshold{th}, AbortOnFail: true}
	r, recs := faultRun(t, cfg, 8*time.Second)
	if !r.Aborted || r.Interrupted || r.AbortReason == "" {
		t.Fatalf("aborted %v, interrupted %v, reason %q", r.Aborted, r.Interrupted, r.AbortReason)
	}
	t.Logf("abort: %s", r.AbortReason)
	// The 41st call is due 2.0 s into the run; its window [2 s, 3 s) fails.
	breachAt := r.StartedAt.Add(breach * time.Second / 20)
	last := r.LastCallAt.Sub(breachAt)
	if last > time.Second+100*time.Millisecond {
		t.Errorf("calls started until %v after the breach, beyond one window", last)
	}
	if took := r.WallSeconds; took > 2+1+2.5 {
		t.Errorf("the run lasted %.1fs: the breach at 2 s, a 1 s window, calls ended within the grace", took)
	}
	var failedWindow *loadgen.Window
	for i := range r.Windows {
		if !r.Windows[i].Pass {
			failedWindow = &r.Windows[i]
			break
		}
	}
	if failedWindow == nil || failedWindow.StartSeconds > 2.01 {
		t.Fatalf("first failed window %+v; windows %+v", failedWindow, r.Windows)
	}
	for _, w := range r.Windows[:failedWindow.Index] {
		if !w.Pass || w.Calls == 0 {
			t.Errorf("window before the breach: %+v", w)
		}
	}
	// Every call has one outcome; the calls answered before the abort were
	// hung up (completed), the refused ones failed.
	if r.Failed == 0 || r.Completed < breach-5 || uint64(len(recs)) != r.Attempted {
		t.Errorf("completed %d, failed %d, records %d, attempted %d", r.Completed, r.Failed, len(recs), r.Attempted)
	}
	var perWindow uint64
	for _, w := range r.Windows {
		perWindow += w.Calls
	}
	if perWindow != r.Attempted {
		t.Errorf("the windows count %d ended calls, the run %d", perWindow, r.Attempted)
	}
}

// TestWindowNoAbort: the same target without --abort-on-fail: the run
// goes to its end and the windows after the breach fail.
func TestWindowNoAbort(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	u := startFakeUAS(t, func(k int) []int {
		if k >= 30 { // from 1.5 s on
			return []int{100, 503}
		}
		return []int{100, 180, 200}
	})
	th, _ := loadgen.ParseThreshold("failed==0")
	cfg := loadgen.Config{Target: u.uri(), Rate: 20, MaxCalls: 60, Duration: 10 * time.Second, NoMedia: true,
		Hold: shortHold, Window: time.Second, WindowThresholds: []loadgen.Threshold{th}}
	r, _ := faultRun(t, cfg, 8*time.Second)
	if r.Aborted || r.Attempted != 60 || r.Failed != 30 {
		t.Fatalf("aborted %v, attempted %d, failed %d", r.Aborted, r.Attempted, r.Failed)
	}
	pass := 0
	for _, w := range r.Windows {
		if w.Pass && w.Calls > 0 {
			pass++
		}
	}
	if len(r.Windows) < 3 || !r.Windows[0].Pass || r.Windows[len(r.Windows)-1].Pass || pass == 0 {
		t.Errorf("windows %+v", r.Windows)
	}
}

// TestStopDrains: closing Config.Stop ends the workload; calls in progress
// end as they would (held, then BYE), and the result is not interrupted.
// A closed model's callers start spread over RampUp.
func TestStopDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	u := startFakeUAS(t, func(int) []int { return []int{100, 180, 200} })
	stop := make(chan struct{})
	time.AfterFunc(time.Second, func() { close(stop) })
	var tl *loadgen.Tally
	tl = loadgen.NewTally(time.Now(), time.Time{}, false, 0)
	cfg := loadgen.Config{Target: u.uri(), Concurrency: 10, RampUp: 500 * time.Millisecond, Duration: 20 * time.Second, NoMedia: true,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 700 * time.Millisecond}, Stop: stop, Observer: tl}
	r, recs := faultRun(t, cfg, 3*time.Second)
	if r.Interrupted || r.Completed != r.Attempted || r.Attempted < 15 {
		t.Fatalf("interrupted %v, completed %d of %d", r.Interrupted, r.Completed, r.Attempted)
	}
	for _, rec := range recs {
		if rec.HangupBy != "caller" || rec.Duration < 690*time.Millisecond {
			t.Errorf("call %s: hangup by %q after %v: want held to its end", rec.CallID, rec.HangupBy, rec.Duration)
		}
	}
	// The ramp-up: each caller's first call (the 10 first calls, as no
	// call ends within 0.7 s) started k x 50 ms into the run.
	for _, rec := range recs {
		if rec.Seq >= 10 {
			continue
		}
		if at := rec.ActualStart.Sub(r.StartedAt); at < time.Duration(rec.Seq)*50*time.Millisecond-5*time.Millisecond || at > time.Duration(rec.Seq)*50*time.Millisecond+40*time.Millisecond {
			t.Errorf("call %d started %v into the run: want %v", rec.Seq, at, time.Duration(rec.Seq)*50*time.Millisecond)
		}
	}
	if got := tl.Result(time.Now()); got.Attempted != r.Attempted || got.Completed != r.Completed || got.MaxConcurrent != r.MaxConcurrent {
		t.Errorf("observer tally %d/%d/%d, run %d/%d/%d", got.Attempted, got.Completed, got.MaxConcurrent, r.Attempted, r.Completed, r.MaxConcurrent)
	}
}
