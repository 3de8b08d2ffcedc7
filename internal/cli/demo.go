package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/internal/jsonout"
	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/verify"
)

func init() { register(newDemoCmd) }

// The demo's built-in scenarios: the sourcing comparison, and the single
// queue checked against exact theory.
const (
	demoCompare = "hybrid"
	demoTheory  = "single-queue"
	// demoWire is played over SIP: two queues, two groups, priority and
	// overflow, its own simulated calls replayed (callsim verify, paired).
	demoWire = "two-skills"
)

func newDemoCmd(e *env) *cobra.Command {
	var quiet, noSIP bool
	var outDir string
	var centerSet []string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Compare in-house, outsourced and hybrid for the built-in center, and check the simulator against theory",
		Long: `Run callsim's main job on the built-in scenarios:

 1. "` + demoCompare + `": a tech-support line staffed in-house, by a vendor, or both (the
    vendor taking calls that waited 30 s). First "callsim optimize" sizes each
    of the three strategies at its least monthly cost meeting 80/20 and names
    the cheapest (its report in optimize/ under --out); then the scenario's
    hand-picked variants are simulated with common random numbers and set side
    by side: service level, waiting, abandonment, resolution and repeat calls,
    cost per month and per call, and the cheapest that meets the target.
 2. "` + demoTheory + `": one queue, exponential times, simulated and set beside the
    exact Erlang A values it must reproduce.
 3. Over the wire: the embedded SIP contact center plays "` + demoWire + `" (two
    queues, two groups, priority and overflow) on loopback, and "callsim
    verify" replays the simulation's own calls at it over SIP (4 hours of
    scenario time in 20 s): every call's outcome, group and wait beside the
    simulator's, verdicts per queue and per group that fail when the center
    differs from the simulation, e.g. one agent short: --center-set
    groups.specialists.agents=13 changes the center only (--no-sip skips this).

The comparison's report (report.html with charts, report.md, result.json,
CSV) and the verification (verify.json) are written to --out (default: a new
temporary directory), whose path is printed at the end. About a minute.

Write either out with "callsim scenarios init NAME" to change it and run
"callsim compare" or "callsim simulate" on your copy.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scenarios.LoadBuiltin(demoCompare)
			if err != nil {
				return err
			}
			dir := outDir
			if dir == "" {
				if dir, err = os.MkdirTemp("", "callsim-demo-"); err != nil {
					return fmt.Errorf("demo: a directory for the report: %w (give --out DIR)", err)
				}
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("demo: --out: %w", err)
			}
			fmt.Fprintf(e.stdout, "== 1. In-house, outsourced or hybrid? (built-in scenario %q)\n\n", demoCompare)
			if err := demoOptimize(e, sc, dir, quiet); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "\nThe scenario's hand-picked variants, for comparison (18 agents in each):\n\n")
			bar := newProgressBar(e.stderr, "comparing", quiet)
			cmp, err := sim.Compare(e.ctx, sc, sim.Options{Progress: bar.update})
			bar.finish()
			if err != nil {
				return err
			}
			if err := reports.WriteCompareText(e.stdout, cmp); err != nil {
				return err
			}
			if _, err := reports.WriteCompareFiles(dir, cmp); err != nil {
				return fmt.Errorf("demo: report in %s: %w", dir, err)
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
			if err := reports.WriteTheoryCheck(e.stdout, sc, res); err != nil {
				return err
			}
			if !noSIP {
				wire, err := scenarios.LoadBuiltin(demoWire)
				if err != nil {
					return err
				}
				set, err := parseCenterSet(centerSet)
				if err != nil {
					return err
				}
				if err := demoVerify(e, wire, dir, set); err != nil {
					return fmt.Errorf("SIP verification: %w", err)
				}
			}
			fmt.Fprintf(e.stdout, "\nReport written to %s (report.html, report.md, result.json, CSV, optimize/", dir)
			if !noSIP {
				fmt.Fprint(e.stdout, ", verify.json")
			}
			fmt.Fprintln(e.stdout, ")")
			fmt.Fprintf(e.stdout, "Next: callsim scenarios init %s my-center.yaml; callsim optimize my-center.yaml\n", demoCompare)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	cmd.Flags().BoolVar(&noSIP, "no-sip", false, "skip the SIP verification against the embedded target")
	cmd.Flags().StringArrayVar(&centerSet, "center-set", nil, "change the embedded center of part 3 only, PATH=VALUE (repeatable), e.g. groups.specialists.agents=13: the verdict fails")
	cmd.Flags().StringVar(&outDir, "out", "", "write the reports into this directory (default: a new temporary directory)")
	return cmd
}

// demoVerify replays the scenario's simulated calls over SIP against the
// embedded center (callsim verify, paired) and prints the verdicts.
func demoVerify(e *env, sc *scenarios.Scenario, dir string, set map[string]string) error {
	fmt.Fprintf(e.stdout, "\n== 3. Over the wire: %q played over SIP by the embedded contact center\n", sc.Name)
	fmt.Fprintf(e.stdout, "(the simulation's own calls, %v of scenario time, replayed %dx faster; every call beside the simulator's)\n\n",
		verify.DefaultPairedSpan, verify.DefaultPairedTimeScale)
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Minute)
	defer cancel()
	rep, err := verify.RunPaired(ctx, verify.PairedConfig{Scenario: sc, CenterSet: set, Logger: e.log})
	if err != nil {
		return err
	}
	if err := writePairedText(e.stdout, rep); err != nil {
		return err
	}
	b, err := jsonout.MarshalIndent(rep)
	if err != nil {
		return err
	}
	if err := reports.WriteFileAtomic(filepath.Join(dir, "verify.json"), append(b, '\n')); err != nil {
		return fmt.Errorf("verify.json: %w", err)
	}
	fmt.Fprintln(e.stdout, "\nMore: callsim verify --help (--center-set to plant a discrepancy, --target a real platform, --claim a vendor's claims).")
	return nil
}

// demoOptimize sizes the scenario's strategies (callsim optimize), prints
// the optimized answer and writes its report into dir/optimize.
func demoOptimize(e *env, sc *scenarios.Scenario, dir string, quiet bool) error {
	bar := newOptimizeBar(e.stderr, quiet)
	res, err := optimize.Run(e.ctx, sc, optimize.Options{Progress: bar.update})
	bar.finish()
	if err != nil {
		return fmt.Errorf("demo: optimize: %w", err)
	}
	if err := reports.WriteOptimizeText(e.stdout, res); err != nil {
		return err
	}
	if _, err := reports.WriteOptimizeFiles(filepath.Join(dir, "optimize"), res); err != nil {
		return fmt.Errorf("demo: optimize report in %s: %w", dir, err)
	}
	return nil
}
