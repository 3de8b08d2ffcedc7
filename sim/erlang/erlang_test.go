package erlang

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
)

// relClose reports whether got is within rel of want (relative), or within
// abs when want is tiny.
func relClose(got, want, rel, abs float64) bool {
	if math.IsNaN(got) || math.IsInf(got, 0) {
		return false
	}
	return math.Abs(got-want) <= rel*math.Abs(want) || math.Abs(got-want) <= abs
}

func check(t *testing.T, name string, got, want, rel, abs float64) {
	t.Helper()
	if !relClose(got, want, rel, abs) {
		err := math.Abs(got-want) / math.Abs(want)
		t.Errorf("%s = %.17g, want %.17g (relative error %.3g)", name, got, want, err)
	}
}

func TestBAgainstBigFloat(t *testing.T) {
	for _, n := range []int{0, 1, 3, 20, 50, 500, 2000, 5000} {
		for _, load := range []float64{0.01, 0.5, 0.9, 1, 1.5, 3} {
			a := load * float64(max(n, 1))
			t.Run(fmt.Sprintf("N=%d/A=%g", n, a), func(t *testing.T) {
				got, err := B(a, n)
				if err != nil {
					t.Fatal(err)
				}
				check(t, "B", got, refB(a, n), 1e-12, 0)
			})
		}
	}
}

