package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/sim"
)

// FilePlan is the plan CSV of an optimization; each strategy's plan is
// also written as a scenario file, PlanFileName(strategy).
const FilePlan = "plan.csv"

// PlanFileName is the file the plan of a strategy is written to.
func PlanFileName(strategy string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strategy) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "strategy"
	}
	return "plan-" + name + ".yaml"
}

// WriteOptimizeFiles writes the report of an optimization into dir:
// report.html, report.md, result.json (as --json prints it), plan.csv and
// every strategy's plan as a scenario file (plan-NAME.yaml; not for a
// result read back from JSON), each atomically.
func WriteOptimizeFiles(dir string, r *optimize.Result) ([]string, error) {
	jobs := []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteOptimizeHTML(w, r) }},
		{FileMarkdown, func(w io.Writer) error { return WriteOptimizeMarkdown(w, r) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, r) }},
		{FilePlan, func(w io.Writer) error { return WriteOptimizePlanCSV(w, r) }},
	}
	seen := map[string]bool{}
	for i := range r.Strategies {
		s := &r.Strategies[i]
		if !s.HasPlan() || len(s.Decisions) == 0 {
			continue // read back from JSON, or stopped before any plan
		}
		name := PlanFileName(s.Name)
		for k := 2; seen[name]; k++ {
			name = strings.TrimSuffix(PlanFileName(s.Name), ".yaml") + fmt.Sprintf("-%d.yaml", k)
		}
		seen[name] = true
		jobs = append(jobs, fileJob{name, func(w io.Writer) error {
			b, err := s.PlanYAML(r.Scenario, r.Seed)
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}})
	}
	return writeFiles(dir, jobs)
}

// WriteOptimizePlanCSV writes every strategy's decisions, one row per
// decision and, for a headcount per interval, per interval of the day:
// strategy, status, meets_targets, path, interval, value.
func WriteOptimizePlanCSV(w io.Writer, r *optimize.Result) error {
	header := []string{"strategy", "status", "meets_targets", "cost_per_month", "path", "interval_start", "value"}
	var rows [][]string
	for _, s := range r.Strategies {
		keys := make([]string, 0, len(s.Decisions))
		for k := range s.Decisions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		base := []string{s.Name, s.Status, fmt.Sprint(s.MeetsTargets), fmt.Sprintf("%.2f", s.Cost.Total)}
		for _, k := range keys {
			if counts, ok := s.Decisions[k].([]int); ok {
				step := 86400 / max(len(counts), 1)
				for i, n := range counts {
					rows = append(rows, append(append([]string(nil), base...), k, clockOf(i*step), fmt.Sprint(n)))
				}
				continue
			}
			rows = append(rows, append(append([]string(nil), base...), k, "", optimize.ValueYAML(s.Decisions[k])))
		}
	}
	return writeCSV(w, header, rows)
}

func clockOf(sec int) string { return fmt.Sprintf("%02d:%02d", sec/3600, sec/60%60) }

// asComparison sets the strategies' checked plans out as a comparison's
// variants, for the cost charts.
func asComparison(r *optimize.Result) *sim.Comparison {
	c := &sim.Comparison{Scenario: r.Scenario, Seed: r.Method.CheckSeed, Replications: r.Method.CheckReplications}
	for _, s := range r.Strategies {
		v := sim.VariantResult{Name: s.Name, Description: s.Description, MeetsTargets: s.MeetsTargets, KPIs: s.KPIs, Queues: s.Queues, Groups: s.Groups, Cost: s.Cost,
			Result: checkOf(&s), IntervalSeconds: s.IntervalSeconds, Intervals: s.Intervals}
		c.Variants = append(c.Variants, v)
	}
	return c
}

// checkOf is the strategy's simulated figures: the check's result, or for
// a result read back from JSON the figures it saved.
func checkOf(s *optimize.StrategyResult) *sim.Result {
	if s.Check != nil {
		return s.Check
	}
	if s.Status == "" || len(s.Queues) == 0 {
		return nil
	}
	return &sim.Result{Scenario: s.Name, IntervalSeconds: s.IntervalSeconds, Intervals: s.Intervals, KPIs: s.KPIs, Queues: s.Queues, Groups: s.Groups, Cost: s.Cost}
}

