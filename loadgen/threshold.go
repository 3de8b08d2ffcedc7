package loadgen

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Threshold is a pass/fail condition on a Result, parsed from text such as
// "ser>=99.9", "srd_p99<250ms" or "failed==0".
//
// Ratios (ser, seer, isa, scr) are written in percent: "ser>=99.9" means
// SER >= 0.999 (a trailing % is allowed). Delays are
// <metric>_<stat> with metric one of srd, answer_delay, sdd, session_duration,
// start_lag and stat one of p50, p90, p95, p99, p999, max, mean; their limit
// takes a unit (us, ms, s, m; a bare number is milliseconds). Counts:
// attempted, completed, failed, abandoned, timed_out, transport_errors, late,
// dropped, max_concurrent, bye_failures, retransmissions; rates: achieved_cps.
//
// Media (over the answered calls, see MediaSummary): mos, loss (percent),
// jitter and max_gap (delays, with a unit) + _min, _p5, _p50, _p95, _p99,
// _max or _mean, e.g. "mos_p5>=4.0", "loss_p95<1", "jitter_p99<30ms";
// counts one_way_audio, no_audio, below_mos; the ratio below_mos_share (in
// percent). A media threshold fails when the run measured no media.
type Threshold struct {
	Expr   string
	Metric string
	Op     string
	Limit  float64 // in the metric's unit: percent, ms, or a count
	Unit   string  // "%", "ms" or ""
}

// ThresholdResult is a threshold evaluated against a result.
type ThresholdResult struct {
	Threshold
	Actual float64
	Pass   bool
}

