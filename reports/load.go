package reports

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"

	"github.com/callsim/callsim/loadresult"
)

// File names of a load-test report directory, beside FileHTML, FileMarkdown
// and FileJSON.
const (
	FileSeries = "series.csv"
	FileDelays = "delays.csv"
)

// loadDelays lists the delay distributions of a load test.
func loadDelays(r *loadresult.Result) []struct {
	name, key string
	l         *loadresult.Latency
} {
	return []struct {
		name, key string
		l         *loadresult.Latency
	}{
		{"session request delay (SRD)", "srd", &r.SRD},
		{"answer delay", "answer_delay", &r.AnswerDelay},
		{"session disconnect delay (SDD)", "sdd", &r.SDD},
		{"session duration", "session_duration", &r.SessionDuration},
		{"start lag", "start_lag", &r.StartLag},
	}
}

func loadTables(r *loadresult.Result) []table {
	rows := [][]string{
		{"attempted", strconv.FormatUint(r.Attempted, 10)},
		{"completed", strconv.FormatUint(r.Completed, 10)},
		{"failed", strconv.FormatUint(r.Failed, 10)},
		{"abandoned", strconv.FormatUint(r.Abandoned, 10)},
		{"timed out", strconv.FormatUint(r.TimedOut, 10)},
		{"transport errors", strconv.FormatUint(r.TransportErrors, 10)},
		{"dropped (due, never started)", strconv.FormatUint(r.Dropped, 10)},
		{"late starts", strconv.FormatUint(r.Late, 10)},
		{"achieved calls per second", fmt.Sprintf("%.2f", r.AchievedCPS)},
		{"max concurrent calls", strconv.FormatInt(r.MaxConcurrent, 10)},
		{"SER (seizure success)", Pct(r.SER)},
		{"SEER (effective seizure)", Pct(r.SEER)},
		{"ISA (ineffective attempts)", Pct(r.ISA)},
		{"SCR (session completion)", Pct(r.SCR)},
	}
	if r.TargetCPS > 0 {
		rows = append(rows, []string{"target calls per second", fmt.Sprintf("%.2f", r.TargetCPS)})
	}
	ts := []table{{Title: "Calls", Header: []string{"figure", "value"}, Align: "lr", Rows: rows}}
	rows = nil
	for _, d := range loadDelays(r) {
		if d.l.Count == 0 {
			continue
		}
		ms := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
		rows = append(rows, []string{d.name, strconv.FormatUint(d.l.Count, 10), ms(d.l.Mean), ms(d.l.P50), ms(d.l.P90), ms(d.l.P95), ms(d.l.P99), ms(d.l.P999), ms(d.l.Max)})
	}
	ts = append(ts, table{Title: "Delays (milliseconds)", Note: "Measured from the intended start of each call.", Header: []string{"delay", "calls", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"}, Align: "lrrrrrrrr", Rows: rows})
	codes := make([]string, 0, len(r.StatusCodes))
	for c := range r.StatusCodes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	rows = nil
	for _, c := range codes {
		rows = append(rows, []string{c, strconv.FormatUint(r.StatusCodes[c], 10)})
	}
	if len(rows) > 0 {
		ts = append(ts, table{Title: "Final status codes", Header: []string{"code", "calls"}, Align: "lr", Rows: rows})
	}
	if m := r.Media; m != nil {
		ts = append(ts, mediaTables(m)...)
	}
	return ts
}

// mediaTables shows the RTP figures of a load test.
func mediaTables(m *loadresult.MediaSummary) []table {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	rows := [][]string{
		{"answered calls measured", u(m.Calls)},
		{"packets sent", u(m.PacketsSent)},
		{"packets received", u(m.PacketsReceived)},
		{"packets lost", u(m.PacketsLost)},
		{fmt.Sprintf("calls below MOS %.1f", m.MOSThreshold), fmt.Sprintf("%d (%s)", m.BelowMOS, Pct(m.BelowMOSShare))},
		{"one-way audio", u(m.OneWayAudio)},
		{"no audio", u(m.NoAudio)},
	}
	if m.SDPErrors > 0 || m.PortErrors > 0 {
		rows = append(rows, []string{"unusable SDP answers", u(m.SDPErrors)}, []string{"calls without an RTP port", u(m.PortErrors)})
	}
	var drows [][]string
	for _, d := range []struct {
		name string
		d    loadresult.MediaDist
		prec int
	}{{"MOS (E-model)", m.MOS, 2}, {"loss (%)", m.LossPct, 2}, {"jitter (ms)", m.JitterMs, 2}, {"longest gap (ms)", m.MaxGapMs, 1}} {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', d.prec, 64) }
		drows = append(drows, []string{d.name, u(d.d.Count), f(d.d.Mean), f(d.d.Min), f(d.d.P5), f(d.d.P50), f(d.d.P95), f(d.d.P99), f(d.d.Max)})
	}
	return []table{
		{Title: "Media (RTP)", Note: "Measured by the caller on the far end's stream, from the answer to the hang-up.", Header: []string{"figure", "value"}, Align: "lr", Rows: rows},
		{Title: "Media per call", Note: "Loss and jitter as in RFC 3550; MOS estimated with the ITU-T G.107 E-model (G.711 with PLC, delay assumed from a 40 ms jitter buffer).",
			Header: []string{"figure", "calls", "mean", "min", "p5", "p50", "p95", "p99", "max"}, Align: "lrrrrrrrr", Rows: drows},
	}
}

func loadLine(r *loadresult.Result) string {
	return fmt.Sprintf("Mode %s against %s, %.1f s of wall time.", r.Mode, r.Settings.Target, r.WallSeconds)
}

// WriteLoadMarkdown writes a SIP load-test result as Markdown tables.
func WriteLoadMarkdown(w io.Writer, r *loadresult.Result) error {
	ew := &errWriter{w: w}
	ew.printf("# SIP load test\n\n%s\n\n", loadLine(r))
	if r.Interrupted {
		ew.printf("> **Interrupted**: the figures cover the calls made before the interrupt.\n\n")
	}
	writeMarkdownTables(ew, loadTables(r))
	return ew.err
}

// WriteLoadSeriesCSV writes series.csv: one row per second of the test,
// with the setup-delay percentiles of the calls started in the second
// (empty when none was set up; delays_upper_bound is 1 where a merge of
// segments could only bound them from above).
func WriteLoadSeriesCSV(w io.Writer, r *loadresult.Result) error {
	h := []string{"t_seconds", "started", "answered", "failed", "abandoned", "timed_out", "transport_errors", "max_concurrent",
		"srd_calls", "srd_p50_ms", "srd_p95_ms", "srd_p99_ms", "answer_delay_p95_ms", "delays_upper_bound"}
	rows := make([][]string, 0, len(r.Series))
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	for _, s := range r.Series {
		d := []string{u(s.SRDCalls), "", "", "", "", "0"}
		if s.SRDCalls > 0 {
			d[1], d[2], d[3] = num(s.SRDP50), num(s.SRDP95), num(s.SRDP99)
		}
		if s.AnswerP95 > 0 {
			d[4] = num(s.AnswerP95)
		}
		if s.DelaysUpperBound {
			d[5] = "1"
		}
		rows = append(rows, append([]string{strconv.Itoa(s.T), u(s.Started), u(s.Answered), u(s.Failed), u(s.Abandoned), u(s.TimedOut), u(s.TransportErrors), strconv.FormatInt(s.Concurrent, 10)}, d...))
	}
	return writeCSV(w, h, rows)
}

// WriteLoadDelaysCSV writes delays.csv: one row per delay distribution,
// in milliseconds.
func WriteLoadDelaysCSV(w io.Writer, r *loadresult.Result) error {
	h := []string{"delay", "count", "mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms"}
	var rows [][]string
	for _, d := range loadDelays(r) {
		l := d.l
		rows = append(rows, []string{d.key, strconv.FormatUint(l.Count, 10), num(l.Mean), num(l.P50), num(l.P90), num(l.P95), num(l.P99), num(l.P999), num(l.Max)})
	}
	return writeCSV(w, h, rows)
}

// LoadFigures draws the charts of a load test: calls started, answered and
// failed per second, calls in progress, setup-delay percentiles per second
// (when the result has them) and the calls not completed by cause.
func LoadFigures(r *loadresult.Result) ([]Figure, error) {
	if len(r.Series) == 0 {
		return nil, nil
	}
	var xs, started, answered, failed, conc []float64
	for _, s := range r.Series {
		xs = append(xs, float64(s.T)+0.5)
		started = append(started, float64(s.Started))
		answered = append(answered, float64(s.Answered))
		failed = append(failed, float64(s.Failed+s.TimedOut+s.TransportErrors+s.Abandoned))
		conc = append(conc, float64(s.Concurrent))
	}
	lo, hi := float64(r.Series[0].T), float64(r.Series[len(r.Series)-1].T+1)
	c := newChart("Calls per second", "seconds since start", "calls")
	tx, ty := targetRate(r, lo, hi)
	if len(tx) > 0 {
		c.addLine("target rate", tx, ty, lighten(colBlack, 0.3), 1.5, []vg.Length{6, 3})
	}
	c.addLine("started", xs, started, colorAt(0), 2, nil)
	c.addLine("answered", xs, answered, colorAt(2), 1.5, []vg.Length{5, 3})
	c.addLine("not completed", xs, failed, colRed, 1.5, nil)
	c.p.X.Min, c.p.X.Max = lo, max(hi, lo+1)
	c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, numTicks{}
	c.p.Y.Min, c.p.Y.Max = 0, niceMax(1, started, answered, failed, ty)
	s1, err := c.svg()
	if err != nil {
		return nil, err
	}
	c = newChart("Calls in progress", "seconds since start", "concurrent calls")
	c.addLine("highest in the second", xs, conc, colorAt(3), 2, nil)
	c.p.X.Min, c.p.X.Max = lo, max(hi, lo+1)
	c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, numTicks{}
	c.p.Y.Min, c.p.Y.Max = 0, niceMax(1, conc)
	s2, err := c.svg()
	if err != nil {
		return nil, err
	}
	figs := []Figure{
		{Title: "Calls per second", Caption: "Calls started, answered, and not completed (failed, abandoned, timed out or transport error) per second of the test; dashed: the target rate of an open workload (--rate or --stages).", SVG: s1},
		{Title: "Calls in progress", Caption: "Highest number of calls in progress in each second.", SVG: s2},
	}
	if f, err := setupDelayFigure(r, xs, lo, hi); err != nil {
		return nil, err
	} else if f != nil {
		figs = append(figs, *f)
	}
	causes := failureCauses(r)
	if len(causes) == 0 {
		return figs, nil
	}
	n := len(causes)
	c = newChart("Calls not completed, by cause", "calls", "")
	c.h = max(2.2*vg.Inch, 1.1*vg.Inch+vg.Length(n)*0.4*vg.Inch)
	var bars rects
	var ticks []plot.Tick
	var labels []pointLabel
	most := 0.0
	for i, cs := range causes {
		y := float64(n - 1 - i)
		bars = append(bars, rect{0, cs.calls, y - 0.3, y + 0.3, colRed})
		ticks = append(ticks, plot.Tick{Value: y, Label: cs.name})
		labels = append(labels, pointLabel{x: cs.calls, y: y, text: strconv.FormatFloat(cs.calls, 'f', 0, 64)})
		most = max(most, cs.calls)
	}
	c.p.Add(bars)
	c.p.Add(rightLabels{labels: labels, style: text.Style{Color: colBlack, Font: font.From(sansFont, 10), Handler: c.p.TextHandler}})
	c.p.Y.Min, c.p.Y.Max = -0.6, float64(n)-0.4
	c.p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	c.p.Y.Tick.Length = 0
	c.p.X.Min, c.p.X.Max = 0, max(1, most*1.15)
	c.p.X.Tick.Marker = numTicks{}
	s3, err := c.svg()
	if err != nil {
		return nil, err
	}
	return append(figs, Figure{Title: "Calls not completed, by cause", SVG: s3,
		Caption: "Attempted calls that did not complete: failed by final status code, abandoned (CANCEL sent), timed out (no final response), transport errors."}), nil
}

// setupDelayFigure draws the SRD percentiles (and the answer delay's 95th)
// of the calls started in each second; nil when no second has them (a
// result written before callsim recorded them, or no call set up).
func setupDelayFigure(r *loadresult.Result, xs []float64, lo, hi float64) (*Figure, error) {
	n := len(r.Series)
	p50, p95, p99, a95 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	has, bound := false, false
	for i, s := range r.Series {
		p50[i], p95[i], p99[i], a95[i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if s.SRDCalls == 0 {
			continue
		}
		has = true
		bound = bound || s.DelaysUpperBound
		p50[i], p95[i], p99[i] = s.SRDP50, s.SRDP95, s.SRDP99
		if s.AnswerP95 > 0 {
			a95[i] = s.AnswerP95
		}
	}
	if !has {
		return nil, nil
	}
	c := newChart("Setup delay per second", "seconds since start", "milliseconds")
	// p99 under p95, wider, so that both show where they coincide (few
	// calls a second).
	c.addLine("SRD p50", xs, p50, colorAt(0), 2, nil)
	c.addLine("SRD p99", xs, p99, colRed, 3, nil)
	c.addLine("SRD p95", xs, p95, colorAt(1), 1.5, nil)
	c.addLine("answer delay p95", xs, a95, lighten(colBlack, 0.3), 1.5, []vg.Length{5, 3})
	c.p.X.Min, c.p.X.Max = lo, max(hi, lo+1)
	c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, numTicks{}
	c.p.Y.Min, c.p.Y.Max = 0, niceMax(1, p50, p95, p99, a95)
	svg, err := c.svg()
	if err != nil {
		return nil, err
	}
	caption := "Session request delay (INVITE to the first 18x or 2xx) of the calls started in each second: 50th, 95th and 99th percentiles, measured from each call's intended start; dashed: the 95th percentile of the answer delay. Gaps: seconds in which no call started was set up."
	if bound {
		caption += " Merged from segments: where several segments started calls in the same second, the line shows the highest segment's percentile, an upper bound of the whole test's."
	}
	return &Figure{Title: "Setup delay per second", Caption: caption, SVG: svg}, nil
}

type cause struct {
	name  string
	calls float64
}

// failureCauses lists the calls that did not complete by cause: each final
// status code of 300 or more, then abandoned, timed out and transport
// errors; causes with no call are left out.
func failureCauses(r *loadresult.Result) []cause {
	var out []cause
	codes := make([]string, 0, len(r.StatusCodes))
	for c := range r.StatusCodes {
		if n, err := strconv.Atoi(c); err == nil && n >= 300 {
			codes = append(codes, c)
		}
	}
	sort.Strings(codes)
	for _, c := range codes {
		if n := r.StatusCodes[c]; n > 0 {
			out = append(out, cause{"failed " + c, float64(n)})
		}
	}
	for _, x := range []cause{{"abandoned", float64(r.Abandoned)}, {"timed out", float64(r.TimedOut)}, {"transport error", float64(r.TransportErrors)}} {
		if x.calls > 0 {
			out = append(out, x)
		}
	}
	return out
}

// targetRate is the intended call rate: constant from lo to hi seconds for
// --rate, piecewise linear for --stages (each from the previous stage's
// target, 0 before the first), shared by the segments of a split test;
// nothing for a closed workload.
func targetRate(r *loadresult.Result, lo, hi float64) (xs, ys []float64) {
	n := float64(r.Settings.Segment.N())
	switch {
	case r.TargetCPS > 0:
		return []float64{lo, hi}, []float64{r.TargetCPS, r.TargetCPS}
	case len(r.Settings.Stages) > 0:
		t := 0.0
		xs, ys = []float64{0}, []float64{0}
		for _, st := range r.Settings.Stages {
			t += st.Duration.Seconds()
			xs, ys = append(xs, t), append(ys, st.Target/n)
		}
	}
	return xs, ys
}

// WriteLoadHTML writes a SIP load-test result as a self-contained HTML
// report with charts.
func WriteLoadHTML(w io.Writer, r *loadresult.Result) error {
	figs, err := LoadFigures(r)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	pg := htmlPage{
		Title:    "SIP load test",
		Subtitle: loadLine(r),
		RunLine:  "SER, SEER, ISA and SCR as defined in RFC 6076; delays measured from each call's intended start.",
		Figures:  toHTMLFigures(figs),
		Cards: []htmlCard{
			{Label: "attempted", Value: strconv.FormatUint(r.Attempted, 10)},
			{Label: "completed", Value: strconv.FormatUint(r.Completed, 10)},
			{Label: "SCR", Value: Pct(r.SCR), Bad: r.SCR < 1},
			{Label: "achieved calls/s", Value: fmt.Sprintf("%.1f", r.AchievedCPS)},
			{Label: "SRD p95", Value: fmt.Sprintf("%.1f ms", r.SRD.P95)},
		},
	}
	if m := r.Media; m != nil {
		pg.Cards = append(pg.Cards, htmlCard{Label: "MOS p5", Value: fmt.Sprintf("%.2f", m.MOS.P5), Bad: m.MOS.P5 < m.MOSThreshold},
			htmlCard{Label: "one-way audio", Value: strconv.FormatUint(m.OneWayAudio, 10), Bad: m.OneWayAudio > 0})
	}
	if r.Interrupted {
		pg.Warning = "Interrupted: the figures cover the calls made before the interrupt."
	}
	for _, t := range loadTables(r) {
		pg.Tables = append(pg.Tables, htmlTable{table: t, Open: true})
	}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteLoadFiles writes the report of a load test into dir: report.html,
// report.md, result.json, series.csv and delays.csv, each atomically.
func WriteLoadFiles(dir string, r *loadresult.Result) ([]string, error) {
	return writeFiles(dir, []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteLoadHTML(w, r) }},
		{FileMarkdown, func(w io.Writer) error { return WriteLoadMarkdown(w, r) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, r) }},
		{FileSeries, func(w io.Writer) error { return WriteLoadSeriesCSV(w, r) }},
		{FileDelays, func(w io.Writer) error { return WriteLoadDelaysCSV(w, r) }},
	})
}
