package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/callsim/callsim/optimize"
)

// statusText is how a strategy's status reads in the summaries.
func statusText(s *optimize.StrategyResult) string {
	switch s.Status {
	case optimize.StatusMeets:
		if s.Repaired {
			return "meets targets (repaired)"
		}
		return "meets targets"
	case optimize.StatusInconclusive:
		return "inconclusive on fresh seeds"
	case optimize.StatusCheckFailed:
		return "MISSED on fresh seeds"
	case optimize.StatusInfeasible:
		return "infeasible within the bounds"
	case optimize.StatusInterrupted:
		return "interrupted (best so far)"
	}
	return s.Status
}

// decisionLines lists a strategy's decisions, sorted by path.
func decisionLines(s *optimize.StrategyResult) []string {
	keys := make([]string, 0, len(s.Decisions))
	for k := range s.Decisions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + " = " + optimize.ValueYAML(s.Decisions[k])
	}
	return out
}

// WriteOptimizeText writes the strategies side by side, each at its
// optimum: status, cost, KPIs on fresh seeds, decisions, what binds, the
// lower bound and gap, paired differences from the best, and the
// recommendation.
func WriteOptimizeText(w io.Writer, r *optimize.Result) error {
	ew := &errWriter{w: w}
	m := r.Method
	judged := "over the horizon"
	if m.EveryInterval {
		judged = "over the horizon and in every interval of the day"
	}
	ew.printf("Scenario %q: %d strateg%s, each at the least monthly cost meeting every target (%s).\n",
		r.Scenario, len(r.Strategies), plural(len(r.Strategies), "y", "ies"), judged)
	ew.printf("Search: %d replication(s), seed %d, common random numbers; check: %d fresh replication(s), seed %d. ± are 95%% confidence half-widths.\n",
		m.Replications, r.Seed, m.CheckReplications, m.CheckSeed)
	ew.printf("Meets targets: %s.\n", m.Criterion)
	if r.Interrupted {
		ew.printf("INTERRUPTED: the plans shown are the best found so far; they are not checked.\n")
	}
	ew.printf("\n")
	if len(r.Strategies) == 0 {
		return ew.err
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, f func(s *optimize.StrategyResult) string) {
		cells := []string{label}
		for i := range r.Strategies {
			cells = append(cells, f(&r.Strategies[i]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	cur := r.Strategies[0].Cost.Currency
	row("", func(s *optimize.StrategyResult) string { return s.Name })
	row("status", statusText)
	row("cost / month ("+cur+")", func(s *optimize.StrategyResult) string {
		return Money(s.Cost.Total) + " ±" + Money(s.Cost.TotalCI95)
	})
	row("service level", func(s *optimize.StrategyResult) string { return PctCI(s.KPIs.ServiceLevel, s.KPIs.ServiceLevelCI95) })
	row("ASA", func(s *optimize.StrategyResult) string { return SecsCI(s.KPIs.ASASeconds, s.KPIs.ASASecondsCI95) })
	row("abandon rate", func(s *optimize.StrategyResult) string { return PctCI(s.KPIs.AbandonRate, s.KPIs.AbandonRateCI95) })
	row("resolution", func(s *optimize.StrategyResult) string {
		return PctCI(s.KPIs.ResolutionRate, s.KPIs.ResolutionRateCI95)
	})
	row("agents (peak)", func(s *optimize.StrategyResult) string { return fmt.Sprint(s.KPIs.Agents) })
	row("binding target", func(s *optimize.StrategyResult) string {
		if s.Binding == "" {
			return "-"
		}
		return fmt.Sprintf("%s (%+.1f pts)", s.Binding, 100*s.Slack)
	})
	row("check replications", func(s *optimize.StrategyResult) string { return fmt.Sprint(s.CheckReplications) })
	row("targets undecided", func(s *optimize.StrategyResult) string { return fmt.Sprint(s.Undecided) })
	row("lower bound", func(s *optimize.StrategyResult) string {
		if s.LowerBound == nil {
			return "-"
		}
		return Money(*s.LowerBound)
	})
	row("gap", func(s *optimize.StrategyResult) string {
		if s.Gap == nil {
			return "-"
		}
		return Pct(*s.Gap)
	})
	row("plans simulated", func(s *optimize.StrategyResult) string { return fmt.Sprintf("%d in %.1f s", s.Evaluations, s.Seconds) })
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf("\nDecisions:\n")
	for i := range r.Strategies {
		s := &r.Strategies[i]
		ew.printf("  %s:\n", s.Name)
		for _, l := range decisionLines(s) {
			ew.printf("    %s\n", l)
		}
	}
	for i := range r.Strategies {
		if m := r.Strategies[i].LowerBoundMethod; m != "" {
			ew.printf("\nLower bound: %s.\n", m)
			break
		}
	}
	if r.Best != "" {
		ew.printf("\nDifferences from %s on the checks (paired where two checks have the same replications, else Welch):\n", r.Best)
		for i := range r.Strategies {
			s := &r.Strategies[i]
			if s.Vs == nil {
				continue
			}
			ew.printf("  %s: cost %s, service level %s\n", s.Name, signed(s.Vs.CostPerMonth, s.Vs.CostPerMonthCI95, " "+cur+"/month"), signedPct(s.Vs.ServiceLevel, s.Vs.ServiceLevelCI95))
		}
	}
	ew.printf("\nRecommendation: %s.\n", r.Recommendation.Text)
	return ew.err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteOptimizeHeadline writes the optimized answer in a few lines: each
// strategy's status, monthly cost and decisions, and the recommendation
// (for compare and demo, above or below their own figures).
func WriteOptimizeHeadline(w io.Writer, r *optimize.Result) error {
	ew := &errWriter{w: w}
	ew.printf("Optimized (callsim optimize: each strategy at its least monthly cost meeting the targets, checked on fresh seeds):\n")
	for i := range r.Strategies {
		s := &r.Strategies[i]
		ew.printf("  %-28s %-26s %12s %s  %s\n", s.Name, statusText(s), Count(s.Cost.Total), s.Cost.Currency, strings.Join(decisionLines(s), ", "))
	}
	ew.printf("  Recommendation: %s.\n", r.Recommendation.Text)
	return ew.err
}