func TestStaffB(t *testing.T) {
	for _, tc := range []struct {
		load, target float64
	}{{0.5, 0.01}, {10, 0.01}, {10, 0.001}, {100, 0.02}, {2500, 0.005}, {5000, 0.1}} {
		r, err := StaffB(tc.load, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		if r.Blocking > tc.target {
			t.Errorf("A=%g: %d trunks block %g > %g", tc.load, r.Trunks, r.Blocking, tc.target)
		}
		if prev := refB(tc.load, r.Trunks-1); prev <= tc.target {
			t.Errorf("A=%g: %d trunks already block only %g ≤ %g", tc.load, r.Trunks-1, prev, tc.target)
		}
		check(t, "blocking", r.Blocking, refB(tc.load, r.Trunks), 1e-12, 0)
	}
	// A classic table value: 10 erlangs on 15 trunks block 3.65%.
	b, _ := B(10, 15)
	check(t, "B(10,15)", b, 0.03650, 0, 5e-5)
}

var loads = []float64{0.3, 0.7, 0.9, 0.99}

func TestCAgainstBigFloat(t *testing.T) {
	const aht, within = 180.0, 20.0
	for _, n := range []int{1, 3, 20, 50, 500, 2000} {
		for _, rho := range loads {
			lambda := rho * float64(n) / aht
			t.Run(fmt.Sprintf("N=%d/rho=%g", n, rho), func(t *testing.T) {
				got, err := C(lambda, aht, n, within)
				if err != nil {
					t.Fatal(err)
				}
				want := refC(lambda, aht, n)
				// SL = 1 - C e^{-(Nμ-λ)t}, from the 200-bit C.
				wantSL := 1 - want.pWait*math.Exp(-(float64(n)/aht-lambda)*within)
				check(t, "p_wait", got.PWait, want.pWait, 1e-11, 1e-300)
				check(t, "service_level", got.ServiceLevel, wantSL, 1e-11, 0)
				check(t, "asa", got.ASA, want.asa, 1e-11, 1e-300)
				check(t, "mean_wait", got.MeanWait, want.asa, 1e-11, 1e-300)
				check(t, "mean_queue_length", got.MeanQueueLength, want.lq, 1e-11, 1e-300)
				check(t, "occupancy", got.Occupancy, rho, 1e-14, 0)
				if got.AbandonRate != 0 {
					t.Errorf("abandon rate %g, want 0", got.AbandonRate)
				}
			})
		}
	}
}

func TestCUnstable(t *testing.T) {
	for _, rho := range []float64{1, 1.2, 2} {
		r, err := C(rho*20/300, 300, 20, 20)
		if !errors.Is(err, ErrUnstable) {
			t.Fatalf("rho=%g: err = %v, want ErrUnstable", rho, err)
		}
		assertFinite(t, r)
	}
}

// Erlang A against the 200-bit birth-death sums and the quadrature of the
// waiting-time density: θ = μ/2.5 (patience 2 min for 5 min calls), θ = μ,
// θ = μ/10, at light, heavy and overload (1.2 and 2 × Nμ).
func TestAAgainstReference(t *testing.T) {
	if testing.Short() {
		t.Skip("slow reference")
	}
	const aht = 300.0
	for _, n := range []int{1, 3, 20, 50, 500, 2000} {
		for _, rho := range []float64{0.7, 0.95, 1.2, 2} {
			for _, patience := range []float64{120, 300, 3000} {
				for _, within := range []float64{0, 20, 180} {
					lambda := rho * float64(n) / aht
					name := fmt.Sprintf("N=%d/rho=%g/patience=%g/t=%g", n, rho, patience, within)
					t.Run(name, func(t *testing.T) {
						got, err := A(lambda, aht, patience, n, within)
						if err != nil {
							t.Fatal(err)
						}
						assertFinite(t, got)
						want := refA(t, lambda, aht, patience, n, within)
						check(t, "p_wait", got.PWait, want.pWait, 1e-10, 1e-300)
						check(t, "mean_queue_length", got.MeanQueueLength, want.eq, 1e-10, 1e-300)
						check(t, "abandon_rate", got.AbandonRate, want.pAb, 1e-10, 1e-300)
						check(t, "occupancy", got.Occupancy, rho*want.pServed, 1e-12, 0)
						// the density integrates to the probability of being
						// served after a wait: checks the reference itself
						check(t, "∫f (reference)", want.servedAfterWait, want.servedWait, 1e-9, 1e-300)
						// The uniformization drops callers who cannot be served
						// by t with probability above 1e-15, so a service level
						// below 1e-6 is exact in absolute terms only.
						check(t, "service_level", got.ServiceLevel, want.sl, 1e-9, 1e-14)
						check(t, "asa", got.ASA, want.asa, 1e-9, 1e-300)
						check(t, "served+abandoned", got.AbandonRate+want.pServed, 1, 1e-12, 0)
					})
				}
			}
		}
	}
}

// With θ = μ every caller in the system leaves at rate μ, served or not, so
// the number in system is Poisson(λ/μ) as in M/M/∞.
func TestAPatienceEqualsHandleTime(t *testing.T) {
	for _, tc := range []struct {
		n    int
		load float64
	}{{1, 0.5}, {1, 2}, {5, 4}, {20, 24}, {100, 90}, {1000, 1200}, {5000, 10000}} {
		aht := 240.0
		lambda := tc.load / aht
		got, err := A(lambda, aht, aht, tc.n, 15)
		if err != nil {
			t.Fatal(err)
		}
		// Poisson tails P(X ≥ N), P(X ≥ N+1), summed from the mode outwards.
		geN, geN1 := poissonTail(tc.load, tc.n), poissonTail(tc.load, tc.n+1)
		eq := tc.load*geN - float64(tc.n)*geN1 // E[(X-N)^+]
		name := fmt.Sprintf("N=%d A=%g", tc.n, tc.load)
		check(t, name+" p_wait", got.PWait, geN, 1e-10, 1e-300)
		check(t, name+" mean_queue_length", got.MeanQueueLength, eq, 1e-9, 1e-300)
		check(t, name+" abandon_rate", got.AbandonRate, eq/tc.load, 1e-9, 1e-300)
	}
	// M/M/1+M with θ = μ: P(wait) = 1-e^{-ρ}, E[Q] = ρ-1+e^{-ρ}.
	for _, rho := range []float64{0.25, 0.9, 1.5, 4} {
		got, err := A(rho/100, 100, 100, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "M/M/1+M p_wait", got.PWait, -math.Expm1(-rho), 1e-13, 0)
		check(t, "M/M/1+M abandon_rate", got.AbandonRate, (rho+math.Expm1(-rho))/rho, 1e-12, 0)
	}
}

// poissonTail returns P(X ≥ k) for X ~ Poisson(m), via big sums.
func poissonTail(m float64, k int) float64 {
	// Σ_{i≥k} m^i/i! / Σ_{i≥0} m^i/i!, in 200-bit arithmetic.
	M := bf(m)
	term, all, tail := bf(1), bf(1), bf(0)
	if k == 0 {
		return 1
	}
	limit := int(m) + 40*int(math.Sqrt(m)+10)
	for i := 1; i <= max(limit, k+100); i++ {
		term.Mul(term, M)
		term.Quo(term, bfInt(i))
		all.Add(all, term)
		if i >= k {
			tail.Add(tail, term)
		}
	}
	return f64(tail.Quo(tail, all))
}

func TestAReducesToC(t *testing.T) {
	for _, n := range []int{1, 20, 500} {
		for _, rho := range []float64{0.5, 0.9, 0.98} {
			lambda := rho * float64(n) / 300
			c, err := C(lambda, 300, n, 20)
			if err != nil {
				t.Fatal(err)
			}
			for _, patience := range []float64{0, math.Inf(1)} {
				a, err := A(lambda, 300, patience, n, 20)
				if err != nil || !reflect.DeepEqual(a, c) {
					t.Errorf("A(patience=%g) = %+v, %v; want C = %+v", patience, a, err, c)
				}
			}
			// Continuity: a patience of 10^13 s is Erlang C to about 1e-8.
			a, err := A(lambda, 300, 1e13, n, 20)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("N=%d rho=%g patience=1e13 ", n, rho)
			check(t, name+"p_wait", a.PWait, c.PWait, 1e-6, 1e-300)
			check(t, name+"service_level", a.ServiceLevel, c.ServiceLevel, 1e-6, 0)
			check(t, name+"asa", a.ASA, c.ASA, 1e-6, 1e-300)
			check(t, name+"mean_queue_length", a.MeanQueueLength, c.MeanQueueLength, 1e-6, 1e-300)
		}
	}
	// Erlang C overload is reported the same way through A.
	if _, err := A(1, 300, 0, 100, 20); !errors.Is(err, ErrUnstable) {
		t.Errorf("A overloaded with no patience: err = %v, want ErrUnstable", err)
	}
}

// Large centers, deep overload: results stay finite and consistent.
func TestALargeOverload(t *testing.T) {
	for _, tc := range []struct {
		n                          int
		rho, patience, within, aht float64
	}{
		{5000, 1.2, 120, 20, 300}, {5000, 2, 120, 20, 300}, {5000, 2, 1800, 20, 300},
		{5000, 2, 120, 600, 300}, {20000, 1.05, 60, 30, 200}, {5000, 0.9, 5, 20, 300},
		{1, 50, 30, 20, 300}, {10, 10, 1, 0.5, 600},
	} {
		lambda := tc.rho * float64(tc.n) / tc.aht
		r, err := A(lambda, tc.aht, tc.patience, tc.n, tc.within)
		if err != nil {
			t.Fatal(err)
		}
		assertFinite(t, r)
		if tc.rho > 1 {
			// fluid limit: at least the excess load abandons
			if r.AbandonRate < 1-1/tc.rho-1e-9 {
				t.Errorf("%+v: abandon rate %g below fluid bound %g", tc, r.AbandonRate, 1-1/tc.rho)
			}
		}
		// SL grows with the threshold and tends to P(served) = 1 - P(ab).
		r2, _ := A(lambda, tc.aht, tc.patience, tc.n, tc.within*2)
		rInf, _ := A(lambda, tc.aht, tc.patience, tc.n, 1e4*tc.patience)
		if r2.ServiceLevel < r.ServiceLevel {
			t.Errorf("%+v: SL(2t) = %g < SL(t) = %g", tc, r2.ServiceLevel, r.ServiceLevel)
		}
		check(t, fmt.Sprintf("%+v SL(∞)", tc), rInf.ServiceLevel, 1-r.AbandonRate, 1e-10, 0)
	}
}

func assertFinite(t *testing.T, r Result) {
	t.Helper()
	v := reflect.ValueOf(r)
	for i := range v.NumField() {
		if f, ok := v.Field(i).Interface().(float64); ok {
			if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
				t.Errorf("%s = %g in %+v", v.Type().Field(i).Name, f, r)
			}
		}
	}
	for name, p := range map[string]float64{"p_wait": r.PWait, "service_level": r.ServiceLevel, "abandon_rate": r.AbandonRate, "occupancy": r.Occupancy} {
		if p > 1 {
			t.Errorf("%s = %g > 1", name, p)
		}
	}
}

