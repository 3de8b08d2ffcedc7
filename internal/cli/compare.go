package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/sim"
)

func init() { register(newCompareCmd) }

func newCompareCmd(e *env) *cobra.Command {
	var (
		asJSON     bool
		quiet      bool
		outDir     string
		workers    int
		noOptimize bool
	)
	cmd := &cobra.Command{
		Use:   "compare FILE",
		Short: "Simulate every variant of a scenario side by side: KPIs, cost, differences, verdict",
		Long: `Simulate a scenario and each of its variants (the "variants:" list, each a name
and a set of overrides) with the same seed, so that every variant sees the
same callers (common random numbers), and print them side by side: KPIs,
monthly cost with its breakdown, the differences from the base with paired
95% confidence intervals, and the cheapest variant whose every queue meets
its service-level target.

Vendor contracts count as the scenario states them (groups[i].cost): prices
per minute, call and resolved contact, committed hours, minimums, and a
service-level agreement whose penalties are a credit in the cost; the
monthly penalties received are shown with their spread over the
replications (p10 / p50 / p90, min / max). Another client's queue in a
vendor's shared funnel (queues[i].client) is simulated but neither billed to
us nor counted in our KPIs and targets. See "callsim scenarios reference".

When the scenario has strategies (see "callsim optimize"), the text summary
opens with the optimized answer: each strategy sized at its least monthly
cost meeting the targets, and the recommendation; the variants follow as
written (--no-optimize skips the optimization; --json never runs it).

FILE is a scenario file or the name of a built-in scenario.`,
		Example: `  callsim compare my-center.yaml
  callsim compare my-center.yaml --json > comparison.json
  callsim compare my-center.yaml --out report/   # HTML with charts, Markdown, CSV, JSON`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if err := checkOutputs(e, output{"--out", outDir, true}); err != nil {
				return err
			}
			bar := newProgressBar(e.stderr, "comparing", quiet)
			cmp, err := sim.Compare(e.ctx, sc, sim.Options{Workers: workers, Progress: bar.update})
			bar.finish()
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(e.stdout, cmp)
			} else {
				var opt *optimize.Result
				if len(sc.Strategies) > 0 && !noOptimize && !cmp.Interrupted {
					// The scenario says how to size its strategies: headline
					// the optimized answer above the hand-picked variants.
					obar := newOptimizeBar(e.stderr, quiet)
					opt, err = optimize.Run(e.ctx, sc, optimize.Options{Progress: obar.update})
					obar.finish()
					if err != nil {
						return fmt.Errorf("optimize the strategies (--no-optimize skips it): %w", err)
					}
				}
				err = e.summary(func(w io.Writer) error {
					if opt != nil && !opt.Interrupted {
						if err := reports.WriteOptimizeHeadline(w, opt); err != nil {
							return err
						}
						fmt.Fprintf(w, "\nThe variants as written (their headcounts are the scenario's, not sized):\n\n")
					}
					return reports.WriteCompareText(w, cmp)
				})
			}
			if err != nil {
				return err
			}
			if outDir != "" {
				if err := writeReportDir(e, outDir, func() ([]string, error) { return reports.WriteCompareFiles(outDir, cmp) }); err != nil {
					return err
				}
			}
			if cmp.Interrupted {
				return withCode(ExitError, fmt.Errorf("interrupted: %d variant(s) finished", len(cmp.Variants)))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the comparison as JSON (a \"variants\" array) on stdout")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	f.StringVar(&outDir, "out", "", "also write report.html, report.md, result.json and CSV files into this directory")
	f.IntVar(&workers, "workers", 0, "replications run at once (default: number of CPUs)")
	f.BoolVar(&noOptimize, "no-optimize", false, "do not size the scenario's strategies (callsim optimize) for the headline")
	return cmd
}
