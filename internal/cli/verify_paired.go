package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/verify"
)

// runPaired runs verify's paired mode: the scenario's own simulated calls
// replayed over SIP against the embedded center.
func runPaired(e *env, cmd *cobra.Command, scenarioArg string, centerSet []string, span time.Duration, timeScale float64,
	duration, sipDelay time.Duration, asJSON, quiet, segments bool, agents int) error {
	fl := cmd.Flags()
	switch {
	case segments:
		return usageError{fmt.Errorf("--segment/--segments need --target: the segments must share one target")}
	case agents > 0:
		return usageError{fmt.Errorf("--agents is the statistical mode's; in the paired mode change a group with --center-set groups.NAME.agents=N")}
	case fl.Changed("warmup") || fl.Changed("inflation"):
		return usageError{fmt.Errorf("--warmup and --inflation are the statistical mode's (--target or --statistical)")}
	case span <= 0:
		return usageError{fmt.Errorf("--span %v: must be positive", span)}
	case fl.Changed("time-scale") && fl.Changed("duration"):
		return usageError{fmt.Errorf("give --time-scale or --duration, not both: the paired mode replays --span at --time-scale, in --span / --time-scale of wall time")}
	}
	k := float64(verify.DefaultPairedTimeScale)
	switch {
	case fl.Changed("time-scale"):
		if timeScale < 1 {
			return usageError{fmt.Errorf("--time-scale %g: must be at least 1", timeScale)}
		}
		k = timeScale
	case fl.Changed("duration"):
		if duration <= 0 {
			return usageError{fmt.Errorf("--duration %v: must be positive", duration)}
		}
		k = span.Seconds() / duration.Seconds()
	}
	set, err := parseCenterSet(centerSet)
	if err != nil {
		return err
	}
	sc, err := loadScenario(scenarioArg)
	if err != nil {
		return err
	}
	if !asJSON && !quiet {
		fmt.Fprintf(e.stderr, "verifying %s, paired: %v of scenario time at %gx (%v of calls over SIP)...\n",
			sc.Name, span, k, time.Duration(span.Seconds()/k*float64(time.Second)).Round(100*time.Millisecond))
	}
	rep, err := verify.RunPaired(e.ctx, verify.PairedConfig{Scenario: sc, CenterSet: set, Span: span, TimeScale: k, SIPDelay: sipDelay, Logger: e.log})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if asJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
	} else if err := writePairedText(e.stdout, rep); err != nil {
		return fmt.Errorf("writing the summary: %w", err)
	}
	if rep.Interrupted {
		return withCode(ExitError, fmt.Errorf("interrupted: %d call(s) ended, %d agree with the simulation; no verdict", rep.Placed, rep.Agree))
	}
	if !rep.Consistent {
		return withCode(ExitThreshold, fmt.Errorf("not consistent with the simulation: %s", strings.Join(rep.Inconsistent, ", ")))
	}
	return nil
}

func writePairedText(w io.Writer, r *verify.PairedReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario     %s (paired: the simulation's own calls replayed over SIP)\n", r.Scenario)
	center := "embedded center, " + r.Target
	if len(r.CenterSet) > 0 {
		var kv []string
		for k, v := range r.CenterSet {
			kv = append(kv, k+"="+v)
		}
		center += " (changed: " + strings.Join(kv, ", ") + ")"
	}
	fmt.Fprintf(&b, "center       %s\n", center)
	fmt.Fprintf(&b, "replayed     %.0fs of scenario time at %gx in %.1fs wall: %d calls placed, %d legs (transfers included)\n",
		r.SpanSeconds, r.TimeScale, r.WallSeconds, r.Placed, r.Calls)
	fmt.Fprintf(&b, "call by call %d of %d legs agree (outcome, group, wait within %.2fs); %d contested ties closer than that; %d unmatched\n",
		r.Agree, r.Calls, r.TimingSeconds, r.Ties, r.Unmatched)
	fmt.Fprintf(&b, "\n%-6s %-16s %-15s %6s %10s %10s %10s %11s %10s  %s\n", "scope", "name", "KPI", "calls", "simulated", "measured", "timing", "unexplained", "tolerance", "verdict")
	for _, c := range r.Checks {
		verdict := "consistent"
		if !c.Consistent {
			verdict = "NOT consistent"
		}
		if c.Unit == "seconds" {
			fmt.Fprintf(&b, "%-6s %-16s %-15s %6d %9.2fs %9.2fs %+9.2fs %+10.2fs %9.2fs  %s\n", c.Scope, c.Name, c.KPI, c.Calls, c.Predicted, c.Measured, c.Explained, c.Difference, c.Tolerance, verdict)
		} else {
			fmt.Fprintf(&b, "%-6s %-16s %-15s %6d %9.1f%% %9.1f%% %+9.1f%% %+10.1f%% %9.1f%%  %s\n", c.Scope, c.Name, c.KPI, c.Calls, 100*c.Predicted, 100*c.Measured, 100*c.Explained, 100*c.Difference, 100*c.Tolerance, verdict)
		}
	}
	fmt.Fprintf(&b, "\ntiming = the part SIP timing explains call by call (d = %gx x %.1f ms + %.2fs, the arrivals' 99th percentile offset, = %.2fs);\n"+
		"unexplained = measured - timing - simulated, judged against what %d contested ties may exchange (95%%; see callsim verify --help)\n",
		r.TimeScale, r.SIPDelayMillis, r.ArrivalOffsetP99, r.TimingSeconds, r.Ties)
	switch {
	case r.Interrupted:
		b.WriteString("verdict      none: INTERRUPTED\n")
	case r.Consistent:
		b.WriteString("verdict      consistent with the simulation\n")
	default:
		fmt.Fprintf(&b, "verdict      NOT consistent with the simulation: %s\n", strings.Join(r.Inconsistent, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// parseCenterSet reads --center-set PATH=VALUE flags.
func parseCenterSet(kvs []string) (map[string]string, error) {
	set := map[string]string{}
	for _, kv := range kvs {
		path, value, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(path) == "" {
			return nil, usageError{fmt.Errorf("--center-set %q: want PATH=VALUE, e.g. groups.staff.agents=9", kv)}
		}
		set[strings.TrimSpace(path)] = value
	}
	return set, nil
}
