package sim

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// Comparison is the outcome of simulating a scenario and its variants with
// common random numbers.
type Comparison struct {
	Scenario     string `json:"scenario"`
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
	// Variants: the base scenario first (named "base" unless the scenario
	// has no variants), then each variant in file order.
	Variants []VariantResult `json:"variants"`
	// CheapestMeetingTargets names the variant with the lowest monthly cost
	// among those whose every queue of ours meets its service-level target;
	// empty when none does.
	CheapestMeetingTargets string `json:"cheapest_meeting_targets"`
	// CheapestSignificant: the cheapest variant meeting every target is
	// cheaper than each other variant meeting them by more than the
	// confidence interval of the difference (CheapestMargin); false means
	// it is tied with those in CheapestMargin.Tied within noise, and no
	// variant can be named the cheapest.
	CheapestSignificant bool    `json:"cheapest_significant"`
	CheapestMargin      *Margin `json:"cheapest_margin,omitempty"`
	Interrupted         bool    `json:"interrupted"`
	Run                 struct {
		CallsSimulated int64   `json:"calls_simulated"`
		WallSeconds    float64 `json:"wall_seconds"`
	} `json:"run"`
}

// VariantResult is one variant's result.
type VariantResult struct {
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	MeetsTargets bool          `json:"meets_targets"`
	KPIs         KPIs          `json:"kpis"`
	Queues       []QueueResult `json:"queues"`
	Groups       []GroupResult `json:"groups"`
	Cost         Cost          `json:"cost"`
	// VsBase holds this variant minus the base, with 95% half-widths from
	// paired replications (common random numbers make them narrow).
	VsBase *Difference `json:"vs_base,omitempty"`
	// IntervalSeconds and Intervals are the variant's figures per interval
	// of the day, as in a simulate result, so that a report made from the
	// saved comparison shows them too.
	IntervalSeconds float64          `json:"interval_seconds,omitempty"`
	Intervals       []IntervalResult `json:"intervals,omitempty"`
	// Result is the full result, for reports; not in the JSON.
	Result *Result `json:"-"`
}

// Difference is variant minus base for the headline figures.
type Difference struct {
	Paired           bool    `json:"paired"`
	ServiceLevel     float64 `json:"service_level"`
	ServiceLevelCI95 float64 `json:"service_level_ci95"`
	ASASeconds       float64 `json:"asa_seconds"`
	ASASecondsCI95   float64 `json:"asa_seconds_ci95"`
	AbandonRate      float64 `json:"abandon_rate"`
	AbandonRateCI95  float64 `json:"abandon_rate_ci95"`
	Occupancy        float64 `json:"occupancy"`
	OccupancyCI95    float64 `json:"occupancy_ci95"`
	Resolution       float64 `json:"resolution_rate"`
	ResolutionCI95   float64 `json:"resolution_rate_ci95"`
	CostPerMonth     float64 `json:"cost_per_month"`
	CostPerMonthCI95 float64 `json:"cost_per_month_ci95"`
	CostPerCall      float64 `json:"cost_per_offered_call"`
	CostPerCallCI95  float64 `json:"cost_per_offered_call_ci95"`
}

// Compare simulates the scenario and each of its variants with the same
// seed, so that they see the same callers, and sets them side by side.
func Compare(ctx context.Context, sc *scenarios.Scenario, opt Options) (*Comparison, error) {
	start := time.Now()
	type job struct {
		name, desc string
		sc         *scenarios.Scenario
	}
	jobs := []job{{name: "base", sc: sc}}
	if len(sc.Variants) == 0 {
		jobs[0].name = sc.Name
	}
	for _, v := range sc.Variants {
		if v.Scenario == nil {
			return nil, fmt.Errorf("variant %q has no scenario", v.Name)
		}
		jobs = append(jobs, job{name: v.Name, desc: v.Description, sc: v.Scenario})
	}
	cmp := &Comparison{Scenario: sc.Name, Seed: sc.Seed, Replications: sc.Replications}
	best := math.Inf(1)
	for i, j := range jobs {
		res, err := Run(ctx, j.sc, opt)
		if err != nil {
			if ctx.Err() != nil && i > 0 {
				cmp.Interrupted = true
				break
			}
			return nil, fmt.Errorf("variant %q: %w", j.name, err)
		}
		v := VariantResult{Name: j.name, Description: j.desc, KPIs: res.KPIs, Queues: res.Queues, Groups: res.Groups, Cost: res.Cost, Result: res,
			MeetsTargets: res.MeetsTargets(), IntervalSeconds: res.IntervalSeconds, Intervals: res.Intervals}
		if i > 0 {
			v.VsBase = difference(res.Observations, cmp.Variants[0].Result.Observations)
		}
		if v.MeetsTargets && res.Cost.Total < best {
			best, cmp.CheapestMeetingTargets = res.Cost.Total, j.name
		}
		cmp.Run.CallsSimulated += res.Run.CallsSimulated
		cmp.Interrupted = cmp.Interrupted || res.Interrupted
		cmp.Variants = append(cmp.Variants, v)
		if res.Interrupted {
			break
		}
	}
	cmp.judgeCheapest()
	cmp.Run.WallSeconds = time.Since(start).Seconds()
	return cmp, nil
}

