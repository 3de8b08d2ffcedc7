package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/callsim/callsim/claim"
	"github.com/callsim/callsim/judge"
)

// KindClaim is a claim check's report (callsim verify --claim --json, or
// the verdicts.json of an evidence bundle).
const KindClaim Kind = "claim"

// decodeClaim decodes a claim report; one from before verdicts had a
// method (no "confidence") is refused with the reason.
func decodeClaim(data []byte, keys map[string]json.RawMessage) (*Saved, error) {
	if keys["confidence"] == nil {
		return nil, errors.New("a claim report of an older callsim, without the verdicts' method and numbers: run the check again (callsim verify --claim FILE --json)")
	}
	var r claim.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("claim report: %w", err)
	}
	return &Saved{Kind: KindClaim, Claim: &r}, nil
}

// ClaimEvidence is what a claim report can chart besides the verdicts: the
// calls and their per-second series (nil: the report's steps only).
type ClaimEvidence struct {
	Calls  []claim.Call
	Series []claim.Second
}

// ClaimMethod says, for every report, how the verdicts are reached.
const ClaimMethod = "Each check is PASS (the claim holds at the stated confidence), FAIL (it does not, at that confidence) or INCONCLUSIVE (too few calls to tell; the calls and time more that would decide are given). " +
	"A share (the service level; the calls answered) is judged by one-sided exact binomial (Clopper-Pearson) bounds on an effective sample size: the calls in time order are cut into 20 batches, and the variance of the batch means over that of single calls is the variance inflation of a queue's autocorrelated calls (batch means); n / inflation calls are worth as many independent ones. " +
	"A delay percentile is judged by its order-statistic bounds (the same binomial bound on the share of calls within the claim; calls never set up count as beyond it). " +
	"A rate is the rate of the calls placed, from their start times. A capacity line counts every answered call as held, however it ended, and tells the calls the platform refused or failed apart from those the far end ended early; concurrency fails only when the platform refused calls and never held the claimed number at once. A line takes its worst check."

func outcomeText(o judge.Outcome) string {
	if o == "" {
		return "NO VERDICT"
	}
	return string(o)
}

func claimName(r *claim.Report) string {
	if r.Claim == nil {
		return "claim"
	}
	if r.Claim.Name != "" {
		return fmt.Sprintf("%s (%s)", r.Claim.Name, r.Claim.Source)
	}
	return r.Claim.Source
}

// ClaimVerdict is the one-line verdict on the whole claim.
func ClaimVerdict(r *claim.Report) string {
	switch {
	case r.Interrupted:
		return "none: interrupted (the calls measured so far are shown)"
	case r.Outcome == judge.Pass:
		return fmt.Sprintf("PASS: every line holds at %s confidence", confText(r.Confidence))
	}
	var parts []string
	if len(r.Failed) > 0 {
		parts = append(parts, "FAIL: "+strings.Join(r.Failed, ", "))
	}
	if len(r.Inconclusive) > 0 {
		parts = append(parts, "INCONCLUSIVE: "+strings.Join(r.Inconclusive, ", "))
	}
	return "NOT proven: " + strings.Join(parts, "; ")
}

func targetText(s claim.Setup) string {
	if !s.Embedded {
		return s.Target
	}
	t := fmt.Sprintf("embedded center, %d agents", s.TargetAgents)
	if s.TargetHandleSeconds > 0 {
		t += ", handle time exponential, mean " + Secs(s.TargetHandleSeconds)
	}
	if s.TargetTrunks > 0 {
		t += fmt.Sprintf(", %d trunks", s.TargetTrunks)
	} else {
		t += ", no trunk limit"
	}
	return t + " (" + s.Target + ")"
}

func loadText(s claim.Setup) string {
	var parts []string
	for _, st := range s.Steps {
		parts = append(parts, fmt.Sprintf("%s at %.2f calls/s for %s", Pct(st.Fraction), st.RateCPS, Secs(st.ToSeconds-st.FromSeconds)))
	}
	t := s.Arrivals + " arrivals: " + strings.Join(parts, ", then ")
	if s.TimeScale != 1 {
		t += fmt.Sprintf("; time scale %g (claim time runs %g times faster)", s.TimeScale, s.TimeScale)
	}
	if s.CallHoldSeconds > 0 {
		t += fmt.Sprintf("; each answered call held %.3fs", s.CallHoldSeconds)
	} else {
		t += "; each answered call held until the far end hangs up"
	}
	return t
}

