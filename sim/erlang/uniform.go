package erlang

import "math"

// uniformTol bounds each truncation (Poisson tails, dropped states) in the
// uniformization; the total error stays well below 1e-12.
const uniformTol = 1e-15

// hypoMixCDF returns Σ_j w[j]·P(S_{j+1} ≤ t) / total, where S_m is the sum of
// independent exponential stages with rates Nμ+θ, Nμ+2θ, ..., Nμ+mθ and
// total = Σ w. It uniformizes the pure-death chain on stages left (state m
// leaves at rate q_m = Nμ+mθ to m-1, absorbing at 0): with rate Λ ≥ q_m for
// every live state, P(absorbed by t) = Σ_k Poisson(k; Λt)·a_k, where a_k is
// the mass absorbed after k jumps of the embedded chain.
func hypoMixCDF(w []float64, total, nmu, theta, t float64) float64 {
	if t <= 0 || total <= 0 {
		return 0
	}
	rate := func(m int) float64 { return nmu + float64(m)*theta }

	// Support of the initial distribution: states m = j+1 from the first
	// nonzero weight (low states finish first, so even tiny ones count when
	// the service level itself is tiny) up to the last weight above 1e-20
	// of the largest.
	lo, hi := 0, len(w)
	wmax := 0.0
	for _, x := range w {
		wmax = math.Max(wmax, x)
	}
	cut := wmax * 1e-20
	for lo < hi && w[lo] == 0 {
		lo++
	}
	for hi > lo && w[hi-1] <= cut {
		hi--
	}
	if lo == hi {
		return 0
	}
	mlo, mhi := lo+1, hi // states

	// Choose Λ and the number of jumps R. A state m > R cannot be absorbed
	// within R jumps, and P(S_m ≤ t) ≤ P(S_{R+1} ≤ t) ≤ P(Poisson(Λt) > R)
	// when Λ ≥ q_1..q_{R+1}; drop such states and shrink Λ until stable.
	lam := rate(mhi)
	pw := poissonWeights(lam * t)
	for pw.hi < mhi && pw.hi >= mlo {
		mhi = pw.hi
		lam = rate(mhi)
		pw = poissonWeights(lam * t)
	}
	if pw.hi < mlo {
		return 0 // every caller with weight needs more stages than can finish by t
	}
	if pw.hi < mhi {
		mhi = pw.hi
	}

	// v[m] for m in 0..mhi (index 0 unused); d[m] = q_m/Λ.
	v := make([]float64, mhi+1)
	d := make([]float64, mhi+2)
	for m := mlo; m <= mhi; m++ {
		v[m] = w[m-1] / total
	}
	for m := 1; m <= mhi+1; m++ {
		d[m] = rate(m) / lam
	}
	// suffix sums of the Poisson weights for early exit once all is absorbed
	suffix := make([]float64, len(pw.w)+1)
	for i := len(pw.w) - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + pw.w[i]
	}

	// The live window [bot, top] follows the mass down the chain: states
	// whose mass is below trimTol are zeroed (counted in dropped), and states
	// above R-k, which cannot be absorbed in the remaining jumps, leave it.
	const trimTol = 1e-30
	absorbed, dropped, acc := 0.0, 0.0, 0.0
	bot, top := mlo, mhi
	R := pw.hi
	for k := 0; k <= R; k++ {
		if k >= pw.lo {
			acc += pw.w[k-pw.lo] * absorbed
		}
		if k == R {
			break
		}
		for top > R-k && top >= bot {
			dropped += v[top]
			v[top] = 0
			top--
		}
		for top >= bot && v[top] < trimTol {
			dropped += v[top]
			v[top] = 0
			top--
		}
		for bot <= top && v[bot] < trimTol {
			dropped += v[bot]
			v[bot] = 0
			bot++
		}
		if absorbed+dropped >= 1-uniformTol || bot > top {
			// a_k' lies in [absorbed, absorbed+live mass] for every later k'.
			acc += absorbed * suffix[max(k+1-pw.lo, 0)]
			break
		}
		if bot == 1 {
			absorbed += v[1] * d[1]
		} else {
			bot-- // state bot-1 receives mass from bot
		}
		for m := bot; m < top; m++ {
			v[m] = v[m]*(1-d[m]) + v[m+1]*d[m+1]
		}
		v[top] *= 1 - d[top]
	}
	return math.Min(1, acc)
}

// poisson holds normalized Poisson(x) weights w[k-lo] for k in lo..hi, with
// the mass outside [lo, hi] below uniformTol on each side.
type poisson struct {
	lo, hi int
	w      []float64
}

// poissonWeights starts at the mode with weight 1, extends both ways with the
// ratios x/(k+1) and k/x until the geometric tail bound is below uniformTol
// of the sum, and normalizes (Fox–Glynn style; no factorials, no underflow).
func poissonWeights(x float64) poisson {
	if x <= 0 {
		return poisson{lo: 0, hi: 0, w: []float64{1}}
	}
	mode := int(math.Floor(x))
	right := []float64{1}
	sum := 1.0
	wk := 1.0
	for k := mode; ; k++ {
		r := x / float64(k+1)
		if r < 1 && wk*r/(1-r) < uniformTol*sum {
			break
		}
		wk *= r
		right = append(right, wk)
		sum += wk
	}
	var left []float64
	wk = 1.0
	for k := mode; k > 0; k-- {
		r := float64(k) / x
		if r < 1 && wk*r/(1-r) < uniformTol*sum {
			break
		}
		wk *= r
		left = append(left, wk)
		sum += wk
	}
	p := poisson{lo: mode - len(left), hi: mode + len(right) - 1, w: make([]float64, 0, len(left)+len(right))}
	for i := len(left) - 1; i >= 0; i-- {
		p.w = append(p.w, left[i]/sum)
	}
	for _, x := range right {
		p.w = append(p.w, x/sum)
	}
	return p
}
