package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/callsim/callsim/sim"
)

// table is a table of formatted cells, rendered in Markdown or HTML.
type table struct {
	Title  string
	Note   string
	Header []string
	Align  string // one 'l' or 'r' per column
	Rows   [][]string
}

// writeMarkdownTables writes tables as Markdown sections.
func writeMarkdownTables(ew *errWriter, ts []table) {
	for _, t := range ts {
		ew.printf("## %s\n\n", t.Title)
		if t.Note != "" {
			ew.printf("%s\n\n", t.Note)
		}
		mdTable(ew, t.Header, t.Align, t.Rows)
	}
}

// mdTable writes a Markdown (GitHub-flavoured) table; align holds one of
// 'l' or 'r' per column.
func mdTable(ew *errWriter, header []string, align string, rows [][]string) {
	esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	cells := make([]string, len(header))
	for i, h := range header {
		cells[i] = esc(h)
	}
	ew.printf("| %s |\n", strings.Join(cells, " | "))
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			cells[i] = "---:"
		} else {
			cells[i] = ":---"
		}
	}
	ew.printf("| %s |\n", strings.Join(cells, " | "))
	for _, r := range rows {
		out := make([]string, len(header))
		for i := range out {
			if i < len(r) {
				out[i] = esc(r[i])
			}
		}
		ew.printf("| %s |\n", strings.Join(out, " | "))
	}
	ew.printf("\n")
}

// runLine describes the run in one sentence, without its timing (so that
// reports of the same scenario and seed are identical).
func runLine(r *sim.Result) string {
	ci := fmt.Sprintf("95%% confidence half-widths from %d replications", r.CIObservations)
	if r.CIMethod == "batch_means" {
		ci = fmt.Sprintf("95%% confidence half-widths from %d batches of one replication", r.CIObservations)
	}
	return fmt.Sprintf("%d replication(s) of %s (warm-up %s), seed %d, %s calls simulated; ± are %s. Counts are per replication (%s measured).",
		r.Replications, Duration(r.HorizonSeconds), Duration(r.WarmupSeconds), r.Seed, Count(float64(r.Run.CallsSimulated)), ci,
		Duration(r.HorizonSeconds-r.WarmupSeconds))
}

// WriteSimulateMarkdown writes a simulation result as a Markdown document:
// the center's KPIs, then tables per queue, per group and per interval.
func WriteSimulateMarkdown(w io.Writer, r *sim.Result) error {
	ew := &errWriter{w: w}
	ew.printf("# %s: simulation\n\n", r.Scenario)
	if r.Interrupted {
		ew.printf("> **Interrupted**: figures come from the %d replication(s) that finished.\n\n", r.Replications)
	}
	ew.printf("%s\n\n%s\n\n", runLine(r), definitions)
	writeMarkdownTables(ew, simulateTables(r, true))
	return ew.err
}

const definitions = "Service level = answered within the queue's threshold / offered (abandoned included); ASA = mean wait of answered calls; abandon rate = abandoned / offered; occupancy = busy / staffed agent time."

