package sipaudit

import (
	"math"
	"testing"
	"time"

	"github.com/callsim/callsim/audit"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/media"
)

// TestCallRecord: a call record becomes the audit's call: the caller's own
// lateness left out of the answer delay, reached an agent only when
// answered, up long enough and, with media, heard.
func TestCallRecord(t *testing.T) {
	cfg := audit.Config{Target: "sip:q@127.0.0.1", From: 8 * time.Hour, To: 9 * time.Hour, Interval: 15 * time.Minute, TimeScale: 10}
	cfg = cfg.WithDefaults()
	epoch := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	at := epoch.Add(100 * time.Second) // 08:16:40 on the audit's clock: interval 1
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	heard := &media.Stats{ReceivedExpected: 50}
	silent := &media.Stats{ReceivedExpected: 0}
	for _, tc := range []struct {
		name             string
		late, answer     time.Duration
		dur              time.Duration
		media            *media.Stats
		noMedia          bool
		delay            float64
		within, answered bool
		reached          bool
	}{
		{name: "answered at once", answer: ms(100), dur: ms(3000), noMedia: true, delay: 1, within: true, answered: true, reached: true},
		{name: "late caller", late: ms(1000), answer: ms(1500), dur: ms(3000), noMedia: true, delay: 5, within: true, answered: true, reached: true},
		{name: "slow answer", answer: ms(2500), dur: ms(3000), noMedia: true, delay: 25, answered: true, reached: true},
		{name: "dropped after answer", answer: ms(100), dur: ms(200), noMedia: true, delay: 1, within: true, answered: true},
		{name: "silent", answer: ms(100), dur: ms(3000), media: silent, delay: 1, within: true, answered: true},
		{name: "heard", answer: ms(100), dur: ms(3000), media: heard, delay: 1, within: true, answered: true, reached: true},
		{name: "never answered", noMedia: true},
	} {
		c := cfg
		c.NoMedia = tc.noMedia
		r := loadgen.CallRecord{CallID: "x", IntendedStart: at, ActualStart: at.Add(tc.late), AnswerDelay: tc.answer, Duration: tc.dur, Media: tc.media,
			Outcome: loadgen.OutcomeCompleted}
		got := call(&c, r, epoch)
		if got.Interval != 1 || math.Abs(got.ClockSeconds-(8*3600+1000)) > 1e-6 || got.Answered != tc.answered ||
			math.Abs(got.AnswerDelaySeconds-tc.delay) > 1e-6 || got.Within != tc.within || got.ReachedAgent != tc.reached ||
			math.Abs(got.LateSeconds-tc.late.Seconds()*10) > 1e-6 {
			t.Errorf("%s: %+v", tc.name, got)
		}
	}
}

// TestMaxWallTimeout: the audit bounds the patience by the generator's
// longest timeout.
func TestMaxWallTimeout(t *testing.T) {
	if audit.MaxWallTimeout != loadgen.MaxTimeout {
		t.Fatalf("audit.MaxWallTimeout %v, loadgen.MaxTimeout %v", audit.MaxWallTimeout, loadgen.MaxTimeout)
	}
}
