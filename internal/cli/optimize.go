package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/reports"
)

func init() { register(newOptimizeCmd) }

func newOptimizeCmd(e *env) *cobra.Command {
	var (
		asJSON       bool
		quiet        bool
		outDir       string
		replications int
		checkReps    int
		every        bool
		strategies   []string
	)
	cmd := &cobra.Command{
		Use:   "optimize FILE",
		Short: "The cheapest plan of every sourcing strategy that meets the targets, side by side",
		Long: `For every strategy of the scenario (the "strategies:" list: fixed overrides
and decisions with bounds, see "callsim scenarios reference"), find the
decisions of least total monthly cost (wages, overhead, supervision, seats,
turnover, vendor fees and minimums, SLA penalties, and the scenario's price
of abandoned and unresolved calls) at which every queue meets its
service-level target, then set the strategies side by side.

Method: start from the Erlang A/C requirement per interval of every queue;
then simulate candidate plans on one fixed sample of replications (the
scenario's seed: common random numbers, a sample-average approximation).
One or two headcounts are searched along the feasible frontier; more, or a
headcount per interval, by adding agents where a target is missed and
removing them while the targets hold; overflow delays, a vendor's hours and
which queues a group answers are enumerated; shifts are covered from their
catalogue.

The chosen plan is then checked on fresh seeds (--check-replications, seed +
1,000,003), and meets_targets is judged there by confidence intervals: a
target is met when the lower end of its 95% interval reaches it, missed when
the upper end is below it; while some target is undecided the check grows to
twice and four times its replications. A plan that does not meet every
target is given agents until its point estimates clear the targets by twice
their half-widths on that sample, and checked again on other fresh seeds:
it meets the targets, misses one (check_failed) or stays inconclusive. A
strategy that misses a target even with every headcount at its upper bound
is reported as infeasible within the bounds.

Targets are judged over the horizon, and with --every-interval (or
optimize.every_interval in the scenario) also in every interval of the day
offered at least one call on average.

The strategies are compared on their checks (fresh seeds common to all:
paired differences where two checks ended with the same replications, else
Welch's two samples; 95% confidence intervals); one is called the
cheapest only when its advantage over every other strategy meeting its
targets exceeds the interval (Bonferroni-corrected), else they are tied.

--out DIR writes report.html (the strategies' cost against service level and
by part, agents per interval of each group against the Erlang requirement,
the targets and what binds, the paired differences), result.json (as --json
prints it), plan.csv (every decision, a row per interval for headcounts by
interval) and each strategy's plan as a scenario file, plan-NAME.yaml, for
"callsim simulate".

Ctrl-C stops the search and prints the best plans found so far, marked
interrupted (exit code 1).`,
		Example: `  callsim optimize hybrid
  callsim optimize hybrid --out plans/        # report.html, plan.csv, plan-*.yaml to simulate
  callsim optimize hybrid --json > plans.json
  callsim optimize my-center.yaml --strategy "in-house only" --every-interval
  callsim optimize my-center.yaml --replications 5 --check-replications 20`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if err := checkOutputs(e, output{"--out", outDir, true}); err != nil {
				return err
			}
			opt := optimize.Options{Replications: replications, CheckReplications: checkReps, Strategies: strategies}
			if cmd.Flags().Changed("every-interval") {
				opt.EveryInterval = &every
			}
			bar := newOptimizeBar(e.stderr, quiet)
			opt.Progress = bar.update
			res, err := optimize.Run(e.ctx, sc, opt)
			bar.finish()
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(e.stdout, res)
			} else {
				err = e.summary(func(w io.Writer) error { return reports.WriteOptimizeText(w, res) })
			}
			if err != nil {
				return err
			}
			if outDir != "" {
				if err := writeReportDir(e, outDir, func() ([]string, error) { return reports.WriteOptimizeFiles(outDir, res) }); err != nil {
					return err
				}
			}
			if res.Interrupted {
				return withCode(ExitError, fmt.Errorf("interrupted: %d strateg(ies) shown, the best plans found so far", len(res.Strategies)))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the result as JSON (a \"strategies\" array and \"best\") on stdout")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	f.StringVar(&outDir, "out", "", "also write report.html, plan.csv and each strategy's plan as a scenario file into this directory")
	f.IntVar(&replications, "replications", 0, "replications of the search's sample (default: optimize.replications, else the scenario's)")
	f.IntVar(&checkReps, "check-replications", 0, "replications of the fresh-seed check (default: optimize.check_replications, else --replications)")
	f.BoolVar(&every, "every-interval", false, "judge the targets in every interval of the day too (default: optimize.every_interval)")
	f.StringSliceVar(&strategies, "strategy", nil, "optimize only these strategies (repeatable)")
	return cmd
}

// optimizeBar shows the optimizer's progress: the strategy, the plans
// simulated, the share done and the ETA.
type optimizeBar struct {
	mu       sync.Mutex
	w        io.Writer
	enabled  bool
	terminal bool
	drawn    bool
	last     time.Time
}

func newOptimizeBar(w io.Writer, quiet bool) *optimizeBar {
	return &optimizeBar{w: w, enabled: !quiet, terminal: isTerminal(w), last: time.Now()}
}

func (b *optimizeBar) update(p optimize.Progress) {
	if !b.enabled || p.Elapsed < time.Second {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	eta := "?"
	if p.ETA > 0 {
		eta = p.ETA.Round(time.Second).String()
	}
	if !b.terminal {
		if time.Since(b.last) >= plainEvery {
			b.last = time.Now()
			fmt.Fprintf(b.w, "optimizing %q (%d/%d): %.0f%%, %d plans simulated, %s elapsed, ETA %s\n",
				p.Strategy, p.Index+1, p.Strategies, 100*p.Fraction, p.Evaluations, p.Elapsed.Round(time.Second), eta)
		}
		return
	}
	if time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	const width = 30
	n := min(int(p.Fraction*width), width)
	fmt.Fprintf(b.w, "\roptimizing [%s] %3.0f%% %d/%d %-20.20s %d plans, ETA %s  ",
		strings.Repeat("#", n)+strings.Repeat(".", width-n), 100*p.Fraction, p.Index+1, p.Strategies, p.Strategy, p.Evaluations, eta)
	b.drawn = true
}

func (b *optimizeBar) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", 100))
	}
}
