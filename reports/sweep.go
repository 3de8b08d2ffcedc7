package reports

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot"

	"github.com/callsim/callsim/wfm"
)

// FilePoints is the CSV of a sweep: one row per point.
const FilePoints = "points.csv"

// sweepNote is what every sweep report says about its targets.
const sweepNote = "Targets are judged on point estimates; service level = answered within threshold / offered."

// WriteSweepText writes a sweep as the aligned table callsim sweep prints.
func WriteSweepText(w io.Writer, r *wfm.SweepResult) error {
	ew := &errWriter{w: w}
	ew.printf("Sweep of %q, seed %d (common random numbers across points)\n", r.Scenario, r.Seed)
	if r.Interrupted {
		ew.printf("INTERRUPTED: only the points shown were simulated.\n")
	}
	for _, k := range fixedKeys(r) {
		ew.printf("  fixed: %s=%s\n", k, r.Fixed[k])
	}
	ew.printf("\n")
	t := sweepTable(r, false)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(t.Header, "\t")+"\t")
	for _, row := range t.Rows {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf("\n")
	for _, l := range sweepVerdictLines(r) {
		ew.printf("%s\n", l)
	}
	ew.printf("%s\n", sweepNote)
	return ew.err
}

func fixedKeys(r *wfm.SweepResult) []string {
	keys := make([]string, 0, len(r.Fixed))
	for k := range r.Fixed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sweepCurrency(r *wfm.SweepResult) string {
	if len(r.Points) > 0 {
		return r.Points[0].Currency
	}
	return ""
}

// sweepTable is the table of points; md marks missed targets in bold.
func sweepTable(r *wfm.SweepResult, md bool) table {
	var head []string
	align := ""
	for _, a := range r.Axes {
		head = append(head, a.Path)
		align += "r"
	}
	cur := ""
	if c := sweepCurrency(r); c != "" {
		cur = " " + c
	}
	head = append(head, "service level", "ASA", "abandoned", "occupancy", "cost/month"+cur, "cost/call"+cur, "targets", "")
	align += "rrrrrrll"
	var rows [][]string
	for i, p := range r.Points {
		row := append([]string(nil), p.Set...)
		mark := "met"
		if !p.MeetsTargets {
			mark = "missed"
			if md {
				mark = "**missed**"
			}
		}
		note := ""
		if i == r.Cheapest {
			note = "<- cheapest meeting targets"
			if r.CheapestMargin != nil && !r.CheapestSignificant {
				note = "<- cheapest meeting targets, tied within noise"
			}
		}
		if i == r.Knee {
			note = strings.TrimPrefix(note+", knee", ", ")
			if i != r.Cheapest {
				note = "<- knee"
			}
		}
		if p.Interrupted {
			note = strings.TrimPrefix(note+", interrupted", ", ")
		}
		row = append(row, PctCI(p.ServiceLevel, p.ServiceLevelCI95), Secs(p.ASASeconds),
			Pct(p.AbandonRate), Pct(p.Occupancy), Money(p.CostPerMonth),
			Money(p.CostPerOfferedCall), mark, note)
		rows = append(rows, row)
	}
	return table{Title: "Points", Note: "± are 95% confidence half-widths.", Header: head, Align: align, Rows: rows}
}

// SweepPointName names point i by its swept values: "groups.staff.agents=32".
func SweepPointName(r *wfm.SweepResult, i int) string {
	parts := make([]string, len(r.Axes))
	for j, a := range r.Axes {
		v := ""
		if j < len(r.Points[i].Set) {
			v = r.Points[i].Set[j]
		}
		parts[j] = a.Path + "=" + v
	}
	return strings.Join(parts, " ")
}

func sweepVerdictLines(r *wfm.SweepResult) []string {
	var out []string
	if r.Cheapest >= 0 && r.Cheapest < len(r.Points) {
		p := r.Points[r.Cheapest]
		line := CheapestText("point", "every target", SweepPointName(r, r.Cheapest), r.CheapestMargin)
		if r.CheapestMargin == nil || r.CheapestSignificant {
			line = fmt.Sprintf("%s; %s a month, %s per offered call", line, Money(p.CostPerMonth), Money(p.CostPerOfferedCall))
		}
		out = append(out, line)
	} else {
		out = append(out, "No point meets every target.")
	}
	if r.Knee >= 0 && r.Knee < len(r.Points) {
		out = append(out, fmt.Sprintf("Knee of the service-level curve: %s (%s)", SweepPointName(r, r.Knee), Pct(r.Points[r.Knee].ServiceLevel)))
	}
	return out
}

// WriteSweepMarkdown writes a sweep as a Markdown document.
func WriteSweepMarkdown(w io.Writer, r *wfm.SweepResult) error {
	ew := &errWriter{w: w}
	ew.printf("# %s: sweep\n\n", r.Scenario)
	if r.Interrupted {
		ew.printf("> **Interrupted**: only the points shown were simulated.\n\n")
	}
	ew.printf("%s\n\n", sweepLine(r))
	for _, k := range fixedKeys(r) {
		ew.printf("- fixed: `%s=%s`\n", k, r.Fixed[k])
	}
	if len(r.Fixed) > 0 {
		ew.printf("\n")
	}
	for _, l := range sweepVerdictLines(r) {
		ew.printf("**%s**\n\n", l)
	}
	writeMarkdownTables(ew, []table{sweepTable(r, true)})
	ew.printf("%s\n", sweepNote)
	return ew.err
}

func sweepLine(r *wfm.SweepResult) string {
	paths := make([]string, len(r.Axes))
	for i, a := range r.Axes {
		paths[i] = fmt.Sprintf("%s (%d values)", a.Path, len(a.Values))
	}
	return fmt.Sprintf("%d point(s) over %s, seed %d, common random numbers across points.", len(r.Points), strings.Join(paths, " × "), r.Seed)
}

// WriteSweepCSV writes points.csv: one row per point, the swept values in
// columns named by their paths, then the KPIs (rates as fractions), costs
// per month (columns ending in the currency code) and the verdict columns.
func WriteSweepCSV(w io.Writer, r *wfm.SweepResult) error {
	cc := "_" + currencyCode(sweepCurrency(r))
	var h []string
	for _, a := range r.Axes {
		h = append(h, a.Path)
	}
	h = append(h, "service_level", "service_level_ci95", "asa_seconds", "asa_seconds_ci95", "abandon_rate", "abandon_rate_ci95",
		"occupancy", "occupancy_ci95", "cost_per_month"+cc, "cost_per_month_ci95"+cc, "cost_per_offered_call"+cc,
		"cost_per_offered_call_ci95"+cc, "meets_targets", "queues_missing_target", "cheapest", "knee", "interrupted")
	var rows [][]string
	for i, p := range r.Points {
		set := make([]string, len(r.Axes))
		copy(set, p.Set)
		rows = append(rows, concat(set, []string{num(p.ServiceLevel), num(p.ServiceLevelCI95), num(p.ASASeconds), num(p.ASASecondsCI95),
			num(p.AbandonRate), num(p.AbandonRateCI95), num(p.Occupancy), num(p.OccupancyCI95),
			money(p.CostPerMonth), money(p.CostPerMonthCI95), num(p.CostPerOfferedCall), num(p.CostPerOfferedCI95),
			boolCell(p.MeetsTargets), strings.Join(p.QueuesMissingTarget, " "), boolCell(i == r.Cheapest), boolCell(i == r.Knee),
			boolCell(p.Interrupted)}))
	}
	return writeCSV(w, h, rows)
}

// SweepFigures draws the charts of a sweep: cost against service level
// across the points (the frontier), and service level and cost per offered
// call along the first axis (one line per value of the second).
func SweepFigures(r *wfm.SweepResult) ([]Figure, error) {
	if len(r.Points) == 0 || len(r.Axes) == 0 {
		return nil, nil
	}
	var figs []Figure
	cur := sweepCurrency(r)
	pts := make([]frontierPoint, len(r.Points))
	hasCost := false
	for i, p := range r.Points {
		name := strings.Join(p.Set, ", ")
		pts[i] = frontierPoint{name, p.ServiceLevel, p.ServiceLevelCI95, p.CostPerMonth, p.CostPerMonthCI95, p.MeetsTargets}
		hasCost = hasCost || p.CostPerMonth != 0
	}
	if hasCost {
		c, err := costSLChart("Cost against service level", pts, cur, 0)
		if err != nil {
			return nil, err
		}
		s, err := c.svg()
		if err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Cost against service level", SVG: s,
			Caption: "Each point's monthly cost against its service level, with 95% confidence bars, labelled by its swept value(s); green: every queue meets its target, red: some queue misses it. The dotted line joins the efficient points (no other is both cheaper and better)."})
	}

	// Along the first axis: numeric values on a numeric axis, else by index.
	a0 := r.Axes[0]
	numeric := true
	pos := map[string]float64{}
	for _, v := range a0.Values {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			numeric = false
			break
		}
		pos[v] = x
	}
	var ticks []plot.Tick
	if !numeric {
		for i, v := range a0.Values {
			pos[v] = float64(i)
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: v})
		}
	}
	type series struct {
		name   string
		xs, ys []float64
		cs     []float64
	}
	var lines []*series
	byName := map[string]*series{}
	for _, p := range r.Points {
		if len(p.Set) == 0 {
			continue
		}
		name := r.Scenario
		if len(r.Axes) > 1 && len(p.Set) > 1 {
			name = r.Axes[1].Path + "=" + p.Set[1]
		}
		s := byName[name]
		if s == nil {
			s = &series{name: name}
			byName[name] = s
			lines = append(lines, s)
		}
		s.xs = append(s.xs, pos[p.Set[0]])
		s.ys = append(s.ys, p.ServiceLevel)
		s.cs = append(s.cs, p.CostPerOfferedCall)
	}
	setX := func(c *chart) {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range lines {
			for _, x := range s.xs {
				lo, hi = min(lo, x), max(hi, x)
			}
		}
		pad := max((hi-lo)*0.04, 0.5)
		if numeric && hi > lo {
			pad = (hi - lo) * 0.04
		}
		c.p.X.Min, c.p.X.Max = lo-pad, hi+pad
		if numeric {
			c.p.X.Tick.Marker = numTicks{}
		} else {
			c.p.X.Tick.Marker = plot.ConstantTicks(ticks)
		}
	}
	c := newChart("Service level along "+a0.Path, a0.Path, "service level")
	var all []float64
	for i, s := range lines {
		c.addLine(s.name, s.xs, s.ys, colorAt(i), 2, nil)
		all = append(all, s.ys...)
	}
	setX(c)
	c.p.Y.Min, c.p.Y.Max = slAxisMinOf(0, all), 1.02
	c.p.Y.Tick.Marker = pctTicks{}
	s, err := c.svg()
	if err != nil {
		return nil, err
	}
	figs = append(figs, Figure{Title: "Service level along " + a0.Path, SVG: s,
		Caption: "Service level of all queues together at each value of " + a0.Path + " (one line per value of the second swept parameter, if any)."})
	if hasCost {
		c = newChart("Cost per offered call along "+a0.Path, a0.Path, "cost per offered call ("+currencyCode(cur)+")")
		all = nil
		for i, s := range lines {
			c.addLine(s.name, s.xs, s.cs, colorAt(i), 2, nil)
			all = append(all, s.cs...)
		}
		setX(c)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range all {
			lo, hi = min(lo, v), max(hi, v)
		}
		pad := max((hi-lo)*0.15, hi*0.01, 0.01)
		c.p.Y.Min, c.p.Y.Max = max(0, lo-pad), hi+pad
		c.p.Y.Tick.Marker = numTicks{}
		if s, err = c.svg(); err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Cost per offered call along " + a0.Path, SVG: s,
			Caption: "Monthly cost divided by the calls offered, at each value of " + a0.Path + ": where it bottoms out, more agents stop paying for themselves (when abandoned calls are priced)."})
	}
	return figs, nil
}

