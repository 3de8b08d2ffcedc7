package reports

import (
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"github.com/callsim/callsim/sim"
)

// The CSV tables use one unit per column, named in the header: counts are
// means per replication (per day in intervals.csv), rates such as
// service_level are fractions in [0, 1], times end in _seconds and amounts
// in the cost currency per month end in that currency's code. Numbers use a
// '.' decimal point and no thousands separators; quoting follows RFC 4180.

// num formats a number for CSV: rounded to 6 decimals, shortest form; NaN
// and infinities become an empty cell.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	r := math.Round(f*1e6) / 1e6
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// money formats an amount for CSV, rounded to cents.
func money(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return num(math.Round(f*100) / 100)
}

func boolCell(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// writeCSV writes a header and rows with encoding/csv.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write CSV rows: %w", err)
	}
	return nil
}

// callColumns are the caller-side columns, in order.
var callColumns = []string{
	"offered", "offered_ci95", "answered", "answered_ci95", "abandoned", "abandoned_ci95",
	"service_level", "service_level_ci95", "asa_seconds", "asa_seconds_ci95",
	"abandon_rate", "abandon_rate_ci95", "p_wait", "p_wait_ci95",
	"mean_wait_seconds", "mean_wait_seconds_ci95", "mean_queue_length", "mean_queue_length_ci95",
	"max_queue_length", "mean_handle_seconds", "resolution_rate", "repeat_calls", "waiting_at_end",
}

func callCells(k *sim.CallKPIs) []string {
	return []string{
		num(k.Offered), num(k.OfferedCI95), num(k.Answered), num(k.AnsweredCI95), num(k.Abandoned), num(k.AbandonedCI95),
		num(k.ServiceLevel), num(k.ServiceLevelCI95), num(k.ASASeconds), num(k.ASASecondsCI95),
		num(k.AbandonRate), num(k.AbandonRateCI95), num(k.PWait), num(k.PWaitCI95),
		num(k.MeanWaitSeconds), num(k.MeanWaitCI95), num(k.MeanQueueLength), num(k.MeanQueueLenCI95),
		strconv.Itoa(k.MaxQueueLength), num(k.MeanHandleSeconds), num(k.ResolutionRate), num(k.RepeatCalls), num(k.WaitingAtEnd),
	}
}

// agentColumns are the agent-side columns, in order.
var agentColumns = []string{
	"agents", "staffed_agents", "occupancy", "occupancy_ci95", "handled", "handled_ci95",
	"calls_per_agent_hour", "calls_per_agent_hour_ci95", "handled_minutes",
}

func agentCells(k *sim.AgentKPIs) []string {
	return []string{
		strconv.Itoa(k.Agents), num(k.StaffedAgents), num(k.Occupancy), num(k.OccupancyCI95), num(k.Handled), num(k.HandledCI95),
		num(k.CallsPerAgentHour), num(k.CallsPerAgentCI95), num(k.HandledMinutes),
	}
}

func blanks(n int) []string { return make([]string, n) }

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// AllQueues is the queue name of the rows that cover every queue together.
const AllQueues = "all"

// WriteIntervalsCSV writes intervals.csv: one row per interval of the day
// for the whole center (queue "all", with the agent columns), then one row
// per interval for each queue (agent columns empty). Counts are means per
// day.
func WriteIntervalsCSV(w io.Writer, r *sim.Result) error {
	return writeCSV(w, intervalsHeader(false), intervalRows(r, ""))
}

func intervalsHeader(variant bool) []string {
	h := concat([]string{"interval_start", "interval_start_seconds", "interval_seconds", "queue"}, callColumns, agentColumns)
	if variant {
		h = append([]string{"variant"}, h...)
	}
	return h
}

