package erlang

import (
	"errors"
	"fmt"
	"math"
)

// Target is a staffing goal. Zero fields impose no constraint, but at least
// one of ServiceLevel, MaxASA and MaxAbandonRate must be set.
type Target struct {
	ServiceLevel   float64 // minimum share of offered calls answered within Within, in (0, 1)
	Within         float64 // service-level threshold in seconds
	MaxASA         float64 // maximum ASA in seconds
	MaxAbandonRate float64 // maximum abandoned / offered, in (0, 1)
}

// Met reports whether r satisfies every constraint of t.
func (t Target) Met(r Result) bool {
	if t.ServiceLevel > 0 && r.ServiceLevel < t.ServiceLevel {
		return false
	}
	if t.MaxASA > 0 && r.ASA > t.MaxASA {
		return false
	}
	if t.MaxAbandonRate > 0 && r.AbandonRate > t.MaxAbandonRate {
		return false
	}
	return true
}

func (t Target) check() error {
	switch {
	case t.ServiceLevel == 0 && t.MaxASA == 0 && t.MaxAbandonRate == 0:
		return errors.New("target: set a service level, a maximum ASA or a maximum abandon rate")
	case !(t.ServiceLevel >= 0 && t.ServiceLevel < 1):
		return fmt.Errorf("target service level %v: must be at least 0 and below 1 (100%%)", t.ServiceLevel)
	case !(t.Within >= 0) || math.IsInf(t.Within, 1):
		return fmt.Errorf("target threshold %v seconds: must be a finite number ≥ 0", t.Within)
	case !(t.MaxASA >= 0) || math.IsInf(t.MaxASA, 1):
		return fmt.Errorf("target max ASA %v seconds: must be a finite number ≥ 0", t.MaxASA)
	case !(t.MaxAbandonRate >= 0 && t.MaxAbandonRate < 1):
		return fmt.Errorf("target max abandon rate %v: must be at least 0 and below 1", t.MaxAbandonRate)
	}
	return nil
}

// StaffC returns the minimum number of agents meeting target under Erlang C,
// with the figures at that headcount.
func StaffC(lambda, aht float64, target Target) (Result, error) {
	if err := target.check(); err != nil {
		return Result{}, fmt.Errorf("erlang C staffing: %w", err)
	}
	if err := checkInputs(lambda, aht, 1, target.Within); err != nil {
		return Result{}, fmt.Errorf("erlang C staffing: %w", err)
	}
	// Stability needs N > A.
	lo := max(1, int(math.Floor(lambda*aht))+1)
	r, err := staff(lambda*aht, lo, target, func(n int) (Result, error) { return C(lambda, aht, n, target.Within) })
	if err != nil {
		return r, fmt.Errorf("erlang C staffing: %w", err)
	}
	return r, nil
}

// StaffA returns the minimum number of agents meeting target under Erlang A
// (mean patience in seconds; 0 or +Inf means Erlang C), with the figures at
// that headcount.
func StaffA(lambda, aht, patience float64, target Target) (Result, error) {
	if patience == 0 || math.IsInf(patience, 1) {
		return StaffC(lambda, aht, target)
	}
	if err := target.check(); err != nil {
		return Result{}, fmt.Errorf("erlang A staffing: %w", err)
	}
	if _, err := A(lambda, aht, patience, 1, target.Within); err != nil {
		return Result{}, fmt.Errorf("erlang A staffing: %w", err)
	}
	r, err := staff(lambda*aht, 1, target, func(n int) (Result, error) { return A(lambda, aht, patience, n, target.Within) })
	if err != nil {
		return r, fmt.Errorf("erlang A staffing: %w", err)
	}
	return r, nil
}

// staff finds the least n ≥ lo with target met, assuming the figures improve
// with n. It starts near the square-root staffing guess, gallops to bracket
// the answer, bisects, and returns the figures at the answer (n-1 fails, by
// construction, or n == lo).
func staff(load float64, lo int, target Target, eval func(int) (Result, error)) (Result, error) {
	limit := int(math.Ceil(load+60*math.Sqrt(load))) + 200
	meets := func(n int) (bool, Result, error) {
		r, err := eval(n)
		if errors.Is(err, ErrUnstable) {
			return false, r, nil
		}
		if err != nil {
			return false, r, err
		}
		return target.Met(r), r, nil
	}
	guess := max(lo, int(math.Ceil(load+0.5*math.Sqrt(load))))
	ok, best, err := meets(guess)
	if err != nil {
		return best, err
	}
	// Invariant: fail < answer ≤ pass; fail = lo-1 means "nothing below".
	fail, pass := lo-1, guess
	if ok {
		step := 1
		for {
			n := guess - step
			if n < lo {
				break
			}
			ok, r, err := meets(n)
			if err != nil {
				return r, err
			}
			if !ok {
				fail = n
				break
			}
			pass, best = n, r
			step *= 2
		}
	} else {
		fail = guess
		step := 1
		for {
			n := guess + step
			if n > limit {
				n = limit
			}
			ok, r, err := meets(n)
			if err != nil {
				return r, err
			}
			if ok {
				pass, best = n, r
				break
			}
			if n == limit {
				return r, fmt.Errorf("no headcount up to %d agents meets the target: %w", limit, ErrUnreachable)
			}
			fail = n
			step *= 2
		}
	}
	for pass-fail > 1 {
		mid := fail + (pass-fail)/2
		ok, r, err := meets(mid)
		if err != nil {
			return r, err
		}
		if ok {
			pass, best = mid, r
		} else {
			fail = mid
		}
	}
	return best, nil
}
