package sim

import (
	"math"
	"math/rand/v2"

	"github.com/callsim/callsim/scenarios"
)

// Stream purposes. Each queue has one stream per purpose, so that a change
// in one part of a scenario does not shift the random numbers of another.
const (
	streamArrivals uint64 = iota + 1
	streamHandle
	streamWrap
	streamPatience
	streamResolve
	streamRepeat
	streamRedial
	streamIVR
	streamTransfer
	streamBusy
)

// splitmix64 is a fast, well-mixing hash used to derive stream seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newStream returns the PCG stream for one purpose of one queue in one
// replication.
func newStream(seed uint64, rep int, purpose uint64, index int) *rand.Rand {
	a := splitmix64(seed ^ splitmix64(uint64(rep)+0x51ed27))
	b := splitmix64(purpose<<32 ^ uint64(index) ^ splitmix64(a))
	return rand.New(rand.NewPCG(a, b))
}

// sampler draws durations (seconds) from one distribution. It is a plain
// struct with a switch, not an interface, to keep the hot path free of
// dynamic dispatch.
type sampler struct {
	kind   scenarios.DistKind
	mean   float64
	p1, p2 float64 // lognormal: mu, sigma; gamma: shape, scale; uniform: min, max-min
	tri    [3]float64
	values []float64
}

func newSampler(d *scenarios.Dist) sampler {
	s := sampler{kind: d.Kind, mean: d.Mean}
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

// sample draws one value.
func (s *sampler) sample(r *rand.Rand) float64 {
	switch s.kind {
	case scenarios.Exponential:
		return r.ExpFloat64() * s.mean
	case scenarios.Constant:
		return s.mean
	case scenarios.Lognormal:
		return math.Exp(s.p1 + s.p2*r.NormFloat64())
	case scenarios.Gamma:
		return gammaSample(r, s.p1) * s.p2
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

// gammaSample draws a Gamma(shape, 1) variate (Marsaglia and Tsang, 2000).
func gammaSample(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		// Boost: Gamma(a) = Gamma(a+1) * U^(1/a).
		u := r.Float64()
		for u == 0 {
			u = r.Float64()
		}
		return gammaSample(r, shape+1) * math.Pow(u, 1/shape)
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
