package sim

import (
	"math/rand/v2"
	"time"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/dist"
	"github.com/callsim/callsim/scenarios"
)

// Sampler draws durations from a scenario distribution with the engine's own
// code, for other parts of callsim (the embedded SIP target) that must play
// a scenario the way the simulator does.
type Sampler struct{ s dist.Sampler }

// NewSampler returns a sampler of d; d must be valid (as Parse leaves it).
func NewSampler(d scenarios.Dist) Sampler { return Sampler{s: dist.New(&d)} }

// Sample draws one duration, in seconds.
func (s *Sampler) Sample(r *rand.Rand) float64 { return s.s.Sample(r) }

// OpenAt reports whether a queue with opening hours o takes calls at
// scenario time t (measured from Monday 00:00), as in the simulator.
func OpenAt(o *scenarios.OpenHours, t time.Duration) bool {
	if o == nil {
		return true
	}
	return center.IsOpen(o, t.Seconds())
}

// StaffChange says that from scenario time At (from Monday 00:00) on,
// Available agents of a group take calls.
type StaffChange struct {
	At        time.Duration
	Available int
}

// Headcount returns, per group of sc, the change points of its available
// agents over the scenario's horizon, as the simulator computes them from
// agents, shifts and their breaks, agents_by_interval, shrinkage and
// outages. The first change is at 0; the last value holds past the horizon.
func Headcount(sc *scenarios.Scenario) ([][]StaffChange, error) {
	m, err := compile(sc)
	if err != nil {
		return nil, err
	}
	out := make([][]StaffChange, len(m.c.Groups))
	for i, g := range m.c.Groups {
		for _, c := range g.Changes {
			out[i] = append(out[i], StaffChange{At: time.Duration(c.T * float64(time.Second)), Available: c.Avail})
		}
	}
	return out, nil
}
