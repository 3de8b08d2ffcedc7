package sim

import (
	"math/rand/v2"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// Sampler draws durations from a scenario distribution with the engine's own
// code, for other parts of callsim (the embedded SIP target) that must play
// a scenario the way the simulator does.
type Sampler struct{ s sampler }

// NewSampler returns a sampler of d; d must be valid (as Parse leaves it).
func NewSampler(d scenarios.Dist) Sampler { return Sampler{s: newSampler(&d)} }

// Sample draws one duration, in seconds.
func (s *Sampler) Sample(r *rand.Rand) float64 { return s.s.sample(r) }

// OpenAt reports whether a queue with opening hours o takes calls at
// scenario time t (measured from Monday 00:00), as in the simulator.
func OpenAt(o *scenarios.OpenHours, t time.Duration) bool {
	if o == nil {
		return true
	}
	return isOpen(o, t.Seconds())
}
