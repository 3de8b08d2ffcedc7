package reports

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot/vg"

	"github.com/callsim/callsim/wfm"
)

// FileStaffing is the CSV of a staffing plan: one row per queue and
// interval of the day.
const FileStaffing = "staffing.csv"

// WriteStaffText writes a staffing plan as the aligned tables that
// callsim staff prints.
func WriteStaffText(w io.Writer, p *wfm.StaffPlan) error {
	ew := &errWriter{w: w}
	ew.printf("Staffing plan for %q, seed %d\n", p.Scenario, p.Seed)
	for _, q := range p.Queues {
		ew.printf("\nQueue %s", q.Queue)
		if q.Group != "" {
			ew.printf(" (group %s)", q.Group)
		}
		ew.printf(": %s\n", queuePlanLine(&q))
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "start\tcalls\tErlang agents\tErlang SL"
		if p.Verified {
			head += "\tverified agents\tscheduled\tsimulated SL\tfresh-seed SL\t"
		} else {
			head += "\tscheduled\t"
		}
		fmt.Fprintln(tw, head)
		for _, ip := range q.Intervals {
			row := fmt.Sprintf("%s\t%.1f\t%d\t%s", ip.Start, ip.Calls, ip.Analytic, Pct(ip.AnalyticSL))
			if p.Verified {
				mark, cmark := "", ""
				if !ip.Meets {
					mark = " !"
				}
				if !ip.CheckMeets {
					cmark = " !"
				}
				row += fmt.Sprintf("\t%d\t%d\t%s%s\t%s%s\t", ip.Verified, ip.Scheduled,
					simSL(ip.SimulatedSL, ip.SimulatedSLCI95, ip.SimulatedCalls), mark, Pct(ip.CheckSL), cmark)
			} else {
				row += fmt.Sprintf("\t%d\t", ip.Scheduled)
			}
			fmt.Fprintln(tw, row)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		ew.printf("Scheduled agent hours a day: %.1f\n", q.ScheduledHours)
		if sp := q.ShiftPlan; sp != nil {
			group := q.Group
			if group == "" {
				group = "(the queue's group)"
			}
			ew.printf("\nShifts for group %s covering the scheduled agents in every interval (every day):\n", group)
			ew.printf("%s", shiftsYAML(sp, 2))
			ew.printf("%s\n", shiftLine(sp))
			if c := sp.Simulated; c != nil {
				ew.printf("%s\n", shiftCheckLine(c, q.Shrinkage))
			}
		}
	}
	ew.printf("\n")
	for _, l := range staffVerdictLines(p) {
		ew.printf("%s\n", l)
	}
	for _, n := range p.Notes {
		ew.printf("Note: %s\n", n)
	}
	return ew.err
}

// shiftsYAML writes a shift plan as a scenario's shifts: block, from its
// JSON fields (so that a plan read back from JSON prints the same).
func shiftsYAML(p *wfm.ShiftPlan, indent int) string {
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	b.WriteString(pad + "shifts:\n")
	for _, s := range p.Shifts {
		fmt.Fprintf(&b, "%s  - {start: %q, length: %s, days: [mon, tue, wed, thu, fri, sat, sun], agents: %d", pad, s.StartText, s.LengthText, s.Agents)
		if s.BreakLen != "" {
			fmt.Fprintf(&b, ", breaks: [{after: %s, length: %s}]", s.BreakAfter, s.BreakLen)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func queuePlanLine(q *wfm.QueuePlan) string {
	model := "Erlang C (no abandonment)"
	if q.Model == "erlang_a" {
		model = fmt.Sprintf("Erlang A (exponential patience, mean %s)", Secs(q.PatienceSeconds))
	}
	return fmt.Sprintf("target %s within %s; %s, AHT %s; busiest weekday %s (x%.2f); shrinkage %s",
		Pct(q.TargetSL), Secs(q.TargetWithin), model, Secs(q.AHTSeconds), q.Weekday, q.WeekdayFactor, Pct(q.Shrinkage))
}

func shiftLine(sp *wfm.ShiftPlan) string {
	return fmt.Sprintf("Paid %.1f agent hours a day (%d agents) for %.1f required; lower bound %.1f, gap %s.",
		sp.PaidHours, sp.Headcount, sp.RequiredHours, sp.LowerBound, Pct(sp.Gap))
}

func shiftCheckLine(c *wfm.ShiftCheck, shrinkage float64) string {
	if c.AllMeet {
		return fmt.Sprintf("Simulated with these shifts (seed %d, shrinkage %s): every interval meets the target.", c.Seed, Pct(shrinkage))
	}
	return fmt.Sprintf("Simulated with these shifts (seed %d, shrinkage %s): %d interval(s) miss the target: %s.", c.Seed, Pct(shrinkage), len(c.Missed), strings.Join(c.Missed, ", "))
}

// staffVerdictLines says how verification went (nothing for an analytic
// plan).
func staffVerdictLines(p *wfm.StaffPlan) []string {
	if !p.Verified {
		return nil
	}
	crit := "the lower end of its 95% confidence interval"
	if p.Criterion == wfm.CriterionPoint {
		crit = "its point estimate"
	}
	l1 := fmt.Sprintf("Verification: %d round(s); an interval meets the target when %s reaches target + %s. ", p.Rounds, crit, Pct(p.Margin))
	if p.AllMeet {
		l1 += "Every interval meets it."
	} else {
		l1 += "Some intervals (!) still miss it."
	}
	l2 := fmt.Sprintf("Fresh seeds (%d): every interval meets the target (point estimates).", p.CheckSeed)
	if !p.CheckAllMeet {
		l2 = fmt.Sprintf("Fresh seeds (%d): some intervals (!) miss the target (point estimates); try --margin 1%%.", p.CheckSeed)
	}
	return []string{l1, l2}
}

func simSL(sl, ci, calls float64) string {
	if calls == 0 {
		return "-"
	}
	return PctCI(sl, ci)
}

// staffTables are the tables of a staffing report, one per queue (and one
// per shift plan); md marks missed intervals in bold for Markdown.
func staffTables(p *wfm.StaffPlan, md bool) []table {
	missed := "MISSED"
	if md {
		missed = "**MISSED**"
	}
	var ts []table
	for _, q := range p.Queues {
		header := []string{"start", "calls", "Erlang agents", "Erlang SL"}
		align := "lrrr"
		if p.Verified {
			header = append(header, "verified agents", "scheduled", "simulated SL", "", "fresh-seed SL", "")
			align += "rrrlrl"
		} else {
			header = append(header, "scheduled")
			align += "r"
		}
		var rows [][]string
		for _, ip := range q.Intervals {
			row := []string{ip.Start, fmt.Sprintf("%.1f", ip.Calls), strconv.Itoa(ip.Analytic), Pct(ip.AnalyticSL)}
			if p.Verified {
				m, cm := "", ""
				if !ip.Meets {
					m = missed
				}
				if !ip.CheckMeets {
					cm = missed
				}
				row = append(row, strconv.Itoa(ip.Verified), strconv.Itoa(ip.Scheduled), simSL(ip.SimulatedSL, ip.SimulatedSLCI95, ip.SimulatedCalls), m, Pct(ip.CheckSL), cm)
			} else {
				row = append(row, strconv.Itoa(ip.Scheduled))
			}
			rows = append(rows, row)
		}
		title := "Queue " + q.Queue
		if q.Group != "" {
			title += " (group " + q.Group + ")"
		}
		ts = append(ts, table{Title: title, Note: queuePlanLine(&q) + fmt.Sprintf("; scheduled agent hours a day: %.1f.", q.ScheduledHours),
			Header: header, Align: align, Rows: rows})
		if sp := q.ShiftPlan; sp != nil {
			rows = nil
			for _, s := range sp.Shifts {
				brk := ""
				if s.BreakLen != "" {
					brk = s.BreakLen + " after " + s.BreakAfter
				}
				rows = append(rows, []string{s.StartText, s.LengthText, strconv.Itoa(s.Agents), brk})
			}
			note := shiftLine(sp)
			if sp.Simulated != nil {
				note += " " + shiftCheckLine(sp.Simulated, q.Shrinkage)
			}
			ts = append(ts, table{Title: "Shifts for queue " + q.Queue, Note: note, Header: []string{"start", "length", "agents", "break"}, Align: "llrl", Rows: rows})
		}
	}
	return ts
}

// WriteStaffMarkdown writes a staffing plan as a Markdown document.
func WriteStaffMarkdown(w io.Writer, p *wfm.StaffPlan) error {
	ew := &errWriter{w: w}
	ew.printf("# %s: staffing plan\n\n", p.Scenario)
	ew.printf("%s\n\n", staffLine(p))
	for _, l := range staffVerdictLines(p) {
		ew.printf("%s\n\n", l)
	}
	writeMarkdownTables(ew, staffTables(p, true))
	for _, n := range p.Notes {
		ew.printf("Note: %s\n\n", n)
	}
	return ew.err
}

func staffLine(p *wfm.StaffPlan) string {
	how := "Erlang figures only (not verified by simulation)"
	if p.Verified {
		how = "Erlang, then verified by simulation"
	}
	return fmt.Sprintf("Seed %d, intervals of %s; %s. Scheduled = ceil(verified / (1 - shrinkage)).", p.Seed, Duration(p.IntervalSeconds), how)
}

// staffColumns are the columns of staffing.csv.
var staffColumns = []string{"queue", "group", "interval_start", "interval_start_seconds", "interval_seconds", "calls",
	"analytic_agents", "analytic_service_level", "verified_agents", "scheduled_agents",
	"simulated_service_level", "simulated_service_level_ci95", "simulated_calls", "meets_target",
	"check_service_level", "check_service_level_ci95", "check_meets_target",
	"target_service_level", "target_within_seconds", "shrinkage", "shift_coverage_agents"}

// WriteStaffCSV writes staffing.csv: one row per queue and interval of the
// day. The simulated columns are empty for an analytic plan, the shift
// coverage when no shifts were planned.
func WriteStaffCSV(w io.Writer, p *wfm.StaffPlan) error {
	var rows [][]string
	for _, q := range p.Queues {
		for s, ip := range q.Intervals {
			sim := blanks(7)
			if p.Verified {
				sim = []string{num(ip.SimulatedSL), num(ip.SimulatedSLCI95), num(ip.SimulatedCalls), boolCell(ip.Meets),
					num(ip.CheckSL), num(ip.CheckSLCI95), boolCell(ip.CheckMeets)}
			}
			cov := ""
			if sp := q.ShiftPlan; sp != nil && s < len(sp.Coverage) {
				cov = strconv.Itoa(sp.Coverage[s])
			}
			rows = append(rows, concat(
				[]string{q.Queue, q.Group, ip.Start, strconv.Itoa(ip.StartSeconds), num(p.IntervalSeconds), num(ip.Calls),
					strconv.Itoa(ip.Analytic), num(ip.AnalyticSL), strconv.Itoa(ip.Verified), strconv.Itoa(ip.Scheduled)},
				sim,
				[]string{num(q.TargetSL), num(q.TargetWithin), num(q.Shrinkage), cov}))
		}
	}
	return writeCSV(w, staffColumns, rows)
}

// StaffFigures draws, per queue, the agents required (Erlang and verified)
// against the agents scheduled (and covered by shifts) per interval, and,
// for a verified plan, the simulated service level against the target.
func StaffFigures(p *wfm.StaffPlan) ([]Figure, error) {
	var figs []Figure
	for _, q := range p.Queues {
		if len(q.Intervals) == 0 {
			continue
		}
		starts := make([]int, len(q.Intervals))
		for i, ip := range q.Intervals {
			starts[i] = ip.StartSeconds
		}
		ax := ivAxisOf(starts, p.IntervalSeconds)
		steps := func(f func(ip *wfm.IntervalPlan) float64) (xs, ys []float64) {
			for i := range q.Intervals {
				v := f(&q.Intervals[i])
				xs, ys = append(xs, ax.start[i], ax.end[i]), append(ys, v, v)
			}
			return xs, ys
		}
		c := newChart("Agents per interval: "+q.Queue, "time of day", "agents")
		ax.apply(c)
		var all [][]float64
		xs, erl := steps(func(ip *wfm.IntervalPlan) float64 { return float64(ip.Analytic) })
		c.addLine("required (Erlang)", xs, erl, colorAt(1), 1.5, []vg.Length{5, 3})
		all = append(all, erl)
		if p.Verified {
			_, ver := steps(func(ip *wfm.IntervalPlan) float64 { return float64(ip.Verified) })
			c.addLine("required (verified by simulation)", xs, ver, colorAt(0), 2, nil)
			all = append(all, ver)
		}
		_, sch := steps(func(ip *wfm.IntervalPlan) float64 { return float64(ip.Scheduled) })
		c.addLine("scheduled (with shrinkage)", xs, sch, colorAt(2), 2, nil)
		all = append(all, sch)
		if sp := q.ShiftPlan; sp != nil && len(sp.Coverage) == len(q.Intervals) {
			_, cov := steps(func(ip *wfm.IntervalPlan) float64 { return 0 })
			for i := range q.Intervals {
				cov[2*i], cov[2*i+1] = float64(sp.Coverage[i]), float64(sp.Coverage[i])
			}
			c.addLine("on duty in the shift plan", xs, cov, colorAt(3), 1.5, []vg.Length{2, 2})
			all = append(all, cov)
		}
		c.p.Y.Min, c.p.Y.Max = 0, niceMax(1, all...)
		c.p.Y.Tick.Marker = numTicks{}
		s, err := c.svg()
		if err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Agents: " + q.Queue, SVG: s,
			Caption: "Agents required per interval of the day (Erlang" + map[bool]string{true: ", then as verified by simulation", false: ""}[p.Verified] + ") against the agents scheduled: required / (1 - shrinkage), rounded up" + map[bool]string{true: "; dotted: agents on duty and not on break in the shift plan", false: ""}[q.ShiftPlan != nil] + "."})
		if !p.Verified {
			continue
		}
		c = newChart("Simulated service level per interval: "+q.Queue, "time of day", "service level")
		ax.apply(c)
		sl := make([]float64, len(q.Intervals))
		chk := make([]float64, len(q.Intervals))
		for i, ip := range q.Intervals {
			sl[i], chk[i] = ip.SimulatedSL, ip.CheckSL
			if ip.SimulatedCalls == 0 {
				sl[i], chk[i] = math.NaN(), math.NaN()
			}
		}
		c.addLine("verification", ax.mid, sl, colorAt(0), 2, nil)
		c.addLine("fresh seeds", ax.mid, chk, colorAt(1), 1.5, []vg.Length{5, 3})
		if q.TargetSL > 0 {
			c.addLine(fmt.Sprintf("target %s in %s", Pct(q.TargetSL), Secs(q.TargetWithin)), []float64{ax.lo, ax.hi}, []float64{q.TargetSL, q.TargetSL}, colRed, 1.5, []vg.Length{6, 3})
		}
		c.p.Y.Max = 1.02
		c.p.Y.Min = slAxisMinOf(q.TargetSL, sl, chk)
		c.p.Y.Tick.Marker = pctTicks{}
		if s, err = c.svg(); err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Service level: " + q.Queue, SVG: s,
			Caption: "Service level of the verified plan per interval, simulated in the last verification round and again with fresh seeds. Dashed: the target. Gaps: no calls."})
	}
	return figs, nil
}

