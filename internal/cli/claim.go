package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/callsim/callsim/claim"
	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/verify"
)

const claimHelp = `
Vendor claims: --claim FILE checks a claim instead of a scenario. The claim
is YAML with one line per promise:

  name: Acme offer 2026-11                              # optional
  capacity: {calls_per_second: 50, concurrent: 200,     # concurrent optional
             answered: 99%,                             # default 99% (1% GoS)
             setup_delay: {percentile: 95%, within: 500ms},   # optional
             answer_delay: {percentile: 99%, within: 2s}}     # optional
  service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25,
            handle_time: 3m, patience: 2m}              # handle_time default 3m;
                                                        # patience: callers wait
  steps: [25%, 50%, 100%]                               # the ramp (default)

callsim ramps each line in steps to the claimed load (--step of wall time
each), holds it (--hold) and judges the calls placed at 100%. Each check is
PASS (the claim holds at --confidence, 95% by default), FAIL (it does not,
at that confidence) or INCONCLUSIVE (too few calls to tell: the calls and
the time more that would decide are printed).

Method. A share is judged by one-sided exact binomial (Clopper-Pearson)
bounds on an effective sample size: the calls, in the order they were
placed, are cut into 20 batches (10 under 100 calls; not at all under 50),
and the variance of the batch means over that of single calls is the
variance inflation of a queue's autocorrelated calls; n / inflation calls
count as independent ones. PASS when the lower bound reaches the claim,
FAIL when the upper bound is below it. A delay percentile is judged by its
order-statistic bounds (the same bound on the share of calls within the
claimed delay; calls never set up count as beyond it).

capacity: uniform arrivals at calls_per_second, each answered call held
(concurrent - 0.5) / calls_per_second seconds (2 s without concurrent:), so
the schedule keeps exactly the claimed calls up. Checks: the offered load
(the calls placed per second, from their start times; a generator that fell
behind makes the line INCONCLUSIVE, not FAIL), the calls answered (every
answered call counts as held, however it ended; at least answered: of the
calls), the concurrent calls (the most answered calls up at once: FAIL only
when the platform refused or failed calls and never held the claimed
number; INCONCLUSIVE when the far end hung calls up early), and the delay
percentiles. The report tells calls the platform refused or failed apart
from calls the far end ended early.
service: Poisson arrivals at calls_per_hour, --time-scale K faster (default
120 with --claim), exponential patience, the agent hangs up. Check: the
service level = calls answered within answered_within (answer delay x K) /
calls placed, abandoned and refused ones included.

Without --target each line gets its own embedded center: --agents (default:
the service line's agents; for capacity, enough to answer every call at
once) and --trunks (default: no limit). The report never restates the
claim's staffing as the test's: a headcount other than the claim's is a
note. Exit 0 when every line passes, 99 when a line fails or is
inconclusive (not proven), naming it and its line in the file. Ctrl-C or
SIGTERM stops the check: what was measured so far is printed (JSON:
"interrupted": true), with no verdict, exit 1.

Evidence: --out DIR writes the claim as given (claim.yaml), the run
(run.json: callsim's version, the command line, the seed, start and end in
RFC 3339, the setup of each line), every call (calls.csv: the CDR of
callsim load with each call's line and step), HDR histograms per line and
step (histograms.json), the per-second series (series.csv), the verdicts
with their method and numbers (verdicts.json), report.html for a buyer,
and manifest.json with the SHA-256 of every file. The manifest's own
SHA-256 is printed: send it to the client with the bundle.
"callsim verify --check DIR" checks every hash and computes every verdict,
histogram and series again from calls.csv alone; exit 0 when the bundle
is intact and reproduced, 99 when a file was changed or a verdict does not
reproduce (naming the file), 1 when DIR holds no bundle.`

type claimFlags struct {
	file       string
	trunks     int
	step, hold time.Duration
	confidence string
	out        string
	check      string
}

func (c *claimFlags) add(f *pflag.FlagSet) {
	f.StringVar(&c.file, "claim", "", "check a vendor claim (YAML, see above) instead of a scenario")
	f.IntVar(&c.trunks, "trunks", 0, "--claim: trunks of the embedded center (0: no limit)")
	f.DurationVar(&c.step, "step", verify.DefaultClaimStep, "--claim: wall time of each ramp step below 100%")
	f.DurationVar(&c.hold, "hold", verify.DefaultClaimHold, "--claim: wall time at the claimed load")
	f.StringVar(&c.confidence, "confidence", "95%", "--claim: confidence of every verdict (one-sided bounds), e.g. 95% or 0.99")
	f.StringVar(&c.out, "out", "", "--claim: write the evidence bundle into this directory (see above)")
	f.StringVar(&c.check, "check", "", "check an evidence bundle written by --claim --out: hashes, and every verdict computed again from its calls")
}