// difference computes a − b over observations: paired when both have the
// same number of observations (same replications and batches, hence the
// same random numbers), else as two independent samples.
func difference(a, b []Observation) *Difference {
	fields := []func(*Observation) float64{
		func(o *Observation) float64 { return o.ServiceLevel },
		func(o *Observation) float64 { return o.ASASeconds },
		func(o *Observation) float64 { return o.AbandonRate },
		func(o *Observation) float64 { return o.Occupancy },
		func(o *Observation) float64 { return o.Resolution },
		func(o *Observation) float64 { return o.CostPerMonth },
		func(o *Observation) float64 { return o.CostPerCall },
	}
	d := &Difference{Paired: len(a) == len(b) && len(a) > 1}
	out := make([][2]float64, len(fields))
	for i, f := range fields {
		if d.Paired {
			xs := make([]float64, len(a))
			for j := range a {
				xs[j] = f(&a[j]) - f(&b[j])
			}
			m, hw := meanCI(xs)
			out[i] = [2]float64{m, hw}
			continue
		}
		xa, xb := make([]float64, len(a)), make([]float64, len(b))
		for j := range a {
			xa[j] = f(&a[j])
		}
		for j := range b {
			xb[j] = f(&b[j])
		}
		ma, sa := meanVar(xa)
		mb, sb := meanVar(xb)
		hw := 0.0
		if n := min(len(a), len(b)); n > 1 {
			hw = tQuantile(n-1) * math.Sqrt(sa/float64(len(a))+sb/float64(len(b)))
		}
		out[i] = [2]float64{ma - mb, hw}
	}
	d.ServiceLevel, d.ServiceLevelCI95 = out[0][0], out[0][1]
	d.ASASeconds, d.ASASecondsCI95 = out[1][0], out[1][1]
	d.AbandonRate, d.AbandonRateCI95 = out[2][0], out[2][1]
	d.Occupancy, d.OccupancyCI95 = out[3][0], out[3][1]
	d.Resolution, d.ResolutionCI95 = out[4][0], out[4][1]
	d.CostPerMonth, d.CostPerMonthCI95 = out[5][0], out[5][1]
	d.CostPerCall, d.CostPerCallCI95 = out[6][0], out[6][1]
	return d
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

// meanCI is the mean and its 95% Student-t half-width.
func meanCI(xs []float64) (mean, hw float64) {
	mean, v := meanVar(xs)
	if len(xs) < 2 {
		return mean, 0
	}
	return mean, tQuantile(len(xs)-1) * math.Sqrt(v/float64(len(xs)))
}

// judgeCheapest sets CheapestMargin and CheapestSignificant from the
// variants' monthly cost per observation (see Margin).
func (c *Comparison) judgeCheapest() {
	names := make([]string, len(c.Variants))
	obs := make([][]float64, len(c.Variants))
	var candidates []int
	best := -1
	for i, v := range c.Variants {
		names[i] = v.Name
		if v.Result != nil {
			for _, o := range v.Result.Observations {
				obs[i] = append(obs[i], o.CostPerMonth)
			}
		}
		if v.MeetsTargets {
			candidates = append(candidates, i)
		}
		if v.Name == c.CheapestMeetingTargets {
			best = i
		}
	}
	c.CheapestMargin = CheapestMargin(names, obs, candidates, best)
	c.CheapestSignificant = c.CheapestMargin != nil && c.CheapestMargin.Significant
}
