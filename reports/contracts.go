package reports

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/callsim/callsim/sim"
)

// The vendors' contracts in reports: what each vendor bills us (our queues
// only), and how its service-level agreement fared, with the distribution
// of the monthly penalties over the replications.

// queueLabel names a queue, marking another client's.
func queueLabel(q *sim.QueueResult) string {
	if q.Client != "" {
		return q.Name + " (client " + q.Client + ")"
	}
	return q.Name
}

// slaText describes an agreement in a phrase: "per interval, 80% within
// 20 s on support; 40 per interval missed; cap 10% of the fees".
func slaText(s *sim.SLAResult) string {
	unit := s.Per
	var money []string
	t := s.Terms
	if t.PenaltyPerMiss > 0 {
		money = append(money, fmt.Sprintf("penalty %s per %s missed", Money(t.PenaltyPerMiss), unit))
	}
	if t.PenaltyPerPoint > 0 {
		money = append(money, fmt.Sprintf("penalty %s per point short per %s", Money(t.PenaltyPerPoint), unit))
	}
	if t.BonusPerMet > 0 {
		money = append(money, fmt.Sprintf("bonus %s per %s met", Money(t.BonusPerMet), unit))
	}
	if t.BonusPerPoint > 0 {
		money = append(money, fmt.Sprintf("bonus %s per point above per %s", Money(t.BonusPerPoint), unit))
	}
	switch {
	case t.CapShare > 0:
		money = append(money, "cap "+trimZeros(fmt.Sprintf("%.2f", 100*t.CapShare))+"% of the month's fees")
	case t.CapAmount > 0:
		money = append(money, "cap "+Count(t.CapAmount)+" a month")
	}
	out := fmt.Sprintf("per %s, %s within %s on %s", s.Per, Pct(s.ServiceLevel), Secs(s.WithinSeconds), strings.Join(s.Queues, ", "))
	if len(money) > 0 {
		out += "; " + strings.Join(money, ", ")
	}
	return out
}

// penaltyText is a distribution of monthly penalties in one line.
func penaltyText(d *sim.Distribution) string {
	return fmt.Sprintf("%s (p10 %s, p50 %s, p90 %s; min %s, max %s)", CountCI(d.Mean, d.MeanCI95),
		Count(d.P10), Count(d.P50), Count(d.P90), Count(d.Min), Count(d.Max))
}

// observationsText says what the distribution is over: "10 replications,
// each 6.5 days scaled to a month".
func observationsText(s *sim.SLAResult) string {
	n := len(s.Observations)
	if n == 0 {
		return "no observation"
	}
	w := s.Observations[0].WindowSeconds
	what := "replications"
	if n == 1 {
		what = "replication"
	}
	return fmt.Sprintf("%d %s, each %s scaled to a month", n, what, Duration(w))
}

func cappedCount(s *sim.SLAResult) int {
	n := 0
	for _, o := range s.Observations {
		if o.Capped {
			n++
		}
	}
	return n
}

// writeVendorText writes the vendors' bills and agreements of a result, if
// it has vendors with agents.
func writeVendorText(ew *errWriter, r *sim.Result) {
	var vendors []*sim.GroupCost
	for i := range r.Cost.Groups {
		if g := &r.Cost.Groups[i]; g.Billed != nil && g.Total != 0 {
			vendors = append(vendors, g)
		}
	}
	if len(vendors) == 0 {
		return
	}
	cur := r.Cost.Currency
	ew.printf("\nVendor contracts (per month; only our queues' calls are billed)\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "group\tqueue\tminutes\tcalls\tresolved\tper minute\tper call\tper resolved\tpriority\tamount (%s)\t\n", cur)
	for _, g := range vendors {
		for _, q := range g.Billed.Queues {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n", g.Name, q.Queue, Count(q.Minutes), Count(q.Calls), Count(q.ResolvedContacts),
				Money(q.PerHandledMinute), Money(q.PerCall), Money(q.PerResolvedContact), q.Priority, Count(q.Amount))
		}
	}
	tw.Flush()
	for _, g := range vendors {
		b := g.Billed
		ew.printf("  %s: %s agent hours scheduled", g.Name, Count(b.AgentHours))
		if b.CommittedHours > 0 {
			ew.printf(", %s committed (take or pay), %s above the commitment", Count(b.CommittedHours), Count(b.HoursAboveCommitment))
		}
		ew.printf("; in all %s %s a month (setup and SLA included)\n", Count(g.Total), cur)
		if s := g.SLA; s != nil {
			ew.printf("  %s SLA: %s\n", g.Name, slaText(s))
			ew.printf("    %s periods a month: %s met, %s missed\n", Count(s.PeriodsPerMonth), Count(s.MetPerMonth), Count(s.MissedPerMonth))
			ew.printf("    penalty received a month (net of bonuses, after the cap): %s\n", penaltyText(&s.Penalty))
			ew.printf("    over %s", observationsText(s))
			if n := cappedCount(s); n > 0 {
				ew.printf("; capped in %d", n)
			}
			ew.printf("\n")
		}
	}
}