func parseConfidence(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	if strings.HasSuffix(s, "%") {
		s, div = strings.TrimSuffix(s, "%"), 100
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(f/div > 0.5 && f/div < 1) {
		return 0, fmt.Errorf("--confidence %q: want a level between 50%% and 100%%, e.g. 95%% or 0.99", s)
	}
	return f / div, nil
}

func runClaim(e *env, cmd *cobra.Command, c *claimFlags, targetURI string, agents int, timeScale float64,
	seed uint64, asJSON bool, scenarioArg string) error {
	if scenarioArg != "" {
		return usageError{fmt.Errorf("give --scenario or --claim, not both")}
	}
	if c.step < 0 || c.hold <= 0 || c.trunks < 0 || agents < 0 {
		return usageError{fmt.Errorf("--step %v, --hold %v, --trunks %d, --agents %d: want positive values", c.step, c.hold, c.trunks, agents)}
	}
	if targetURI != "" && (c.trunks > 0 || agents > 0) {
		return usageError{fmt.Errorf("--agents and --trunks configure the embedded center, not one given by --target")}
	}
	conf, err := parseConfidence(c.confidence)
	if err != nil {
		return usageError{err}
	}
	if c.out != "" {
		if err := checkOutDir(c.out); err != nil {
			return usageError{err}
		}
		if err := checkOutputs(e, output{flag: "--out", path: c.out, dir: true}); err != nil {
			return err
		}
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
		Confidence: conf, Seed: seed, Logger: e.log}
	if cmd.Flags().Changed("time-scale") {
		cfg.TimeScale = timeScale
	}
	if !asJSON {
		fmt.Fprintf(e.stderr, "checking the claim %s: steps %v, %v each, %v at the claimed load...\n", c.file, cl.Steps, c.step, c.hold)
	}
	run, err := verify.RunClaim(e.ctx, cfg)
	if err != nil {
		return fmt.Errorf("verify --claim: %w", err)
	}
	rep := run.Report
	if asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
	} else if err := reports.WriteClaimText(e.stdout, rep); err != nil {
		return fmt.Errorf("writing the summary: %w", err)
	}
	if c.out != "" {
		b := &claim.Bundle{Claim: data, Calls: run.Calls, Report: rep, Run: claim.Run{
			Version: buildVersion(), CommandLine: append([]string{"callsim"}, e.args...), ClaimFile: c.file,
			Seed: seed, StartedAt: run.StartedAt, EndedAt: run.EndedAt, Confidence: conf,
			StepSeconds: c.step.Seconds(), HoldSeconds: c.hold.Seconds(), Setups: run.Setups}}
		var html bytes.Buffer
		runLine := fmt.Sprintf("callsim %s, seed %d, from %s to %s; command: %s", b.Run.Version, seed,
			run.StartedAt.Format(time.RFC3339), run.EndedAt.Format(time.RFC3339), strings.Join(b.Run.CommandLine, " "))
		if err := reports.WriteClaimHTML(&html, rep, &reports.ClaimEvidence{Calls: run.Calls, Series: claim.Series(run.Setups, run.Calls)}, runLine); err != nil {
			return fmt.Errorf("report.html: %w", err)
		}
		b.HTML = html.Bytes()
		digest, err := claim.WriteBundle(c.out, b)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		fmt.Fprintf(e.stderr, "evidence written to %s (%d calls); SHA-256 of its manifest: %s\n", c.out, len(run.Calls), digest)
	}
	if rep.Interrupted {
		return withCode(ExitError, errors.New("interrupted: the figures measured so far are shown, no verdict"))
	}
	if !rep.Pass {
		if asJSON {
			fmt.Fprintf(e.stderr, "verify --claim: %s\n", reports.ClaimVerdict(rep))
		}
		return withCode(ExitThreshold, fmt.Errorf("claim not proven: %s", reports.ClaimVerdict(rep)))
	}
	return nil
}

// checkOutDir refuses an output directory that holds other files than an
// evidence bundle's, before anything is run.
func checkOutDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	if len(ents) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, claim.FileManifest)); err != nil {
		return fmt.Errorf("--out %s: the directory holds %s and is not an evidence bundle: give an empty or new directory", dir, ents[0].Name())
	}
	return nil
}

// runCheck checks an evidence bundle (verify --check DIR).
func runCheck(e *env, dir string, asJSON bool) error {
	res, err := claim.CheckBundle(dir)
	if err != nil {
		return err
	}
	if asJSON {
		if err := writeJSON(e.stdout, res); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
	} else if err := reports.WriteBundleCheckText(e.stdout, dir, res); err != nil {
		return err
	}
	if !res.Intact || !res.Reproduced {
		files := map[string]bool{}
		var names []string
		for _, p := range res.Problems {
			if !files[p.File] {
				files[p.File] = true
				names = append(names, p.File)
			}
		}
		msg := fmt.Errorf("evidence bundle %s: not intact or not reproduced: %s", dir, strings.Join(names, ", "))
		fmt.Fprintf(e.stderr, "callsim: %v\n", msg)
		return withCode(ExitThreshold, msg)
	}
	return nil
}
