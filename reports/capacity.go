package reports

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/callsim/callsim/capacity"
)

// Capacity files written by WriteCapacityFiles.
const (
	FileCapacityHTML = "capacity.html"
	FileCapacityJSON = "capacity.json"
)

func levelText(k capacity.Kind, v *float64) string {
	if v == nil {
		return "none"
	}
	if k == capacity.Concurrent {
		return strconv.FormatFloat(*v, 'f', 0, 64) + " calls"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64) + " calls/s"
}

// KneeLine says in words what a search found.
func KneeLine(k capacity.Kind, s *capacity.SearchReport) string {
	switch s.Status {
	case capacity.Found:
		return fmt.Sprintf("knee between %s (last pass) and %s (first fail)", levelText(k, s.LastPass), levelText(k, s.FirstFail))
	case capacity.NoFail:
		return fmt.Sprintf("every level passed up to the bound: at least %s", levelText(k, s.LastPass))
	case capacity.LowestFails:
		return fmt.Sprintf("even the lowest level, %s, FAILS", levelText(k, s.FirstFail))
	case capacity.NotShown:
		return fmt.Sprintf("NO level was shown to pass at the confidence level (the lowest not shown: %s); hold steps longer (--confirm-max) or ask less", levelText(k, s.FirstFail))
	}
	line := "incomplete (time ran out or interrupted)"
	if s.LastPass != nil {
		line += "; shown so far: at least " + levelText(k, s.LastPass)
	}
	if s.FirstFail != nil {
		line += "; not passing at " + levelText(k, s.FirstFail)
	}
	return line
}

