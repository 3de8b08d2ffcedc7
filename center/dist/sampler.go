package dist

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/callsim/callsim/scenarios"
)

// Sampler draws durations (seconds) from one distribution.
type Sampler struct {
	kind   scenarios.DistKind
	mean   float64
	p1, p2 float64 // lognormal: mu, sigma; gamma: shape, scale; uniform: min, max-min
	tri    [3]float64
	values []float64
}

// New returns a sampler of d; d must be valid (see Check).
func New(d *scenarios.Dist) Sampler {
	s := Sampler{kind: d.Kind, mean: d.Mean}
	switch d.Kind {
	case scenarios.Lognormal:
		s2 := math.Log1p(d.CV * d.CV)
		s.p1 = math.Log(d.Mean) - s2/2
		s.p2 = math.Sqrt(s2)
	case scenarios.Gamma:
		shape := 1 / (d.CV * d.CV)
		s.p1, s.p2 = shape, d.Mean/shape
	case scenarios.Uniform:
		s.p1, s.p2 = d.Min, d.Max-d.Min
	case scenarios.Triangular:
		s.tri = [3]float64{d.Min, d.Mode, d.Max}
	case scenarios.Empirical:
		s.values = d.Values
	}
	return s
}

// Mean is the distribution's mean, in seconds.
func (s *Sampler) Mean() float64 { return s.mean }

// Sample draws one value.
func (s *Sampler) Sample(r *rand.Rand) float64 {
	switch s.kind {
	case scenarios.Exponential:
		return r.ExpFloat64() * s.mean
	case scenarios.Constant:
		return s.mean
	case scenarios.Lognormal:
		return math.Exp(s.p1 + s.p2*r.NormFloat64())
	case scenarios.Gamma:
		return Gamma(r, s.p1) * s.p2
	case scenarios.Uniform:
		return s.p1 + s.p2*r.Float64()
	case scenarios.Triangular:
		a, c, b := s.tri[0], s.tri[1], s.tri[2]
		u := r.Float64()
		if f := (c - a) / (b - a); u < f {
			return a + math.Sqrt(u*(b-a)*(c-a))
		}
		return b - math.Sqrt((1-u)*(b-a)*(b-c))
	case scenarios.Empirical:
		return s.values[r.IntN(len(s.values))]
	}
	return s.mean
}

// Gamma draws a Gamma(shape, 1) variate (Marsaglia and Tsang, 2000).
func Gamma(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		// Boost: Gamma(a) = Gamma(a+1) * U^(1/a).
		u := r.Float64()
		for u == 0 {
			u = r.Float64()
		}
		return Gamma(r, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// Check says why d cannot be sampled. Scenarios from the scenarios package
// are already valid; Check guards scenarios built in Go.
func Check(d *scenarios.Dist) error {
	bad := func(x float64) bool { return x < 0 || math.IsNaN(x) || math.IsInf(x, 0) }
	switch d.Kind {
	case scenarios.Constant, scenarios.Exponential:
		if bad(d.Mean) {
			return fmt.Errorf("mean must be finite and at least 0, got %g", d.Mean)
		}
	case scenarios.Lognormal, scenarios.Gamma:
		if bad(d.Mean) || d.Mean == 0 || bad(d.CV) || d.CV == 0 {
			return fmt.Errorf("%s needs a positive mean and cv, got mean %g cv %g", d.Kind, d.Mean, d.CV)
		}
	case scenarios.Uniform:
		if bad(d.Min) || bad(d.Max) || d.Max < d.Min {
			return fmt.Errorf("uniform needs 0 <= min <= max, got %g..%g", d.Min, d.Max)
		}
	case scenarios.Triangular:
		if bad(d.Min) || bad(d.Max) || d.Mode < d.Min || d.Mode > d.Max || d.Max <= d.Min {
			return fmt.Errorf("triangular needs 0 <= min <= mode <= max and min < max")
		}
	case scenarios.Empirical:
		if len(d.Values) == 0 {
			return fmt.Errorf("empirical needs at least one value")
		}
		for _, v := range d.Values {
			if bad(v) {
				return fmt.Errorf("empirical values must be finite and at least 0, got %g", v)
			}
		}
	default:
		return fmt.Errorf("unknown distribution %q", d.Kind)
	}
	return nil
}