// WriteSweepHTML writes a sweep as a self-contained HTML report.
func WriteSweepHTML(w io.Writer, r *wfm.SweepResult) error {
	figs, err := SweepFigures(r)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	vl := sweepVerdictLines(r)
	pg := htmlPage{
		Title:       r.Scenario + ": sweep",
		Subtitle:    sweepLine(r),
		RunLine:     sweepNote,
		Verdict:     strings.Join(vl, ". "),
		VerdictBad:  r.Cheapest < 0 || (r.CheapestMargin != nil && !r.CheapestSignificant),
		Figures:     toHTMLFigures(figs),
		Definitions: definitions,
	}
	if r.Interrupted {
		pg.Warning = "Interrupted: only the points shown were simulated."
	}
	if len(r.Fixed) > 0 {
		var parts []string
		for _, k := range fixedKeys(r) {
			parts = append(parts, k+"="+r.Fixed[k])
		}
		pg.RunLine = "Fixed at every point: " + strings.Join(parts, ", ") + ". " + sweepNote
	}
	pg.Tables = []htmlTable{{table: sweepTable(r, false), Open: true}}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteSweepFiles writes the report of a sweep into dir: report.html,
// report.md, result.json and points.csv, each atomically.
func WriteSweepFiles(dir string, r *wfm.SweepResult) ([]string, error) {
	return writeFiles(dir, []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteSweepHTML(w, r) }},
		{FileMarkdown, func(w io.Writer) error { return WriteSweepMarkdown(w, r) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, r) }},
		{FilePoints, func(w io.Writer) error { return WriteSweepCSV(w, r) }},
	})
}
