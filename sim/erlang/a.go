package erlang

import (
	"fmt"
	"math"
)

// maxQueueStates bounds the truncated queue of the Erlang A chain (memory and
// time); it is only reached with extreme overload and very long patience.
const maxQueueStates = 20_000_000

// A returns the Erlang A (M/M/N+M) figures: Poisson arrivals at rate lambda
// per second, exponential handle times with mean aht seconds, n agents, and
// callers who abandon after an exponential patience with mean patience
// seconds. The service level counts calls answered within within seconds over
// all offered calls. Erlang A is stable at any load.
//
// A patience of 0 or +Inf means callers never abandon: A then returns [C]'s
// figures (and its [ErrUnstable] when lambda·aht ≥ n).
func A(lambda, aht, patience float64, n int, within float64) (Result, error) {
	if patience == 0 || math.IsInf(patience, 1) {
		return C(lambda, aht, n, within)
	}
	if err := checkInputs(lambda, aht, n, within); err != nil {
		return Result{}, fmt.Errorf("erlang A: %w", err)
	}
	if !(patience > 0) {
		return Result{}, fmt.Errorf("erlang A: mean patience %v seconds: must be > 0 (or 0/+Inf for no abandonment)", patience)
	}
	a := lambda * aht
	r := Result{Model: ModelA, Agents: n, ArrivalRate: lambda, AHT: aht, Patience: patience, OfferedLoad: a, Within: within}
	if a == 0 {
		r.ServiceLevel = 1
		return r, nil
	}
	q, err := newQueueDist(lambda, aht, patience, n)
	if err != nil {
		return r, fmt.Errorf("erlang A: %w", err)
	}
	theta := 1 / patience
	nmu := float64(n) / aht

	// Per arrival finding j callers queued ahead (probability q.pi[j] by
	// PASTA): P(served | j) = Nμ/(Nμ+(j+1)θ); E[wait·1{served} | j] =
	// P(served | j)·Σ_{i=1..j+1} 1/(Nμ+iθ).
	var pWait, eq, served, waitServed float64
	h := 0.0
	ps := q.served // reused: P(served | j)·π_{N+j}
	for j, p := range q.pi {
		fj := float64(j)
		s := nmu / (nmu + (fj+1)*theta)
		h += 1 / (nmu + (fj+1)*theta)
		pWait += p
		eq += fj * p
		served += p * s
		waitServed += p * s * h
		ps[j] = p * s
	}
	pServed := q.noWait + served
	r.PWait = math.Min(1, pWait)
	r.MeanQueueLength = eq
	r.MeanWait = eq / lambda
	r.AbandonRate = theta * eq / lambda
	if pServed > 0 {
		r.ASA = waitServed / pServed
	}
	r.Occupancy = math.Min(1, a*pServed/float64(n))
	if pWait > 0 {
		r.AbandonGivenWait = math.Min(1, r.AbandonRate/pWait)
	}
	r.ServiceLevel = q.noWait
	if within > 0 && served > 0 {
		r.ServiceLevel += served * hypoMixCDF(ps, served, nmu, theta, within)
	}
	r.ServiceLevel = math.Min(1, r.ServiceLevel)
	return r, nil
}

// queueDist is the stationary distribution of M/M/N+M as seen by arrivals.
type queueDist struct {
	noWait float64   // P(fewer than N in system)
	pi     []float64 // pi[j] = P(N+j in system), j = 0..J
	served []float64 // scratch of the same length
}

// newQueueDist computes the distribution relative to the most likely queue
// length p, so that no weight over- or underflows and no large logarithm is
// rounded: with w_N = 1, Σ_{k<N} w_k = (N/A)/B(N-1, A) (Erlang B) and
// w_{N+j} = Π_{i=1..j} r_i with r_i = λ/(Nμ+iθ). The ratios fall with i, so
// the queue weights rise up to p (the last i with r_i > 1) and then fall
// faster than geometrically; the queue is cut where the remaining tail,
// weighted by j for E[Q], is below 1e-17 of the largest weight.
func newQueueDist(lambda, aht, patience float64, n int) (queueDist, error) {
	a := lambda * aht
	theta := 1 / patience
	nmu := float64(n) / aht
	ratio := func(i int) float64 { return lambda / (nmu + float64(i)*theta) }

	p := 0
	if lambda > nmu+theta {
		p = int(math.Floor((lambda - nmu) / theta))
		for p > 0 && ratio(p) <= 1 {
			p--
		}
		for ratio(p+1) > 1 {
			p++
		}
	}
	if p >= maxQueueStates {
		return queueDist{}, errTooLong(a, n, patience)
	}
	// log w_N relative to w_{N+p}; only needs to be precise when it is
	// small, and then it is a short sum.
	l0 := 0.0
	for i := 1; i <= p; i++ {
		l0 -= math.Log(ratio(i))
	}
	lBelow := l0 + math.Log(float64(n)/a) - erlangB(a, n-1).logB // log Σ_{k<N} w_k
	lmax := math.Max(0, lBelow)

	w := make([]float64, p+1, p+64)
	w[p] = 1
	for j := p; j > 0; j-- {
		w[j-1] = w[j] / ratio(j)
	}
	for j := p + 1; ; j++ {
		r := ratio(j)
		last := w[j-1]
		jf := float64(j)
		// relative to the queue's own peak, so that P(wait) keeps full
		// relative precision even when it is tiny
		if last == 0 || math.Log(last)+math.Log(jf*r/(1-r)+r/((1-r)*(1-r))) < -39 { // e^-39 ≈ 1.2e-17
			break
		}
		w = append(w, last*r)
		if len(w) > maxQueueStates {
			return queueDist{}, errTooLong(a, n, patience)
		}
	}
	// log Z = log(Σ_{k<N} w_k + Σ_j w_{N+j}), in peak units.
	scale := math.Exp(-lmax)
	z := math.Exp(lBelow - lmax)
	for _, x := range w {
		z += x * scale
	}
	logZ := lmax + math.Log(z)
	inv := math.Exp(-logZ) // underflows only when every π_{N+j} does
	for j := range w {
		w[j] *= inv
	}
	return queueDist{noWait: math.Exp(lBelow - logZ), pi: w, served: make([]float64, len(w))}, nil
}

func errTooLong(a float64, n int, patience float64) error {
	return fmt.Errorf("queue would need more than %d states (offered load %.4g erlangs to %d agents with mean patience %.4gs): %w",
		maxQueueStates, a, n, patience, ErrUnreachable)
}