// simulateTables are the tables of a simulation report; md marks missed
// targets in bold for Markdown.
func simulateTables(r *sim.Result, md bool) []table {
	missed := "MISSED"
	if md {
		missed = "**MISSED**"
	}
	k := &r.KPIs
	rows := [][]string{
		{"offered calls", CountCI(k.Offered, k.OfferedCI95)},
		{"answered", CountCI(k.Answered, k.AnsweredCI95)},
		{"abandoned", CountCI(k.Abandoned, k.AbandonedCI95)},
		{"service level", PctCI(k.ServiceLevel, k.ServiceLevelCI95)},
		{"ASA", SecsCI(k.ASASeconds, k.ASASecondsCI95)},
		{"abandon rate", PctCI(k.AbandonRate, k.AbandonRateCI95)},
		{"p(wait)", PctCI(k.PWait, k.PWaitCI95)},
		{"mean wait, all callers", SecsCI(k.MeanWaitSeconds, k.MeanWaitCI95)},
		{"queue length", fmt.Sprintf("mean %.2f ±%.2f, max %d", k.MeanQueueLength, k.MeanQueueLenCI95, k.MaxQueueLength)},
		{"occupancy", PctCI(k.Occupancy, k.OccupancyCI95)},
		{"calls per agent hour", fmt.Sprintf("%.2f ±%.2f", k.CallsPerAgentHour, k.CallsPerAgentCI95)},
		{"agents (peak scheduled / avg staffed)", fmt.Sprintf("%d / %.1f", k.Agents, k.StaffedAgents)},
	}
	if k.ResolutionRate < 1 && k.Answered > 0 {
		rows = append(rows, []string{"first-contact resolution", PctCI(k.ResolutionRate, k.ResolutionRateCI95)})
	}
	for _, extra := range []struct {
		label string
		v     float64
	}{
		{"closed (outside opening hours)", k.Closed},
		{"self-served in the IVR", k.SelfServed},
		{"repeat calls", k.RepeatCalls},
		{"redials", k.Redials},
		{"transfers", k.TransfersIn},
		{"still waiting at end", k.WaitingAtEnd},
	} {
		if extra.v > 0 {
			rows = append(rows, []string{extra.label, Count(extra.v)})
		}
	}
	if r.Cost.Total != 0 {
		cur := r.Cost.Currency
		rows = append(rows,
			[]string{"cost per month (" + cur + ")", CountCI(r.Cost.Total, r.Cost.TotalCI95)},
			[]string{"cost per offered call (" + cur + ")", Money(r.Cost.PerOfferedCall)},
			[]string{"cost per resolved contact (" + cur + ")", Money(r.Cost.PerResolvedContact)})
	}
	ts := []table{{Title: "Center", Header: []string{"KPI", "value"}, Align: "lr", Rows: rows}}

	rows = nil
	for _, q := range r.Queues {
		met := "met"
		switch {
		case q.Offered == 0:
			met = "no calls"
		case !q.MeetsTarget:
			met = missed
		}
		if q.Client != "" { // another client's target, not ours
			met = strings.ToLower(strings.Trim(met, "*")) + " (theirs)"
		}
		rows = append(rows, []string{queueLabel(&q), Count(q.Offered), PctCI(q.ServiceLevel, q.ServiceLevelCI95),
			Pct(q.TargetServiceLevel) + " in " + Secs(q.TargetWithinSeconds), met,
			SecsCI(q.ASASeconds, q.ASASecondsCI95), PctCI(q.AbandonRate, q.AbandonRateCI95), Pct(q.PWait),
			fmt.Sprintf("%.2f", q.MeanQueueLength), fmt.Sprint(q.MaxQueueLength), Secs(q.MeanHandleSeconds)})
	}
	ts = append(ts, table{Title: "Queues", Header: []string{"queue", "offered", "service level", "target", "target met", "ASA", "abandoned", "p(wait)", "mean queue", "max queue", "AHT"}, Align: "lrrrlrrrrrr", Rows: rows})

	rows = nil
	for _, g := range r.Groups {
		rows = append(rows, []string{g.Name, g.Sourcing, fmt.Sprint(g.Agents), fmt.Sprintf("%.1f", g.StaffedAgents),
			PctCI(g.Occupancy, g.OccupancyCI95), Count(g.Handled), fmt.Sprintf("%.2f", g.CallsPerAgentHour)})
	}
	ts = append(ts, table{Title: "Groups", Header: []string{"group", "sourcing", "peak agents", "avg staffed", "occupancy", "handled", "calls/agent/h"}, Align: "llrrrrr", Rows: rows})
	ts = append(ts, vendorTables(r)...)

	if len(r.Intervals) > 0 {
		rows = nil
		for _, iv := range r.Intervals {
			if iv.Offered == 0 && iv.StaffedAgents == 0 {
				continue
			}
			rows = append(rows, []string{iv.Start, Count(iv.Offered), Count(iv.Answered), Count(iv.Abandoned),
				PctCI(iv.ServiceLevel, iv.ServiceLevelCI95), Secs(iv.ASASeconds), Pct(iv.Occupancy),
				fmt.Sprintf("%.2f", iv.MeanQueueLength), fmt.Sprintf("%.1f", iv.StaffedAgents)})
		}
		ts = append(ts, table{Title: "Intervals of the day", Note: "Means per day; intervals with no call offered and nobody staffed are left out.",
			Header: []string{"start", "offered", "answered", "abandoned", "service level", "ASA", "occupancy", "mean queue", "staffed"}, Align: "lrrrrrrrr", Rows: rows})
	}
	return ts
}

