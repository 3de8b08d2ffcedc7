package erlang

import (
	"math"
	"math/big"
	"testing"
)

// Independent reference computations for the tests: direct sums of the
// textbook formulas in 200-bit arithmetic, and the waiting-time density of
// M/M/N+M integrated by Gauss–Legendre quadrature. None of this shares code
// with the package.

const prec = 200

func bf(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }

func bfInt(n int) *big.Float { return new(big.Float).SetPrec(prec).SetInt64(int64(n)) }

func f64(x *big.Float) float64 { v, _ := x.Float64(); return v }

// bigLog returns log x for x > 0 (float64 precision, no overflow).
func bigLog(x *big.Float) float64 {
	mant := new(big.Float)
	exp := x.MantExp(mant)
	return math.Log(f64(mant)) + float64(exp)*math.Ln2
}

// refB is A^N/N! / Σ_{k≤N} A^k/k!.
func refB(a float64, n int) float64 {
	term, sum := bf(1), bf(1)
	A := bf(a)
	for k := 1; k <= n; k++ {
		term.Mul(term, A)
		term.Quo(term, bfInt(k))
		sum.Add(sum, term)
	}
	return f64(new(big.Float).Quo(term, sum))
}

type refCResult struct {
	pWait, noWait, asa, lq float64
}

// refC is Erlang C from C = c/(s+c), s = Σ_{k<N} A^k/k!, c = A^N/N!·N/(N-A).
func refC(lambda, aht float64, n int) refCResult {
	A := new(big.Float).SetPrec(prec).Mul(bf(lambda), bf(aht))
	term, s := bf(1), bf(0)
	for k := 0; k < n; k++ {
		if k > 0 {
			term.Mul(term, A)
			term.Quo(term, bfInt(k))
		}
		s.Add(s, term)
	}
	term.Mul(term, A)
	term.Quo(term, bfInt(n)) // A^N/N!
	nMinusA := new(big.Float).Sub(bfInt(n), A)
	c := new(big.Float).Mul(term, bfInt(n))
	c.Quo(c, nMinusA)
	tot := new(big.Float).Add(s, c)
	pw := new(big.Float).Quo(c, tot)
	// ASA = C/(Nμ-λ) = C·aht/(N-A); Lq = C·A/(N-A)
	asa := new(big.Float).Mul(pw, bf(aht))
	asa.Quo(asa, nMinusA)
	lq := new(big.Float).Mul(pw, A)
	lq.Quo(lq, nMinusA)
	return refCResult{pWait: f64(pw), noWait: f64(new(big.Float).Quo(s, tot)), asa: f64(asa), lq: f64(lq)}
}

type refAResult struct {
	pWait, noWait, eq, pAb, pServed, servedWait float64
	logPiN                                      float64
}

// refADist sums the birth-death chain of M/M/N+M directly:
// π_k ∝ A^k/k! (k ≤ N), π_{N+j} = π_N Π_{i=1..j} λ/(Nμ+iθ); the queue sum stops
// once j·term falls below 2^-120 of the queue mass and terms keep falling.
func refADist(lambda, aht, patience float64, n int) refAResult {
	A := new(big.Float).SetPrec(prec).Mul(bf(lambda), bf(aht))
	L := bf(lambda)
	nmu := new(big.Float).Quo(bfInt(n), bf(aht))
	theta := new(big.Float).Quo(bf(1), bf(patience))
	term, below := bf(1), bf(0)
	for k := 0; k < n; k++ {
		if k > 0 {
			term.Mul(term, A)
			term.Quo(term, bfInt(k))
		}
		below.Add(below, term)
	}
	term.Mul(term, A)
	term.Quo(term, bfInt(n))
	piN := new(big.Float).Copy(term)
	queue, eq, served := bf(0), bf(0), bf(0)
	tiny := new(big.Float).SetMantExp(bf(1), -120)
	for j := 0; ; j++ {
		if j > 0 {
			rate := new(big.Float).Mul(theta, bfInt(j))
			rate.Add(rate, nmu)
			term.Mul(term, L)
			term.Quo(term, rate)
		}
		queue.Add(queue, term)
		eq.Add(eq, new(big.Float).Mul(term, bfInt(j)))
		// P(served | j) = Nμ/(Nμ+(j+1)θ)
		den := new(big.Float).Mul(theta, bfInt(j+1))
		den.Add(den, nmu)
		served.Add(served, new(big.Float).Quo(new(big.Float).Mul(term, nmu), den))
		// relative to the queue mass itself, so tiny P(wait) is exact too
		lim := new(big.Float).Mul(queue, tiny)
		next := new(big.Float).Mul(theta, bfInt(j+1))
		next.Add(next, nmu)
		if new(big.Float).Mul(term, bfInt(j+1)).Cmp(lim) < 0 && L.Cmp(next) < 0 && j > 0 {
			break
		}
	}
	total := new(big.Float).Add(below, queue)
	q := func(x *big.Float) float64 { return f64(new(big.Float).Quo(x, total)) }
	r := refAResult{pWait: q(queue), noWait: q(below), eq: q(eq)}
	r.pAb = r.eq / (lambda * patience)
	r.servedWait = q(served)
	r.pServed = r.noWait + r.servedWait
	r.logPiN = bigLog(piN) - bigLog(total)
	return r
}