func intervalRows(r *sim.Result, variant string) [][]string {
	var rows [][]string
	add := func(row []string) {
		if variant != "" {
			row = append([]string{variant}, row...)
		}
		rows = append(rows, row)
	}
	lead := func(iv *sim.IntervalResult, queue string) []string {
		return []string{iv.Start, strconv.Itoa(iv.StartSeconds), num(r.IntervalSeconds), queue}
	}
	for i := range r.Intervals {
		iv := &r.Intervals[i]
		add(concat(lead(iv, AllQueues), callCells(&iv.CallKPIs), agentCells(&iv.AgentKPIs)))
	}
	for qi := range r.Queues {
		for i := range r.Intervals {
			iv := &r.Intervals[i]
			if qi >= len(iv.Queues) {
				continue
			}
			q := &iv.Queues[qi]
			add(concat(lead(iv, q.Name), callCells(&q.CallKPIs), blanks(len(agentColumns))))
		}
	}
	return rows
}

var queueTargetColumns = []string{"target_service_level", "target_within_seconds", "meets_target"}

// WriteQueuesCSV writes queues.csv: one row per queue (call type) over the
// whole measured window, with its service-level target.
func WriteQueuesCSV(w io.Writer, r *sim.Result) error {
	h := concat([]string{"queue"}, callColumns, queueTargetColumns)
	return writeCSV(w, h, queueRows(r.Queues, ""))
}

func queueRows(qs []sim.QueueResult, variant string) [][]string {
	var rows [][]string
	for i := range qs {
		q := &qs[i]
		row := concat([]string{q.Name}, callCells(&q.CallKPIs),
			[]string{num(q.TargetServiceLevel), num(q.TargetWithinSeconds), boolCell(q.MeetsTarget)})
		if variant != "" {
			row = append([]string{variant}, row...)
		}
		rows = append(rows, row)
	}
	return rows
}

// WriteGroupsCSV writes groups.csv: one row per agent group, with its
// monthly cost when the result has one.
func WriteGroupsCSV(w io.Writer, r *sim.Result) error {
	return writeCSV(w, groupsHeader(false, r.Cost.Currency), groupRows(r.Groups, &r.Cost, ""))
}

func groupsHeader(variant bool, currency string) []string {
	h := concat([]string{"group", "sourcing"}, agentColumns, []string{"cost_per_month_" + currencyCode(currency)})
	if variant {
		h = append([]string{"variant"}, h...)
	}
	return h
}

func groupRows(gs []sim.GroupResult, cost *sim.Cost, variant string) [][]string {
	var rows [][]string
	for i := range gs {
		g := &gs[i]
		c := ""
		for _, gc := range cost.Groups {
			if gc.Name == g.Name {
				c = money(gc.Total)
			}
		}
		row := concat([]string{g.Name, g.Sourcing}, agentCells(&g.AgentKPIs), []string{c})
		if variant != "" {
			row = append([]string{variant}, row...)
		}
		rows = append(rows, row)
	}
	return rows
}

func currencyCode(c string) string {
	if c == "" {
		return "currency"
	}
	return c
}

