package loadprobe

import (
	"math"
	"testing"
	"time"

	"github.com/callsim/callsim/capacity"
	"github.com/callsim/callsim/loadgen"
)

// TestEvidence: thresholds read as shares of calls. 300 calls, 3 of them
// refused (503) and, of the 297 set up, 10 with an SRD of 300 ms and the
// rest 10 ms.
func TestEvidence(t *testing.T) {
	t0 := time.Now()
	tl := loadgen.NewTally(t0, time.Time{}, false, 0)
	for i := range 300 {
		c := &loadgen.EndedCall{CallRecord: loadgen.CallRecord{IntendedStart: t0, ActualStart: t0, Outcome: loadgen.OutcomeCompleted,
			FinalStatus: 200, SRD: 10 * time.Millisecond, AnswerDelay: 10 * time.Millisecond, Duration: time.Second}, EndedNormally: true}
		switch {
		case i < 3:
			c.Outcome, c.FinalStatus, c.SRD, c.AnswerDelay, c.Duration, c.EndedNormally = loadgen.OutcomeFailed, 503, 0, 0, 0, false
		case i < 13:
			c.SRD = 300 * time.Millisecond
		}
		tl.CallEnded(c, 0)
	}
	r := tl.Result(t0.Add(time.Minute))
	for _, tt := range []struct {
		expr    string
		basis   capacity.Basis
		k, n    uint64
		share   float64
		atLeast bool
		verdict capacity.Verdict
	}{
		{"ser>=98", capacity.Proportion, 297, 300, 0.98, true, capacity.Inconclusive}, // 99% measured, 95% lower bound 97.4%
		{"ser>=99.9", capacity.Proportion, 297, 300, 0.999, true, capacity.Fail},
		{"ser>=95", capacity.Proportion, 297, 300, 0.95, true, capacity.Pass},
		{"isa<=1", capacity.Proportion, 3, 300, 0.01, false, capacity.Inconclusive},
		{"srd_p95<250ms", capacity.Proportion, 287, 297, 0.95, true, capacity.Inconclusive}, // 96.6% under 250 ms, lower bound 94.4%
		{"srd_p90<250ms", capacity.Proportion, 287, 297, 0.9, true, capacity.Pass},
		{"srd_p99<250ms", capacity.Proportion, 287, 297, 0.99, true, capacity.Fail},
		{"srd_p50>=100ms", capacity.Proportion, 287, 297, 0.5, false, capacity.Fail}, // the median is 10 ms
		{"failed==3", capacity.Exact, 0, 0, 0, false, capacity.Pass},
		{"srd_max<1s", capacity.Exact, 0, 0, 0, false, capacity.Pass},
		{"srd_mean<50ms", capacity.Mean, 0, 297, 0, false, capacity.Pass},
		{"srd_mean<15ms", capacity.Mean, 0, 297, 0, false, capacity.Inconclusive}, // 19.7 ms measured, with an sd of 52 ms
	} {
		th, err := loadgen.ParseThreshold(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		e := Evidence(th, th.Check(r), r, tl)
		j := capacity.Judge(e, 0.95)
		if e.Basis != tt.basis || (tt.basis == capacity.Proportion && (e.K != tt.k || e.N != tt.n || math.Abs(e.Share-tt.share) > 1e-12 || e.AtLeast != tt.atLeast)) ||
			(tt.basis == capacity.Mean && e.N != tt.n) || j.Verdict != tt.verdict {
			t.Errorf("%s: %+v -> %s (%s), want %s %d/%d share %v at least %v -> %s", tt.expr, e, j.Verdict, j.Describe(0.95), tt.basis, tt.k, tt.n, tt.share, tt.atLeast, tt.verdict)
		}
	}
}