// vendorTables are the vendor tables of a simulation report.
func vendorTables(r *sim.Result) []table {
	var bills, slas [][]string
	cur := r.Cost.Currency
	for i := range r.Cost.Groups {
		g := &r.Cost.Groups[i]
		if g.Billed == nil || g.Total == 0 {
			continue
		}
		for _, q := range g.Billed.Queues {
			bills = append(bills, []string{g.Name, q.Queue, Count(q.Minutes), Count(q.Calls), Count(q.ResolvedContacts),
				Money(q.PerHandledMinute), Money(q.PerCall), Money(q.PerResolvedContact), fmt.Sprint(q.Priority), Count(q.Amount)})
		}
		if s := g.SLA; s != nil {
			d := &s.Penalty
			slas = append(slas, []string{g.Name, slaText(s), Count(s.PeriodsPerMonth), Count(s.MissedPerMonth),
				CountCI(d.Mean, d.MeanCI95), Count(d.P10), Count(d.P50), Count(d.P90), Count(d.Min), Count(d.Max),
				fmt.Sprintf("%d of %d", cappedCount(s), len(s.Observations))})
		}
	}
	var ts []table
	if len(bills) > 0 {
		ts = append(ts, table{Title: "Vendor bills (per month, " + currencyCode(cur) + ")", Note: "Only our queues' calls are billed; another client's calls in a shared funnel are that client's.",
			Header: []string{"group", "queue", "minutes", "calls", "resolved", "per minute", "per call", "per resolved", "priority", "amount"}, Align: "llrrrrrrrr", Rows: bills})
	}
	if len(slas) > 0 {
		ts = append(ts, table{Title: "Service-level agreements (per month, " + currencyCode(cur) + ")",
			Note:   "Penalties received less bonuses paid, after the cap; mean with its 95% half-width and the spread over the replications, each replication's window scaled to a month.",
			Header: []string{"group", "agreement", "periods", "missed", "penalty received", "p10", "p50", "p90", "min", "max", "capped"}, Align: "llrrrrrrrrr", Rows: slas})
	}
	return ts
}

// hasSLA reports whether some variant of a comparison has an agreement.
func hasSLA(c *sim.Comparison) bool {
	for i := range c.Variants {
		if c.Variants[i].Cost.SLAPenalties != nil {
			return true
		}
	}
	return false
}

// slaMissed is the periods missed a month, all agreements together.
func slaMissed(v *sim.VariantResult) float64 {
	t := 0.0
	for _, g := range v.Cost.Groups {
		if g.SLA != nil {
			t += g.SLA.MissedPerMonth
		}
	}
	return t
}

// compareSLARows are the rows of the monthly SLA penalties of every
// variant, "-" for a variant without an agreement.
func compareSLARows(c *sim.Comparison) [][]string {
	rows := [][]string{}
	row := func(label string, f func(d *sim.Distribution, v *sim.VariantResult) string) {
		r := []string{label}
		for i := range c.Variants {
			v := &c.Variants[i]
			if d := v.Cost.SLAPenalties; d != nil {
				r = append(r, f(d, v))
			} else {
				r = append(r, "-")
			}
		}
		rows = append(rows, r)
	}
	row("SLA penalties received", func(d *sim.Distribution, _ *sim.VariantResult) string { return CountCI(d.Mean, d.MeanCI95) })
	row("  p10 / p50 / p90", func(d *sim.Distribution, _ *sim.VariantResult) string {
		return Count(d.P10) + " / " + Count(d.P50) + " / " + Count(d.P90)
	})
	row("  min / max", func(d *sim.Distribution, _ *sim.VariantResult) string { return Count(d.Min) + " / " + Count(d.Max) })
	row("  SLA periods missed", func(_ *sim.Distribution, v *sim.VariantResult) string { return Count(slaMissed(v)) })
	return rows
}

// slaNote explains the SLA rows of a comparison.
func slaNote(c *sim.Comparison) string {
	for i := range c.Variants {
		for _, g := range c.Variants[i].Cost.Groups {
			if g.SLA != nil {
				return "SLA penalties received: per month, penalties less bonuses, after the cap (a credit in the cost as vendor SLA); " +
					"mean ±95% and spread over " + observationsText(g.SLA) + ". SLA periods missed: per month."
			}
		}
	}
	return ""
}
