// Package loadprobe runs capacity steps with callsim's load generator: a
// rate step is an open-model load run at the step's calls per second, a
// concurrent step a closed-model run with the step's number of callers
// (their first calls spread over the warm-up), each ended when the capacity
// search says so. It measures every threshold on the step's calls as the
// evidence the search judges (see capacity.Evidence).
package loadprobe

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/callsim/callsim/capacity"
	"github.com/callsim/callsim/loadgen"
)

// Prober is a capacity.Prober driving loadgen.
type Prober struct {
	// Base holds the call settings (target, transport, hold, patience,
	// media, callers...); each step sets the workload (Rate or
	// Concurrency), its duration and its stop, and clears MaxCalls,
	// Stages and the windows.
	Base       loadgen.Config
	Thresholds []loadgen.Threshold
	// Observer, if set, is told of every call of every step (live metrics).
	Observer loadgen.Observer
	// OnLevel, if set, is called as each step starts (live metrics: the
	// target rate or concurrency).
	OnLevel func(kind capacity.Kind, level float64)
	// Poll is how often a step's figures are looked at (default 200 ms).
	Poll time.Duration
}

// Check validates the base configuration as a step would use it.
func (p *Prober) Check() error {
	cfg := p.stepConfig(capacity.StepSpec{Kind: capacity.Rate, Level: 1, Deadline: time.Now().Add(time.Hour)}, nil)
	return cfg.Validate()
}

func (p *Prober) stepConfig(spec capacity.StepSpec, stop chan struct{}) loadgen.Config {
	cfg := p.Base
	cfg.Rate, cfg.Concurrency, cfg.Stages, cfg.MaxCalls, cfg.RampUp = 0, 0, nil, 0, 0
	cfg.Window, cfg.WindowThresholds, cfg.AbortOnFail = 0, nil, false
	switch spec.Kind {
	case capacity.Concurrent:
		cfg.Concurrency = int(spec.Level)
		cfg.RampUp = spec.Warmup
	default:
		cfg.Rate = spec.Level
	}
	cfg.Duration = max(time.Until(spec.Deadline), time.Second)
	if stop != nil {
		cfg.Stop = stop
	}
	return cfg
}

