package sim

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Margin says whether the cheapest option meeting every target (a variant
// of a comparison, a point of a sweep) is cheaper than each other option
// meeting them by more than the noise of the simulation: its monthly cost
// is compared with each rival's over the same replications (paired
// differences; common random numbers make them narrow), with a Bonferroni
// correction so that "cheaper than every rival" holds at 95% as a whole.
// When it does not, the options in Tied are tied with it within noise and
// no cheapest can honestly be named.
type Margin struct {
	// RunnerUp is the next cheapest option meeting every target.
	RunnerUp string `json:"runner_up"`
	// CostPerMonth is the runner-up's monthly cost minus the cheapest's,
	// and CostPerMonthCI95 the half-width of its confidence interval (95%,
	// Bonferroni-corrected over the Rivals).
	CostPerMonth     float64 `json:"cost_per_month"`
	CostPerMonthCI95 float64 `json:"cost_per_month_ci95"`
	// Paired: the differences are over paired observations (the same
	// number of replications or batches); otherwise two independent
	// samples (Welch).
	Paired bool `json:"paired"`
	// Rivals is the number of other options meeting every target.
	Rivals int `json:"rivals"`
	// Significant: every rival costs more than the cheapest by more than
	// its interval.
	Significant bool `json:"significant"`
	// Tied names the rivals whose difference is within its interval.
	Tied []string `json:"tied,omitempty"`
}

// CheapestMargin judges the margin of option best over the others in
// candidates (indexes into names and obs: the options meeting every
// target). obs[i] holds option i's monthly cost per observation
// (replication or batch). With no rival the margin is significant by
// default (there is nothing to be tied with); nil when best is not a
// candidate.
func CheapestMargin(names []string, obs [][]float64, candidates []int, best int) *Margin {
	found := false
	for _, c := range candidates {
		found = found || c == best
	}
	if !found {
		return nil
	}
	m := &Margin{Rivals: len(candidates) - 1, Significant: true, Paired: true}
	if m.Rivals == 0 {
		return m
	}
	level := 1 - 0.05/2/float64(m.Rivals) // two-sided 95%, Bonferroni
	runner := -1
	for _, c := range candidates {
		if c == best {
			continue
		}
		d, hw, paired := costDifference(obs[c], obs[best], level)
		m.Paired = m.Paired && paired
		if runner < 0 || d < m.CostPerMonth {
			runner, m.RunnerUp, m.CostPerMonth, m.CostPerMonthCI95 = c, names[c], d, hw
		}
		if !(d > hw) {
			m.Significant = false
			m.Tied = append(m.Tied, names[c])
		}
	}
	return m
}

// costDifference is mean(a - b) with the half-width of its confidence
// interval at the two-sided level: paired when a and b have the same
// number (> 1) of observations, else Welch's two samples.
func costDifference(a, b []float64, level float64) (diff, hw float64, paired bool) {
	t := func(df float64) float64 {
		if !(df >= 1) {
			return math.Inf(1)
		}
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(level)
	}
	if len(a) == len(b) && len(a) > 1 {
		xs := make([]float64, len(a))
		for i := range a {
			xs[i] = a[i] - b[i]
		}
		mean, v := meanVar(xs)
		return mean, t(float64(len(xs)-1)) * math.Sqrt(v/float64(len(xs))), true
	}
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	if len(a) < 2 || len(b) < 2 {
		return ma - mb, math.Inf(1), false
	}
	sa, sb := va/float64(len(a)), vb/float64(len(b))
	se := math.Sqrt(sa + sb)
	if se == 0 {
		return ma - mb, 0, false
	}
	df := (sa + sb) * (sa + sb) / (sa*sa/float64(len(a)-1) + sb*sb/float64(len(b)-1))
	return ma - mb, t(df) * se, false
}
