package loadgen

import (
	"strings"
	"testing"
	"time"
)

func TestSchedulePacer(t *testing.T) {
	p := schedulePacer{at: []time.Duration{0, time.Second, 3 * time.Second}}
	for _, tc := range []struct {
		n       uint64
		elapsed time.Duration
		wait    time.Duration
		stop    bool
	}{
		{0, 0, 0, false},
		{1, 200 * time.Millisecond, 800 * time.Millisecond, false},
		{2, 4 * time.Second, 0, false}, // late: at once
		{3, 4 * time.Second, 0, true},
	} {
		wait, stop := p.Pace(tc.elapsed, tc.n)
		if wait != tc.wait || stop != tc.stop {
			t.Errorf("Pace(%v, %d) = %v, %v; want %v, %v", tc.elapsed, tc.n, wait, stop, tc.wait, tc.stop)
		}
	}
	if _, ok := (schedulePacer{at: p.at, max: 2}).At(2); ok {
		t.Error("MaxCalls 2: a third call")
	}
}

func TestScheduleValidate(t *testing.T) {
	for _, tc := range []struct {
		s    Schedule
		want string
	}{
		{Schedule{At: []time.Duration{0, time.Second}, Patience: []time.Duration{0, time.Second}}, ""},
		{Schedule{At: []time.Duration{time.Second, 0}}, "in order"},
		{Schedule{At: []time.Duration{0}, Patience: []time.Duration{0, 0}}, "patience times"},
		{Schedule{At: []time.Duration{0}, Patience: []time.Duration{-1}}, "negative"},
	} {
		err := tc.s.validate()
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.s, err, tc.want)
		}
	}
	cfg := Config{Target: "sip:a@127.0.0.1:5060", Mode: ModeCall, Rate: 5, Schedule: &Schedule{At: []time.Duration{0}}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "schedule replaces") {
		t.Errorf("rate and schedule: %v", err)
	}
}