// OptimizeFigures are the charts of an optimization: the strategies' cost
// against service level, their cost by part, and per strategy the
// headcount per interval of each group against the Erlang requirement.
func OptimizeFigures(r *optimize.Result) ([]Figure, error) {
	var figs []Figure
	var checked []optimize.StrategyResult
	for _, s := range r.Strategies {
		if checkOf(&s) != nil {
			checked = append(checked, s)
		}
	}
	if len(checked) == 0 {
		return nil, nil
	}
	cmp := asComparison(&optimize.Result{Scenario: r.Scenario, Method: r.Method, Strategies: checked})
	cur := checked[0].Cost.Currency
	c, err := frontierChart(cmp, cur)
	if err != nil {
		return nil, err
	}
	s, err := c.svg()
	if err != nil {
		return nil, err
	}
	figs = append(figs, Figure{Title: "Cost against service level", Caption: "Each strategy at its optimum: monthly cost against service level on the fresh-seed check, with 95% confidence bars; green: every queue meets its target, red: some queue misses it.", SVG: s})
	if c, err = costChart(cmp, cur); err != nil {
		return nil, err
	}
	c.p.Title.Text = "Cost per month by strategy (" + currencyCode(cur) + ")"
	if s, err = c.svg(); err != nil {
		return nil, err
	}
	figs = append(figs, Figure{Title: "Cost per month by strategy", Caption: "Each strategy's monthly cost at its optimum, split into its parts.", SVG: s})
	for _, st := range checked {
		res := checkOf(&st)
		if len(res.Intervals) == 0 {
			continue
		}
		ax := newIvAxis(res)
		c := newChart("Agents per interval: "+st.Name, "time of day", "agents")
		ax.apply(c)
		top := 1.0
		for gi, g := range res.Groups {
			vs := values(res, func(iv *sim.IntervalResult) (float64, bool) {
				if gi < len(iv.Groups) {
					return iv.Groups[gi].StaffedAgents, true
				}
				return 0, false
			})
			for _, v := range vs {
				top = max(top, v)
			}
			c.addLine(g.Name+" (available)", ax.mid, vs, colorAt(gi), 2, nil)
		}
		if len(st.Requirement) == len(res.Intervals) {
			req := make([]float64, len(st.Requirement))
			for k, n := range st.Requirement {
				req[k] = float64(n)
				top = max(top, req[k])
			}
			c.addLine("Erlang requirement (all queues)", ax.mid, req, colBlack, 1.5, []vg.Length{6, 3})
		}
		c.p.Y.Min, c.p.Y.Max = 0, top*1.1
		if s, err = c.svg(); err != nil {
			return nil, err
		}
		figs = append(figs, Figure{Title: "Agents per interval: " + st.Name, Caption: "Agents available for calls per interval of the day in each group of the chosen plan (on the check), against the Erlang A/C requirement of all queues together (scheduled agents, each interval as a steady state).", SVG: s})
	}
	return figs, nil
}

