package loadresult

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// DistKind names the shape of a duration distribution.
type DistKind string

// Distribution shapes accepted by ParseDist.
const (
	DistNone     DistKind = ""         // no value: the feature is off
	DistConstant DistKind = "constant" // always Mean
	DistExp      DistKind = "exp"      // exponential with mean Mean
	DistUniform  DistKind = "uniform"  // uniform on [Min, Max]
)

// Dist is a distribution of durations, such as a hold time or a caller's
// patience. The zero Dist is "none".
type Dist struct {
	Kind DistKind      `json:"kind"`
	Mean time.Duration `json:"mean,omitempty"`
	Min  time.Duration `json:"min,omitempty"`
	Max  time.Duration `json:"max,omitempty"`
}

// IsZero reports whether d is unset.
func (d Dist) IsZero() bool { return d.Kind == DistNone }

// String renders d in the syntax ParseDist accepts.
func (d Dist) String() string {
	switch d.Kind {
	case DistConstant:
		return d.Mean.String()
	case DistExp:
		return "exp:" + d.Mean.String()
	case DistUniform:
		return "uniform:" + d.Min.String() + "-" + d.Max.String()
	}
	return ""
}

// MarshalJSON writes d as its text form.
func (d Dist) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads the text form written by MarshalJSON.
func (d *Dist) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDist(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDist parses "90s" (constant), "exp:90s" (exponential with that mean)
// or "uniform:30s-2m". An empty string gives the zero Dist.
func ParseDist(s string) (Dist, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Dist{}, nil
	}
	kind, arg, found := strings.Cut(s, ":")
	if !found {
		kind, arg = "constant", s
	}
	switch strings.ToLower(kind) {
	case "constant", "const", "fixed":
		d, err := parsePositiveDuration(arg, true)
		if err != nil {
			return Dist{}, fmt.Errorf("distribution %q: %w", s, err)
		}
		return Dist{Kind: DistConstant, Mean: d}, nil
	case "exp", "exponential":
		d, err := parsePositiveDuration(arg, false)
		if err != nil {
			return Dist{}, fmt.Errorf("distribution %q: %w", s, err)
		}
		return Dist{Kind: DistExp, Mean: d}, nil
	case "uniform":
		lo, hi, ok := strings.Cut(arg, "-")
		if !ok {
			return Dist{}, fmt.Errorf("distribution %q: uniform needs MIN-MAX, e.g. uniform:30s-2m", s)
		}
		a, err := parsePositiveDuration(lo, true)
		if err != nil {
			return Dist{}, fmt.Errorf("distribution %q: %w", s, err)
		}
		b, err := parsePositiveDuration(hi, true)
		if err != nil {
			return Dist{}, fmt.Errorf("distribution %q: %w", s, err)
		}
		if b < a {
			return Dist{}, fmt.Errorf("distribution %q: max %v is below min %v", s, b, a)
		}
		return Dist{Kind: DistUniform, Min: a, Max: b, Mean: a + (b-a)/2}, nil
	}
	return Dist{}, fmt.Errorf("distribution %q: unknown kind %q (want a duration, exp:D or uniform:A-B)", s, kind)
}

func parsePositiveDuration(s string, zeroOK bool) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (use e.g. 90s, 2m, 500ms)", s)
	}
	if d < 0 || (!zeroOK && d == 0) {
		return 0, fmt.Errorf("duration %q must be positive", s)
	}
	return d, nil
}

// Sample draws one value from d using r.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	switch d.Kind {
	case DistConstant:
		return d.Mean
	case DistExp:
		v := r.ExpFloat64() * float64(d.Mean)
		if v > math.MaxInt64/2 {
			v = math.MaxInt64 / 2
		}
		return time.Duration(v)
	case DistUniform:
		if d.Max == d.Min {
			return d.Min
		}
		// Uint64N: the span + 1 overflows an int64 for a span of MaxInt64.
		return d.Min + time.Duration(r.Uint64N(uint64(d.Max-d.Min)+1))
	}
	return 0
}