// Probe implements capacity.Prober.
func (p *Prober) Probe(ctx context.Context, spec capacity.StepSpec, decide func(capacity.Measurement) capacity.Ending) (capacity.Measurement, error) {
	poll := p.Poll
	if poll == 0 {
		poll = 200 * time.Millisecond
	}
	if p.OnLevel != nil {
		p.OnLevel(spec.Kind, spec.Level)
	}
	stop := make(chan struct{})
	cfg := p.stepConfig(spec, stop)
	now := time.Now()
	warmEnd := now.Add(spec.Warmup)
	media := cfg.Mode == loadgen.ModeCall && !cfg.NoMedia
	all := loadgen.NewTally(now, time.Time{}, media, cfg.MOSThreshold)
	judged := loadgen.NewTally(now, warmEnd, media, cfg.MOSThreshold)
	cfg.Observer = loadgen.Observers(p.Observer, all, judged)

	rctx, abort := context.WithCancel(ctx)
	defer abort()
	type done struct {
		r   *loadgen.Result
		err error
	}
	ch := make(chan done, 1)
	go func() {
		r, err := loadgen.Run(rctx, cfg)
		ch <- done{r, err}
	}()

	measure := func(at time.Time) capacity.Measurement {
		_, bad := all.Ended()
		r := judged.Result(at)
		return capacity.Measurement{AllStarted: all.Started(), AllNotCompleted: bad, Measured: max(at.Sub(warmEnd), 0),
			Figures: figures(r), Evidence: p.evidence(judged, r)}
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var stoppedAt time.Time
	var res done
	aborted := false
wait:
	for {
		select {
		case res = <-ch:
			break wait
		case now := <-tick.C:
			if !stoppedAt.IsZero() {
				continue
			}
			m := measure(now)
			// The collapse rule applies from the first call; the others
			// once the warm-up is over.
			if now.Before(warmEnd) && m.AllStarted < capacity.CollapseCalls {
				continue
			}
			switch e := decide(m); {
			case e == capacity.Abort:
				stoppedAt, aborted = now, true
				abort()
			case e == capacity.Drain && !now.Before(warmEnd):
				stoppedAt = now
				close(stop)
			}
		}
	}
	if res.err != nil && res.r == nil {
		return capacity.Measurement{}, res.err
	}
	end := time.Now()
	if stoppedAt.IsZero() {
		stoppedAt = end
	}
	m := measure(end)
	m.Measured = max(stoppedAt.Sub(warmEnd), 0)
	m.Interrupted = ctx.Err() != nil
	m.Aborted = aborted
	if res.err != nil {
		return m, res.err
	}
	return m, nil
}

func figures(r *loadgen.Result) capacity.Figures {
	f := capacity.Figures{Attempted: r.Attempted, Completed: r.Completed, Failed: r.Failed, Abandoned: r.Abandoned,
		TimedOut: r.TimedOut, TransportErrors: r.TransportErrors, StatusCodes: r.StatusCodes, SER: r.SER,
		SRDP50: r.SRD.P50, SRDP95: r.SRD.P95, SRDP99: r.SRD.P99, AnswerP95: r.AnswerDelay.P95,
		AchievedCPS: r.AchievedCPS, MaxConcurrent: r.MaxConcurrent}
	if r.Media != nil && r.Media.MOS.Count > 0 {
		v := r.Media.MOS.P5
		f.MOSP5 = &v
	}
	return f
}

// quantiles maps a percentile statistic to its share.
var quantiles = map[string]float64{"p5": 0.05, "p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99, "p999": 0.999}

// evidence measures every threshold on the judged calls.
func (p *Prober) evidence(t *loadgen.Tally, r *loadgen.Result) []capacity.Evidence {
	out := make([]capacity.Evidence, len(p.Thresholds))
	for i, th := range p.Thresholds {
		c := th.Check(r)
		out[i] = Evidence(th, c, r, t)
	}
	return out
}

// Evidence is what the judged calls (tally t, its Result r) say of
// threshold th, whose point check is c.
func Evidence(th loadgen.Threshold, c loadgen.ThresholdResult, r *loadgen.Result, t *loadgen.Tally) capacity.Evidence {
	e := capacity.Evidence{Expr: th.Expr, Metric: th.Metric, Bound: th.Limit, Unit: th.Unit, Value: c.Actual, Holds: c.Pass, Basis: capacity.Exact}
	atLeast := th.Op == ">" || th.Op == ">="
	switch th.Op {
	case "==", "!=":
		return e // exact
	}
	share := func(k, n uint64, limit float64, al bool) capacity.Evidence {
		e.Basis, e.K, e.N, e.Share, e.AtLeast = capacity.Proportion, k, n, limit, al
		return e
	}
	codes := func(want ...int) uint64 {
		var n uint64
		for code, k := range r.StatusCodes {
			c, _ := strconv.Atoi(code)
			for _, w := range want {
				if c == w || (w == 2 && c >= 200 && c < 300) || (w == 3 && c >= 300 && c < 400) {
					n += k
				}
			}
		}
		return n
	}
	switch th.Metric {
	case "ser", "seer":
		n := r.Attempted - codes(3)
		k := codes(2)
		if th.Metric == "seer" {
			k += codes(480, 486, 600, 603)
		}
		return share(k, n, th.Limit/100, atLeast)
	case "isa":
		return share(codes(408, 500, 503, 504)+r.TimedOut, r.Attempted, th.Limit/100, atLeast)
	case "scr":
		return share(uint64(math.Round(r.SCR*float64(r.Attempted))), r.Attempted, th.Limit/100, atLeast)
	case "below_mos_share":
		if r.Media == nil {
			return e
		}
		return share(r.Media.BelowMOS, r.Media.Calls, th.Limit/100, atLeast)
	}
	base, stat := cut(th.Metric)
	h := t.Histogram(base)
	if h == nil {
		return e // a count, or media without media
	}
	// Delays are kept in microseconds, media figures in thousandths (MOS,
	// loss percent) or microseconds (jitter, gaps, in ms in thresholds):
	// the limit is x 1000 either way.
	limit := th.Limit * 1000
	if q, ok := quantiles[stat]; ok {
		// The q-quantile is under the limit when at least a share q of
		// the values is; it is at or over it when less than q is under.
		return share(countBelow(h, limit), uint64(h.TotalCount()), q, !atLeast)
	}
	if stat == "mean" && h.TotalCount() > 0 {
		e.Basis, e.N, e.SD, e.Limit, e.Below = capacity.Mean, uint64(h.TotalCount()), h.StdDev()/1000, th.Limit, !atLeast
	}
	return e
}

// countBelow counts the values under limit: the buckets that end below it
// (a bucket straddling the limit, within the histogram's precision of 0.1%,
// counts as not below).
func countBelow(h *hdrhistogram.Histogram, limit float64) uint64 {
	var n int64
	for _, b := range h.Distribution() {
		if float64(b.To) < limit {
			n += b.Count
		}
	}
	return uint64(n)
}

func cut(metric string) (string, string) {
	for i := len(metric) - 1; i >= 0; i-- {
		if metric[i] == '_' {
			return metric[:i], metric[i+1:]
		}
	}
	return metric, ""
}

// String describes the prober.
func (p *Prober) String() string { return fmt.Sprintf("load generator at %s", p.Base.Target) }
