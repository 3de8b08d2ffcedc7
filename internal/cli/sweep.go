package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/segment"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/wfm"
)

func init() { register(newSweepCmd) }

func newSweepCmd(e *env) *cobra.Command {
	var (
		sets, withs  []string
		asJSON       bool
		quiet        bool
		outDir       string
		workers      int
		seed         uint64
		replications int
		seg          segmentFlags
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
only where their parameters do (common random numbers).

--out DIR also writes a report directory: report.html (cost against service
level across the points with the efficient frontier, service level and cost
per call along the first parameter), report.md, result.json (as --json
prints it) and points.csv (one row per point). Ctrl-C stops the sweep and
still prints and writes the points simulated so far, marked interrupted.
` + segmentHelp + `

A segment simulates the points p (in row-major order) with p mod n == i,
with the seeds of the unsplit sweep: the merged JSON equals the unsplit
sweep's.`,
		Example: `  callsim sweep single-queue --set groups.staff.agents=28..40
  callsim sweep single-queue --set groups.staff.agents=28..40:2 \
      --with groups.staff.cost.hourly_wage=20 --with costs.per_abandoned_call=5
  callsim sweep my.yaml --set groups.staff.agents=30,32 --set queues.support.arrivals.per_hour=300,360 --json
  callsim sweep single-queue --set groups.staff.agents=28..40 --out sweep/   # HTML with charts, Markdown, CSV, JSON
  callsim sweep single-queue --set groups.staff.agents=20..80 --segment 1/3 --json > sweep-1.json`,
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
			if err := checkOutputs(e, output{"--out", outDir, true}); err != nil {
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
			sg, startAt, err := seg.resolve()
			if err != nil {
				return usageError{err}
			}
			if err := segment.WaitUntil(e.ctx, startAt); err != nil {
				return err
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
			res, err := wfm.SweepSegment(e.ctx, sc, fixed, axes, sg, run, func(done, total int) {
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
			if res.Segment != nil {
				fmt.Fprintf(e.stderr, "sweep: segment %s: %d of the sweep's %d points; the cheapest point and the knee are judged on the merged sweep (callsim report merge)\n",
					res.Segment, len(res.Points), res.Total)
			}
			if asJSON {
				err = writeJSON(e.stdout, res)
			} else {
				err = reports.WriteSweepText(e.stdout, res)
			}
			if err != nil {
				return err
			}
			if outDir != "" {
				if err := writeReportDir(e, outDir, func() ([]string, error) { return reports.WriteSweepFiles(outDir, res) }); err != nil {
					return err
				}
			}
			if res.Interrupted {
				return withCode(ExitError, fmt.Errorf("interrupted: %d point(s) simulated", len(res.Points)))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&sets, "set", nil, "PATH=V1,V2,... or PATH=FROM..TO[:STEP]: a swept parameter (once or twice)")
	f.StringArrayVar(&withs, "with", nil, "PATH=VALUE: a fixed override applied at every point (repeatable)")
	f.BoolVar(&asJSON, "json", false, "print the sweep as JSON (a points array) on stdout")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	f.StringVar(&outDir, "out", "", "also write report.html (charts: cost against service level, the curve), report.md, result.json and points.csv into this directory")
	f.IntVar(&workers, "workers", 0, "replications run at once (default: number of CPUs)")
	f.Uint64Var(&seed, "seed", 0, "override the scenario's seed")
	f.IntVar(&replications, "replications", 0, "override the scenario's number of replications")
	seg.add(f, "the sweep's points")
	return cmd
}