func stepRows(l claim.LineResult) [][]string {
	var rows [][]string
	for _, s := range l.Steps {
		sl := "-"
		if l.Line == "service" {
			sl = Pct(s.ServiceLevel)
		}
		codes := make([]string, 0, len(s.Refusals))
		for c, n := range s.Refusals {
			codes = append(codes, fmt.Sprintf("%s x%d", c, n))
		}
		sort.Strings(codes)
		rows = append(rows, []string{Pct(s.Fraction), fmt.Sprintf("%.2f", s.RateCPS), fmt.Sprint(s.Placed), fmt.Sprint(s.Answered),
			fmt.Sprint(s.Refused), fmt.Sprint(s.Abandoned), fmt.Sprint(s.EndedEarly), fmt.Sprint(s.Late), fmt.Sprintf("%.2f", s.AchievedCPS),
			fmt.Sprint(s.MaxUp), sl, dashIfEmpty(strings.Join(codes, " "))})
	}
	return rows
}

var stepHeader = []string{"step", "calls/s", "placed", "answered", "refused", "abandoned", "ended by far end", "late", "achieved/s", "max up", "service level", "refusals"}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteClaimText writes the claim report as the text summary callsim
// verify --claim prints.
func WriteClaimText(w io.Writer, r *claim.Report) error {
	ew := &errWriter{w: w}
	ew.printf("claim   %s\n", claimName(r))
	ew.printf("method  %s confidence; see \"callsim verify --help\" (or the README) for the method\n", confText(r.Confidence))
	for _, l := range r.Lines {
		ew.printf("\n%s  %s (line %d): %s\n", outcomeText(l.Outcome), l.Line, l.FileLine, l.Claimed)
		ew.printf("  tested against  %s\n", targetText(l.Setup))
		ew.printf("  load            %s\n", loadText(l.Setup))
		for _, n := range l.Notes {
			ew.printf("  note            %s\n", n)
		}
		for _, c := range l.Checks {
			ew.printf("  %-12s  %s: %s (claimed: %s)\n", outcomeText(c.Outcome), c.Name, c.Measured, c.Claimed)
			ew.printf("  %-12s  %s\n", "", c.Reason)
		}
		if l.Setup.Interrupted {
			ew.printf("  %s\n", l.Summary)
		}
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "  %s\t\n", strings.Join(stepHeader, "\t"))
		for _, row := range stepRows(l) {
			fmt.Fprintf(tw, "  %s\t\n", strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	ew.printf("\nverdict  %s\n", ClaimVerdict(r))
	return ew.err
}

// WriteClaimMarkdown writes the claim report as Markdown.
func WriteClaimMarkdown(w io.Writer, r *claim.Report) error {
	ew := &errWriter{w: w}
	ew.printf("# Claim: %s\n\n**%s**\n\n%s Confidence %s.\n", claimName(r), ClaimVerdict(r), ClaimMethod, confText(r.Confidence))
	for _, l := range r.Lines {
		ew.printf("\n## %s: %s (line %d)\n\n", outcomeText(l.Outcome), l.Line, l.FileLine)
		ew.printf("- claimed: %s\n- tested against: %s\n- load: %s\n", l.Claimed, targetText(l.Setup), loadText(l.Setup))
		for _, n := range l.Notes {
			ew.printf("- note: %s\n", n)
		}
		ew.printf("\n| check | claimed | measured | verdict | why |\n| --- | --- | --- | --- | --- |\n")
		for _, c := range l.Checks {
			ew.printf("| %s | %s | %s | %s | %s |\n", c.Name, c.Claimed, c.Measured, outcomeText(c.Outcome), c.Reason)
		}
		ew.printf("\n| %s |\n|%s\n", strings.Join(stepHeader, " | "), strings.Repeat(" ---: |", len(stepHeader)))
		for _, row := range stepRows(l) {
			ew.printf("| %s |\n", strings.Join(row, " | "))
		}
	}
	return ew.err
}

type claimSection struct {
	Title, Claimed, Target, Load string
	Bad, Unsure                  bool
	Notes                        []string
	Checks                       []claim.Check
	Figures                      []htmlFigure
	Steps                        table
}

type claimPage struct {
	Title, Verdict, Method, Run string
	Bad                         bool
	Sections                    []claimSection
}

var claimTmpl = template.Must(template.New("claim").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:Arial,Helvetica,"Liberation Sans",sans-serif;color:#222;background:#fff;margin:0;padding:24px;line-height:1.4}
main{max-width:1000px;margin:0 auto}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.small{color:#555;font-size:13px}
.verdict{background:#e8f5e9;border-left:4px solid #2ca02c;padding:10px 14px;margin:16px 0;font-size:17px;font-weight:bold}
.verdict.bad{background:#fdecea;border-left-color:#d62728}
.verdict.unsure{background:#fff8e1;border-left-color:#f2a900}
dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px;margin:8px 0}
dt{color:#555}
dd{margin:0}
figure{margin:24px 0;page-break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{color:#555;font-size:13px;margin-top:4px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}
th,td{border:1px solid #ddd;padding:4px 8px;vertical-align:top}
th{background:#f4f4f4;text-align:left}
td.r,th.r{text-align:right}
.PASS{color:#2ca02c;font-weight:bold}
.FAIL{color:#d62728;font-weight:bold}
.INCONCLUSIVE{color:#b07a00;font-weight:bold}
.scroll{overflow-x:auto}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p class="verdict{{if .Bad}} bad{{end}}">{{.Verdict}}</p>
<p class="small">{{.Run}}</p>
{{range .Sections}}
<h2>{{.Title}}</h2>
<p class="verdict{{if .Bad}} bad{{else if .Unsure}} unsure{{end}}">{{.Claimed}}</p>
<dl><dt>tested against</dt><dd>{{.Target}}</dd><dt>load</dt><dd>{{.Load}}</dd>{{range .Notes}}<dt>note</dt><dd>{{.}}</dd>{{end}}</dl>
<div class="scroll"><table>
<thead><tr><th>check</th><th>claimed</th><th>measured</th><th>verdict</th><th>why</th></tr></thead>
<tbody>
{{range .Checks}}<tr><td>{{.Name}}</td><td>{{.Claimed}}</td><td>{{.Measured}}</td><td class="{{.Outcome}}">{{.Outcome}}</td><td>{{.Reason}}<br><span class="small">Method: {{.Method}}</span></td></tr>
{{end}}</tbody>
</table></div>
{{range .Figures}}<figure>
{{.SVG}}
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}
<div class="scroll"><table>
<thead><tr>{{range .Steps.Header}}<th class="r">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Steps.Rows}}<tr>{{range .}}<td class="r">{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
{{end}}
<h2>Method</h2>
<p class="small">{{.Method}}</p>
<p class="small">Made by callsim. The calls behind every figure are in calls.csv beside this report; "callsim verify --check DIR" computes every verdict again from them and checks each file's SHA-256.</p>
</main>
</body>
</html>
`))

// WriteClaimHTML writes the claim report for a buyer to read: the verdict,
// then a section per claim line (claimed, measured, chart, verdict), then
// the method. ev adds charts of the calls (nil: the steps' chart only).
// run describes the run (version, seed, times), or is empty.
func WriteClaimHTML(w io.Writer, r *claim.Report, ev *ClaimEvidence, run string) error {
	pg := claimPage{Title: "Claim: " + claimName(r), Verdict: ClaimVerdict(r), Bad: r.Outcome != judge.Pass, Run: run,
		Method: ClaimMethod + fmt.Sprintf(" Confidence: %s.", confText(r.Confidence))}
	for _, l := range r.Lines {
		sec := claimSection{Title: fmt.Sprintf("%s (line %d): %s", l.Line, l.FileLine, outcomeText(l.Outcome)),
			Claimed: "Claimed: " + l.Claimed + ". " + outcomeText(l.Outcome) + ": " + l.Summary,
			Target:  targetText(l.Setup), Load: loadText(l.Setup), Notes: l.Notes, Checks: l.Checks,
			Bad: l.Outcome == judge.Fail, Unsure: l.Outcome != judge.Pass,
			Steps: table{Header: stepHeader, Rows: stepRows(l)}}
		figs, err := claimFigures(r, l, ev)
		if err != nil {
			return fmt.Errorf("charts: %w", err)
		}
		sec.Figures = toHTMLFigures(figs)
		pg.Sections = append(pg.Sections, sec)
	}
	if err := claimTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

func claimFigures(r *claim.Report, l claim.LineResult, ev *ClaimEvidence) ([]Figure, error) {
	if len(l.Steps) == 0 {
		return nil, nil
	}
	var figs []Figure
	if ev != nil {
		switch l.Line {
		case "capacity":
			var xs, up, refused []float64
			for _, s := range ev.Series {
				if s.Line == l.Line {
					xs = append(xs, float64(s.T)+0.5)
					up = append(up, float64(s.MaxUp))
					refused = append(refused, float64(s.Refused))
				}
			}
			if len(xs) > 0 {
				c := newChart("Answered calls up at once", "seconds since the start of the ramp", "calls")
				want := 0.0
				if r.Claim != nil && r.Claim.Capacity != nil {
					want = float64(r.Claim.Capacity.Concurrent)
				}
				if want > 0 {
					c.addLine("claimed concurrent", []float64{xs[0] - 0.5, xs[len(xs)-1] + 0.5}, []float64{want, want}, lighten(colBlack, 0.3), 1.5, []vg.Length{6, 3})
				}
				c.addLine("most up in the second", xs, up, colorAt(0), 2, nil)
				c.addLine("refused or failed (started in the second)", xs, refused, colRed, 1.5, nil)
				c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, numTicks{}
				c.p.Y.Min, c.p.Y.Max = 0, niceMax(1, up, refused, []float64{want})
				svg, err := c.svg()
				if err != nil {
					return nil, err
				}
				figs = append(figs, Figure{Title: "Answered calls up at once", SVG: svg,
					Caption: "Each second of the ramp: the most answered calls in progress at once, and the calls started in it that the platform refused or failed; dashed: the claimed concurrent calls."})
			}
		case "service":
			var pts, missed plotter.XYs
			ymax := 0.0
			for _, c := range ev.Calls {
				if c.Line != l.Line {
					continue
				}
				x := c.IntendedStart.Sub(l.Setup.StartedAt).Seconds()
				if c.Answered() {
					y := c.AnswerDelayMs / 1000 * l.Setup.TimeScale
					pts = append(pts, plotter.XY{X: x, Y: y})
					ymax = max(ymax, y)
				} else {
					missed = append(missed, plotter.XY{X: x})
				}
			}
			within := 0.0
			if r.Claim != nil && r.Claim.Service != nil {
				within = r.Claim.Service.AnsweredWithinSeconds
			}
			top := niceMax(1, []float64{ymax * 1.05, within * 2})
			for i := range missed {
				missed[i].Y = top
			}
			c := newChart("Answer delay of each call", "seconds since the start of the ramp (wall time)", "answer delay (claim time, s)")
			if len(pts) > 0 {
				if s, err := plotter.NewScatter(pts); err == nil {
					s.GlyphStyle = draw.GlyphStyle{Color: colorAt(0), Radius: 1.6, Shape: draw.CircleGlyph{}}
					c.p.Add(s)
					c.addLegend("answered", s)
				}
			}
			if len(missed) > 0 {
				if s, err := plotter.NewScatter(missed); err == nil {
					s.GlyphStyle = draw.GlyphStyle{Color: colRed, Radius: 2, Shape: draw.CrossGlyph{}}
					c.p.Add(s)
					c.addLegend("not answered", s)
				}
			}
			xmax := l.Setup.Steps[len(l.Setup.Steps)-1].ToSeconds
			if within > 0 {
				c.addLine("claimed threshold", []float64{0, xmax}, []float64{within, within}, lighten(colBlack, 0.3), 1.5, []vg.Length{6, 3})
			}
			c.p.X.Min, c.p.X.Max = 0, math.Max(xmax, 1)
			c.p.Y.Min, c.p.Y.Max = 0, top
			c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, numTicks{}
			svg, err := c.svg()
			if err != nil {
				return nil, err
			}
			figs = append(figs, Figure{Title: "Answer delay of each call", SVG: svg,
				Caption: "Each call placed: its answer delay in claim time (wall time x the time scale) against when it was placed; below the dashed threshold it was answered in time; crosses at the top were never answered. Only the last step (100%) is judged."})
		}
	}
	// The steps, always: answered and refused shares per step.
	c := newChart("Calls per step", "share of the claimed load", "share of the calls placed")
	var xs, ans, ref, sl []float64
	for _, s := range l.Steps {
		if s.Placed == 0 {
			continue
		}
		xs = append(xs, s.Fraction*100)
		ans = append(ans, float64(s.Answered)/float64(s.Placed))
		ref = append(ref, float64(s.Refused)/float64(s.Placed))
		sl = append(sl, s.ServiceLevel)
	}
	if len(xs) == 0 {
		return figs, nil
	}
	c.addLine("answered", xs, ans, colorAt(2), 2, nil)
	c.addLine("refused or failed", xs, ref, colRed, 1.5, nil)
	if l.Line == "service" {
		c.addLine("service level", xs, sl, colorAt(0), 2, []vg.Length{5, 3})
	}
	c.p.X.Min, c.p.X.Max = 0, 100
	c.p.Y.Min, c.p.Y.Max = 0, 1
	c.p.X.Tick.Marker, c.p.Y.Tick.Marker = numTicks{}, pctTicks{}
	svg, err := c.svg()
	if err != nil {
		return nil, err
	}
	return append(figs, Figure{Title: "Calls per step", SVG: svg,
		Caption: "For each step of the ramp (x: its share of the claimed load): the share of the calls placed that were answered, refused or failed, and (service line) answered within the threshold."}), nil
}

// WriteClaimFiles writes a claim report into dir: report.html, report.md
// and result.json.
func WriteClaimFiles(dir string, r *claim.Report) ([]string, error) {
	return writeFiles(dir, []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteClaimHTML(w, r, nil, "") }},
		{FileMarkdown, func(w io.Writer) error { return WriteClaimMarkdown(w, r) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, r) }},
	})
}

// confText writes a confidence level: 95%, 99.9%.
func confText(c float64) string { return strconv.FormatFloat(math.Round(c*1e5)/1e3, 'f', -1, 64) + "%" }

// WriteBundleCheckText writes the check of an evidence bundle as callsim
// verify --check prints it: the digest, the run, whether every file is
// intact and every verdict reproduced, each problem, then the verdicts
// computed again from the calls.
func WriteBundleCheckText(w io.Writer, dir string, res *claim.CheckResult) error {
	fmt.Fprintf(w, "bundle    %s\n", dir)
	fmt.Fprintf(w, "digest    %s (SHA-256 of %s)\n", res.Digest, claim.FileManifest)
	if r := res.Run; r != nil {
		fmt.Fprintf(w, "run       callsim %s, seed %d, %s to %s\n", r.Version, r.Seed, r.StartedAt.Format(time.RFC3339), r.EndedAt.Format(time.RFC3339))
		fmt.Fprintf(w, "command   %s\n", strings.Join(r.CommandLine, " "))
	}
	intact := "intact: every file as the manifest's SHA-256 says"
	if !res.Intact {
		intact = "NOT intact"
	}
	fmt.Fprintf(w, "files     %s\n", intact)
	repro := "reproduced: every verdict, histogram and series computed again from the calls is the one stored"
	if !res.Reproduced {
		repro = "NOT reproduced"
	}
	fmt.Fprintf(w, "verdicts  %s\n", repro)
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if res.Report != nil {
		fmt.Fprintf(w, "\nThe verdicts, computed again from the calls:\n")
		if err := WriteClaimText(w, res.Report); err != nil {
			return err
		}
	}
	return nil
}