// String describes the outcome, e.g. "srd_p99<250ms: 312.5ms (over by 62.5ms)".
func (r ThresholdResult) String() string {
	if math.IsNaN(r.Actual) {
		return fmt.Sprintf("%s: not measured, the run has no media figures (--no-media, or no call answered) (FAILED)", r.Expr)
	}
	verdict := "ok"
	if !r.Pass {
		diff := r.Actual - r.Limit
		if diff < 0 {
			diff = -diff
		}
		dir := "over"
		if r.Op == ">" || r.Op == ">=" || (r.Op == "==" && r.Actual < r.Limit) {
			dir = "short"
		}
		if r.Op == "!=" {
			verdict = "FAILED"
		} else {
			verdict = fmt.Sprintf("FAILED, %s by %s%s", dir, fmtNum(diff), r.Unit)
		}
	}
	return fmt.Sprintf("%s: %s%s (%s)", r.Expr, fmtNum(r.Actual), r.Unit, verdict)
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var ratioMetrics = map[string]func(*Result) float64{
	"ser":  func(r *Result) float64 { return r.SER },
	"seer": func(r *Result) float64 { return r.SEER },
	"isa":  func(r *Result) float64 { return r.ISA },
	"scr":  func(r *Result) float64 { return r.SCR },
}

var countMetrics = map[string]func(*Result) float64{
	"attempted":        func(r *Result) float64 { return float64(r.Attempted) },
	"completed":        func(r *Result) float64 { return float64(r.Completed) },
	"failed":           func(r *Result) float64 { return float64(r.Failed) },
	"abandoned":        func(r *Result) float64 { return float64(r.Abandoned) },
	"timed_out":        func(r *Result) float64 { return float64(r.TimedOut) },
	"transport_errors": func(r *Result) float64 { return float64(r.TransportErrors) },
	"late":             func(r *Result) float64 { return float64(r.Late) },
	"dropped":          func(r *Result) float64 { return float64(r.Dropped) },
	"max_concurrent":   func(r *Result) float64 { return float64(r.MaxConcurrent) },
	"bye_failures":     func(r *Result) float64 { return float64(r.ByeFailures) },
	"retransmissions":  func(r *Result) float64 { return float64(r.Retransmissions) },
	"achieved_cps":     func(r *Result) float64 { return r.AchievedCPS },
}

var latencyMetrics = map[string]func(*Result) Latency{
	"srd":              func(r *Result) Latency { return r.SRD },
	"answer_delay":     func(r *Result) Latency { return r.AnswerDelay },
	"sdd":              func(r *Result) Latency { return r.SDD },
	"session_duration": func(r *Result) Latency { return r.SessionDuration },
	"start_lag":        func(r *Result) Latency { return r.StartLag },
}

var latencyStats = map[string]func(Latency) float64{
	"p50": func(l Latency) float64 { return l.P50 }, "p90": func(l Latency) float64 { return l.P90 },
	"p95": func(l Latency) float64 { return l.P95 }, "p99": func(l Latency) float64 { return l.P99 },
	"p999": func(l Latency) float64 { return l.P999 }, "max": func(l Latency) float64 { return l.Max },
	"mean": func(l Latency) float64 { return l.Mean },
}

// mediaMetrics are the per-call media distributions and their unit.
var mediaMetrics = map[string]struct {
	unit string
	get  func(*MediaSummary) MediaDist
}{
	"mos":     {"", func(m *MediaSummary) MediaDist { return m.MOS }},
	"loss":    {"%", func(m *MediaSummary) MediaDist { return m.LossPct }},
	"jitter":  {"ms", func(m *MediaSummary) MediaDist { return m.JitterMs }},
	"max_gap": {"ms", func(m *MediaSummary) MediaDist { return m.MaxGapMs }},
}

var mediaStats = map[string]func(MediaDist) float64{
	"min": func(d MediaDist) float64 { return d.Min }, "p5": func(d MediaDist) float64 { return d.P5 },
	"p50": func(d MediaDist) float64 { return d.P50 }, "p95": func(d MediaDist) float64 { return d.P95 },
	"p99": func(d MediaDist) float64 { return d.P99 }, "max": func(d MediaDist) float64 { return d.Max },
	"mean": func(d MediaDist) float64 { return d.Mean },
}

var mediaCounts = map[string]func(*MediaSummary) float64{
	"one_way_audio":   func(m *MediaSummary) float64 { return float64(m.OneWayAudio) },
	"no_audio":        func(m *MediaSummary) float64 { return float64(m.NoAudio) },
	"below_mos":       func(m *MediaSummary) float64 { return float64(m.BelowMOS) },
	"below_mos_share": func(m *MediaSummary) float64 { return m.BelowMOSShare * 100 },
}

// ThresholdMetrics lists the metric names thresholds accept.
func ThresholdMetrics() []string {
	var out []string
	for k := range mediaMetrics {
		out = append(out, k+"_min.."+k+"_max")
	}
	for k := range mediaCounts {
		out = append(out, k)
	}
	for k := range ratioMetrics {
		out = append(out, k)
	}
	for k := range countMetrics {
		out = append(out, k)
	}
	for k := range latencyMetrics {
		out = append(out, k+"_p50.."+k+"_max")
	}
	sort.Strings(out)
	return out
}

// ParseThreshold parses one threshold expression.
func ParseThreshold(s string) (Threshold, error) {
	expr := strings.TrimSpace(s)
	t := Threshold{Expr: expr}
	i := strings.IndexAny(expr, "<>=!")
	if i <= 0 {
		return t, fmt.Errorf("threshold %q: want METRIC OP VALUE, e.g. ser>=99.9 or srd_p99<250ms", s)
	}
	t.Metric = strings.ToLower(strings.TrimSpace(expr[:i]))
	rest := expr[i:]
	for _, op := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			t.Op = op
			rest = strings.TrimSpace(rest[len(op):])
			break
		}
	}
	if t.Op == "" {
		return t, fmt.Errorf("threshold %q: unknown operator (use <, <=, >, >=, ==, !=)", s)
	}
	if rest == "" {
		return t, fmt.Errorf("threshold %q: no value", s)
	}
	switch {
	case ratioMetrics[t.Metric] != nil:
		v, err := strconv.ParseFloat(strings.TrimSuffix(rest, "%"), 64)
		if err != nil || !(v >= 0 && v <= 100) {
			return t, fmt.Errorf("threshold %q: %s takes a percentage 0..100, got %q", s, t.Metric, rest)
		}
		t.Limit, t.Unit = v, "%"
	case countMetrics[t.Metric] != nil:
		v, err := strconv.ParseFloat(rest, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return t, fmt.Errorf("threshold %q: %s takes a number, got %q", s, t.Metric, rest)
		}
		t.Limit = v
	case mediaCounts[t.Metric] != nil:
		v, err := strconv.ParseFloat(strings.TrimSuffix(rest, "%"), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return t, fmt.Errorf("threshold %q: %s takes a number, got %q", s, t.Metric, rest)
		}
		t.Limit = v
		if t.Metric == "below_mos_share" {
			t.Unit = "%"
		}
	case isMediaDist(t.Metric):
		base, _, _ := cutLast(t.Metric, "_")
		unit := mediaMetrics[base].unit
		var v float64
		var err error
		if unit == "ms" {
			v, err = parseMillis(rest)
		} else {
			v, err = strconv.ParseFloat(strings.TrimSuffix(rest, "%"), 64)
			if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
				err = fmt.Errorf("not a finite number")
			}
		}
		if err != nil {
			return t, fmt.Errorf("threshold %q: %s takes a number (%s), got %q", s, t.Metric, map[string]string{"": "MOS 1-4.5", "%": "percent", "ms": "a delay such as 30ms"}[unit], rest)
		}
		t.Limit, t.Unit = v, unit
	default:
		base, stat, ok := cutLast(t.Metric, "_")
		if !ok || latencyMetrics[base] == nil || latencyStats[stat] == nil {
			return t, fmt.Errorf("threshold %q: unknown metric %q (known: %s)", s, t.Metric, strings.Join(ThresholdMetrics(), ", "))
		}
		ms, err := parseMillis(rest)
		if err != nil {
			return t, fmt.Errorf("threshold %q: %w", s, err)
		}
		t.Limit, t.Unit = ms, "ms"
	}
	return t, nil
}

