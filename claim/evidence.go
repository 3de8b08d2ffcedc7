package claim

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Second is one point of a line's per-second series, computed from its
// calls: second T (from the ramp's start) holds the calls whose intended
// start falls in it, by how they ended, and the most answered calls up at
// once during it.
type Second struct {
	Line       string `json:"line"`
	T          int    `json:"t_seconds"`
	Started    int    `json:"started"`
	Answered   int    `json:"answered"`
	Refused    int    `json:"refused"`
	Abandoned  int    `json:"abandoned"`
	EndedEarly int    `json:"ended_by_far_end"`
	MaxUp      int    `json:"max_answered_up"`
}

// Series computes the per-second series of every line.
func Series(setups []Setup, calls []Call) []Second {
	var out []Second
	for _, s := range setups {
		var mine []Call
		for _, c := range calls {
			if c.Line == s.Line {
				mine = append(mine, c)
			}
		}
		end := s.EndedAt
		for i := range mine {
			if e := mine[i].EndedAt(); mine[i].Answered() && e.After(end) {
				end = e
			}
		}
		secs := int(math.Ceil(end.Sub(s.StartedAt).Seconds()))
		secs = min(max(secs, 1), 7*24*3600)
		pts := make([]Second, secs)
		for t := range pts {
			pts[t] = Second{Line: s.Line, T: t}
		}
		for i := range mine {
			c := &mine[i]
			t := int(c.IntendedStart.Sub(s.StartedAt) / time.Second)
			if t < 0 || t >= secs {
				continue
			}
			p := &pts[t]
			p.Started++
			switch {
			case c.Answered():
				p.Answered++
				if earlyEnd(c, s) {
					p.EndedEarly++
				}
			case c.Refused():
				p.Refused++
			case c.Outcome == Abandoned:
				p.Abandoned++
			}
		}
		for t := range pts {
			from := s.StartedAt.Add(time.Duration(t) * time.Second)
			pts[t].MaxUp = maxUp(mine, from, from.Add(time.Second))
		}
		out = append(out, pts...)
	}
	return out
}

// SeriesHeader is the header of series.csv.
var SeriesHeader = []string{"line", "t_seconds", "started", "answered", "refused", "abandoned", "ended_by_far_end", "max_answered_up"}

