package capacity

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Verdict says whether a step's calls show a threshold to hold.
type Verdict string

// Verdicts.
const (
	// Pass: the threshold holds at the confidence level (the whole
	// confidence interval is on the passing side).
	Pass Verdict = "pass"
	// Fail: it fails at the confidence level (the whole interval on the
	// failing side), or the step collapsed.
	Fail Verdict = "fail"
	// Inconclusive: the interval straddles the limit; more calls could
	// tell.
	Inconclusive Verdict = "inconclusive"
)

// Basis is how a threshold is judged statistically.
type Basis string

// Bases.
const (
	// Proportion: the threshold speaks of a share of calls: a ratio
	// (ser>=99.9: the share answered 200), or a percentile, read as the
	// share of calls under the limit (srd_p99<250ms holds when at least 99%
	// of the calls had an SRD under 250 ms; mos_p5>=4 when at most 5% had a
	// MOS under 4). Judged with the exact (Clopper-Pearson) bounds of that
	// share, one-sided, at the confidence level.
	Proportion Basis = "proportion"
	// Mean: a mean delay or MOS, judged with a normal interval (mean ±
	// z x standard deviation / sqrt(n)).
	Mean Basis = "mean"
	// Exact: a count or an extreme over the step's calls (failed==0,
	// srd_max<1s, dropped, achieved_cps): no sampling model; it holds or
	// not as measured, on a step that has its minimum of calls.
	Exact Basis = "exact"
)

// Evidence is what a step measured for one threshold.
type Evidence struct {
	Expr string `json:"expression"`
	// Metric and Bound are the threshold's metric and limit, in Unit (for
	// charts).
	Metric string  `json:"metric,omitempty"`
	Bound  float64 `json:"bound,omitempty"`
	Unit   string  `json:"unit,omitempty"`
	// Value is the threshold's metric over the step's calls, as `callsim
	// load` computes it (NaN: not measured); Holds says whether that value
	// meets the limit.
	Value float64 `json:"-"`
	Holds bool    `json:"-"`
	Basis Basis   `json:"basis"`
	// Proportion: K of N calls are on the counted side; the threshold holds
	// when K/N >= Share (AtLeast) or K/N <= Share.
	K       uint64  `json:"k,omitempty"`
	N       uint64  `json:"n,omitempty"`
	Share   float64 `json:"share,omitempty"`
	AtLeast bool    `json:"at_least,omitempty"`
	// Mean: the sample mean and standard deviation of N values, against
	// Limit; Below says the threshold wants the mean below (< or <=).
	SD    float64 `json:"sd,omitempty"`
	Limit float64 `json:"limit,omitempty"`
	Below bool    `json:"below,omitempty"`
}

// Judgement is a threshold judged on a step.
type Judgement struct {
	Evidence
	Verdict Verdict `json:"verdict"`
	// Low and High bound the judged quantity at the confidence level: the
	// share K/N (Proportion) or the mean (Mean); zero for Exact.
	Low, High float64 `json:"-"`
}

// z is the one-sided normal quantile of confidence c.
func z(c float64) float64 { return distuv.UnitNormal.Quantile(c) }

// ShareBounds returns the one-sided Clopper-Pearson bounds of a share of k
// in n at confidence c: P(share >= low) >= c and P(share <= high) >= c.
func ShareBounds(k, n uint64, c float64) (low, high float64) {
	if n == 0 {
		return 0, 1
	}
	low, high = 0, 1
	if k > 0 {
		low = distuv.Beta{Alpha: float64(k), Beta: float64(n-k) + 1}.Quantile(1 - c)
	}
	if k < n {
		high = distuv.Beta{Alpha: float64(k) + 1, Beta: float64(n - k)}.Quantile(c)
	}
	return low, high
}

// Judge judges one threshold's evidence at confidence c (e.g. 0.95).
func Judge(e Evidence, c float64) Judgement {
	j := Judgement{Evidence: e, Verdict: Inconclusive}
	if math.IsNaN(e.Value) {
		j.Verdict = Fail // a media threshold on calls without media: as load judges it
		return j
	}
	switch e.Basis {
	case Proportion:
		j.Low, j.High = ShareBounds(e.K, e.N, c)
		switch {
		case e.N == 0:
		case e.AtLeast && j.Low >= e.Share, !e.AtLeast && j.High <= e.Share:
			j.Verdict = Pass
		case e.AtLeast && j.High < e.Share, !e.AtLeast && j.Low > e.Share:
			j.Verdict = Fail
		}
	case Mean:
		if e.N < 2 {
			break
		}
		h := z(c) * e.SD / math.Sqrt(float64(e.N))
		j.Low, j.High = e.Value-h, e.Value+h
		switch {
		case e.Below && j.High < e.Limit, !e.Below && j.Low > e.Limit:
			j.Verdict = Pass
		case e.Below && j.Low >= e.Limit, !e.Below && j.High <= e.Limit:
			j.Verdict = Fail
		}
	default:
		j.Verdict = Fail
		if e.Holds {
			j.Verdict = Pass
		}
	}
	return j
}

// CallsToShow is the fewest calls with none on the wrong side that can show
// a proportion threshold to hold at confidence c: the smallest n with
// ShareBounds(n, n, c) >= share (for share 0.99 at 95%, 299: the "rule of
// three", 3/n). For thresholds wanting a share at most s, the same with
// 1 - s. 0 for the other bases.
func CallsToShow(e Evidence, c float64) uint64 {
	if e.Basis != Proportion {
		return 0
	}
	s := e.Share
	if !e.AtLeast {
		s = 1 - e.Share
	}
	if s <= 0 {
		return 1
	}
	if s >= 1 {
		return math.MaxUint64 // no finite number of calls shows a share of 100%
	}
	// (1-c)^(1/n) >= s  <=>  n >= ln(1-c)/ln(s)
	return uint64(math.Ceil(math.Log(1-c)/math.Log(s) - 1e-9))
}

// Describe says in words what the judgement rests on.
func (j Judgement) Describe(c float64) string {
	switch j.Basis {
	case Proportion:
		cmp := ">="
		if !j.AtLeast {
			cmp = "<="
		}
		return fmt.Sprintf("%d of %d calls; share %.4g%%, %g%% bounds %.4g%%-%.4g%% (wanted %s %.4g%%)",
			j.K, j.N, 100*ratio(j.K, j.N), 100*c, 100*j.Low, 100*j.High, cmp, 100*j.Share)
	case Mean:
		return fmt.Sprintf("mean of %d calls, %g%% bounds %.4g-%.4g", j.N, 100*c, j.Low, j.High)
	}
	return "exact over the step's calls"
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
