package loadgen

import (
	"fmt"
	"time"
)

// MaxSchedule bounds the calls of a Schedule.
const MaxSchedule = 2_000_000

// Schedule replays a given list of calls instead of a rate (an open
// workload all the same): call k starts At[k] after the start of the run
// and, while unanswered, gives up after Patience[k] (0: it waits for a
// final response or the INVITE timeout). verify replays a simulation's
// call trace this way; Config.To with Config.Callers can name each call's
// destination. Rate, Stages, Arrivals and Seed do not apply to the start
// times; MaxCalls and Duration still bound the run.
type Schedule struct {
	At       []time.Duration
	Patience []time.Duration
}

func (s *Schedule) validate() error {
	if len(s.At) > MaxSchedule {
		return fmt.Errorf("schedule: %d calls, at most %d", len(s.At), MaxSchedule)
	}
	if len(s.Patience) != 0 && len(s.Patience) != len(s.At) {
		return fmt.Errorf("schedule: %d start times but %d patience times", len(s.At), len(s.Patience))
	}
	for i, at := range s.At {
		if at < 0 || (i > 0 && at < s.At[i-1]) {
			return fmt.Errorf("schedule: call %d starts at %v: start times must be at least 0 and in order", i, at)
		}
	}
	for i, p := range s.Patience {
		if p < 0 {
			return fmt.Errorf("schedule: call %d: patience %v must not be negative", i, p)
		}
	}
	return nil
}

// schedulePacer paces the calls of a Schedule.
type schedulePacer struct {
	at  []time.Duration
	max uint64 // 0: no bound
}

func (p schedulePacer) At(n uint64) (time.Duration, bool) {
	if n >= uint64(len(p.at)) || (p.max > 0 && n >= p.max) {
		return 0, false
	}
	return p.at[n], true
}

func (p schedulePacer) Pace(elapsed time.Duration, n uint64) (time.Duration, bool) {
	at, ok := p.At(n)
	if !ok {
		return 0, true
	}
	return max(0, at-elapsed), false
}

// patienceOf is call n's patience (0: none).
func (e *engine) patienceOf(n uint64) time.Duration {
	if s := e.cfg.Schedule; s != nil {
		if n < uint64(len(s.Patience)) {
			return s.Patience[n]
		}
		return 0
	}
	if e.cfg.Patience.IsZero() {
		return 0
	}
	return max(e.samplePatience(), time.Nanosecond)
}