// WriteCompareMarkdown writes a comparison as a Markdown document: the
// verdict, the variants side by side, their cost breakdown and their
// differences from the base.
func WriteCompareMarkdown(w io.Writer, c *sim.Comparison) error {
	ew := &errWriter{w: w}
	ew.printf("# %s: comparison\n\n", c.Scenario)
	if c.Interrupted {
		ew.printf("> **Interrupted**: only the variants shown finished.\n\n")
	}
	ew.printf("%s\n\n**%s**\n\n", compareLine(c), verdict(c))
	writeMarkdownTables(ew, compareTables(c, true))
	return ew.err
}

func compareLine(c *sim.Comparison) string {
	return fmt.Sprintf("%d variant(s), %d replication(s) each, seed %d, common random numbers; %s calls simulated. ± are 95%% confidence half-widths.",
		len(c.Variants), c.Replications, c.Seed, Count(float64(c.Run.CallsSimulated)))
}

// compareTables are the tables of a comparison report.
func compareTables(c *sim.Comparison, md bool) []table {
	if len(c.Variants) == 0 {
		return nil
	}
	no := "NO"
	if md {
		no = "**NO**"
	}
	header := []string{""}
	align := "l"
	for _, v := range c.Variants {
		header = append(header, v.Name)
		align += "r"
	}
	var rows [][]string
	row := func(label string, f func(v *sim.VariantResult) string) {
		r := []string{label}
		for i := range c.Variants {
			r = append(r, f(&c.Variants[i]))
		}
		rows = append(rows, r)
	}
	row("offered calls", func(v *sim.VariantResult) string { return Count(v.KPIs.Offered) })
	row("service level", func(v *sim.VariantResult) string { return PctCI(v.KPIs.ServiceLevel, v.KPIs.ServiceLevelCI95) })
	row("ASA", func(v *sim.VariantResult) string { return SecsCI(v.KPIs.ASASeconds, v.KPIs.ASASecondsCI95) })
	row("abandon rate", func(v *sim.VariantResult) string { return PctCI(v.KPIs.AbandonRate, v.KPIs.AbandonRateCI95) })
	row("occupancy", func(v *sim.VariantResult) string { return PctCI(v.KPIs.Occupancy, v.KPIs.OccupancyCI95) })
	row("resolution", func(v *sim.VariantResult) string { return PctCI(v.KPIs.ResolutionRate, v.KPIs.ResolutionRateCI95) })
	row("agents", func(v *sim.VariantResult) string { return fmt.Sprint(v.KPIs.Agents) })
	if len(c.Variants[0].Queues) > 1 {
		for qi, q := range c.Variants[0].Queues {
			row(queueLabel(&q)+": service level", func(v *sim.VariantResult) string {
				if qi >= len(v.Queues) {
					return ""
				}
				return PctCI(v.Queues[qi].ServiceLevel, v.Queues[qi].ServiceLevelCI95)
			})
		}
	}
	row("meets targets", func(v *sim.VariantResult) string {
		if v.MeetsTargets {
			return "yes"
		}
		return no
	})
	ts := []table{{Title: "KPIs", Header: header, Align: align, Rows: rows}}

	cur := c.Variants[0].Cost.Currency
	rows = nil
	row("cost per month", func(v *sim.VariantResult) string { return CountCI(v.Cost.Total, v.Cost.TotalCI95) })
	row("per offered call", func(v *sim.VariantResult) string { return Money(v.Cost.PerOfferedCall) })
	row("per handled call", func(v *sim.VariantResult) string { return Money(v.Cost.PerHandledCall) })
	row("per resolved contact", func(v *sim.VariantResult) string { return Money(v.Cost.PerResolvedContact) })
	for _, p := range usedCostParts(c) {
		row(p.label, func(v *sim.VariantResult) string { return Count(p.f(&v.Cost.Breakdown)) })
	}
	ts = append(ts, table{Title: "Cost per month (" + currencyCode(cur) + ")", Header: header, Align: align, Rows: rows})
	if hasSLA(c) {
		rows := compareSLARows(c)
		for _, r := range rows {
			r[0] = strings.TrimSpace(r[0])
		}
		ts = append(ts, table{Title: "SLA penalties received per month (" + currencyCode(cur) + ")", Note: slaNote(c),
			Header: header, Align: align, Rows: rows})
	}

	if len(c.Variants) > 1 {
		rows = nil
		for _, v := range c.Variants[1:] {
			d := v.VsBase
			if d == nil {
				continue
			}
			rows = append(rows, []string{v.Name, signedPct(d.ServiceLevel, d.ServiceLevelCI95),
				signed(d.ASASeconds, d.ASASecondsCI95, " s"), signedPct(d.AbandonRate, d.AbandonRateCI95),
				signed(d.CostPerMonth, d.CostPerMonthCI95, ""), signed(d.CostPerCall, d.CostPerCallCI95, "")})
		}
		if len(rows) > 0 {
			ts = append(ts, table{Title: "Difference from " + c.Variants[0].Name, Note: "Variant minus base, paired over replications (common random numbers), with 95% half-widths.",
				Header: []string{"variant", "service level", "ASA", "abandon rate", "cost per month", "cost per call"}, Align: "lrrrrr", Rows: rows})
		}
	}
	return ts
}

