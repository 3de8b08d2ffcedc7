package reports

import (
	"fmt"
	"html/template"
	"io"

	"github.com/callsim/callsim/sim"
)

// The HTML report is one self-contained file: styles inline, charts as
// inline SVG, no scripts, fonts, images or links fetched from anywhere.

type htmlCard struct {
	Label, Value, Note string
	Bad                bool
}

type htmlFigure struct {
	Title, Caption string
	SVG            template.HTML
}

type htmlTable struct {
	table
	Open bool // shown unfolded
}

type htmlPage struct {
	Title, Subtitle, RunLine, Definitions string
	Warning                               string
	Verdict                               string
	VerdictBad                            bool
	Cards                                 []htmlCard
	Figures                               []htmlFigure
	Tables                                []htmlTable
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"right": func(align string, i int) bool { return i < len(align) && align[i] == 'r' },
}).Parse(`<!DOCTYPE html>
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
.sub{color:#555;margin:0 0 12px}
.small{color:#555;font-size:13px}
.warn{background:#fdecea;border-left:4px solid #d62728;padding:8px 12px;margin:12px 0}
.verdict{background:#e8f5e9;border-left:4px solid #2ca02c;padding:10px 14px;margin:16px 0;font-size:17px;font-weight:bold}
.verdict.bad{background:#fdecea;border-left-color:#d62728}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px}
.card .v{font-size:22px;font-weight:bold}
.card .l{color:#555;font-size:13px}
.card .n{color:#777;font-size:12px}
.card.bad .v{color:#d62728}
figure{margin:24px 0;page-break-inside:avoid}
figure h3{font-size:16px;margin:0 0 4px}
figure svg{width:100%;height:auto;display:block}
figcaption{color:#555;font-size:13px;margin-top:4px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}
th,td{border:1px solid #ddd;padding:4px 8px;white-space:nowrap}
th{background:#f4f4f4;text-align:left}
td.r,th.r{text-align:right}
tbody tr:nth-child(even){background:#fafafa}
.scroll{overflow-x:auto}
details summary{cursor:pointer;font-size:19px;font-weight:bold;margin:24px 0 8px}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p class="sub">{{.Subtitle}}</p>
{{if .Warning}}<p class="warn">{{.Warning}}</p>{{end}}
{{if .Verdict}}<p class="verdict{{if .VerdictBad}} bad{{end}}">{{.Verdict}}</p>{{end}}
{{if .Cards}}<div class="cards">{{range .Cards}}<div class="card{{if .Bad}} bad{{end}}"><div class="l">{{.Label}}</div><div class="v">{{.Value}}</div>{{if .Note}}<div class="n">{{.Note}}</div>{{end}}</div>{{end}}</div>{{end}}
<p class="small">{{.RunLine}}</p>
<p class="small">{{.Definitions}}</p>
{{if .Figures}}<h2>Charts</h2>{{end}}
{{range .Figures}}<figure>
{{.SVG}}
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}
{{range .Tables}}{{if .Open}}<h2>{{.Title}}</h2>{{else}}<details><summary>{{.Title}}</summary>{{end}}
{{if .Note}}<p class="small">{{.Note}}</p>{{end}}
<div class="scroll"><table>
<thead><tr>{{$a := .Align}}{{range $i, $h := .Header}}<th{{if right $a $i}} class="r"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if right $a $i}} class="r"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
{{if not .Open}}</details>{{end}}
{{end}}
<p class="small">Made by callsim. Tables for spreadsheets: the CSV files written beside this report.</p>
</main>
</body>
</html>
`))

func toHTMLFigures(figs []Figure) []htmlFigure {
	out := make([]htmlFigure, len(figs))
	for i, f := range figs {
		// The SVG comes from the chart renderer, whose text is escaped.
		out[i] = htmlFigure{Title: f.Title, Caption: f.Caption, SVG: template.HTML(f.SVG)}
	}
	return out
}

// WriteSimulateHTML writes a simulation result as a self-contained HTML
// report: headline KPIs, charts per interval of the day and the tables.
func WriteSimulateHTML(w io.Writer, r *sim.Result) error {
	figs, err := SimulateFigures(r)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	k := &r.KPIs
	meets := r.MeetsTargets()
	pg := htmlPage{
		Title:       r.Scenario + ": simulation",
		Subtitle:    fmt.Sprintf("%d queue(s), %d agent group(s), %s simulated per replication", len(r.Queues), len(r.Groups), Duration(r.HorizonSeconds)),
		RunLine:     runLine(r),
		Definitions: definitions,
		Figures:     toHTMLFigures(figs),
		Cards: []htmlCard{
			{Label: "service level", Value: Pct(k.ServiceLevel), Note: "±" + trimZeros(fmt.Sprintf("%.1f", 100*k.ServiceLevelCI95)) + " pts", Bad: !meets},
			{Label: "ASA", Value: Secs(k.ASASeconds), Note: "mean wait of answered calls"},
			{Label: "abandon rate", Value: Pct(k.AbandonRate)},
			{Label: "occupancy", Value: Pct(k.Occupancy)},
			{Label: "offered calls", Value: Count(k.Offered), Note: "per replication"},
		},
	}
	if len(r.Queues) > 0 {
		if meets {
			pg.Verdict = "Every queue meets its service-level target."
		} else {
			pg.Verdict, pg.VerdictBad = "Some queue misses its service-level target.", true
		}
	}
	if r.Cost.Total != 0 {
		pg.Cards = append(pg.Cards, htmlCard{Label: "cost per month", Value: Count(r.Cost.Total) + " " + r.Cost.Currency,
			Note: Money(r.Cost.PerOfferedCall) + " per offered call"})
	}
	if r.Interrupted {
		pg.Warning = fmt.Sprintf("Interrupted: figures come from the %d replication(s) that finished.", r.Replications)
	}
	for i, t := range simulateTables(r, false) {
		pg.Tables = append(pg.Tables, htmlTable{table: t, Open: i < 3})
	}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteCompareHTML writes a comparison as a self-contained HTML report: the
// verdict, cost and frontier charts, and the tables side by side.
func WriteCompareHTML(w io.Writer, c *sim.Comparison) error {
	figs, err := CompareFigures(c)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	pg := htmlPage{
		Title:       c.Scenario + ": comparison",
		Subtitle:    fmt.Sprintf("%d variant(s) simulated with common random numbers", len(c.Variants)),
		RunLine:     compareLine(c),
		Definitions: definitions,
		Verdict:     verdict(c),
		VerdictBad:  c.CheapestMeetingTargets == "" || (c.CheapestMargin != nil && !c.CheapestSignificant),
		Figures:     toHTMLFigures(figs),
	}
	if c.Interrupted {
		pg.Warning = "Interrupted: only the variants shown finished."
	}
	for _, t := range compareTables(c, false) {
		pg.Tables = append(pg.Tables, htmlTable{table: t, Open: true})
	}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}
