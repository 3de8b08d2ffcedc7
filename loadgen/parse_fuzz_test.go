package loadgen

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// FuzzParseThreshold: ParseThreshold never panics; a threshold it accepts
// has a known metric and operator and a finite limit, parses again to the
// same threshold from its Expr, and can be checked against any result.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"ser>=99.9", "seer>=99%", "srd_p99<250ms", "answer_delay_max<=1.5s",
		"failed==0", "timed_out!=3", "achieved_cps>9.5", "start_lag_p999<800us", "sdd_mean<2", "ser>=NaN",
		"failed<Inf", "srd_p99<1e400", " ser >= 50 ", "x<1", "<3", "ser=>1", "isa<=-1", "srd_pXX<1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			if !strings.Contains(err.Error(), "threshold") && !strings.Contains(err.Error(), "delay") {
				t.Fatalf("error %q does not say what was wrong", err)
			}
			return
		}
		if math.IsNaN(th.Limit) || math.IsInf(th.Limit, 0) {
			t.Fatalf("%q accepted with limit %v", s, th.Limit)
		}
		switch th.Op {
		case "<", "<=", ">", ">=", "==", "!=":
		default:
			t.Fatalf("%q accepted with operator %q", s, th.Op)
		}
		again, err := ParseThreshold(th.Expr)
		if err != nil || again != th {
			t.Fatalf("%q: Expr %q parses to %+v, %v; want %+v", s, th.Expr, again, err, th)
		}
		r := &Result{Attempted: 10, Completed: 9, Failed: 1, SER: 0.9}
		res := th.Check(r)
		_ = res.String()
		if math.IsNaN(res.Actual) {
			t.Fatalf("%q: metric value NaN on a plain result", s)
		}
	})
}

// FuzzParseDist: ParseDist never panics; a distribution it accepts prints
// back to itself and samples non-negative values inside its range.
func FuzzParseDist(f *testing.F) {
	for _, s := range []string{"90s", "exp:90s", "uniform:30s-2m", "const:0s", "fixed:1h", "exponential:1ms",
		"uniform:0s-0s", "uniform:2m-30s", "exp:0s", "exp:-1s", "uniform:0s-2562047h47m16.854775807s",
		"exp:2562047h47m16.854775807s", "uniform:-1s-1s", "gamma:1s", ":", "", "  ", "uniform:1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDist(s)
		if err != nil {
			if !strings.Contains(err.Error(), "distribution") {
				t.Fatalf("error %q does not name the distribution", err)
			}
			return
		}
		if d.IsZero() {
			return
		}
		again, err := ParseDist(d.String())
		if err != nil || again != d {
			t.Fatalf("%q: String %q parses to %+v, %v; want %+v", s, d.String(), again, err, d)
		}
		if d.Mean < 0 || d.Min < 0 || d.Max < d.Min {
			t.Fatalf("%q accepted as %+v", s, d)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 50 {
			v := d.Sample(rng)
			if v < 0 || (d.Kind == DistUniform && (v < d.Min || v > d.Max)) {
				t.Fatalf("%q (%+v) sampled %v", s, d, v)
			}
		}
	})
}

// FuzzParseStages: ParseStages never panics; stages it accepts have
// positive durations and finite rates, and a pacer built on them gives
// non-negative, non-decreasing start times and stops for good.
func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"30s:10,2m:100,30s:0", "1s:1", "1s:0", "1s:1e-300", "1h:1e300", "2562047h:1e-9",
		"10s:5,10s:5", "1ms:1000000", "0s:1", "-1s:2", "1s:-1", "1s:NaN", "1s:Inf", ",,", "1s", "5s:3,", "1s:1e-13,1s:1e-13"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, poisson bool) {
		stages, err := ParseStages(s)
		if err != nil {
			if !strings.Contains(err.Error(), "stage") {
				t.Fatalf("error %q does not name the stage", err)
			}
			return
		}
		for _, st := range stages {
			if st.Duration <= 0 || st.Target < 0 || math.IsNaN(st.Target) || math.IsInf(st.Target, 0) {
				t.Fatalf("%q accepted with stage %+v", s, st)
			}
		}
		arrivals := "uniform"
		if poisson {
			arrivals = "poisson"
		}
		p, err := NewPacer(0, stages, arrivals, 1, 0, 0)
		if err != nil {
			t.Fatalf("%q: NewPacer: %v", s, err)
		}
		var prev time.Duration
		stopped := false
		for n := range uint64(200) {
			at, ok := p.At(n)
			if !ok {
				stopped = true
				continue
			}
			if stopped {
				t.Fatalf("%q: call %d scheduled after the pacer stopped", s, n)
			}
			if at < 0 || at < prev {
				t.Fatalf("%q: call %d at %v, previous at %v", s, n, at, prev)
			}
			prev = at
		}
	})
}
