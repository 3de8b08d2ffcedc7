package loadgen

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestSeriesDelays: each second holds the setup-delay percentiles of the
// calls started in it, computed once they have ended, and the buffers of a
// long run stay few.
func TestSeriesDelays(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := newCollector(start, nil)
	call := func(at, srd, answer, end time.Duration, o Outcome) {
		a := start.Add(at)
		c.started(a, a, false)
		c.finished(&callResult{rec: CallRecord{IntendedStart: a, ActualStart: a, SRD: srd, AnswerDelay: answer, Outcome: o}}, start.Add(end))
	}
	// Second 0: 100 calls with SRD 1..100 ms, the even ones answered after
	// twice their SRD, all held for 30 s.
	for k := 1; k <= 100; k++ {
		srd := time.Duration(k) * time.Millisecond
		var ans time.Duration
		o := OutcomeFailed
		if k%2 == 0 {
			ans, o = 2*srd, OutcomeCompleted
		}
		call(time.Duration(k)*5*time.Millisecond, srd, ans, 30*time.Second, o)
	}
	// Second 1: calls that were never set up.
	for k := range 10 {
		call(time.Second+time.Duration(k)*time.Millisecond, 0, 0, 5*time.Second, OutcomeTimedOut)
	}
	// Seconds 2 to 3601: ten short calls a second with SRD 7 ms.
	most := 0
	for s := 2; s < 3602; s++ {
		for k := range 10 {
			at := time.Duration(s)*time.Second + time.Duration(k)*50*time.Millisecond
			call(at, 7*time.Millisecond, 9*time.Millisecond, at+time.Second, OutcomeCompleted)
		}
		most = max(most, len(c.pending))
	}
	if most > 4 || len(c.spare) > 4 {
		t.Errorf("a one-hour run kept %d seconds of delays at once and %d spare buffers", most, len(c.spare))
	}
	r := c.result(start.Add(3603 * time.Second))
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	s0, s1, s9 := r.Series[0], r.Series[1], r.Series[9]
	if s0.SRDCalls != 100 || s0.SRDP50 != 50 || s0.SRDP95 != 95 || s0.SRDP99 != 99 || s0.AnswerP95 != 192 {
		t.Errorf("second 0: %+v, want 100 setups, p50 50, p95 95, p99 99 ms, answer p95 192 ms", s0)
	}
	if s1.SRDCalls != 0 || s1.SRDP50 != 0 || s1.SRDP99 != 0 || s1.AnswerP95 != 0 {
		t.Errorf("second 1 (no setup): %+v", s1)
	}
	if s9.SRDCalls != 10 || s9.SRDP50 != 7 || s9.SRDP99 != 7 || s9.AnswerP95 != 9 || s9.DelaysUpperBound {
		t.Errorf("second 9: %+v", s9)
	}
	// The fields are omitted for a second without setups.
	b, _ := json.Marshal(s1)
	if strings.Contains(string(b), "srd_") || strings.Contains(string(b), "upper") {
		t.Errorf("second without setups: %s", b)
	}
	b, _ = json.Marshal(s0)
	for _, k := range []string{`"srd_calls":100`, `"srd_p50_ms":50`, `"srd_p95_ms":95`, `"srd_p99_ms":99`, `"answer_delay_p95_ms":192`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("second 0 JSON %s lacks %s", b, k)
		}
	}
}

// TestSeriesDelaysHotPath: recording a call adds no allocation once the
// per-second buffers have grown.
func TestSeriesDelaysHotPath(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := newCollector(start, nil)
	n := 0
	cr := &callResult{rec: CallRecord{SRD: 3 * time.Millisecond, AnswerDelay: 4 * time.Millisecond, Outcome: OutcomeCompleted}}
	one := func() {
		at := start.Add(time.Duration(n) * time.Millisecond)
		n++
		c.started(at, at, false)
		cr.rec.ActualStart = at
		c.finished(cr, at.Add(2500*time.Millisecond))
	}
	for range 10000 {
		one()
	}
	if a := testing.AllocsPerRun(5000, one); a > 0.01 {
		t.Errorf("%.3f allocations per call", a)
	}
}