// slAxisMinOf is slAxisMin for one target.
func slAxisMinOf(target float64, vals ...[]float64) float64 {
	m := 1.0
	if target > 0 {
		m = target
	}
	for _, vs := range vals {
		for _, v := range vs {
			if !math.IsNaN(v) {
				m = min(m, v)
			}
		}
	}
	return max(0, math.Floor(m*10-0.5)/10)
}

// WriteStaffHTML writes a staffing plan as a self-contained HTML report.
func WriteStaffHTML(w io.Writer, p *wfm.StaffPlan) error {
	figs, err := StaffFigures(p)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	pg := htmlPage{
		Title:    p.Scenario + ": staffing plan",
		Subtitle: fmt.Sprintf("%d queue(s), intervals of %s", len(p.Queues), Duration(p.IntervalSeconds)),
		RunLine:  staffLine(p),
		Figures:  toHTMLFigures(figs),
	}
	if p.Verified {
		pg.Verdict, pg.VerdictBad = "Every interval meets its target with the verified plan, also with fresh seeds.", false
		if !p.AllMeet || !p.CheckAllMeet {
			pg.Verdict, pg.VerdictBad = strings.Join(staffVerdictLines(p), " "), true
		}
	}
	for _, q := range p.Queues {
		sched, peak := 0.0, 0
		for _, ip := range q.Intervals {
			peak = max(peak, ip.Scheduled)
		}
		sched = q.ScheduledHours
		pg.Cards = append(pg.Cards,
			htmlCard{Label: q.Queue + ": peak scheduled", Value: strconv.Itoa(peak), Note: "agents"},
			htmlCard{Label: q.Queue + ": agent hours a day", Value: fmt.Sprintf("%.1f", sched), Note: "scheduled"})
	}
	for _, t := range staffTables(p, false) {
		pg.Tables = append(pg.Tables, htmlTable{table: t, Open: true})
	}
	if len(p.Notes) > 0 {
		pg.Definitions = "Notes: " + strings.Join(p.Notes, " ")
	}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteStaffFiles writes the report of a staffing plan into dir: report.html,
// report.md, result.json and staffing.csv, each atomically.
func WriteStaffFiles(dir string, p *wfm.StaffPlan) ([]string, error) {
	return writeFiles(dir, []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteStaffHTML(w, p) }},
		{FileMarkdown, func(w io.Writer) error { return WriteStaffMarkdown(w, p) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, p) }},
		{FileStaffing, func(w io.Writer) error { return WriteStaffCSV(w, p) }},
	})
}
