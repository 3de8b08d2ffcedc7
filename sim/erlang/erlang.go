package erlang

import (
	"errors"
	"fmt"
	"math"
)

// Model names used in Result.Model.
const (
	ModelC = "erlang_c" // M/M/N, no abandonment
	ModelA = "erlang_a" // M/M/N+M, exponential patience
)

// ErrUnstable is returned by [C] when the offered load is at least the number
// of agents: without abandonment the queue grows without bound.
var ErrUnstable = errors.New("queue is unstable: offered load must be below the number of agents when callers never abandon")

// ErrUnreachable is returned by the staffing functions when no headcount up to
// a generous bound meets the target.
var ErrUnreachable = errors.New("target cannot be met")

// Result holds the steady-state figures of a queue with N agents. Rates and
// probabilities are fractions in [0, 1]; times are in seconds.
type Result struct {
	Model           string  `json:"model"`                      // ModelC or ModelA
	Agents          int     `json:"agents"`                     // N
	ArrivalRate     float64 `json:"arrival_rate_per_second"`    // λ
	AHT             float64 `json:"aht_seconds"`                // mean handle time 1/μ
	Patience        float64 `json:"patience_seconds,omitempty"` // mean patience 1/θ (Erlang A)
	OfferedLoad     float64 `json:"offered_load_erlangs"`       // A = λ·aht
	Within          float64 `json:"within_seconds"`             // service-level threshold t
	PWait           float64 `json:"p_wait"`                     // P(an arrival finds all agents busy)
	ServiceLevel    float64 `json:"service_level"`              // P(answered within t), over all offered calls
	ASA             float64 `json:"asa_seconds"`                // mean wait of answered calls, zeros included
	AbandonRate     float64 `json:"abandon_rate"`               // abandoned / offered
	Occupancy       float64 `json:"occupancy"`                  // busy time / staffed time
	MeanWait        float64 `json:"mean_wait_seconds"`          // mean wait of all callers
	MeanQueueLength float64 `json:"mean_queue_length"`          // mean number of callers waiting
	// AbandonGivenWait is P(abandon | had to wait) (Erlang A only).
	AbandonGivenWait float64 `json:"p_abandon_given_wait,omitempty"`
}

// B returns the Erlang B blocking probability: the share of calls that find
// all trunks busy when load erlangs are offered to trunks lines and blocked
// calls are lost.
func B(load float64, trunks int) (float64, error) {
	if err := checkLoad(load); err != nil {
		return 0, err
	}
	if trunks < 0 {
		return 0, fmt.Errorf("erlang B: trunks %d: must not be negative", trunks)
	}
	b := erlangB(load, trunks)
	return b.b(), nil
}

// LinesResult is the outcome of an Erlang B line-sizing computation.
type LinesResult struct {
	Trunks      int     `json:"trunks"`
	OfferedLoad float64 `json:"offered_load_erlangs"`
	Blocking    float64 `json:"blocking"`             // share of calls that find every trunk busy
	CarriedLoad float64 `json:"carried_load_erlangs"` // load·(1 - blocking)
}

// Lines returns the Erlang B figures for load erlangs offered to trunks lines.
func Lines(load float64, trunks int) (LinesResult, error) {
	b, err := B(load, trunks)
	if err != nil {
		return LinesResult{}, err
	}
	return LinesResult{Trunks: trunks, OfferedLoad: load, Blocking: b, CarriedLoad: load * (1 - b)}, nil
}

// StaffB returns the minimum number of trunks whose blocking probability is at
// most maxBlocking, with the figures at that size.
func StaffB(load, maxBlocking float64) (LinesResult, error) {
	if err := checkLoad(load); err != nil {
		return LinesResult{}, err
	}
	if !(maxBlocking > 0 && maxBlocking < 1) {
		return LinesResult{}, fmt.Errorf("erlang B: target blocking %v: must be between 0 and 1, exclusive", maxBlocking)
	}
	// B decreases in n; walk the recurrence until it is low enough.
	b := 1.0
	n := 0
	for b > maxBlocking {
		n++
		b = load * b / (float64(n) + load*b)
		if n > maxTrunks {
			return LinesResult{}, fmt.Errorf("erlang B: more than %d trunks needed: %w", maxTrunks, ErrUnreachable)
		}
	}
	return LinesResult{Trunks: n, OfferedLoad: load, Blocking: b, CarriedLoad: load * (1 - b)}, nil
}