func TestInvalidInputs(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		f    func() error
	}{
		{"negative rate", func() error { _, err := C(-1, 300, 10, 20); return err }},
		{"NaN rate", func() error { _, err := A(nan, 300, 60, 10, 20); return err }},
		{"zero aht", func() error { _, err := C(1, 0, 10, 20); return err }},
		{"zero agents", func() error { _, err := A(1, 300, 60, 0, 20); return err }},
		{"negative within", func() error { _, err := C(0.01, 300, 10, -1); return err }},
		{"negative patience", func() error { _, err := A(0.01, 300, -5, 10, 20); return err }},
		{"negative trunks", func() error { _, err := B(1, -1); return err }},
		{"negative load", func() error { _, err := B(-1, 3); return err }},
		{"blocking 1", func() error { _, err := StaffB(1, 1); return err }},
		{"no target", func() error { _, err := StaffC(1, 300, Target{}); return err }},
		{"target 100%", func() error { _, err := StaffA(1, 300, 60, Target{ServiceLevel: 1, Within: 20}); return err }},
	} {
		if err := tc.f(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestZeroArrivals(t *testing.T) {
	for _, patience := range []float64{0, 60} {
		r, err := A(0, 300, patience, 3, 20)
		if err != nil || r.ServiceLevel != 1 || r.PWait != 0 || r.ASA != 0 {
			t.Errorf("patience %g: %+v, %v", patience, r, err)
		}
	}
}

func TestStaffing(t *testing.T) {
	for _, tc := range []struct {
		name             string
		lambda, aht, pat float64
		target           Target
	}{
		{"C small", 360.0 / 3600, 300, 0, Target{ServiceLevel: 0.8, Within: 20}},
		{"C tiny load", 1.0 / 3600, 300, 0, Target{ServiceLevel: 0.8, Within: 20}},
		{"C asa", 2000.0 / 3600, 240, 0, Target{MaxASA: 15}},
		{"C large", 60000.0 / 3600, 300, 0, Target{ServiceLevel: 0.9, Within: 15}},
		{"C strict", 500.0 / 3600, 300, 0, Target{ServiceLevel: 0.999999, Within: 5}},
		{"A small", 360.0 / 3600, 300, 120, Target{ServiceLevel: 0.8, Within: 20}},
		{"A abandon", 360.0 / 3600, 300, 60, Target{ServiceLevel: 0.5, Within: 20, MaxAbandonRate: 0.02}},
		{"A asa", 900.0 / 3600, 400, 200, Target{MaxASA: 10}},
		{"A large", 57600.0 / 3600, 300, 120, Target{ServiceLevel: 0.8, Within: 20}},
		{"A large all", 57600.0 / 3600, 300, 120, Target{ServiceLevel: 0.8, Within: 20, MaxASA: 5, MaxAbandonRate: 0.01}},
		{"A within 0", 100.0 / 3600, 180, 30, Target{ServiceLevel: 0.7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Result
			var err error
			eval := func(n int) (Result, error) { return A(tc.lambda, tc.aht, tc.pat, n, tc.target.Within) }
			if tc.pat == 0 {
				r, err = StaffC(tc.lambda, tc.aht, tc.target)
			} else {
				r, err = StaffA(tc.lambda, tc.aht, tc.pat, tc.target)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.target.Met(r) {
				t.Errorf("N=%d does not meet %+v: %+v", r.Agents, tc.target, r)
			}
			again, err := eval(r.Agents)
			if err != nil || !reflect.DeepEqual(again, r) {
				t.Errorf("figures at N=%d differ from a direct evaluation", r.Agents)
			}
			if r.Agents > 1 {
				prev, err := eval(r.Agents - 1)
				if err == nil && tc.target.Met(prev) {
					t.Errorf("N-1=%d already meets %+v: %+v", r.Agents-1, tc.target, prev)
				}
			}
		})
	}
}

// For small centers the search agrees with a linear scan.
func TestStaffingLinearScan(t *testing.T) {
	target := Target{ServiceLevel: 0.8, Within: 20, MaxAbandonRate: 0.05}
	for calls := 10.0; calls <= 400; calls *= 1.7 {
		lambda := calls / 3600
		r, err := StaffA(lambda, 300, 90, target)
		if err != nil {
			t.Fatal(err)
		}
		n := 1
		for ; ; n++ {
			x, _ := A(lambda, 300, 90, n, 20)
			if target.Met(x) {
				break
			}
		}
		if r.Agents != n {
			t.Errorf("%g calls/h: search %d, scan %d", calls, r.Agents, n)
		}
	}
}
