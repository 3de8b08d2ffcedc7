package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/sim"
)

func init() { register(newSimulateCmd) }

func newSimulateCmd(e *env) *cobra.Command {
	var (
		asJSON       bool
		intervals    bool
		quiet        bool
		outDir       string
		workers      int
		seed         uint64
		replications int
	)
	cmd := &cobra.Command{
		Use:   "simulate FILE",
		Short: "Simulate a scenario and print its KPIs with confidence intervals",
		Long: `Simulate a scenario file with the discrete-event simulator and print service
level, ASA, abandonment, occupancy and queue figures for the center, each
queue, each group and (with --intervals) each interval of the day, with 95%
confidence half-widths.

FILE is a scenario file; when no such file exists, a built-in scenario of
that name is used (see "callsim scenarios list").

Definitions: service level = calls answered within the queue's threshold /
all offered calls (abandoned ones included); ASA = mean wait of answered
calls, zero waits included; abandon rate = abandoned / offered; occupancy =
agent time busy with calls (talk + wrap-up) / agent time staffed.

For vendor groups the summary also shows what each bills us per month (our
queues' calls only, at each queue's price) and how its service-level
agreement fared: periods met and missed, and the monthly penalty received
with its spread over the replications.`,
		Example: `  callsim simulate single-queue
  callsim simulate my-center.yaml --intervals
  callsim simulate my-center.yaml --json > result.json
  callsim simulate my-center.yaml --out report/   # HTML with charts, Markdown, CSV, JSON
  callsim simulate my-center.yaml --seed 42 --replications 30`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("replications") && replications < 1 {
				return usageError{fmt.Errorf("--replications must be at least 1, got %d", replications)}
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
			bar := newProgressBar(e.stderr, "simulating", quiet)
			res, err := sim.Run(e.ctx, sc, sim.Options{Workers: workers, Progress: bar.update})
			bar.finish()
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(e.stdout, res); err != nil {
					return err
				}
			} else if err := e.summary(func(w io.Writer) error {
				return reports.WriteSimulateText(w, res, reports.TextOptions{Intervals: intervals})
			}); err != nil {
				return err
			}
			if outDir != "" {
				if err := writeReportDir(e, outDir, func() ([]string, error) { return reports.WriteSimulateFiles(outDir, res) }); err != nil {
					return err
				}
			}
			if res.Interrupted {
				return withCode(ExitError, fmt.Errorf("interrupted: results cover %d replication(s)", res.Replications))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the whole result as JSON on stdout")
	f.BoolVar(&intervals, "intervals", false, "also print the table of intervals of the day")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	f.StringVar(&outDir, "out", "", "also write report.html, report.md, result.json and CSV files into this directory")
	f.IntVar(&workers, "workers", 0, "replications run at once (default: number of CPUs); results do not depend on it")
	f.Uint64Var(&seed, "seed", 0, "override the scenario's seed")
	f.IntVar(&replications, "replications", 0, "override the scenario's number of replications")
	return cmd
}

// usageArgs turns a cobra argument check's error into a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{fmt.Errorf("%s: %w (see %q)", cmd.CommandPath(), err, cmd.CommandPath()+" --help")}
		}
		return nil
	}
}