// optimizeTables are the tables of an optimization report.
func optimizeTables(r *optimize.Result) []table {
	strat := table{Title: "Strategies at their optimum", Note: "Figures from the check on fresh seeds. Binding: the target with the least margin.",
		Header: []string{"strategy", "status", "cost / month", "± 95%", "service level", "abandon rate", "binding target", "margin", "lower bound", "gap", "plans simulated"},
		Align:  "llrrrrlrrrr"}
	for _, s := range r.Strategies {
		lb, gap := "-", "-"
		if s.LowerBound != nil {
			lb = Money(*s.LowerBound)
		}
		if s.Gap != nil {
			gap = Pct(*s.Gap)
		}
		strat.Rows = append(strat.Rows, []string{s.Name, statusText(&s), Money(s.Cost.Total), Money(s.Cost.TotalCI95),
			PctCI(s.KPIs.ServiceLevel, s.KPIs.ServiceLevelCI95), PctCI(s.KPIs.AbandonRate, s.KPIs.AbandonRateCI95),
			s.Binding, fmt.Sprintf("%+.1f pts", 100*s.Slack), lb, gap, fmt.Sprint(s.Evaluations)})
	}
	dec := table{Title: "Decisions", Header: []string{"strategy", "path", "value"}, Align: "lll"}
	for _, s := range r.Strategies {
		for _, l := range decisionLines(&s) {
			path, val, _ := strings.Cut(l, " = ")
			dec.Rows = append(dec.Rows, []string{s.Name, path, val})
		}
	}
	bind := table{Title: "Targets on the check", Note: "Every queue's service level on fresh seeds against its target.",
		Header: []string{"strategy", "queue", "service level", "target", "margin", "meets"}, Align: "llrrrl"}
	for _, s := range r.Strategies {
		for _, q := range s.Queues {
			if q.Client != "" {
				continue
			}
			meets := "yes"
			if !q.MeetsTarget {
				meets = "MISSED"
			}
			bind.Rows = append(bind.Rows, []string{s.Name, q.Name, PctCI(q.ServiceLevel, q.ServiceLevelCI95), Pct(q.TargetServiceLevel),
				fmt.Sprintf("%+.1f pts", 100*(q.ServiceLevel-q.TargetServiceLevel)), meets})
		}
	}
	out := []table{strat, dec, bind}
	if r.Best != "" {
		diff := table{Title: "Differences from " + r.Best, Note: "On the checks: paired where two checks have the same replications, else Welch's two samples.",
			Header: []string{"strategy", "cost / month", "service level"}, Align: "lrr"}
		for _, s := range r.Strategies {
			if s.Vs != nil {
				diff.Rows = append(diff.Rows, []string{s.Name, signed(s.Vs.CostPerMonth, s.Vs.CostPerMonthCI95, ""), signedPct(s.Vs.ServiceLevel, s.Vs.ServiceLevelCI95)})
			}
		}
		out = append(out, diff)
	}
	return out
}

// WriteOptimizeHTML writes an optimization as a self-contained HTML
// report: the recommendation, the strategies' cost against service level,
// headcount per interval against the requirement, what binds.
func WriteOptimizeHTML(w io.Writer, r *optimize.Result) error {
	figs, err := OptimizeFigures(r)
	if err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	m := r.Method
	pg := htmlPage{
		Title:    r.Scenario + ": optimized strategies",
		Subtitle: fmt.Sprintf("%d strateg%s, each at the least monthly cost meeting every target", len(r.Strategies), plural(len(r.Strategies), "y", "ies")),
		RunLine: fmt.Sprintf("Search: %d replication(s), seed %d, common random numbers; check: %d fresh replication(s), seed %d; targets judged on point estimates%s. ± are 95%% confidence half-widths.",
			m.Replications, r.Seed, m.CheckReplications, m.CheckSeed, map[bool]string{true: " over the horizon and in every interval", false: " over the horizon"}[m.EveryInterval]),
		Definitions: definitions,
		Verdict:     r.Recommendation.Text + ".",
		VerdictBad:  r.Recommendation.Verdict == "none" || r.Recommendation.Verdict == "tied",
		Figures:     toHTMLFigures(figs),
	}
	if r.Interrupted {
		pg.Warning = "Interrupted: the plans shown are the best found so far, not checked on fresh seeds."
	}
	for _, s := range r.Strategies {
		pg.Cards = append(pg.Cards, htmlCard{Label: s.Name, Value: Count(s.Cost.Total), Note: statusText(&s), Bad: !s.MeetsTargets})
	}
	for _, t := range optimizeTables(r) {
		pg.Tables = append(pg.Tables, htmlTable{table: t, Open: true})
	}
	if err := pageTmpl.Execute(w, pg); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteOptimizeMarkdown writes an optimization as Markdown: the
// recommendation and the tables of the HTML report.
func WriteOptimizeMarkdown(w io.Writer, r *optimize.Result) error {
	ew := &errWriter{w: w}
	ew.printf("# %s: optimized strategies\n\n", r.Scenario)
	if r.Interrupted {
		ew.printf("**Interrupted**: the plans shown are the best found so far, not checked on fresh seeds.\n\n")
	}
	m := r.Method
	ew.printf("Search: %d replication(s), seed %d, common random numbers; check: %d fresh replication(s), seed %d. Meets targets: %s.\n\n",
		m.Replications, r.Seed, m.CheckReplications, m.CheckSeed, m.Criterion)
	ew.printf("**Recommendation**: %s.\n\n", r.Recommendation.Text)
	writeMarkdownTables(ew, optimizeTables(r))
	return ew.err
}