// verdict names the cheapest variant meeting every target, when its
// margin over the others meeting them is larger than the noise; otherwise
// it says which are tied within noise.
func verdict(c *sim.Comparison) string {
	if c.CheapestMeetingTargets == "" {
		return "No variant meets every service-level target."
	}
	return CheapestText("variant", "every service-level target", c.CheapestMeetingTargets, c.CheapestMargin)
}

// CheapestText is the verdict on the cheapest option (kind: "variant",
// "point") meeting targets (what: "every target"), given its margin
// (sim.Margin; nil: a result saved before margins were judged).
func CheapestText(kind, targets, name string, m *sim.Margin) string {
	switch {
	case m == nil:
		return fmt.Sprintf("Cheapest %s meeting %s: %s (margin over the others not judged: saved by an older version)", kind, targets, name)
	case m.Rivals == 0:
		return fmt.Sprintf("Cheapest %s meeting %s: %s (the only one meeting them)", kind, targets, name)
	case m.Significant:
		return fmt.Sprintf("Cheapest %s meeting %s: %s, cheaper than %s by %s ± %s a month (95%%%s)",
			kind, targets, name, m.RunnerUp, Money(m.CostPerMonth), Money(m.CostPerMonthCI95), marginMethod(m))
	}
	if m.Paired && m.CostPerMonth == 0 && m.CostPerMonthCI95 == 0 {
		// Identical costs in every replication: more would not part them.
		return fmt.Sprintf("No %s is the cheapest meeting %s: %s and %s cost the same in every replication (paired); no number of replications would tell them apart",
			kind, targets, name, strings.Join(m.Tied, ", "))
	}
	return fmt.Sprintf("No %s is the cheapest meeting %s: %s and %s are tied within noise (%s is %s ± %s a month cheaper than %s, 95%%%s); simulate more replications to tell them apart",
		kind, targets, name, strings.Join(m.Tied, ", "), name, Money(m.CostPerMonth), Money(m.CostPerMonthCI95), m.RunnerUp, marginMethod(m))
}

func marginMethod(m *sim.Margin) string {
	s := ", paired over replications"
	if !m.Paired {
		s = ", unpaired"
	}
	if m.Rivals > 1 {
		s += fmt.Sprintf(", Bonferroni over %d rivals", m.Rivals)
	}
	return s
}

// usedCostParts are the breakdown parts that are non-zero in some variant.
func usedCostParts(c *sim.Comparison) []costPart {
	var out []costPart
	for _, p := range costParts {
		for i := range c.Variants {
			if p.f(&c.Variants[i].Cost.Breakdown) != 0 {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