// waitDensity returns log of f(x) = f_V(x)·e^{-θx}, where
// f_V(x) = Nμ·π_N·exp(λ(1-e^{-θx})/θ - Nμx) is the density of the offered
// wait V on (0, ∞) in M/M/N+M (Baccelli–Hebuterne), and e^{-θx} = P(patience > x).
// So ∫_0^t f = P(answered after a wait ≤ t).
func waitDensity(lambda, aht, patience float64, n int, logPiN float64) func(float64) float64 {
	nmu := float64(n) / aht
	theta := 1 / patience
	return func(x float64) float64 {
		return math.Log(nmu) + logPiN + lambda/theta*(-math.Expm1(-theta*x)) - nmu*x - theta*x
	}
}

// gauss-Legendre nodes and weights on [-1, 1].
func gaussLegendre(m int) (x, w []float64) {
	x, w = make([]float64, m), make([]float64, m)
	for i := 0; i < m; i++ {
		z := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(m) + 0.5))
		var dp float64
		for it := 0; it < 100; it++ {
			p0, p1 := 1.0, z
			for k := 2; k <= m; k++ {
				p0, p1 = p1, ((2*float64(k)-1)*z*p1-float64(k-1)*p0)/float64(k)
			}
			dp = float64(m) * (z*p1 - p0) / (z*z - 1)
			dz := p1 / dp
			z -= dz
			if math.Abs(dz) < 1e-16 {
				break
			}
		}
		p0, p1 := 1.0, z
		for k := 2; k <= m; k++ {
			p0, p1 = p1, ((2*float64(k)-1)*z*p1-float64(k-1)*p0)/float64(k)
		}
		dp = float64(m) * (z*p1 - p0) / (z*z - 1)
		x[i], w[i] = z, 2/((1-z*z)*dp*dp)
	}
	return x, w
}

var glX, glW = gaussLegendre(20)

// integrate returns ∫_a^b g(x)·exp(h(x)) dx by composite 20-point Gauss–Legendre.
func integrate(h func(float64) float64, g func(float64) float64, a, b float64, panels int) float64 {
	if b <= a {
		return 0
	}
	sum := 0.0
	width := (b - a) / float64(panels)
	for p := 0; p < panels; p++ {
		lo := a + float64(p)*width
		mid, half := lo+width/2, width/2
		for i, xi := range glX {
			x := mid + half*xi
			sum += glW[i] * half * g(x) * math.Exp(h(x))
		}
	}
	return sum
}

// upperLimit returns U beyond which exp(h) is below e^-60 of its maximum; h
// is concave with its maximum at peak.
func upperLimit(h func(float64) float64, peak, scale float64) float64 {
	top := h(peak)
	step := scale
	for h(peak+step) > top-60 {
		step *= 2
	}
	return peak + step
}

type refAFull struct {
	refAResult
	sl, asa, servedAfterWait float64
}

// refA is the reference Erlang A: the distribution from refADist, the service
// level and ASA from the waiting-time density.
func refA(t *testing.T, lambda, aht, patience float64, n int, within float64) refAFull {
	t.Helper()
	d := refADist(lambda, aht, patience, n)
	h := waitDensity(lambda, aht, patience, n, d.logPiN)
	nmu, theta := float64(n)/aht, 1/patience
	peak := 0.0
	if lambda > nmu+theta {
		peak = math.Log(lambda/(nmu+theta)) / theta
	}
	scale := 1 / (nmu + theta)
	if lambda*theta > 0 {
		scale = math.Min(scale, 1/math.Sqrt(lambda*theta))
	}
	u := upperLimit(h, peak, scale)
	one := func(float64) float64 { return 1 }
	id := func(x float64) float64 { return x }
	const panels = 3000
	r := refAFull{refAResult: d}
	r.servedAfterWait = integrate(h, one, 0, u, panels)
	r.sl = d.noWait + integrate(h, one, 0, math.Min(within, u), panels)
	r.asa = integrate(h, id, 0, u, panels) / d.pServed
	return r
}
