package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/verify"
)

func init() { register(newVerifyCmd) }

func newVerifyCmd(e *env) *cobra.Command {
	var (
		scenarioArg string
		targetURI   string
		agents      int
		timeScale   float64
		duration    time.Duration
		warmUp      time.Duration
		sipDelay    time.Duration
		inflation   float64
		seed        uint64
		asJSON      bool
		seg         segmentFlags
		quiet       bool
		claim       claimFlags
		metricsAddr string
		linger      time.Duration
		statistical bool
		centerSet   []string
		span        time.Duration
	)
	cmd := &cobra.Command{
		Use:   "verify --scenario FILE [--center-set PATH=VALUE] | --scenario FILE --target URI | --claim FILE [--out DIR] | --check DIR",
		Short: "Check that a SIP platform behaves as the simulator predicts for a scenario",
		Long: `Paired (the default without --target): the whole scenario, every queue,
group, skill, route, priority, shift, opening hour and distribution, against
the embedded SIP center. The simulator runs --span of scenario time (from
Monday 00:00) and records every call: its arrival, patience, talk and
wrap-up. The callers then place exactly those calls over SIP, --time-scale
times faster (default 720: 4 h in 20 s), each giving up at its own patience,
and the center takes each call's talk and wrap-up from the same record.
Measured and predicted then differ only by SIP timing, and every call's
outcome at the center (answered or abandoned, by which group, after what
wait) is set beside the simulator's. Verdicts per queue (service level,
abandon rate, ASA) and per group (its share of the answered calls), call by
call: with d = time scale x --sip-delay plus the 99th percentile of how far
the calls' arrivals at the center were from their simulated times (measured
in the run; arrivals do not depend on routing, so a center that routes
differently does not widen it), a leg with the simulated outcome and group
and a wait within d of the simulated one, or whose fate was decided within d
of its patience, is explained by timing and counts at its simulated value.
The rest of the difference must lie within what the pairs of contested
routing events closer than d in the simulation (each may exchange two calls'
fates) can exchange: 1.96 x sqrt(pairs) calls (95%).

--center-set PATH=VALUE (repeatable, as a variant's set) changes the
embedded center only, not the simulation: a planted discrepancy, e.g.
--center-set groups.specialists.agents=13.

Statistical (--target URI, or --statistical with the embedded center):
against an external platform (--target) the measured errors are the batch
means of the measured run (10 batches of equal length by intended start,
Student's t with batches - 1 degrees of freedom), not an assumed factor;
with --statistical (embedded) the i.i.d. error x --inflation. Simulate the
scenario for its predicted service level, ASA, abandon rate and occupancy
(95% confidence intervals), then drive a SIP target with the same traffic,
compressed --time-scale times (Poisson arrivals, the scenario's patience;
the agent hangs up), measure the same KPIs after a warm-up and say, per KPI,
whether the measurement is consistent with the prediction:

  |measured - predicted| <= CI95 + 1.96 x SE x inflation + SIP allowance
  (--target: CI95 + t x SE of the batch means + SIP allowance)

Without --target the embedded target is started in-process with the
scenario's agents (or --agents) and handle time, and the KPIs come from its
tally; with --target they come from the caller's side (no occupancy).
Only one queue served by one group with a constant headcount, exponential or
constant handle time and exponential or no patience is supported.

Exit code 0 when every KPI is consistent, 99 when one is not. Ctrl-C stops
the run and still prints (or, with --json, writes) what was measured, marked
interrupted, without a verdict (exit code 1).
` + segmentHelp + `

A segment of verify places its share of the
arrivals (rate/n, seed derived from the segment) at the shared --target and
judges the KPIs its own callers measured; it needs --target.
` + claimHelp,
		Example: `  callsim verify --scenario two-skills
  callsim verify --scenario two-skills --center-set groups.specialists.agents=13
  callsim verify --scenario hybrid --span 8h --time-scale 1440 --json
  callsim verify --scenario single-queue --statistical
  callsim verify --scenario my-center.yaml --time-scale 120 --duration 2m --json
  callsim verify --scenario my-center.yaml --target sip:support@pbx.example.net:5060
  callsim verify --claim vendor-claim.yaml --trunks 100
  callsim verify --claim vendor-claim.yaml --target sip:support@pbx.example.net:5060 --hold 60s
  callsim verify --claim vendor-claim.yaml --trunks 100 --hold 60s --confidence 99% --out evidence/
  callsim verify --check evidence/`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if claim.check != "" {
				if claim.file != "" || scenarioArg != "" {
					return usageError{fmt.Errorf("--check DIR checks a bundle; it takes no --claim or --scenario")}
				}
				return runCheck(e, claim.check, asJSON)
			}
			if claim.file != "" && seg.set() {
				return usageError{fmt.Errorf("--segment, --segments and --start-at do not apply to --claim")}
			}
			if claim.file != "" {
				return runClaim(e, cmd, &claim, targetURI, agents, timeScale, seed, asJSON, scenarioArg)
			}
			if claim.out != "" || cmd.Flags().Changed("confidence") {
				return usageError{fmt.Errorf("--out and --confidence go with --claim")}
			}
			if scenarioArg == "" {
				return usageError{fmt.Errorf("--scenario is required")}
			}
			if targetURI == "" && !statistical {
				return runPaired(e, cmd, scenarioArg, centerSet, span, timeScale, duration, sipDelay, asJSON, quiet, seg.set(), agents)
			}
			if len(centerSet) > 0 || cmd.Flags().Changed("span") {
				return usageError{fmt.Errorf("--center-set and --span go with the paired mode (the embedded center, without --target or --statistical)")}
			}
			if timeScale < 1 {
				return usageError{fmt.Errorf("--time-scale %g: must be at least 1", timeScale)}
			}
			if duration <= 0 {
				return usageError{fmt.Errorf("--duration %v: must be positive", duration)}
			}
			if agents < 0 {
				return usageError{fmt.Errorf("--agents %d: must not be negative", agents)}
			}
			if agents > 0 && targetURI != "" {
				return usageError{fmt.Errorf("--agents applies to the embedded target only, not with --target")}
			}
			sc, err := loadScenario(scenarioArg)
			if err != nil {
				return err
			}
			if err := verify.Check(sc); err != nil {
				return fmt.Errorf("%s: %w", scenarioArg, err)
			}
			sg, startAt, err := seg.resolve()
			if err != nil {
				return usageError{err}
			}
			if !sg.Whole() && targetURI == "" {
				return usageError{fmt.Errorf("--segment/--segments need --target: the segments must share one target")}
			}
			cfg := verify.Config{
				Segment: sg, StartAt: startAt,
				Scenario: sc, Target: targetURI, Agents: agents, TimeScale: timeScale,
				Duration: duration, WarmUp: warmUp, SIPDelay: sipDelay, Inflation: inflation,
				Seed: seed, Logger: e.log,
			}
			if !asJSON && !quiet {
				fmt.Fprintf(e.stderr, "verifying %s: %v of calls at %gx (%v of scenario time)...\n",
					sc.Name, duration, timeScale, time.Duration(float64(duration)*timeScale).Round(time.Second))
			}
			ms, err := startMetrics(e, metricsAddr, linger)
			if err != nil {
				return err
			}
			defer ms.close()
			cfg.Observer = ms.loadObserver(&loadgen.Config{})
			rep, err := verify.Run(e.ctx, cfg)
			if err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			if asJSON {
				if err := writeJSON(e.stdout, rep); err != nil {
					return fmt.Errorf("writing JSON: %w", err)
				}
			} else if err := writeVerifyText(e.stdout, rep); err != nil {
				return fmt.Errorf("writing the summary: %w", err)
			}
			if rep.Interrupted {
				return withCode(ExitError, fmt.Errorf("interrupted: %d call(s) measured, no verdict", rep.Measurement.Offered))
			}
			if !rep.Consistent {
				if asJSON {
					fmt.Fprintf(e.stderr, "verify: not consistent with the simulation: %s\n", strings.Join(rep.Inconsistent, ", "))
				}
				return withCode(ExitThreshold, fmt.Errorf("not consistent with the simulation: %s", strings.Join(rep.Inconsistent, ", ")))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenarioArg, "scenario", "", "scenario file or built-in name (required)")
	f.StringVar(&targetURI, "target", "", "SIP URI to call (default: start the embedded target)")
	f.IntVar(&agents, "agents", 0, "start the embedded target with this many agents instead of the scenario's")
	f.Float64Var(&timeScale, "time-scale", verify.DefaultTimeScale, "scenario time runs this many times faster than wall time (paired default 720, statistical 60)")
	f.DurationVar(&duration, "duration", verify.DefaultDuration, "wall time calls arrive for (paired: sets the time scale to --span / --duration)")
	f.DurationVar(&warmUp, "warmup", 0, "wall time excluded at the start (default: 10% of --duration)")
	f.DurationVar(&sipDelay, "sip-delay", verify.DefaultSIPDelay, "timing allowance per call, wall time")
	f.Float64Var(&inflation, "inflation", verify.DefaultInflation, "standard errors of waiting figures are multiplied by this for autocorrelation")
	f.Uint64Var(&seed, "seed", 0, "seed of the arrivals, patience and handle times (default: the scenario's)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON on stdout")
	f.BoolVar(&statistical, "statistical", false, "with the embedded center: the statistical comparison (one queue, one group) instead of the paired replay")
	f.StringArrayVar(&centerSet, "center-set", nil, "paired mode: change the embedded center only, PATH=VALUE as a variant's set (repeatable), e.g. groups.staff.agents=9")
	f.DurationVar(&span, "span", verify.DefaultPairedSpan, "paired mode: scenario time replayed, from Monday 00:00")
	seg.add(f, "the arrivals")
	claim.add(f)
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	addMetricsFlags(f, &metricsAddr, &linger)
	return cmd
}

func writeVerifyText(w io.Writer, r *verify.Report) error {
	m := r.Measurement
	var b strings.Builder
	fmt.Fprintf(&b, "scenario     %s (queue %s, %d agents)\n", r.Scenario, r.Queue, r.Agents)
	where := r.Target
	if r.Embedded {
		where = fmt.Sprintf("embedded target, %d agents, %s", r.TargetAgents, r.Target)
	}
	fmt.Fprintf(&b, "target       %s\n", where)
	fmt.Fprintf(&b, "load         %.2f calls/s for %gs wall (time scale %g; warm-up %gs excluded)\n", r.RateWall, r.WallSeconds, r.TimeScale, r.WarmUpSeconds)
	fmt.Fprintf(&b, "measured     %d offered, %d answered, %d abandoned, %d other, over %.0fs scenario time (from the %s)\n",
		m.Offered, m.Answered, m.Abandoned, m.Other, m.ElapsedSeconds, m.Source)
	fmt.Fprintf(&b, "\n%-14s %10s %20s %10s %10s  %s\n", "KPI", "measured", "predicted ±CI95", "diff", "tolerance", "verdict")
	for _, k := range r.KPIs {
		verdict := "consistent"
		if !k.Consistent {
			verdict = "NOT consistent"
		}
		if k.Unit == "seconds" {
			fmt.Fprintf(&b, "%-14s %9.1fs %12.1fs ±%5.1fs %+9.1fs %9.1fs  %s\n", k.Name, k.Measured, k.Predicted, k.PredictedCI95, k.Difference, k.Tolerance, verdict)
		} else {
			fmt.Fprintf(&b, "%-14s %9.1f%% %12.1f%% ±%5.1f%% %+9.1f%% %9.1f%%  %s\n", k.Name, 100*k.Measured, 100*k.Predicted, 100*k.PredictedCI95, 100*k.Difference, 100*k.Tolerance, verdict)
		}
	}
	if strings.HasPrefix(r.SEMethod, "batch") {
		fmt.Fprintf(&b, "\ntolerance = CI95 + t(97.5%%, batches - 1) x SE of the measured run's %s (occupancy: %.2f x SE) + SIP allowance (%.1f ms wall = %.2fs scenario time per call)\n",
			r.SEMethod, r.Z, r.SIPDelayMillis, r.SIPDelayMillis/1000*r.TimeScale)
	} else {
		fmt.Fprintf(&b, "\ntolerance = CI95 + %.2f x SE (x%g for waiting figures) + SIP allowance (%.1f ms wall = %.2fs scenario time per call)\n",
			r.Z, r.Inflation, r.SIPDelayMillis, r.SIPDelayMillis/1000*r.TimeScale)
	}
	if r.Interrupted {
		b.WriteString("verdict      none: INTERRUPTED (the calls measured so far are above)\n")
	} else if r.Consistent {
		b.WriteString("verdict      consistent with the simulation\n")
	} else {
		fmt.Fprintf(&b, "verdict      NOT consistent with the simulation: %s\n", strings.Join(r.Inconsistent, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
