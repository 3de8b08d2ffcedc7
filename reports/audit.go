package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot/vg"

	"github.com/callsim/callsim/audit"
	"github.com/callsim/callsim/judge"
)

// KindAudit is a buyer's audit (callsim audit --json, or the result.json
// of its --out directory).
const KindAudit Kind = "audit"

// FileCalls is the audit's per-call CSV.
const FileCalls = "calls.csv"

func decodeAudit(data []byte) (*Saved, error) {
	var r audit.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("audit report: %w", err)
	}
	return &Saved{Kind: KindAudit, Audit: &r}, nil
}

func secs(v float64) string {
	if v < 0 {
		return "not answered"
	}
	if v >= 100 {
		return fmt.Sprintf("%.0fs", v)
	}
	return fmt.Sprintf("%.1fs", v)
}

func pct1(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

func verdictText(p *judge.Proportion) string {
	if p == nil {
		return ""
	}
	switch {
	case p.Outcome == judge.Inconclusive && p.CallsNeeded > 0:
		return fmt.Sprintf("INCONCLUSIVE (%d calls would decide)", p.CallsNeeded)
	case p.Outcome == judge.Inconclusive:
		return "INCONCLUSIVE (no number of calls would decide)"
	}
	return string(p.Outcome)
}

func auditTitle(r *audit.Report) string {
	s := r.Settings
	return fmt.Sprintf("%s, %s-%s: %d calls per %s interval (%d intervals, %d calls placed), time scale %g",
		s.Target, s.From, s.To, s.CallsPerInterval, durText(s.IntervalSeconds), len(r.Intervals), r.Day.Calls, s.TimeScale)
}

func durText(sec float64) string {
	switch {
	case sec >= 3600 && math.Mod(sec, 3600) == 0:
		return fmt.Sprintf("%gh", sec/3600)
	case sec >= 60 && math.Mod(sec, 60) == 0:
		return fmt.Sprintf("%gm", sec/60)
	}
	return fmt.Sprintf("%gs", sec)
}

func auditHeadline(r *audit.Report) []string {
	s, d := r.Settings, r.Day
	lines := []string{
		fmt.Sprintf("day: service level %s within %gs [%s CI %s to %s]; answered %d of %d, reached an agent %d, abandoned %d, refused %d",
			pct1(d.ServiceLevel), s.WithinSeconds, confText(s.Confidence), pct1(d.ServiceLevelLower), pct1(d.ServiceLevelUpper),
			d.Answered, d.Calls, d.ReachedAgent, d.Abandoned, d.Refused),
		fmt.Sprintf("reaction speed: answer delay p50 %s, p90 %s, max %s; ASA %s of the answered; mean call %s",
			secs(d.AnswerDelay.P50), secs(d.AnswerDelay.P90), secs(d.AnswerDelay.Max), secs(d.ASASeconds), secs(d.MeanDurationSeconds)),
	}
	if d.Verdict != nil {
		worst, fails, passes := auditWorst(r)
		lines = append(lines, fmt.Sprintf("claim %s within %gs: the day %s; intervals: %d PASS, %d FAIL, %d INCONCLUSIVE (worst: %s)",
			pct1(s.Claim), s.WithinSeconds, verdictText(d.Verdict), passes, fails, len(r.Intervals)-fails-passes, worst))
	}
	if r.Interrupted || r.NotPlaced > 0 {
		lines = append(lines, fmt.Sprintf("INTERRUPTED or incomplete: %d scheduled calls were not placed; the figures cover the calls placed", r.NotPlaced))
	}
	return lines
}

// auditWorst names the interval with the lowest service level (among
// those with calls), and counts the verdicts.
func auditWorst(r *audit.Report) (string, int, int) {
	worst, lo := "none", 2.0
	fails, passes := 0, 0
	for _, iv := range r.Intervals {
		if iv.Calls > 0 && iv.ServiceLevel < lo {
			worst, lo = fmt.Sprintf("%s at %s", iv.Label, pct1(iv.ServiceLevel)), iv.ServiceLevel
		}
		if iv.Verdict != nil {
			switch iv.Verdict.Outcome {
			case judge.Fail:
				fails++
			case judge.Pass:
				passes++
			}
		}
	}
	return worst, fails, passes
}

var auditHeader = []string{"interval", "calls", "answered", "within", "reached agent", "abandoned", "refused",
	"service level", "CI low", "CI high", "p50", "p90", "max", "mean call"}

func auditRows(r *audit.Report) [][]string {
	var rows [][]string
	for _, iv := range append(append([]audit.Figures(nil), r.Intervals...), r.Day) {
		row := []string{iv.Label, strconv.Itoa(iv.Calls), strconv.Itoa(iv.Answered), strconv.Itoa(iv.Within),
			strconv.Itoa(iv.ReachedAgent), strconv.Itoa(iv.Abandoned), strconv.Itoa(iv.Refused),
			pct1(iv.ServiceLevel), pct1(iv.ServiceLevelLower), pct1(iv.ServiceLevelUpper),
			secs(iv.AnswerDelay.P50), secs(iv.AnswerDelay.P90), secs(iv.AnswerDelay.Max), secs(iv.MeanDurationSeconds)}
		if iv.Calls == 0 {
			for i := 7; i < len(row); i++ {
				row[i] = "-"
			}
		}
		if r.Settings.Claim > 0 {
			row = append(row, verdictText(iv.Verdict))
		}
		rows = append(rows, row)
	}
	return rows
}

func auditTableHeader(r *audit.Report) []string {
	h := append([]string(nil), auditHeader...)
	if r.Settings.Claim > 0 {
		h = append(h, "verdict")
	}
	return h
}

var centerHeader = []string{"interval", "calls", "listed", "audit SL", "center SL", "audit answered", "center answered", "max delay difference", "agrees"}

func centerRows(c *audit.CenterComparison) [][]string {
	var rows [][]string
	for _, iv := range append(append([]audit.CenterInterval(nil), c.Intervals...), c.Day) {
		rows = append(rows, []string{iv.Label, strconv.Itoa(iv.Calls), strconv.Itoa(iv.Listed),
			pct1(iv.AuditServiceLevel), pct1(iv.CenterServiceLevel), strconv.Itoa(iv.AuditAnswered), strconv.Itoa(iv.CenterAnswered),
			secs(iv.MaxDelayDiffSeconds), yesNo(iv.Agrees)})
	}
	return rows
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// CenterVerdict is the one line on the center's report.
func CenterVerdict(c *audit.CenterComparison) string {
	badIDs, nearIDs, movedIDs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, d := range c.Disagreements {
		switch {
		case d.What == "interval":
			movedIDs[d.CallID] = true
		case d.Signalling:
			nearIDs[d.CallID] = true
		default:
			badIDs[d.CallID] = true
		}
	}
	for id := range badIDs {
		delete(nearIDs, id)
	}
	bad, near, moved := len(badIDs), len(nearIDs), len(movedIDs)
	var out string
	if c.Agrees {
		out = fmt.Sprintf("the center's report agrees with the audit on every interval (%d calls differ within the signalling tolerance of %gs)", near, c.ToleranceSeconds)
	} else {
		out = fmt.Sprintf("the center's report DISAGREES with the audit: %d calls seen differently (%d more within the signalling tolerance of %gs)", bad, near, c.ToleranceSeconds)
	}
	if c.ClockDated > 0 {
		out += fmt.Sprintf("; the center's clock reads %+.1fs from the audit's (median of %d calls)", c.ClockOffsetSeconds, c.ClockDated)
		if moved > 0 {
			out += fmt.Sprintf(", which puts %d calls in another of its intervals", moved)
		}
	}
	return out
}

const maxListed = 20

// WriteAuditText writes an audit's summary for a terminal.
func WriteAuditText(w io.Writer, r *audit.Report) error {
	ew := &errWriter{w: w}
	ew.printf("callsim audit: %s\n", auditTitle(r))
	for _, l := range auditHeadline(r) {
		ew.printf("%s\n", l)
	}
	ew.printf("\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(auditTableHeader(r), "\t")+"\t")
	for _, row := range auditRows(r) {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if c := r.Center; c != nil {
		ew.printf("\n%s\n", CenterVerdict(c))
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(centerHeader, "\t")+"\t")
		for _, row := range centerRows(c) {
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for i, d := range c.Disagreements {
			if i == maxListed {
				ew.printf("  ... %d more (see --json)\n", len(c.Disagreements)-maxListed)
				break
			}
			note := ""
			if d.Signalling {
				note = " (within the signalling tolerance)"
			}
			ew.printf("  %s %s: %s%s\n", d.CallID, d.What, d.Detail, note)
		}
	}
	ew.printf("\nmethod: %s\n", r.Method)
	return ew.err
}

// WriteAuditMarkdown writes an audit as Markdown.
func WriteAuditMarkdown(w io.Writer, r *audit.Report) error {
	ew := &errWriter{w: w}
	ew.printf("# Audit: %s\n\n", auditTitle(r))
	for _, l := range auditHeadline(r) {
		ew.printf("- %s\n", l)
	}
	ew.printf("\n")
	writeMarkdownTables(ew, auditTables(r, false))
	ew.printf("Method: %s\n", r.Method)
	return ew.err
}

func auditTables(r *audit.Report, withCalls bool) []table {
	s := r.Settings
	ts := []table{{Title: "Per interval", Note: fmt.Sprintf("Service level: answered within %gs / calls placed, with its %s confidence interval (exact binomial). p50, p90, max: the answer delay over the calls placed.", s.WithinSeconds, confText(s.Confidence)),
		Header: auditTableHeader(r), Align: "lrrrrrrrrrrrrrl", Rows: auditRows(r)}}
	if c := r.Center; c != nil {
		var rows [][]string
		for _, d := range c.Disagreements {
			rows = append(rows, []string{d.CallID, r.Intervals[min(max(d.Interval, 0), len(r.Intervals)-1)].Label, d.What, d.Detail, map[bool]string{true: "yes", false: ""}[d.Signalling]})
		}
		ts = append(ts, table{Title: "The center's report", Note: CenterVerdict(c) + ". " + c.Method, Header: centerHeader, Align: "lrrrrrrrl", Rows: centerRows(c)})
		if len(rows) > 0 {
			ts = append(ts, table{Title: "Calls seen differently", Header: []string{"call", "interval", "what", "detail", "signalling"}, Align: "lllll", Rows: rows})
		}
	}
	if withCalls {
		var rows [][]string
		for _, c := range r.Calls {
			label := ""
			if c.Interval >= 0 && c.Interval < len(r.Intervals) {
				label = r.Intervals[c.Interval].Label
			}
			delay := "not answered"
			if c.Answered {
				delay = secs(c.AnswerDelaySeconds)
			}
			status := ""
			if c.FinalStatus > 0 {
				status = strconv.Itoa(c.FinalStatus)
			}
			rows = append(rows, []string{c.CallID, label, c.Outcome, status, delay, yesNo(c.Within), yesNo(c.ReachedAgent), secs(c.DurationSeconds)})
		}
		ts = append(ts, table{Title: "Calls", Note: "Every test call (also in calls.csv).", Header: []string{"call", "interval", "outcome", "status", "answer delay", "within", "reached agent", "length"}, Align: "lllrrllr", Rows: rows})
	}
	return ts
}

// AuditFigures draws an audit's charts: the service level per interval
// with its confidence band (and the claim), and the answer delay's
// percentiles.
func AuditFigures(r *audit.Report) ([]Figure, error) {
	if len(r.Intervals) == 0 {
		return nil, nil
	}
	starts := make([]int, len(r.Intervals))
	for i, iv := range r.Intervals {
		starts[i] = int(iv.StartSeconds)
	}
	ax := ivAxisOf(starts, r.Settings.IntervalSeconds)
	nan := math.NaN()
	var sl, lo, hi, p50, p90 []float64
	for _, iv := range r.Intervals {
		if iv.Calls == 0 {
			sl, lo, hi, p50, p90 = append(sl, nan), append(lo, nan), append(hi, nan), append(p50, nan), append(p90, nan)
			continue
		}
		sl, lo, hi = append(sl, iv.ServiceLevel), append(lo, iv.ServiceLevelLower), append(hi, iv.ServiceLevelUpper)
		p := func(v float64) float64 {
			if v < 0 {
				return r.Settings.PatienceSeconds // not answered: at the caller's patience
			}
			return v
		}
		p50, p90 = append(p50, p(iv.AnswerDelay.P50)), append(p90, p(iv.AnswerDelay.P90))
	}
	var figs []Figure
	c := newChart("Service level per interval, as the test calls saw it", "time of day", "service level")
	ax.apply(c)
	c.p.Y.Min, c.p.Y.Max = 0, 1.02
	c.p.Y.Tick.Marker = pctTicks{}
	col := colorAt(0)
	c.addBand(ax.mid, lo, hi, lighten(col, 0.8))
	c.addLine("measured", ax.mid, sl, col, 2, nil)
	c.addLegend(confText(r.Settings.Confidence)+" confidence interval", boxThumb{lighten(col, 0.8)})
	if r.Settings.Claim > 0 {
		c.addLine("claimed", []float64{ax.lo, ax.hi}, []float64{r.Settings.Claim, r.Settings.Claim}, colBlack, 1.5, []vg.Length{6, 3})
	}
	svg, err := c.svg()
	if err != nil {
		return nil, err
	}
	figs = append(figs, Figure{Title: "Service level", Caption: fmt.Sprintf("Test calls answered within %gs over the calls placed, per interval (%d calls each); the band is the exact binomial interval, wide with few calls.", r.Settings.WithinSeconds, r.Settings.CallsPerInterval), SVG: svg})

	c = newChart("Reaction speed: answer delay per interval", "time of day", "answer delay (seconds)")
	ax.apply(c)
	c.p.Y.Min, c.p.Y.Max = 0, niceMax(r.Settings.WithinSeconds, p50, p90)
	c.p.Y.Tick.Marker = numTicks{}
	c.addLine("p50", ax.mid, p50, colorAt(0), 2, nil)
	c.addLine("p90", ax.mid, p90, colorAt(1), 2, nil)
	c.addLine("threshold", []float64{ax.lo, ax.hi}, []float64{r.Settings.WithinSeconds, r.Settings.WithinSeconds}, colBlack, 1.5, []vg.Length{6, 3})
	if svg, err = c.svg(); err != nil {
		return nil, err
	}
	figs = append(figs, Figure{Title: "Reaction speed", Caption: fmt.Sprintf("Percentiles of the answer delay over the calls placed; a percentile reached only by calls never answered is drawn at the caller's patience (%gs).", r.Settings.PatienceSeconds), SVG: svg})
	return figs, nil
}

// WriteAuditHTML writes an audit as a self-contained HTML report.
func WriteAuditHTML(w io.Writer, r *audit.Report) error {
	s, d := r.Settings, r.Day
	pg := htmlPage{Title: "Audit of " + s.Target, Subtitle: auditTitle(r),
		RunLine:     fmt.Sprintf("Started %s, ended %s (UTC); the audit's clock read %s at %s.", r.Started.Format("2006-01-02 15:04:05"), r.Ended.Format("2006-01-02 15:04:05"), s.From, r.Epoch.Format("15:04:05.000")),
		Definitions: r.Method,
		Cards: []htmlCard{
			{Label: fmt.Sprintf("service level (within %gs)", s.WithinSeconds), Value: pct1(d.ServiceLevel), Note: fmt.Sprintf("%s CI %s to %s", confText(s.Confidence), pct1(d.ServiceLevelLower), pct1(d.ServiceLevelUpper))},
			{Label: "answer delay p90", Value: secs(d.AnswerDelay.P90), Note: "p50 " + secs(d.AnswerDelay.P50)},
			{Label: "reached an agent", Value: fmt.Sprintf("%d of %d", d.ReachedAgent, d.Calls)},
			{Label: "abandoned / refused", Value: fmt.Sprintf("%d / %d", d.Abandoned, d.Refused)},
		}}
	if d.Verdict != nil {
		pg.Verdict = fmt.Sprintf("Claimed %s within %gs: %s for the day", pct1(s.Claim), s.WithinSeconds, verdictText(d.Verdict))
		pg.VerdictBad = d.Verdict.Outcome != judge.Pass
	}
	if r.Interrupted || r.NotPlaced > 0 {
		pg.Warning = fmt.Sprintf("Interrupted or incomplete: %d scheduled calls were not placed.", r.NotPlaced)
	}
	if c := r.Center; c != nil {
		pg.Cards = append(pg.Cards, htmlCard{Label: "the center's report", Value: map[bool]string{true: "agrees", false: "DISAGREES"}[c.Agrees], Bad: !c.Agrees, Note: "same calls, by Call-ID"})
	}
	figs, err := AuditFigures(r)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	pg.Figures = toHTMLFigures(figs)
	for i, t := range auditTables(r, true) {
		pg.Tables = append(pg.Tables, htmlTable{table: t, Open: i == 0 || t.Title == "The center's report"})
	}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteAuditFiles writes report.html, report.md, result.json and
// calls.csv into dir.
func WriteAuditFiles(dir string, r *audit.Report) ([]string, error) {
	return writeFiles(dir, []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteAuditHTML(w, r) }},
		{FileMarkdown, func(w io.Writer) error { return WriteAuditMarkdown(w, r) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, r) }},
		{FileCalls, func(w io.Writer) error { return audit.WriteCalls(w, r) }},
	})
}
