package optimize

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/callsim/callsim/sim"
)

// compare names the best strategy, its margin over the others meeting
// their targets, and every strategy's paired difference from it.
func (r *Result) compare() {
	best := -1
	var names []string
	var obs [][]float64
	var cands []int
	for i, s := range r.Strategies {
		names = append(names, s.Name)
		var o []float64
		if s.Check != nil {
			for _, x := range s.Check.Observations {
				o = append(o, x.CostPerMonth)
			}
		}
		obs = append(obs, o)
		if s.MeetsTargets {
			cands = append(cands, i)
			if best < 0 || s.Cost.Total < r.Strategies[best].Cost.Total {
				best = i
			}
		}
	}
	if best < 0 {
		r.Recommendation = Recommendation{Verdict: "none", Text: "no strategy meets its targets on fresh seeds within its bounds"}
		if r.Interrupted {
			r.Recommendation.Text += " (interrupted: not every strategy was searched)"
		}
		return
	}
	r.Best = r.Strategies[best].Name
	m := sim.CheapestMargin(names, obs, cands, best)
	rec := Recommendation{Margin: m}
	b := &r.Strategies[best]
	switch {
	case len(cands) == 1:
		rec.Verdict = "only"
		rec.Text = fmt.Sprintf("%s is the only strategy that meets its targets on fresh seeds", b.Name)
	case m != nil && m.Significant:
		rec.Verdict = "cheapest"
		rec.Text = fmt.Sprintf("%s is the cheapest strategy meeting its targets: %.0f %s a month less than %s (95%% CI ±%.0f, paired, Bonferroni over %d rivals)",
			b.Name, m.CostPerMonth, b.Cost.Currency, m.RunnerUp, m.CostPerMonthCI95, m.Rivals)
	default:
		rec.Verdict = "tied"
		if m != nil {
			rec.Tied = m.Tied
		}
		rec.Text = fmt.Sprintf("%s costs least, but is tied within noise with %v: the difference is inside its 95%% confidence interval", b.Name, rec.Tied)
	}
	if r.Interrupted {
		rec.Text += " (interrupted: not every strategy was searched)"
	}
	r.Recommendation = rec
	for i := range r.Strategies {
		s := &r.Strategies[i]
		if i == best || s.Check == nil || b.Check == nil {
			continue
		}
		s.Vs = paired(s.Check.Observations, b.Check.Observations)
	}
}

// paired is a minus b over paired observations (Welch when their counts
// differ), with 95% half-widths.
func paired(a, b []sim.Observation) *Difference {
	d := &Difference{}
	cost := func(o sim.Observation) float64 { return o.CostPerMonth }
	sl := func(o sim.Observation) float64 { return o.ServiceLevel }
	d.CostPerMonth, d.CostPerMonthCI95, d.Paired = diff(a, b, cost)
	d.ServiceLevel, d.ServiceLevelCI95, _ = diff(a, b, sl)
	return d
}

func diff(a, b []sim.Observation, f func(sim.Observation) float64) (mean, hw float64, isPaired bool) {
	t := func(df float64) float64 {
		if df < 1 {
			return math.NaN()
		}
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
	}
	mv := func(xs []float64) (float64, float64) {
		var m float64
		for _, x := range xs {
			m += x
		}
		m /= float64(len(xs))
		var v float64
		for _, x := range xs {
			v += (x - m) * (x - m)
		}
		if len(xs) > 1 {
			v /= float64(len(xs) - 1)
		}
		return m, v
	}
	if len(a) == len(b) && len(a) > 1 {
		ds := make([]float64, len(a))
		for i := range a {
			ds[i] = f(a[i]) - f(b[i])
		}
		m, v := mv(ds)
		return m, t(float64(len(ds)-1)) * math.Sqrt(v/float64(len(ds))), true
	}
	if len(a) < 2 || len(b) < 2 {
		return math.NaN(), math.NaN(), false
	}
	xa, xb := make([]float64, len(a)), make([]float64, len(b))
	for i := range a {
		xa[i] = f(a[i])
	}
	for i := range b {
		xb[i] = f(b[i])
	}
	ma, va := mv(xa)
	mb, vb := mv(xb)
	sa, sb := va/float64(len(a)), vb/float64(len(b))
	df := (sa + sb) * (sa + sb) / (sa*sa/float64(len(a)-1) + sb*sb/float64(len(b)-1))
	return ma - mb, t(df) * math.Sqrt(sa+sb), false
}