// costParts lists the parts of a cost breakdown.
var costParts = []costPart{
	{"wages", "wages", rgb(0x4e79a7), func(b *sim.Breakdown) float64 { return b.Wages }},
	{"overhead", "overhead", rgb(0xa0cbe8), func(b *sim.Breakdown) float64 { return b.Overhead }},
	{"supervision", "supervision", rgb(0x59a14f), func(b *sim.Breakdown) float64 { return b.Supervision }},
	{"seats", "seats", rgb(0x8cd17d), func(b *sim.Breakdown) float64 { return b.Seats }},
	{"turnover", "turnover", rgb(0xb6992d), func(b *sim.Breakdown) float64 { return b.Turnover }},
	{"vendor setup (spread)", "vendor_setup", rgb(0xf1ce63), func(b *sim.Breakdown) float64 { return b.VendorSetup }},
	{"vendor minutes", "vendor_minutes", rgb(0xf28e2b), func(b *sim.Breakdown) float64 { return b.VendorMinutes }},
	{"vendor calls", "vendor_calls", rgb(0xffbe7d), func(b *sim.Breakdown) float64 { return b.VendorCalls }},
	{"vendor resolved contacts", "vendor_resolved_contacts", rgb(0xff9d9a), func(b *sim.Breakdown) float64 { return b.VendorResolved }},
	{"vendor agent hours", "vendor_agent_hours", rgb(0xd37295), func(b *sim.Breakdown) float64 { return b.VendorAgentHours }},
	{"vendor committed hours", "vendor_committed_hours", rgb(0xb07aa1), func(b *sim.Breakdown) float64 { return b.VendorCommitted }},
	{"vendor hours above commitment", "vendor_hours_above_commitment", rgb(0xd4a6c8), func(b *sim.Breakdown) float64 { return b.VendorAbove }},
	{"vendor minimum top-up", "vendor_minimum_top_up", rgb(0xfabfd2), func(b *sim.Breakdown) float64 { return b.VendorMinimum }},
	{"vendor SLA (credit < 0)", "vendor_sla", rgb(0x79706e), func(b *sim.Breakdown) float64 { return b.VendorSLA }},
	{"abandoned calls", "abandoned_calls", rgb(0xe15759), func(b *sim.Breakdown) float64 { return b.AbandonedCalls }},
	{"unresolved contacts", "unresolved_contacts", rgb(0x9d7660), func(b *sim.Breakdown) float64 { return b.UnresolvedContacts }},
}

// costPart is one part of a cost breakdown: a label for people, a column
// name for tools, a colour for charts and the amount.
type costPart struct {
	label, column string
	col           color.RGBA
	f             func(b *sim.Breakdown) float64
}

func rgb(v uint32) color.RGBA { return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff} }

// WriteVariantsCSV writes variants.csv: one row per variant of a
// comparison with its KPIs, its monthly cost and breakdown (columns ending
// in the currency code), its difference from the base (columns ending in
// _vs_base; empty for the base), and the monthly SLA penalties received
// with their spread over the replications and the SLA periods missed a
// month (empty without an agreement).
func WriteVariantsCSV(w io.Writer, c *sim.Comparison) error {
	cur := ""
	if len(c.Variants) > 0 {
		cur = c.Variants[0].Cost.Currency
	}
	cc := "_" + currencyCode(cur)
	h := []string{"variant", "description", "meets_targets",
		"offered", "answered", "abandoned", "service_level", "service_level_ci95", "asa_seconds", "asa_seconds_ci95",
		"abandon_rate", "abandon_rate_ci95", "occupancy", "occupancy_ci95", "resolution_rate", "repeat_calls",
		"agents", "staffed_agents",
		"cost_per_month" + cc, "cost_per_month_ci95" + cc, "cost_per_offered_call" + cc, "cost_per_handled_call" + cc,
		"cost_per_resolved_contact" + cc}
	for _, p := range costParts {
		h = append(h, p.column+cc)
	}
	h = append(h, "service_level_vs_base", "service_level_vs_base_ci95", "asa_seconds_vs_base", "asa_seconds_vs_base_ci95",
		"abandon_rate_vs_base", "abandon_rate_vs_base_ci95", "cost_per_month_vs_base"+cc, "cost_per_month_vs_base_ci95"+cc,
		"cost_per_offered_call_vs_base"+cc, "cost_per_offered_call_vs_base_ci95"+cc,
		"sla_penalties"+cc, "sla_penalties_ci95"+cc, "sla_penalties_p10"+cc, "sla_penalties_p50"+cc, "sla_penalties_p90"+cc,
		"sla_penalties_min"+cc, "sla_penalties_max"+cc, "sla_periods_missed")
	var rows [][]string
	for i := range c.Variants {
		v := &c.Variants[i]
		k := &v.KPIs
		row := []string{v.Name, v.Description, boolCell(v.MeetsTargets),
			num(k.Offered), num(k.Answered), num(k.Abandoned), num(k.ServiceLevel), num(k.ServiceLevelCI95),
			num(k.ASASeconds), num(k.ASASecondsCI95), num(k.AbandonRate), num(k.AbandonRateCI95),
			num(k.Occupancy), num(k.OccupancyCI95), num(k.ResolutionRate), num(k.RepeatCalls),
			strconv.Itoa(k.Agents), num(k.StaffedAgents),
			money(v.Cost.Total), money(v.Cost.TotalCI95), money(v.Cost.PerOfferedCall), money(v.Cost.PerHandledCall),
			money(v.Cost.PerResolvedContact)}
		for _, p := range costParts {
			row = append(row, money(p.f(&v.Cost.Breakdown)))
		}
		if d := v.VsBase; d != nil {
			row = append(row, num(d.ServiceLevel), num(d.ServiceLevelCI95), num(d.ASASeconds), num(d.ASASecondsCI95),
				num(d.AbandonRate), num(d.AbandonRateCI95), money(d.CostPerMonth), money(d.CostPerMonthCI95),
				num(d.CostPerCall), num(d.CostPerCallCI95))
		} else {
			row = append(row, blanks(10)...)
		}
		if d := v.Cost.SLAPenalties; d != nil {
			row = append(row, money(d.Mean), money(d.MeanCI95), money(d.P10), money(d.P50), money(d.P90), money(d.Min), money(d.Max), num(slaMissed(v)))
		} else {
			row = append(row, blanks(8)...)
		}
		rows = append(rows, row)
	}
	return writeCSV(w, h, rows)
}

