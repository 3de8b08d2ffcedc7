package judge

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Outcome is a verdict.
type Outcome string

// The three verdicts.
const (
	Pass         Outcome = "PASS"
	Fail         Outcome = "FAIL"
	Inconclusive Outcome = "INCONCLUSIVE"
)

// Worst combines verdicts: FAIL if any fails, else INCONCLUSIVE if any is,
// else PASS (also for none).
func Worst(os ...Outcome) Outcome {
	out := Pass
	for _, o := range os {
		switch {
		case o == Fail:
			return Fail
		case o == Inconclusive:
			out = Inconclusive
		}
	}
	return out
}

// DefaultConfidence is the confidence of every bound unless set.
const DefaultConfidence = 0.95

// Batching bounds: at least MinCallsForBatches calls are cut into batches
// of at least MinBatchSize calls; 20 batches from 100 calls on, 10 below.
const (
	MaxBatches         = 20
	MinBatches         = 10
	MinBatchSize       = 5
	MinCallsForBatches = MinBatches * MinBatchSize
)

// maxCalls bounds the search for the calls needed to decide.
const maxCalls = 1e9

// Batches is the batch-means estimate of the variance inflation of a mean
// over a sequence in time order (see the package documentation).
type Batches struct {
	// Count and Size: the batches and calls per batch (0: too few calls to
	// batch; VIF is then 1).
	Count int `json:"batches"`
	Size  int `json:"batch_size"`
	// VIF is the variance inflation: the variance of the mean from the
	// batch means over its i.i.d. value, at least 1.
	VIF float64 `json:"variance_inflation"`
	// Measured is VIF as measured, before it is floored at 1 (0 when not
	// measured).
	Measured float64 `json:"variance_inflation_measured"`
}

// BatchMeans estimates the variance inflation of the mean of xs (in time
// order).
func BatchMeans(xs []float64) Batches {
	n := len(xs)
	b := MaxBatches
	if n < MaxBatches*MinBatchSize {
		b = MinBatches
	}
	if n < MinCallsForBatches {
		return Batches{VIF: 1}
	}
	m := n / b
	xs = xs[n-b*m:] // the earliest calls are left out
	out := Batches{Count: b, Size: m, VIF: 1}
	_, v := meanVar(xs)
	if v == 0 {
		return out
	}
	means := make([]float64, b)
	for i := range b {
		s := 0.0
		for _, x := range xs[i*m : (i+1)*m] {
			s += x
		}
		means[i] = s / float64(m)
	}
	_, vb := meanVar(means)
	out.Measured = float64(m) * vb / v
	out.VIF = math.Max(1, out.Measured)
	return out
}

func meanVar(xs []float64) (mean, variance float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}

// Bounds returns the one-sided exact binomial (Clopper-Pearson) bounds,
// each at confidence c, of a share from x successes of n trials; x and n
// may be fractional (an effective sample size).
func Bounds(x, n, c float64) (lower, upper float64) {
	if !(n > 0) {
		return 0, 1
	}
	x = math.Min(math.Max(x, 0), n)
	lower, upper = 0, 1
	if x > 0 {
		lower = distuv.Beta{Alpha: x, Beta: n - x + 1}.Quantile(1 - c)
	}
	if x < n {
		upper = distuv.Beta{Alpha: x + 1, Beta: n - x}.Quantile(c)
	}
	return lower, upper
}

// Proportion is the verdict on a claimed share.
type Proportion struct {
	Claimed    float64 `json:"claimed_share"`
	Calls      int     `json:"calls"`
	Successes  int     `json:"successes"`
	Share      float64 `json:"share"`
	Confidence float64 `json:"confidence"`
	Batches
	EffectiveCalls float64 `json:"effective_calls"`
	// Lower and Upper are the one-sided bounds, each at Confidence.
	Lower   float64 `json:"lower_bound"`
	Upper   float64 `json:"upper_bound"`
	Outcome Outcome `json:"outcome"`
	// CallsNeeded (INCONCLUSIVE only) is the number of calls in all that
	// would decide at the same share and inflation; -1: none would (the
	// share measured is the claim), 0: decided.
	CallsNeeded int `json:"calls_needed"`
}

// JudgeProportion judges "the share of successes is at least claimed"
// from the calls' outcomes in time order, at confidence c.
func JudgeProportion(ok []bool, claimed, c float64) Proportion {
	xs := make([]float64, len(ok))
	succ := 0
	for i, v := range ok {
		if v {
			xs[i] = 1
			succ++
		}
	}
	p := Proportion{Claimed: claimed, Calls: len(ok), Successes: succ, Confidence: c, Batches: BatchMeans(xs), Lower: 0, Upper: 1}
	if len(ok) == 0 {
		p.Outcome, p.CallsNeeded = Inconclusive, -1
		return p
	}
	p.Share = float64(succ) / float64(len(ok))
	p.EffectiveCalls = float64(len(ok)) / p.VIF
	p.Lower, p.Upper = Bounds(p.Share*p.EffectiveCalls, p.EffectiveCalls, c)
	p.Outcome = decide(p.Lower, p.Upper, claimed)
	if p.Outcome == Inconclusive {
		p.CallsNeeded = callsNeeded(p.Share, p.VIF, claimed, c, len(ok))
	}
	return p
}