func capNum(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

func thresholdCell(t capacity.StepThreshold) string {
	val := "n/a"
	if t.Value != nil {
		val = strconv.FormatFloat(*t.Value, 'g', 5, 64) + t.Unit
	}
	return fmt.Sprintf("%s %s %s", t.Expr, val, t.Verdict)
}

// WriteCapacityText writes the summary of a capacity run: each search's
// knee, then a line per step.
func WriteCapacityText(w io.Writer, r *capacity.Report) error {
	var b strings.Builder
	state := ""
	if r.Interrupted {
		state = " (INTERRUPTED)"
	}
	fmt.Fprintf(&b, "callsim capacity: %s%s; thresholds %s at %g%% confidence; %.0fs of %.0fs\n",
		r.Target, state, strings.Join(r.Thresholds, ", "), 100*r.Confidence, r.WallSeconds, r.Budget)
	for _, s := range []struct {
		k capacity.Kind
		r *capacity.SearchReport
	}{{capacity.Rate, r.Rate}, {capacity.Concurrent, r.Concurrent}} {
		if s.r != nil {
			fmt.Fprintf(&b, "%-11s %s\n", s.k, KneeLine(s.k, s.r))
		}
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nkind\tlevel\tstep\tcalls\tseconds\tcompleted\tSER\tSRD p50 ms\tp99 ms\tverdict\tthresholds")
	for _, st := range r.Steps {
		verdict := string(st.Verdict)
		switch {
		case st.Collapse:
			verdict = "FAIL (collapse)"
		case st.Interrupted:
			verdict += " (cut short)"
		case st.TooFew:
			verdict += " (too few calls)"
		case st.Verdict == capacity.Pass:
			verdict = "PASS"
		case st.Verdict == capacity.Fail:
			verdict = "FAIL"
		case st.Lean:
			verdict += ", holds"
		default:
			verdict += ", does not hold"
		}
		var ths []string
		for _, t := range st.Thresholds {
			ths = append(ths, thresholdCell(t))
		}
		lv := capNum(st.Level, 2)
		if st.Kind == capacity.Concurrent {
			lv = capNum(st.Level, 0)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.1f\t%d\t%s\t%.1f\t%.1f\t%s\t%s\n", st.Kind, lv, st.Purpose, st.Calls, st.Seconds,
			st.Completed, Pct(st.SER), st.SRDP50, st.SRDP99, verdict, strings.Join(ths, "; "))
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nA step passes when every threshold is shown to hold at %g%% confidence (ratios and percentiles as shares of calls, exact bounds); \"holds\" is the point estimate the search steers by.\n", 100*r.Confidence)
	_, err := io.WriteString(w, b.String())
	return err
}

// CapacityFigures draws, per search, the setup delay percentiles and the
// share of calls not completed against the level of each step, with the
// thresholds on them and the knee marked.
func CapacityFigures(r *capacity.Report) ([]Figure, error) {
	var figs []Figure
	for _, s := range []struct {
		k capacity.Kind
		r *capacity.SearchReport
	}{{capacity.Rate, r.Rate}, {capacity.Concurrent, r.Concurrent}} {
		if s.r == nil {
			continue
		}
		var steps []capacity.Step
		for _, st := range r.Steps {
			if st.Kind == s.k {
				steps = append(steps, st)
			}
		}
		if len(steps) == 0 {
			continue
		}
		sort.SliceStable(steps, func(i, j int) bool { return steps[i].Level < steps[j].Level })
		f, err := capacityFigures(s.k, s.r, steps)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f...)
	}
	return figs, nil
}

func capacityFigures(k capacity.Kind, sr *capacity.SearchReport, steps []capacity.Step) ([]Figure, error) {
	xl := "call rate (calls/s)"
	if k == capacity.Concurrent {
		xl = "calls held at once"
	}
	var xs, p50, p95, p99, notDone []float64
	for _, st := range steps {
		xs = append(xs, st.Level)
		p50, p95, p99 = append(p50, st.SRDP50), append(p95, st.SRDP95), append(p99, st.SRDP99)
		nd := math.NaN()
		if st.Attempted > 0 {
			nd = 100 * float64(st.Attempted-st.Completed) / float64(st.Attempted)
		}
		notDone = append(notDone, nd)
	}
	lo, hi := xs[0], xs[len(xs)-1]
	if hi <= lo {
		lo, hi = lo*0.9, hi*1.1+1
	}
	pad := (hi - lo) * 0.04
	lo, hi = lo-pad, hi+pad
	knee := func(c *chart) {
		if sr.LastPass != nil {
			c.p.Add(vLine{x: *sr.LastPass, style: draw.LineStyle{Color: colGreen, Width: 1.5, Dashes: []vg.Length{4, 3}}})
			c.addLegend("last pass "+levelText(k, sr.LastPass), lineThumb(draw.LineStyle{Color: colGreen, Width: 1.5, Dashes: []vg.Length{4, 3}}))
		}
		if sr.FirstFail != nil {
			c.p.Add(vLine{x: *sr.FirstFail, style: draw.LineStyle{Color: colRed, Width: 1.5, Dashes: []vg.Length{4, 3}}})
			c.addLegend("first fail "+levelText(k, sr.FirstFail), lineThumb(draw.LineStyle{Color: colRed, Width: 1.5, Dashes: []vg.Length{4, 3}}))
		}
	}
	var srdLimits, failLimits []struct {
		name string
		v    float64
	}
	for _, t := range steps[0].Thresholds {
		switch {
		case strings.HasPrefix(t.Metric, "srd_") && t.Unit == "ms":
			srdLimits = append(srdLimits, struct {
				name string
				v    float64
			}{t.Expr, t.Limit})
		case (t.Metric == "ser" || t.Metric == "seer" || t.Metric == "scr") && t.Unit == "%":
			failLimits = append(failLimits, struct {
				name string
				v    float64
			}{t.Expr + " (at most " + capNum(100-t.Limit, 2) + "% not completed)", 100 - t.Limit})
		}
	}
	c := newChart("Setup delay against "+string(k), xl, "milliseconds")
	c.addLine("SRD p50", xs, p50, colorAt(0), 2, nil)
	c.addLine("SRD p95", xs, p95, colorAt(1), 1.5, nil)
	c.addLine("SRD p99", xs, p99, colRed, 2, nil)
	ymax := niceMax(1, p50, p95, p99)
	for i, l := range srdLimits {
		c.addLine(l.name, []float64{lo, hi}, []float64{l.v, l.v}, lighten(colRed, 0.3*float64(i)), 1.5, []vg.Length{6, 3})
		ymax = max(ymax, l.v*1.1)
	}
	knee(c)
	c.p.X.Min, c.p.X.Max = lo, hi
	c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, numTicks{}
	c.p.Y.Min, c.p.Y.Max = 0, ymax
	s1, err := c.svg()
	if err != nil {
		return nil, err
	}
	c = newChart("Calls not completed against "+string(k), xl, "% of the step's calls")
	c.addLine("not completed", xs, notDone, colRed, 2, nil)
	ymax = niceMax(1, notDone)
	for _, l := range failLimits {
		c.addLine(l.name, []float64{lo, hi}, []float64{l.v, l.v}, colBlack, 1.5, []vg.Length{6, 3})
		ymax = max(ymax, l.v*1.5)
	}
	knee(c)
	c.p.X.Min, c.p.X.Max = lo, hi
	c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, numTicks{}
	c.p.Y.Min, c.p.Y.Max = 0, min(ymax, 100)
	s2, err := c.svg()
	if err != nil {
		return nil, err
	}
	return []Figure{
		{Title: "Setup delay against " + string(k), SVG: s1, Caption: "SRD percentiles of each step's judged calls (after its warm-up) against the step's level; dashed horizontal: SRD thresholds; dashed vertical: the knee (green: the highest level shown to pass, red: the lowest above it that did not)."},
		{Title: "Calls not completed against " + string(k), SVG: s2, Caption: "Share of each step's judged calls that did not complete (failed, abandoned, timed out, transport error); dashed: the share a ratio threshold tolerates."},
	}, nil
}

// WriteCapacityHTML writes the capacity report as a self-contained HTML
// page with the charts and the table of steps.
func WriteCapacityHTML(w io.Writer, r *capacity.Report) error {
	figs, err := CapacityFigures(r)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	pg := htmlPage{
		Title:    "Capacity: " + r.Target,
		Subtitle: fmt.Sprintf("thresholds %s, verdicts at %g%% confidence; %.0f s", strings.Join(r.Thresholds, ", "), 100*r.Confidence, r.WallSeconds),
		RunLine:  capacity.Method,
		Figures:  toHTMLFigures(figs),
	}
	var verdicts []string
	for _, s := range []struct {
		k capacity.Kind
		r *capacity.SearchReport
	}{{capacity.Rate, r.Rate}, {capacity.Concurrent, r.Concurrent}} {
		if s.r == nil {
			continue
		}
		verdicts = append(verdicts, string(s.k)+": "+KneeLine(s.k, s.r))
		pg.VerdictBad = pg.VerdictBad || (s.r.Status != capacity.Found && s.r.Status != capacity.NoFail)
		pg.Cards = append(pg.Cards, htmlCard{Label: string(s.k) + " last pass", Value: levelText(s.k, s.r.LastPass)},
			htmlCard{Label: string(s.k) + " first fail", Value: levelText(s.k, s.r.FirstFail)})
	}
	pg.Verdict = strings.Join(verdicts, "; ")
	if r.Interrupted {
		pg.Warning = "Interrupted: the steps are those run before the interrupt."
	}
	t := table{Title: "Steps", Header: []string{"kind", "level", "step", "calls", "seconds", "completed", "SER", "SRD p50 ms", "SRD p99 ms", "verdict", "thresholds"},
		Align: "llrrrrrrrll"}
	for _, st := range r.Steps {
		var ths []string
		for _, x := range st.Thresholds {
			ths = append(ths, thresholdCell(x)+" ("+x.Evidence+")")
		}
		v := string(st.Verdict)
		if st.Collapse {
			v += " (collapse)"
		}
		t.Rows = append(t.Rows, []string{string(st.Kind), capNum(st.Level, 2), string(st.Purpose), strconv.FormatUint(st.Calls, 10),
			capNum(st.Seconds, 1), strconv.FormatUint(st.Completed, 10), Pct(st.SER), capNum(st.SRDP50, 1), capNum(st.SRDP99, 1), v, strings.Join(ths, "; ")})
	}
	pg.Tables = []htmlTable{{table: t, Open: true}}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteCapacityFiles writes capacity.html and capacity.json into dir,
// each atomically.
func WriteCapacityFiles(dir string, r *capacity.Report) ([]string, error) {
	return writeFiles(dir, []fileJob{
		{FileCapacityHTML, func(w io.Writer) error { return WriteCapacityHTML(w, r) }},
		{FileCapacityJSON, func(w io.Writer) error { return WriteJSON(w, r) }},
	})
}