// WriteCompareQueuesCSV writes queues.csv for a comparison: one row per
// variant and queue.
func WriteCompareQueuesCSV(w io.Writer, c *sim.Comparison) error {
	h := concat([]string{"variant", "queue"}, callColumns, queueTargetColumns)
	var rows [][]string
	for i := range c.Variants {
		rows = append(rows, queueRows(c.Variants[i].Queues, c.Variants[i].Name)...)
	}
	return writeCSV(w, h, rows)
}

// WriteCompareGroupsCSV writes groups.csv for a comparison: one row per
// variant and agent group.
func WriteCompareGroupsCSV(w io.Writer, c *sim.Comparison) error {
	cur := ""
	if len(c.Variants) > 0 {
		cur = c.Variants[0].Cost.Currency
	}
	var rows [][]string
	for i := range c.Variants {
		v := &c.Variants[i]
		rows = append(rows, groupRows(v.Groups, &v.Cost, v.Name)...)
	}
	return writeCSV(w, groupsHeader(true, cur), rows)
}

// hasIntervals reports whether every variant carries its figures per
// interval of the day (in its JSON since the "intervals" field was added;
// older saved comparisons have none).
func hasIntervals(c *sim.Comparison) bool {
	if len(c.Variants) == 0 {
		return false
	}
	for i := range c.Variants {
		if len(c.Variants[i].Intervals) == 0 {
			return false
		}
	}
	return true
}

// variantResult gives a variant the shape of a simulation result (its
// queues, groups, cost and intervals, all from its JSON fields), so that a
// comparison read back from JSON renders as the one just run.
func variantResult(c *sim.Comparison, v *sim.VariantResult) *sim.Result {
	return &sim.Result{Scenario: c.Scenario, Seed: c.Seed, Replications: c.Replications, IntervalSeconds: v.IntervalSeconds,
		KPIs: v.KPIs, Queues: v.Queues, Groups: v.Groups, Intervals: v.Intervals, Cost: v.Cost}
}

// WriteCompareIntervalsCSV writes intervals.csv for a comparison whose
// variants carry their intervals: the columns of WriteIntervalsCSV after a
// variant column.
func WriteCompareIntervalsCSV(w io.Writer, c *sim.Comparison) error {
	if !hasIntervals(c) {
		return fmt.Errorf("the comparison has no per-interval results (saved by an older callsim; run callsim compare again)")
	}
	var rows [][]string
	for i := range c.Variants {
		rows = append(rows, intervalRows(variantResult(c, &c.Variants[i]), c.Variants[i].Name)...)
	}
	return writeCSV(w, intervalsHeader(true), rows)
}
