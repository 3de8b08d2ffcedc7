package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/wfm"
)

func init() { register(newSweepCmd) }

func newSweepCmd(e *env) *cobra.Command {
	var (
		sets, withs  []string
		asJSON       bool
		quiet        bool
		workers      int
		seed         uint64
		replications int
	)
	cmd := &cobra.Command{
		Use:   "sweep FILE --set path=v1,v2,... [--set path2=a,b]",
		Short: "Simulate a scenario over a range of one or two parameters and print the curve",
		Long: `Simulate a scenario at every value of one or two parameters and print, per
point, service level with its 95% confidence half-width, ASA, abandon rate,
occupancy, cost per month and cost per offered call. Points meeting every
queue's target are marked; the cheapest of them and the knee of the
service-level curve (one axis only: the point farthest above the chord from
the first to the last point, with both axes scaled to [0, 1]) are named.

--set PATH=VALUES sweeps PATH over VALUES: a comma-separated list of YAML
scalars, or a range FROM..TO (step 1) or FROM..TO:STEP. Paths are those of
variants: dotted keys, list items by name (groups.staff.agents,
queues.support.arrivals.per_hour). --with PATH=VALUE fixes a value at every
point (repeatable). Every point uses the scenario's seed, so points differ
only where their parameters do (common random numbers).`,
		Example: `  callsim sweep single-queue --set groups.staff.agents=28..40
  callsim sweep single-queue --set groups.staff.agents=28..40:2 \
      --with groups.staff.cost.hourly_wage=20 --with costs.per_abandoned_call=5
  callsim sweep my.yaml --set groups.staff.agents=30,32 --set queues.support.arrivals.per_hour=300,360 --json`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(sets) == 0 || len(sets) > 2 {
				return usageError{fmt.Errorf("give one or two --set path=v1,v2,... (got %d)", len(sets))}
			}
			if cmd.Flags().Changed("replications") && replications < 1 {
				return usageError{fmt.Errorf("--replications must be at least 1, got %d", replications)}
			}
			var axes []wfm.Axis
			for _, s := range sets {
				a, err := wfm.ParseAxis(s)
				if err != nil {
					return usageError{fmt.Errorf("--set %w", err)}
				}
				axes = append(axes, a)
			}
			fixed := map[string]string{}
			for _, s := range withs {
				p, v, err := wfm.ParseOverride(s)
				if err != nil {
					return usageError{fmt.Errorf("--with %w", err)}
				}
				fixed[p] = v
			}
			sc, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("seed") {
				sc.Seed = seed
			}
			if cmd.Flags().Changed("replications") {
				sc.Replications = replications
			}
			if _, _, err := wfm.BuildPoints(sc, fixed, axes); err != nil {
				return usageError{err}
			}
			run := func(ctx context.Context, p *scenarios.Scenario) (*sim.Result, error) {
				if cmd.Flags().Changed("seed") {
					p.Seed = seed
				}
				if cmd.Flags().Changed("replications") {
					p.Replications = replications
				}
				return sim.Run(ctx, p, sim.Options{Workers: workers})
			}
			showProgress := !quiet && isTerminal(e.stderr)
			res, err := wfm.Sweep(e.ctx, sc, fixed, axes, run, func(done, total int) {
				if showProgress {
					fmt.Fprintf(e.stderr, "\rsweep: %d/%d points ", done, total)
				}
			})
			if showProgress {
				fmt.Fprintf(e.stderr, "\r%s\r", strings.Repeat(" ", 40))
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, res)
			}
			return writeSweepText(e.stdout, res)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&sets, "set", nil, "PATH=V1,V2,... or PATH=FROM..TO[:STEP]: a swept parameter (once or twice)")
	f.StringArrayVar(&withs, "with", nil, "PATH=VALUE: a fixed override applied at every point (repeatable)")
	f.BoolVar(&asJSON, "json", false, "print the sweep as JSON (a points array) on stdout")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress")
	f.IntVar(&workers, "workers", 0, "replications run at once (default: number of CPUs)")
	f.Uint64Var(&seed, "seed", 0, "override the scenario's seed")
	f.IntVar(&replications, "replications", 0, "override the scenario's number of replications")
	return cmd
}

func writeSweepText(w io.Writer, r *wfm.SweepResult) error {
	fmt.Fprintf(w, "Sweep of %q, seed %d (common random numbers across points)\n", r.Scenario, r.Seed)
	keys := make([]string, 0, len(r.Fixed))
	for k := range r.Fixed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  fixed: %s=%s\n", k, r.Fixed[k])
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	var head []string
	for _, a := range r.Axes {
		head = append(head, a.Path)
	}
	cur := ""
	if len(r.Points) > 0 {
		cur = " " + r.Points[0].Currency
	}
	head = append(head, "service level", "ASA", "abandoned", "occupancy", "cost/month"+cur, "cost/call"+cur, "targets", "")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i, p := range r.Points {
		row := append([]string(nil), p.Set...)
		mark := "met"
		if !p.MeetsTargets {
			mark = "missed"
		}
		note := ""
		if i == r.Cheapest {
			note = "<- cheapest meeting targets"
		}
		if i == r.Knee {
			note = strings.TrimPrefix(note+", knee", ", ")
			if i != r.Cheapest {
				note = "<- knee"
			}
		}
		row = append(row, reports.PctCI(p.ServiceLevel, p.ServiceLevelCI95), reports.Secs(p.ASASeconds),
			reports.Pct(p.AbandonRate), reports.Pct(p.Occupancy), reports.Money(p.CostPerMonth),
			reports.Money(p.CostPerOfferedCall), mark, note)
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if r.Cheapest >= 0 {
		fmt.Fprintf(w, "Cheapest point meeting every target: %s (%s a month, %s per offered call)\n",
			pointName(r, r.Cheapest), reports.Money(r.Points[r.Cheapest].CostPerMonth), reports.Money(r.Points[r.Cheapest].CostPerOfferedCall))
	} else {
		fmt.Fprintln(w, "No point meets every target.")
	}
	if r.Knee >= 0 {
		fmt.Fprintf(w, "Knee of the service-level curve: %s (%s)\n", pointName(r, r.Knee), reports.Pct(r.Points[r.Knee].ServiceLevel))
	}
	fmt.Fprintln(w, "Targets are judged on point estimates; service level = answered within threshold / offered.")
	return nil
}

func pointName(r *wfm.SweepResult, i int) string {
	parts := make([]string, len(r.Axes))
	for j, a := range r.Axes {
		parts[j] = a.Path + "=" + r.Points[i].Set[j]
	}
	return strings.Join(parts, " ")
}