func isMediaDist(metric string) bool {
	base, stat, ok := cutLast(metric, "_")
	_, known := mediaMetrics[base]
	return ok && known && mediaStats[stat] != nil
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// parseMillis reads "250ms", "1.5s", "800us" or a bare number of milliseconds.
func parseMillis(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("bad delay %q (use e.g. 250ms, 1.5s)", s)
		}
		return v, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad delay %q (use e.g. 250ms, 1.5s)", s)
	}
	return float64(d) / float64(time.Millisecond), nil
}

// Value returns the metric's value in r, in the threshold's unit.
func (t Threshold) Value(r *Result) float64 {
	if f := ratioMetrics[t.Metric]; f != nil {
		return f(r) * 100
	}
	if f := countMetrics[t.Metric]; f != nil {
		return f(r)
	}
	if f := mediaCounts[t.Metric]; f != nil {
		if r.Media == nil {
			return math.NaN()
		}
		return f(r.Media)
	}
	base, stat, _ := cutLast(t.Metric, "_")
	if m, ok := mediaMetrics[base]; ok {
		if r.Media == nil {
			return math.NaN()
		}
		return mediaStats[stat](m.get(r.Media))
	}
	return latencyStats[stat](latencyMetrics[base](r))
}

// Check evaluates t against r.
func (t Threshold) Check(r *Result) ThresholdResult {
	v := t.Value(r)
	var ok bool
	const eps = 1e-9
	switch t.Op {
	case "<":
		ok = v < t.Limit
	case "<=":
		ok = v <= t.Limit+eps
	case ">":
		ok = v > t.Limit
	case ">=":
		ok = v >= t.Limit-eps
	case "==":
		ok = v > t.Limit-eps && v < t.Limit+eps
	case "!=":
		ok = !(v > t.Limit-eps && v < t.Limit+eps)
	}
	if math.IsNaN(v) {
		ok = false
	}
	return ThresholdResult{Threshold: t, Actual: v, Pass: ok}
}
