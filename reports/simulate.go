package reports

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/callsim/callsim/sim"
)

// TextOptions select what the text summary shows.
type TextOptions struct {
	Intervals bool // add the per-interval table
}

// WriteSimulateText writes a readable summary of a simulation result.
func WriteSimulateText(w io.Writer, r *sim.Result, opt TextOptions) error {
	ew := &errWriter{w: w}
	ew.printf("Scenario %q: %d replication(s) of %s (warm-up %s), seed %d\n",
		r.Scenario, r.Replications, Duration(r.HorizonSeconds), Duration(r.WarmupSeconds), r.Seed)
	if r.Interrupted {
		ew.printf("INTERRUPTED: figures come from the %d replication(s) that finished.\n", r.Replications)
	}
	ci := fmt.Sprintf("95%% confidence half-widths from %d replications", r.CIObservations)
	if r.CIMethod == "batch_means" {
		ci = fmt.Sprintf("95%% confidence half-widths from %d batches of one replication", r.CIObservations)
	}
	ew.printf("Simulated %s calls in %.2f s (%s calls/s on %d worker(s)); %s.\n",
		Count(float64(r.Run.CallsSimulated)), r.Run.WallSeconds, Rate(r.Run.CallsPerSecond), r.Run.Workers, ci)
	ew.printf("Counts are per replication (%s measured).\n\n", Duration(r.HorizonSeconds-r.WarmupSeconds))

	k := r.KPIs
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Center\t\n")
	fmt.Fprintf(tw, "  offered calls\t%s\n", CountCI(k.Offered, k.OfferedCI95))
	fmt.Fprintf(tw, "  answered\t%s\n", CountCI(k.Answered, k.AnsweredCI95))
	fmt.Fprintf(tw, "  abandoned\t%s\n", CountCI(k.Abandoned, k.AbandonedCI95))
	fmt.Fprintf(tw, "  service level\t%s\t(answered within the queue's threshold / offered)\n", PctCI(k.ServiceLevel, k.ServiceLevelCI95))
	fmt.Fprintf(tw, "  ASA\t%s\t(mean wait of answered calls)\n", SecsCI(k.ASASeconds, k.ASASecondsCI95))
	fmt.Fprintf(tw, "  abandon rate\t%s\n", PctCI(k.AbandonRate, k.AbandonRateCI95))
	fmt.Fprintf(tw, "  p(wait)\t%s\n", PctCI(k.PWait, k.PWaitCI95))
	fmt.Fprintf(tw, "  mean wait, all callers\t%s\n", SecsCI(k.MeanWaitSeconds, k.MeanWaitCI95))
	fmt.Fprintf(tw, "  queue length\tmean %.2f ±%.2f, max %d\n", k.MeanQueueLength, k.MeanQueueLenCI95, k.MaxQueueLength)
	fmt.Fprintf(tw, "  occupancy\t%s\t(busy / staffed agent time)\n", PctCI(k.Occupancy, k.OccupancyCI95))
	fmt.Fprintf(tw, "  calls per agent hour\t%.2f ±%.2f\n", k.CallsPerAgentHour, k.CallsPerAgentCI95)
	for _, extra := range []struct {
		label string
		v     float64
		note  string
	}{
		{"closed", k.Closed, "(arrived outside opening hours; not offered)"},
		{"self-served in the IVR", k.SelfServed, "(not offered)"},
		{"repeat calls", k.RepeatCalls, "(unresolved callers calling again; in offered)"},
		{"redials", k.Redials, "(callers who abandoned, calling again; in offered)"},
		{"transfers", k.TransfersIn, "(handed on from another queue; in offered)"},
	} {
		if extra.v > 0 {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", extra.label, Count(extra.v), extra.note)
		}
	}
	if k.ResolutionRate < 1 && k.Answered > 0 {
		fmt.Fprintf(tw, "  first-contact resolution\t%s\t(resolved / answered)\n", PctCI(k.ResolutionRate, k.ResolutionRateCI95))
	}
	if k.WaitingAtEnd > 0 {
		fmt.Fprintf(tw, "  still waiting at end\t%s\t(no agent could ever take them)\n", Count(k.WaitingAtEnd))
	}
	tw.Flush()

	ew.printf("\nQueues\n")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "queue\toffered\tservice level\ttarget\tASA\tabandoned\tp(wait)\tmean queue\tmax queue\tAHT\t\n")
	for _, q := range r.Queues {
		meets := "met"
		switch {
		case q.Offered == 0:
			meets = "no calls"
		case !q.MeetsTarget:
			meets = "MISSED"
		}
		if q.Client != "" { // another client's target, not ours
			meets = strings.ToLower(meets) + " (theirs)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s/%s %s\t%s\t%s\t%s\t%.2f\t%d\t%s\t\n",
			queueLabel(&q), Count(q.Offered), PctCI(q.ServiceLevel, q.ServiceLevelCI95),
			Pct(q.TargetServiceLevel), Secs(q.TargetWithinSeconds), meets,
			SecsCI(q.ASASeconds, q.ASASecondsCI95), PctCI(q.AbandonRate, q.AbandonRateCI95),
			Pct(q.PWait), q.MeanQueueLength, q.MaxQueueLength, Secs(q.MeanHandleSeconds))
	}
	tw.Flush()

	ew.printf("\nGroups\n")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "group\tsourcing\tpeak agents\tavg staffed\toccupancy\thandled\tcalls/agent/h\t\n")
	for _, g := range r.Groups {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%s\t%s\t%.2f\t\n", g.Name, g.Sourcing, g.Agents, g.StaffedAgents, PctCI(g.Occupancy, g.OccupancyCI95), Count(g.Handled), g.CallsPerAgentHour)
	}
	tw.Flush()
	writeVendorText(ew, r)

	if opt.Intervals {
		ew.printf("\nIntervals (mean per day)\n")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "start\toffered\tanswered\tabandoned\tservice level\tASA\toccupancy\tmean queue\tstaffed\t\n")
		for _, iv := range r.Intervals {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.1f\t\n", iv.Start, Count(iv.Offered), Count(iv.Answered), Count(iv.Abandoned),
				PctCI(iv.ServiceLevel, iv.ServiceLevelCI95), Secs(iv.ASASeconds), Pct(iv.Occupancy), iv.MeanQueueLength, iv.StaffedAgents)
		}
		tw.Flush()
	}
	return ew.err
}

// CountCI formats a count and its half-width: "68,364 ±195".
func CountCI(f, hw float64) string {
	if hw < 0.05 {
		return Count(f)
	}
	if math.Abs(f) >= 100 {
		hw = math.Round(hw)
	}
	return Count(f) + " ±" + Count(hw)
}

// errWriter remembers the first write error so renderers can check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }
