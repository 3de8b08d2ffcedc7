package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/verify"
)

const claimHelp = `
Vendor claims: --claim FILE checks a claim instead of a scenario. The claim
is YAML with one line per promise:

  name: Acme offer 2026-11                              # optional
  capacity: {calls_per_second: 50, concurrent: 200}
  service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25,
            handle_time: 3m, patience: 2m}              # handle_time default 3m;
                                                        # patience: callers wait
  steps: [25%, 50%, 100%]                               # the ramp (default)

callsim ramps each line in steps to the claimed load (--step of wall time
each), holds it (--hold) and judges the 100% step. capacity: calls held
concurrent/calls_per_second seconds (2 s without concurrent:); passes when
99% of the calls are answered, 95% of the claimed calls/s are placed and
answered calls up at once reach 95% of concurrent. service: Poisson arrivals
at calls_per_hour, --time-scale K faster (default 120 with --claim), the agent
hangs up; passes when the share answered within answered_within (of all calls
placed, from the caller's side) is at least the claim less 1.96 x SE x
--inflation over the calls placed. Without --target each line gets its own
embedded target: --agents (default: the service line's agents; for capacity,
enough to answer every call at once) and --trunks (default: no limit).
Prints pass or fail per line with the evidence; exit 99 if a line fails,
naming it and its line in the file. Ctrl-C or SIGTERM stops the check: what
was measured so far is printed (JSON: "interrupted": true), with no
verdict, exit 1.`

type claimFlags struct {
	file       string
	trunks     int
	step, hold time.Duration
}

func (c *claimFlags) add(f *pflag.FlagSet) {
	f.StringVar(&c.file, "claim", "", "check a vendor claim (YAML, see above) instead of a scenario")
	f.IntVar(&c.trunks, "trunks", 0, "--claim: trunks of the embedded target (0: no limit)")
	f.DurationVar(&c.step, "step", 3*time.Second, "--claim: wall time of each ramp step below 100%")
	f.DurationVar(&c.hold, "hold", 15*time.Second, "--claim: wall time at the claimed load")
}

func runClaim(e *env, cmd *cobra.Command, c *claimFlags, targetURI string, agents int, timeScale, inflation float64,
	seed uint64, asJSON bool, scenarioArg string) error {
	if scenarioArg != "" {
		return usageError{fmt.Errorf("give --scenario or --claim, not both")}
	}
	if c.step < 0 || c.hold <= 0 || c.trunks < 0 || agents < 0 {
		return usageError{fmt.Errorf("--step %v, --hold %v, --trunks %d, --agents %d: want positive values", c.step, c.hold, c.trunks, agents)}
	}
	if targetURI != "" && (c.trunks > 0 || agents > 0) {
		return usageError{fmt.Errorf("--agents and --trunks configure the embedded target, not one given by --target")}
	}
	data, err := inputfile.Read(e.ctx, c.file, inputfile.Claim, nil)
	if err != nil {
		return fmt.Errorf("--claim: %w", err)
	}
	cl, err := verify.ParseClaim(c.file, data)
	if err != nil {
		return err
	}
	cfg := verify.ClaimConfig{Claim: cl, Target: targetURI, Agents: agents, Trunks: c.trunks, Step: c.step, Hold: c.hold,
		Inflation: inflation, Seed: seed, Logger: e.log}
	if cmd.Flags().Changed("time-scale") {
		cfg.TimeScale = timeScale
	}
	if !asJSON {
		fmt.Fprintf(e.stderr, "checking the claim %s: steps %v, %v each, %v at the claimed load...\n", c.file, cl.Steps, c.step, c.hold)
	}
	rep, err := verify.RunClaim(e.ctx, cfg)
	if err != nil {
		return fmt.Errorf("verify --claim: %w", err)
	}
	if asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
	} else {
		writeClaimText(e.stdout, rep)
	}
	if rep.Interrupted {
		return withCode(ExitError, errors.New("interrupted: the figures measured so far are shown, no verdict"))
	}
	if !rep.Pass {
		return withCode(ExitThreshold, fmt.Errorf("claim not met: %s", strings.Join(rep.Failed, ", ")))
	}
	return nil
}

func writeClaimText(w io.Writer, r *verify.ClaimReport) {
	name := r.Claim.Name
	if name == "" {
		name = r.Claim.Source
	}
	fmt.Fprintf(w, "claim  %s\n", name)
	for _, l := range r.Lines {
		verdict := "PASS"
		switch {
		case l.Interrupted:
			verdict = "INTERRUPTED"
		case !l.Pass:
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "\n%s  %s (line %d): %s\n", verdict, l.Line, l.FileLine, l.Claimed)
		fmt.Fprintf(w, "  target    %s\n", l.Target)
		fmt.Fprintf(w, "  evidence  %s\n", l.Evidence)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  step\tcalls/s\tplaced\tanswered\tabandoned\tfailed\tachieved/s\tmax up\tservice level\trefusals\t")
		for _, s := range l.Steps {
			sl := "-"
			if l.Line == "service" {
				sl = pct(s.ServiceLevel)
			}
			codes := []string{}
			for code, n := range s.StatusCodes {
				if code >= 300 {
					codes = append(codes, fmt.Sprintf("%d x%d", code, n))
				}
			}
			fmt.Fprintf(tw, "  %.0f%%\t%.2f\t%d\t%d\t%d\t%d\t%.2f\t%d\t%s\t%s\t\n", s.Fraction*100, s.Rate, s.Attempted, s.Completed,
				s.Abandoned, s.Failed, s.AchievedCPS, s.MaxConcurrent, sl, dash(strings.Join(codes, " ")))
		}
		tw.Flush()
	}
	verdict := "every line holds"
	if r.Interrupted {
		verdict = "none: interrupted"
	} else if !r.Pass {
		verdict = "NOT met: " + strings.Join(r.Failed, ", ")
	}
	fmt.Fprintf(w, "\nverdict  %s\n", verdict)
}