const maxTrunks = 100_000_000

// bvalue is an Erlang B value kept precise at both ends: as B and 1-B while B
// is not tiny, and as log B once B would underflow.
type bvalue struct {
	val    float64 // B (0 when only logB is meaningful)
	oneM   float64 // 1 - B, computed without cancellation
	logB   float64 // log B, always set
	logged bool    // val underflowed; use logB
}

func (v bvalue) b() float64 {
	if v.logged {
		return math.Exp(v.logB)
	}
	return v.val
}

// erlangB runs the recurrence B(n) = A·B(n-1)/(n + A·B(n-1)), switching to
// the log-space recurrence 1/B(n) = 1 + (n/A)/B(n-1) when B becomes tiny.
func erlangB(a float64, n int) bvalue {
	if n == 0 {
		return bvalue{val: 1, oneM: 0, logB: 0}
	}
	if a == 0 {
		return bvalue{val: 0, oneM: 1, logB: math.Inf(-1)}
	}
	b, oneM := 1.0, 0.0
	k := 1
	for ; k <= n; k++ {
		ab := a * b
		d := float64(k) + ab
		b = ab / d
		oneM = float64(k) / d
		if b < 1e-250 {
			break
		}
	}
	if k >= n {
		return bvalue{val: b, oneM: oneM, logB: math.Log(b)}
	}
	// lr = log(1/B(k)); continue for k+1..n in log space.
	lr := -math.Log(b)
	la := math.Log(a)
	for k++; k <= n; k++ {
		x := math.Log(float64(k)) - la + lr // log((k/A)/B(k-1)) > 0 here
		lr = x + math.Log1p(math.Exp(-x))
	}
	return bvalue{val: 0, oneM: 1, logB: -lr, logged: true}
}

// C returns the Erlang C (M/M/N) figures for arrival rate lambda (calls per
// second), mean handle time aht (seconds), n agents and service-level
// threshold within (seconds). If lambda·aht ≥ n the queue is unstable and C
// returns an error wrapping [ErrUnstable], with only the inputs set in the
// Result.
func C(lambda, aht float64, n int, within float64) (Result, error) {
	if err := checkInputs(lambda, aht, n, within); err != nil {
		return Result{}, fmt.Errorf("erlang C: %w", err)
	}
	a := lambda * aht
	r := Result{Model: ModelC, Agents: n, ArrivalRate: lambda, AHT: aht, OfferedLoad: a, Within: within}
	nf := float64(n)
	if a >= nf {
		return r, fmt.Errorf("erlang C: %.6g erlangs offered to %d agents: %w", a, n, ErrUnstable)
	}
	if a == 0 {
		r.ServiceLevel = 1
		return r, nil
	}
	rho := a / nf
	bv := erlangB(a, n)
	var pw, noWait float64
	if bv.logged {
		// B is below 1e-250: 1 - ρ(1-B) = 1 - ρ to double precision.
		pw = math.Exp(bv.logB) / (1 - rho)
		noWait = 1
	} else {
		den := 1 - rho*bv.oneM
		pw = bv.val / den
		noWait = bv.oneM * (1 - rho) / den
	}
	gap := (nf - a) / aht // Nμ - λ, per second
	r.PWait = pw
	r.ServiceLevel = noWait + pw*(-math.Expm1(-gap*within))
	r.ASA = pw / gap
	r.MeanWait = r.ASA
	r.MeanQueueLength = lambda * r.ASA
	r.Occupancy = rho
	return r, nil
}

func checkLoad(load float64) error {
	if !(load >= 0) || math.IsInf(load, 1) {
		return fmt.Errorf("offered load %v erlangs: must be a finite number ≥ 0", load)
	}
	return nil
}

func checkInputs(lambda, aht float64, n int, within float64) error {
	switch {
	case !(lambda >= 0) || math.IsInf(lambda, 1):
		return fmt.Errorf("arrival rate %v per second: must be a finite number ≥ 0", lambda)
	case !(aht > 0) || math.IsInf(aht, 1):
		return fmt.Errorf("handle time %v seconds: must be a finite number > 0", aht)
	case n < 1:
		return fmt.Errorf("agents %d: must be at least 1", n)
	case !(within >= 0) || math.IsInf(within, 1):
		return fmt.Errorf("service-level threshold %v seconds: must be a finite number ≥ 0", within)
	}
	return nil
}
