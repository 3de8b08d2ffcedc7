package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/loadgen/target"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sim/erlang"
)

func init() { register(newDemoCmd) }

// The demo's built-in scenarios: the sourcing comparison, and the single
// queue checked against exact theory.
const (
	demoCompare = "hybrid"
	demoTheory  = "single-queue"
)

func newDemoCmd(e *env) *cobra.Command {
	var quiet, noSIP bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Compare in-house, outsourced and hybrid for the built-in center, and check the simulator against theory",
		Long: `Run callsim's main job on the built-in scenarios:

 1. "` + demoCompare + `": a tech-support line staffed in-house, by a vendor, or both (the
    vendor taking calls that waited 30 s). All three are simulated with common
    random numbers and set side by side: service level, waiting, abandonment,
    resolution and repeat calls, cost per month and per call, and the cheapest
    option that meets the 80/20 target.
 2. "` + demoTheory + `": one queue, exponential times, simulated and set beside the
    exact Erlang A values it must reproduce.
 3. Over the wire: the embedded SIP contact center (callsim target) starts on
    loopback and the load generator (callsim load) places 30 real SIP calls
    at it; both sides' counts are printed (--no-sip skips this).

Write either out with "callsim scenarios init NAME" to change it and run
"callsim compare" or "callsim simulate" on your copy.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scenarios.LoadBuiltin(demoCompare)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "== 1. In-house, outsourced or hybrid? (built-in scenario %q)\n\n", demoCompare)
			bar := newProgressBar(e.stderr, "comparing", quiet)
			cmp, err := sim.Compare(e.ctx, sc, sim.Options{Progress: bar.update})
			bar.finish()
			if err != nil {
				return err
			}
			if err := reports.WriteCompareText(e.stdout, cmp); err != nil {
				return err
			}

			sc, err = scenarios.LoadBuiltin(demoTheory)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "\n== 2. Is the simulator right? (built-in scenario %q against exact theory)\n\n", demoTheory)
			res, err := sim.Run(e.ctx, sc, sim.Options{})
			if err != nil {
				return err
			}
			if err := reports.WriteSimulateText(e.stdout, res, reports.TextOptions{}); err != nil {
				return err
			}
			if err := writeTheoryCheck(e, sc, res); err != nil {
				return err
			}
			if !noSIP {
				if err := demoSIP(e); err != nil {
					return fmt.Errorf("SIP exchange: %w", err)
				}
			}
			fmt.Fprintf(e.stdout, "\nNext: callsim scenarios init %s my-center.yaml; callsim compare my-center.yaml\n", demoCompare)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	cmd.Flags().BoolVar(&noSIP, "no-sip", false, "skip the SIP exchange with the embedded target")
	return cmd
}

// demoSIP starts the embedded SIP contact center on loopback, places a
// short burst of real test calls at it with the load generator, and prints
// what both sides measured.
func demoSIP(e *env) error {
	handle, err := loadgen.ParseDist("exp:2m")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
	defer cancel()
	srv, err := target.Start(ctx, target.Config{Listen: "udp:127.0.0.1:0", Agents: 4, Handle: handle, Trunks: 10, TimeScale: 60, Seed: 1})
	if err != nil {
		return err
	}
	defer srv.Close()
	hold, _ := loadgen.ParseDist("1h") // the agent hangs up after the handle time
	patience, _ := loadgen.ParseDist("exp:1s")
	fmt.Fprintf(e.stdout, "\n== 3. Over the wire: 30 SIP calls at 5 a second to the embedded contact center at %s\n", srv.URI("support"))
	fmt.Fprintf(e.stdout, "(4 agents, handle time exponential 2 min, time running 60 times faster; callers hang up after 1 s on average)\n\n")
	res, err := loadgen.Run(ctx, loadgen.Config{Target: srv.URI("support"), Rate: 5, MaxCalls: 30, Duration: 30 * time.Second,
		Hold: hold, Patience: patience, Seed: 1})
	if err != nil {
		return err
	}
	// Let the target see the last hang-ups before reading its figures.
	time.Sleep(200 * time.Millisecond)
	st := srv.Stats()
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tcallers (callsim load)\tcontact center (callsim target)\t\n")
	fmt.Fprintf(tw, "calls\t%d attempted\t%d offered\t\n", res.Attempted, st.Offered)
	fmt.Fprintf(tw, "answered\t%d\t%d\t\n", res.Completed, st.Answered)
	fmt.Fprintf(tw, "abandoned (CANCEL)\t%d\t%d\t\n", res.Abandoned, st.Abandoned)
	fmt.Fprintf(tw, "rejected / failed\t%d\t%d\t\n", res.Failed+res.TimedOut+res.TransportErrors, st.Rejected)
	fmt.Fprintf(tw, "setup delay (SRD) p50 / p99\t%.1f / %.1f ms\t\t\n", res.SRD.P50, res.SRD.P99)
	fmt.Fprintf(tw, "service level, ASA\t\t%s, %s\t\n", reports.Pct(st.ServiceLevel), reports.Secs(st.ASASeconds))
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nMore: callsim target --help, callsim load --help.")
	return nil
}

// writeTheoryCheck compares each single-skill queue with exponential handle
// times (and exponential or no patience) with its exact Erlang value.
func writeTheoryCheck(e *env, sc *scenarios.Scenario, res *sim.Result) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
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
			fmt.Fprintf(e.stdout, "\nCheck against exact theory (%s)\n", model)
			fmt.Fprintf(tw, "queue\tKPI\tsimulated\texact\twithin 95%% CI\t\n")
			header = true
		}
		got := res.Queues[qi]
		row := func(name, sim, exact string, ok bool) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", q.Name, name, sim, exact, map[bool]string{true: "yes", false: "no"}[ok])
		}
		in := func(v, hw, x float64) bool { return v-hw <= x && x <= v+hw }
		row("service level", reports.PctCI(got.ServiceLevel, got.ServiceLevelCI95), reports.Pct(want.ServiceLevel), in(got.ServiceLevel, got.ServiceLevelCI95, want.ServiceLevel))
		row("ASA", reports.SecsCI(got.ASASeconds, got.ASASecondsCI95), reports.Secs(want.ASA), in(got.ASASeconds, got.ASASecondsCI95, want.ASA))
		row("abandon rate", reports.PctCI(got.AbandonRate, got.AbandonRateCI95), reports.Pct(want.AbandonRate), in(got.AbandonRate, got.AbandonRateCI95, want.AbandonRate))
		g := res.KPIs
		row("occupancy", reports.PctCI(g.Occupancy, g.OccupancyCI95), reports.Pct(want.Occupancy), in(g.Occupancy, g.OccupancyCI95, want.Occupancy))
	}
	if header {
		tw.Flush()
		fmt.Fprintln(e.stdout, "\nA 95% interval misses the exact value about one time in twenty.")
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
