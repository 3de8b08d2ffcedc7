package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/callsim/callsim/sim"
)

// WriteCompareText writes the variants of a comparison side by side: KPIs,
// monthly cost with its breakdown, differences from the base with paired
// confidence intervals, and the verdict.
func WriteCompareText(w io.Writer, c *sim.Comparison) error {
	ew := &errWriter{w: w}
	ew.printf("Scenario %q: %d variant(s), %d replication(s) each, seed %d, common random numbers\n",
		c.Scenario, len(c.Variants), c.Replications, c.Seed)
	if c.Interrupted {
		ew.printf("INTERRUPTED: only the variants shown finished.\n")
	}
	ew.printf("Simulated %s calls in %.2f s. ± are 95%% confidence half-widths.\n\n", Count(float64(c.Run.CallsSimulated)), c.Run.WallSeconds)
	if len(c.Variants) == 0 {
		return ew.err
	}
	cur := c.Variants[0].Cost.Currency
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, f func(v *sim.VariantResult) string) {
		cells := []string{label}
		for i := range c.Variants {
			cells = append(cells, f(&c.Variants[i]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	row("", func(v *sim.VariantResult) string { return v.Name })
	row("offered calls", func(v *sim.VariantResult) string { return Count(v.KPIs.Offered) })
	row("service level", func(v *sim.VariantResult) string { return PctCI(v.KPIs.ServiceLevel, v.KPIs.ServiceLevelCI95) })
	row("ASA", func(v *sim.VariantResult) string { return SecsCI(v.KPIs.ASASeconds, v.KPIs.ASASecondsCI95) })
	row("abandon rate", func(v *sim.VariantResult) string { return PctCI(v.KPIs.AbandonRate, v.KPIs.AbandonRateCI95) })
	row("occupancy", func(v *sim.VariantResult) string { return PctCI(v.KPIs.Occupancy, v.KPIs.OccupancyCI95) })
	row("resolution", func(v *sim.VariantResult) string { return PctCI(v.KPIs.ResolutionRate, v.KPIs.ResolutionRateCI95) })
	row("repeat calls", func(v *sim.VariantResult) string { return Count(v.KPIs.RepeatCalls) })
	row("agents", func(v *sim.VariantResult) string { return fmt.Sprint(v.KPIs.Agents) })
	if len(c.Variants[0].Queues) > 1 {
		for qi, q := range c.Variants[0].Queues {
			qr := func(v *sim.VariantResult) *sim.QueueResult {
				if qi < len(v.Queues) {
					return &v.Queues[qi]
				}
				return &sim.QueueResult{}
			}
			row(queueLabel(&q)+": service level", func(v *sim.VariantResult) string {
				x := qr(v)
				return PctCI(x.ServiceLevel, x.ServiceLevelCI95)
			})
			row(queueLabel(&q)+": ASA", func(v *sim.VariantResult) string { x := qr(v); return SecsCI(x.ASASeconds, x.ASASecondsCI95) })
			row(queueLabel(&q)+": abandon rate", func(v *sim.VariantResult) string { x := qr(v); return PctCI(x.AbandonRate, x.AbandonRateCI95) })
		}
	}
	row("meets targets", func(v *sim.VariantResult) string {
		if v.MeetsTargets {
			return "yes"
		}
		return "NO"
	})
	fmt.Fprintln(tw, "\t")
	row("cost per month ("+cur+")", func(v *sim.VariantResult) string { return CountCI(v.Cost.Total, v.Cost.TotalCI95) })
	row("  per offered call", func(v *sim.VariantResult) string { return Money(v.Cost.PerOfferedCall) })
	row("  per handled call", func(v *sim.VariantResult) string { return Money(v.Cost.PerHandledCall) })
	row("  per resolved contact", func(v *sim.VariantResult) string { return Money(v.Cost.PerResolvedContact) })
	for _, p := range usedCostParts(c) {
		row("  "+p.label, func(v *sim.VariantResult) string { return Count(p.f(&v.Cost.Breakdown)) })
	}
	if hasSLA(c) {
		fmt.Fprintln(tw, "\t")
		for _, r := range compareSLARows(c) {
			fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
		}
	}
	tw.Flush()
	if hasSLA(c) {
		ew.printf("%s\n", slaNote(c))
	}

	if len(c.Variants) > 1 {
		ew.printf("\nDifference from %q (paired over replications)\n", c.Variants[0].Name)
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "variant\tservice level\tASA\tabandon rate\tcost per month\tcost per call\t\n")
		for _, v := range c.Variants[1:] {
			d := v.VsBase
			if d == nil {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", v.Name, signedPct(d.ServiceLevel, d.ServiceLevelCI95),
				signed(d.ASASeconds, d.ASASecondsCI95, " s"), signedPct(d.AbandonRate, d.AbandonRateCI95),
				signed(d.CostPerMonth, d.CostPerMonthCI95, ""), signed(d.CostPerCall, d.CostPerCallCI95, ""))
		}
		tw.Flush()
	}
	ew.printf("\n")
	ew.printf("%s\n", verdict(c))
	return ew.err
}

// Money formats an amount with two decimals.
func Money(f float64) string { return fmt.Sprintf("%.2f", f) }

func signed(v, hw float64, unit string) string {
	prec := 2
	if abs := max(v, -v); abs >= 100 {
		prec = 0
	}
	return fmt.Sprintf("%+.*f ±%.*f%s", prec, v, prec, hw, unit)
}

func signedPct(v, hw float64) string { return fmt.Sprintf("%+.1f ±%.1f pts", 100*v, 100*hw) }