func decide(lower, upper, claimed float64) Outcome {
	switch {
	case lower >= claimed:
		return Pass
	case upper < claimed:
		return Fail
	}
	return Inconclusive
}

// callsNeeded is the smallest number of calls, from n on, whose bounds at
// share p and inflation vif decide against claimed; -1 if none up to
// maxCalls does.
func callsNeeded(p, vif, claimed, c float64, n int) int {
	decides := func(N float64) bool {
		ne := N / vif
		lo, hi := Bounds(p*ne, ne, c)
		return decide(lo, hi, claimed) != Inconclusive
	}
	if p == claimed || !decides(maxCalls) {
		return -1
	}
	lo, hi := float64(n), math.Max(float64(n)*2, 16)
	for !decides(hi) {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := math.Floor((lo + hi) / 2)
		if decides(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return int(hi)
}

// Quantile is the verdict on a claimed percentile: "a share P of the
// values is at most Within".
type Quantile struct {
	Percentile float64 `json:"percentile"`
	// Within is the claimed bound, in the unit of the values (Unit).
	Within float64 `json:"within"`
	Unit   string  `json:"unit"`
	Calls  int     `json:"calls"`
	// Measured is the sample percentile (nearest rank).
	Measured float64 `json:"measured"`
	// Lower and Upper are the order-statistic bounds of the percentile,
	// each one-sided at Confidence (LowerRank and UpperRank their ranks,
	// from 1; 0: no such bound, the value is then -1).
	Lower     float64 `json:"lower_bound"`
	LowerRank int     `json:"lower_rank"`
	Upper     float64 `json:"upper_bound"`
	UpperRank int     `json:"upper_rank"`
	// Share is the verdict on the share of values within the claim, which
	// decides (see the package documentation).
	Share   Proportion `json:"share_within"`
	Outcome Outcome    `json:"outcome"`
}

// JudgeQuantile judges "a share p of xs (in time order) is at most
// within" at confidence c; unit names the values' unit.
func JudgeQuantile(xs []float64, p, within float64, unit string, c float64) Quantile {
	ok := make([]bool, len(xs))
	for i, x := range xs {
		ok[i] = x <= within
	}
	q := Quantile{Percentile: p, Within: within, Unit: unit, Calls: len(xs), Lower: -1, Upper: -1, Measured: -1}
	q.Share = JudgeProportion(ok, p, c)
	q.Outcome = q.Share.Outcome
	n := len(xs)
	if n == 0 {
		return q
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	q.Measured = sorted[max(0, int(math.Ceil(p*float64(n)))-1)]
	ne := q.Share.EffectiveCalls
	lowerAt := func(k int) float64 { lo, _ := Bounds(float64(k)/float64(n)*ne, ne, c); return lo }
	upperAt := func(k int) float64 { _, hi := Bounds(float64(k)/float64(n)*ne, ne, c); return hi }
	// Upper bound: the smallest k with lowerAt(k) >= p (increasing in k).
	if k := sort.Search(n+1, func(k int) bool { return lowerAt(k) >= p }); k >= 1 && k <= n {
		q.UpperRank, q.Upper = k, sorted[k-1]
	}
	// Lower bound: the largest j with upperAt(j-1) < p (upperAt increasing).
	if j := sort.Search(n+1, func(k int) bool { return upperAt(k) >= p }); j >= 1 {
		q.LowerRank, q.Lower = j, sorted[j-1]
	}
	return q
}

// Method describes the statistics of a proportion verdict, for reports.
func (p Proportion) Method() string {
	var infl string
	switch {
	case p.Count == 0:
		infl = fmt.Sprintf("autocorrelation not measured (fewer than %d calls): the calls are taken as independent", MinCallsForBatches)
	case p.Measured == 0:
		infl = fmt.Sprintf("batch means over %d batches of %d calls (no variance to measure: every call alike; inflation 1)", p.Count, p.Size)
	default:
		infl = fmt.Sprintf("batch means over %d batches of %d calls: variance inflation %.2f (measured %.2f), %.1f effective calls",
			p.Count, p.Size, p.VIF, p.Measured, p.EffectiveCalls)
	}
	return fmt.Sprintf("one-sided exact binomial (Clopper-Pearson) bounds at %s%% confidence on the effective sample size; %s",
		trim(p.Confidence*100), infl)
}

func trim(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s[:len(s)-boolInt(s[len(s)-1] == '.')]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
