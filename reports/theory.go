package reports

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/erlang"
)

// WriteTheoryCheck sets the simulated figures of a single queue with
// exponential handle times (and exponential or no patience) served by
// dedicated agents beside its exact Erlang C or A values, each with
// whether the 95% interval holds the exact value (callsim demo's second
// part). Other scenarios get nothing.
func WriteTheoryCheck(w io.Writer, sc *scenarios.Scenario, res *sim.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := false
	for qi, q := range sc.Queues {
		agents, ok := dedicatedAgents(sc, q.Name)
		if !ok || q.HandleTime.Kind != scenarios.Exponential || q.WrapUp != nil ||
			(q.Patience != nil && q.Patience.Kind != scenarios.Exponential) {
			continue
		}
		var want erlang.Result
		var err error
		if q.Patience != nil {
			want, err = erlang.A(q.Arrivals.Rate, q.HandleTime.Mean, q.Patience.Mean, agents, q.Target.Within.Seconds())
		} else {
			want, err = erlang.C(q.Arrivals.Rate, q.HandleTime.Mean, agents, q.Target.Within.Seconds())
		}
		if err != nil {
			continue
		}
		if !header {
			model := "Erlang C, M/M/N"
			if q.Patience != nil {
				model = "Erlang A, M/M/N+M"
			}
			fmt.Fprintf(w, "\nCheck against exact theory (%s)\n", model)
			fmt.Fprintf(tw, "queue\tKPI\tsimulated\texact\twithin 95%% CI\t\n")
			header = true
		}
		got := res.Queues[qi]
		row := func(name, sim, exact string, ok bool) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", q.Name, name, sim, exact, map[bool]string{true: "yes", false: "no"}[ok])
		}
		in := func(v, hw, x float64) bool { return v-hw <= x && x <= v+hw }
		row("service level", PctCI(got.ServiceLevel, got.ServiceLevelCI95), Pct(want.ServiceLevel), in(got.ServiceLevel, got.ServiceLevelCI95, want.ServiceLevel))
		row("ASA", SecsCI(got.ASASeconds, got.ASASecondsCI95), Secs(want.ASA), in(got.ASASeconds, got.ASASecondsCI95, want.ASA))
		row("abandon rate", PctCI(got.AbandonRate, got.AbandonRateCI95), Pct(want.AbandonRate), in(got.AbandonRate, got.AbandonRateCI95, want.AbandonRate))
		g := res.KPIs
		row("occupancy", PctCI(g.Occupancy, g.OccupancyCI95), Pct(want.Occupancy), in(g.Occupancy, g.OccupancyCI95, want.Occupancy))
	}
	if header {
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "\nA 95% interval misses the exact value about one time in twenty.")
	}
	return nil
}

// dedicatedAgents returns the agents serving queue q when the scenario is a
// single queue served by groups that serve nothing else.
func dedicatedAgents(sc *scenarios.Scenario, q string) (int, bool) {
	if len(sc.Queues) != 1 {
		return 0, false
	}
	n := 0
	for _, g := range sc.Groups {
		n += g.Agents
	}
	return n, n > 0
}
