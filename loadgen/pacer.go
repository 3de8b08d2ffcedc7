package loadgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/segment"
)

// Pacer decides when calls start in an open workload model. Like vegeta's
// pacer it maps the time elapsed since the start of the run and the number of
// calls started so far to the wait before the next call, or stop.
//
// Pace is a pure function of (elapsed, count) for the uniform pacers; the
// Poisson pacer draws its arrival times from a seeded stream and must be asked
// with a non-decreasing count (which the scheduler does).
type Pacer interface {
	Pace(elapsed time.Duration, count uint64) (wait time.Duration, stop bool)
	// At is the intended start of call number count (0-based), measured from
	// the start of the run; ok is false when there is no such call.
	At(count uint64) (at time.Duration, ok bool)
}

// ParseStages parses "30s:10,2m:100,30s:0".
func ParseStages(s string) ([]Stage, error) {
	var out []Stage
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		ds, rs, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("stage %d %q: want DURATION:RATE, e.g. 30s:10", i+1, part)
		}
		d, err := time.ParseDuration(strings.TrimSpace(ds))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("stage %d %q: bad duration %q", i+1, part, ds)
		}
		r, err := strconv.ParseFloat(strings.TrimSpace(rs), 64)
		if err != nil || r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
			return nil, fmt.Errorf("stage %d %q: bad rate %q (calls per second, >= 0)", i+1, part, rs)
		}
		out = append(out, Stage{Duration: d, Target: r})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no stages in %q", s)
	}
	return out, nil
}

// rateCurve is a piecewise-linear arrival rate; cum inverts its integral.
type rateCurve struct {
	stages []Stage
}

// total is the expected number of arrivals over the whole curve.
func (c rateCurve) total() float64 {
	var sum, r0 float64
	for _, s := range c.stages {
		sum += (r0 + s.Target) / 2 * s.Duration.Seconds()
		r0 = s.Target
	}
	return sum
}

// inverse returns the time t at which the integral of the rate reaches x, or
// false if it never does.
func (c rateCurve) inverse(x float64) (time.Duration, bool) {
	var t0, l0, r0 float64
	for _, s := range c.stages {
		d := s.Duration.Seconds()
		r1 := s.Target
		area := (r0 + r1) / 2 * d
		if x <= l0+area && area > 0 {
			y := x - l0
			a := (r1 - r0) / (2 * d)
			// tau solves a*tau^2 + r0*tau = y; this form of the root is
			// stable when a or r0 is (nearly) zero.
			var tau float64
			if y > 0 {
				disc := r0*r0 + 4*a*y
				if disc < 0 {
					disc = 0
				}
				tau = 2 * y / (r0 + math.Sqrt(disc))
			}
			if math.IsNaN(tau) {
				tau = d
			}
			if tau < 0 {
				tau = 0
			}
			if tau > d {
				tau = d
			}
			return secondsToDuration(t0 + tau)
		}
		t0 += d
		l0 += area
		r0 = r1
	}
	return 0, false
}

// secondsToDuration converts, or reports false beyond what a Duration holds
// (about 292 years: no such call).
func secondsToDuration(sec float64) (time.Duration, bool) {
	ns := sec * float64(time.Second)
	if !(ns >= 0 && ns < math.MaxInt64) {
		return 0, false
	}
	return time.Duration(ns), true
}

// curvePacer starts calls along a rate curve, either evenly (the n-th call at
// the time the integral reaches n) or as a Poisson process (the integral
// reaches a running sum of unit exponentials).
type curvePacer struct {
	curve    rateCurve
	duration time.Duration // 0: no limit beyond the curve
	maxCalls uint64        // 0: no limit
	poisson  bool

	// Poisson state: the arrival position of call `n`.
	rng *rand.Rand
	n   uint64
	pos float64
}

// NewPacer builds the pacer for an open model: a constant rate (stages nil)
// or a ramp through stages; arrivals "uniform" or "poisson" (seeded by seed).
// The pacer stops after duration (if > 0) and after maxCalls (if > 0).
func NewPacer(rate float64, stages []Stage, arrivals string, seed uint64, duration time.Duration, maxCalls uint64) (Pacer, error) {
	p := &curvePacer{duration: duration, maxCalls: maxCalls}
	switch arrivals {
	case "", "uniform":
	case "poisson":
		p.poisson = true
		p.rng = rand.New(rand.NewPCG(seed, 0xa771a15))
		p.pos = p.rng.ExpFloat64()
	default:
		return nil, fmt.Errorf("arrivals %q: want uniform or poisson", arrivals)
	}
	switch {
	case len(stages) > 0:
		p.curve = rateCurve{stages: stages}
	case rate > 0:
		// One very long stage at a constant rate; duration bounds it.
		p.curve = rateCurve{stages: []Stage{{Duration: 0, Target: rate}}}
	default:
		return nil, fmt.Errorf("an open model needs a rate > 0 or stages")
	}
	return p, nil
}

func (p *curvePacer) constantRate() (float64, bool) {
	if len(p.curve.stages) == 1 && p.curve.stages[0].Duration == 0 {
		return p.curve.stages[0].Target, true
	}
	return 0, false
}

func (p *curvePacer) At(count uint64) (time.Duration, bool) {
	if p.maxCalls > 0 && count >= p.maxCalls {
		return 0, false
	}
	x := float64(count)
	if p.poisson {
		for p.n < count {
			p.pos += p.rng.ExpFloat64()
			p.n++
		}
		x = p.pos
	}
	var at time.Duration
	if r, ok := p.constantRate(); ok {
		var ok bool
		if at, ok = secondsToDuration(x / r); !ok {
			return 0, false
		}
	} else {
		var ok bool
		at, ok = p.curve.inverse(x)
		if !ok {
			return 0, false
		}
	}
	if p.duration > 0 && at >= p.duration {
		return 0, false
	}
	return at, true
}

func (p *curvePacer) Pace(elapsed time.Duration, count uint64) (time.Duration, bool) {
	at, ok := p.At(count)
	if !ok {
		return 0, true
	}
	if at < elapsed {
		return 0, false
	}
	return at - elapsed, false
}

// Expected returns the number of calls the pacer plans to start (for
// uniform arrivals exactly; for Poisson on average), or -1 if unbounded.
func (p *curvePacer) Expected() float64 {
	var n float64 = -1
	if r, ok := p.constantRate(); ok {
		if p.duration > 0 {
			n = math.Ceil(r * p.duration.Seconds())
		}
	} else {
		n = math.Ceil(p.curve.total())
	}
	if p.maxCalls > 0 && (n < 0 || float64(p.maxCalls) < n) {
		n = float64(p.maxCalls)
	}
	return n
}

// NewSegmentPacer builds the pacer of segment seg of an open model whose
// whole schedule NewPacer(rate, stages, arrivals, seed, duration, maxCalls)
// describes. Uniform arrivals: the segment's call k is call k*n+i of the whole
// schedule, so the segments' intended start times interleave and together are
// exactly the whole run's. Poisson arrivals: a Poisson process at rate/n (the
// stages' targets / n) from a seed derived from (seed, i), so the superposition
// of the segments is a Poisson process at the whole rate; maxCalls is split
// exactly (the first maxCalls mod n segments take one more).
func NewSegmentPacer(rate float64, stages []Stage, arrivals string, seed uint64, duration time.Duration, maxCalls uint64, seg segment.Segment) (Pacer, error) {
	if err := seg.Validate(); err != nil {
		return nil, err
	}
	if seg.Whole() {
		return NewPacer(rate, stages, arrivals, seed, duration, maxCalls)
	}
	if arrivals != "poisson" {
		whole, err := NewPacer(rate, stages, arrivals, seed, duration, maxCalls)
		if err != nil {
			return nil, err
		}
		return &segmentPacer{whole: whole, seg: seg}, nil
	}
	n := float64(seg.N())
	share := maxCalls
	if maxCalls > 0 {
		if share = seg.Share(maxCalls); share == 0 {
			return noCalls{}, nil
		}
	}
	var scaled []Stage
	for _, s := range stages {
		scaled = append(scaled, Stage{Duration: s.Duration, Target: s.Target / n})
	}
	return NewPacer(rate/n, scaled, arrivals, seg.Seed(seed), duration, share)
}

// segmentPacer takes every n-th call of the whole schedule.
type segmentPacer struct {
	whole Pacer
	seg   segment.Segment
}

func (p *segmentPacer) At(count uint64) (time.Duration, bool) {
	return p.whole.At(p.seg.Global(count))
}

func (p *segmentPacer) Pace(elapsed time.Duration, count uint64) (time.Duration, bool) {
	at, ok := p.At(count)
	if !ok {
		return 0, true
	}
	return max(0, at-elapsed), false
}

// noCalls is the pacer of a segment whose share is empty.
type noCalls struct{}

func (noCalls) At(uint64) (time.Duration, bool)                  { return 0, false }
func (noCalls) Pace(time.Duration, uint64) (time.Duration, bool) { return 0, true }