// WriteSeries writes the series as CSV.
func WriteSeries(w io.Writer, pts []Second) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SeriesHeader); err != nil {
		return err
	}
	for _, p := range pts {
		row := []string{p.Line}
		for _, v := range []int{p.T, p.Started, p.Answered, p.Refused, p.Abandoned, p.EndedEarly, p.MaxUp} {
			row = append(row, strconv.Itoa(v))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Histogram settings: microseconds from 1 µs to 1 hour, 3 significant
// digits, as callsim load's.
const (
	histLowestUs  = 1
	histHighestUs = int64(time.Hour / time.Microsecond)
	histSigFigs   = 3
)

// Histogram is one delay histogram of a line's step, with its summary and
// the histogram itself in HdrHistogram's V2 compressed encoding (base64).
type Histogram struct {
	Line    string  `json:"line"`
	Step    int     `json:"step"`
	Metric  string  `json:"metric"` // srd_ms, answer_delay_ms, duration_ms
	Count   int64   `json:"count"`
	P50Ms   float64 `json:"p50_ms"`
	P90Ms   float64 `json:"p90_ms"`
	P95Ms   float64 `json:"p95_ms"`
	P99Ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
	Encoded string  `json:"hdr"`
}

// Histograms is the histograms file of a bundle.
type Histograms struct {
	LowestUs          int64       `json:"lowest_us"`
	HighestUs         int64       `json:"highest_us"`
	SignificantDigits int         `json:"significant_digits"`
	Histograms        []Histogram `json:"histograms"`
}

var histMetrics = []struct {
	name string
	of   func(*Call) float64
}{
	{"srd_ms", func(c *Call) float64 { return c.SRDMs }},
	{"answer_delay_ms", func(c *Call) float64 {
		if c.Answered() {
			return c.AnswerDelayMs
		}
		return 0
	}},
	{"duration_ms", func(c *Call) float64 {
		if c.Answered() {
			return c.DurationMs
		}
		return 0
	}},
}

// BuildHistograms records every line's and step's delays (calls with the
// delay, in µs).
func BuildHistograms(setups []Setup, calls []Call) (*Histograms, error) {
	out := &Histograms{LowestUs: histLowestUs, HighestUs: histHighestUs, SignificantDigits: histSigFigs, Histograms: []Histogram{}}
	for _, s := range setups {
		for k := range s.Steps {
			for _, m := range histMetrics {
				h := hdrhistogram.New(histLowestUs, histHighestUs, histSigFigs)
				for i := range calls {
					c := &calls[i]
					if c.Line != s.Line || c.Step != k+1 {
						continue
					}
					if ms := m.of(c); ms > 0 {
						us := int64(math.Round(ms * 1000))
						_ = h.RecordValue(min(max(us, histLowestUs), histHighestUs))
					}
				}
				enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
				if err != nil {
					return nil, fmt.Errorf("encode the %s histogram: %w", m.name, err)
				}
				q := func(p float64) float64 { return float64(h.ValueAtQuantile(p)) / 1000 }
				out.Histograms = append(out.Histograms, Histogram{Line: s.Line, Step: k + 1, Metric: m.name, Count: h.TotalCount(),
					P50Ms: q(50), P90Ms: q(90), P95Ms: q(95), P99Ms: q(99), MaxMs: float64(h.Max()) / 1000, Encoded: string(enc)})
			}
		}
	}
	return out, nil
}

// sameHistograms reports how a and b differ (empty: the same histograms,
// compared by their decoded counts, not their bytes).
func sameHistograms(a, b *Histograms) string {
	if a.LowestUs != b.LowestUs || a.HighestUs != b.HighestUs || a.SignificantDigits != b.SignificantDigits {
		return "histogram settings differ"
	}
	if len(a.Histograms) != len(b.Histograms) {
		return fmt.Sprintf("%d histograms, the calls give %d", len(a.Histograms), len(b.Histograms))
	}
	for i := range a.Histograms {
		x, y := a.Histograms[i], b.Histograms[i]
		name := fmt.Sprintf("%s step %d %s", y.Line, y.Step, y.Metric)
		if x.Line != y.Line || x.Step != y.Step || x.Metric != y.Metric {
			return fmt.Sprintf("histogram %d is %s step %d %s, the calls give %s", i+1, x.Line, x.Step, x.Metric, name)
		}
		xs, err1 := decodeCounts(x.Encoded)
		ys, err2 := decodeCounts(y.Encoded)
		if err1 != nil {
			return fmt.Sprintf("%s: %v", name, err1)
		}
		if err2 != nil || !slices.Equal(xs, ys) {
			return fmt.Sprintf("%s: the recorded delays differ from the calls'", name)
		}
		x.Encoded, y.Encoded = "", ""
		if x != y {
			return fmt.Sprintf("%s: the summary (count, percentiles) differs from the calls'", name)
		}
	}
	return ""
}

// decodeCounts decodes a histogram (never panicking on bad input) and
// returns its values with their counts, in order.
func decodeCounts(enc string) (out []int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("corrupt HdrHistogram encoding (%v)", p)
		}
	}()
	if len(enc) < 8 {
		return nil, fmt.Errorf("not an HdrHistogram encoding")
	}
	h, err := hdrhistogram.Decode([]byte(enc))
	if err != nil {
		return nil, fmt.Errorf("corrupt HdrHistogram encoding: %w", err)
	}
	for _, b := range h.Distribution() {
		if b.Count > 0 {
			out = append(out, b.From, b.To, b.Count)
		}
	}
	return out, nil
}
