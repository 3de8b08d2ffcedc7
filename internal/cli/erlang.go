package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/sim/erlang"
)

func init() { register(newErlangCmd) }

type erlangFlags struct {
	callsPerHour float64
	aht          erlangDuration
	agents       int
	patience     erlangDuration
	within       erlangDuration
	target       erlangPercent
	maxASA       erlangDuration
	maxAbandon   erlangPercent
	trunks       int
	blocking     erlangPercent
	json         bool
}

func newErlangCmd(e *env) *cobra.Command {
	f := &erlangFlags{within: erlangDuration{d: 20 * time.Second}}
	cmd := &cobra.Command{
		Use:   "erlang",
		Short: "Analytic calculator: Erlang C and A (agents, service level) and Erlang B (trunks)",
		Long: `Compute contact-center figures from the classic queueing formulas, exactly,
for one agent or many thousands.

  Erlang C (M/M/N)    callers wait as long as it takes (no --patience)
  Erlang A (M/M/N+M)  callers hang up after an exponential patience (--patience MEAN)
  Erlang B (M/M/N/N)  blocked calls are lost: line sizing (--trunks or --blocking)

Offered load = calls per hour × AHT / 3600 s (erlangs).
Service level = calls answered within --within / ALL offered calls (abandoned
ones included). ASA = mean wait of answered calls, zero waits included.
Abandon rate = abandoned / offered. Occupancy = busy time / staffed time.

Give --agents to evaluate a headcount, --target (and/or --max-asa,
--max-abandon) to find the minimum headcount that meets it, or both to check
a headcount against the target. Durations take Go syntax (20s, 5m, 1m30s) or
plain seconds; percentages take 80% or 0.8.`,
		Example: `  # 360 calls/h of 5 minutes, 32 agents, callers never abandon
  callsim erlang --calls-per-hour 360 --aht 5m --agents 32

  # the same with an average patience of 2 minutes (Erlang A)
  callsim erlang --calls-per-hour 360 --aht 5m --agents 32 --patience 2m

  # minimum agents for 80% answered within 20 s and at most 5% abandoned
  callsim erlang --calls-per-hour 360 --aht 5m --patience 2m --target 80% --within 20s --max-abandon 5%

  # trunks needed so that at most 1% of calls get a busy signal
  callsim erlang --calls-per-hour 360 --aht 3m --blocking 1%

  # blocking of 20 trunks, as JSON
  callsim erlang --calls-per-hour 360 --aht 3m --trunks 20 --json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("erlang takes flags only, not %q; see callsim erlang --help", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runErlang(e, cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.Float64Var(&f.callsPerHour, "calls-per-hour", 0, "offered calls per hour (required)")
	fl.Var(&f.aht, "aht", "mean handle time: talk + wrap-up, e.g. 300s or 5m (required)")
	fl.IntVar(&f.agents, "agents", 0, "agents staffed: evaluate this headcount")
	fl.Var(&f.patience, "patience", "mean caller patience, e.g. 2m: Erlang A (omit: callers never abandon, Erlang C)")
	fl.Var(&f.within, "within", "service-level threshold")
	fl.Var(&f.target, "target", "service-level target, e.g. 80% or 0.8: find the minimum agents (or check --agents)")
	fl.Var(&f.maxASA, "max-asa", "staffing constraint: maximum ASA, e.g. 30s")
	fl.Var(&f.maxAbandon, "max-abandon", "staffing constraint: maximum abandon rate, e.g. 5% (needs --patience)")
	fl.IntVar(&f.trunks, "trunks", 0, "Erlang B: lines available; prints the blocking probability")
	fl.Var(&f.blocking, "blocking", "Erlang B: target blocking, e.g. 1%; without --trunks prints the minimum trunks")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	return cmd
}

func runErlang(e *env, cmd *cobra.Command, f *erlangFlags) error {
	fl := cmd.Flags()
	changed := fl.Changed
	switch {
	case !changed("calls-per-hour"):
		return usageError{errors.New("--calls-per-hour is required (offered calls per hour, e.g. --calls-per-hour 360)")}
	case !(f.callsPerHour > 0) || math.IsInf(f.callsPerHour, 0):
		return usageError{fmt.Errorf("--calls-per-hour %v: must be a positive number of calls per hour, e.g. 360", f.callsPerHour)}
	case !f.aht.set:
		return usageError{errors.New("--aht is required (mean handle time, e.g. --aht 5m or --aht 300s)")}
	case f.aht.d <= 0:
		return usageError{fmt.Errorf("--aht %v: must be longer than zero, e.g. 5m", f.aht.d)}
	}
	aht := f.aht.d.Seconds()
	lambda := f.callsPerHour / 3600
	load := lambda * aht

	if changed("trunks") || changed("blocking") {
		for _, name := range []string{"agents", "target", "patience", "max-asa", "max-abandon"} {
			if changed(name) {
				return usageError{fmt.Errorf("--%s does not apply to Erlang B line sizing (--trunks/--blocking); run the two separately", name)}
			}
		}
		return runErlangB(e, f, load)
	}

	if changed("agents") && f.agents < 1 {
		return usageError{fmt.Errorf("--agents %d: must be at least 1", f.agents)}
	}
	if f.patience.set && f.patience.d <= 0 {
		return usageError{fmt.Errorf("--patience %v: must be longer than zero; omit --patience if callers never abandon", f.patience.d)}
	}
	if f.within.d < 0 {
		return usageError{fmt.Errorf("--within %v: must not be negative, e.g. 20s", f.within.d)}
	}
	if f.target.set && !(f.target.v > 0 && f.target.v < 1) {
		return usageError{fmt.Errorf("--target %s: must be above 0%% and below 100%% (no finite headcount answers every call in time), e.g. 80%%", f.target.raw)}
	}
	if f.maxASA.set && f.maxASA.d <= 0 {
		return usageError{fmt.Errorf("--max-asa %v: must be longer than zero, e.g. 30s", f.maxASA.d)}
	}
	if f.maxAbandon.set {
		if !f.patience.set {
			return usageError{errors.New("--max-abandon needs --patience: without it callers never abandon (Erlang C)")}
		}
		if !(f.maxAbandon.v > 0 && f.maxAbandon.v < 1) {
			return usageError{fmt.Errorf("--max-abandon %s: must be above 0%% and below 100%%, e.g. 5%%", f.maxAbandon.raw)}
		}
	}
	hasTarget := f.target.set || f.maxASA.set || f.maxAbandon.set
	if !changed("agents") && !hasTarget {
		return usageError{errors.New("give --agents N to evaluate a headcount, or --target 80% (or --max-asa, --max-abandon) to find the minimum headcount; see callsim erlang --help")}
	}

	within := f.within.d.Seconds()
	patience := 0.0 // Erlang C
	if f.patience.set {
		patience = f.patience.d.Seconds()
	}
	target := erlang.Target{Within: within}
	if f.target.set {
		target.ServiceLevel = f.target.v
	}
	if f.maxASA.set {
		target.MaxASA = f.maxASA.d.Seconds()
	}
	if f.maxAbandon.set {
		target.MaxAbandonRate = f.maxAbandon.v
	}

	var (
		r   erlang.Result
		err error
	)
	staffed := !changed("agents")
	if staffed {
		r, err = erlang.StaffA(lambda, aht, patience, target)
	} else {
		r, err = erlang.A(lambda, aht, patience, f.agents, within)
		if errors.Is(err, erlang.ErrUnstable) {
			return usageError{fmt.Errorf("--agents %d cannot carry %.4g erlangs (%g calls/h × %v) when callers never abandon: the queue grows without bound; give --agents %d or more, or --patience for Erlang A",
				f.agents, load, f.callsPerHour, f.aht.d, int(math.Floor(load))+1)}
		}
	}
	if err != nil {
		return fmt.Errorf("erlang: %w", err)
	}
	out := erlangOutput{Result: r}
	if hasTarget {
		t := &reports.ErlangTarget{Within: within, Met: target.Met(r)}
		if f.target.set {
			t.ServiceLevel = &target.ServiceLevel
		}
		if f.maxASA.set {
			t.MaxASA = &target.MaxASA
		}
		if f.maxAbandon.set {
			t.MaxAbandonRate = &target.MaxAbandonRate
		}
		out.Target = t
	}
	if f.json {
		if err := writeJSON(e.stdout, out); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
		return nil
	}
	return reports.WriteErlangText(e.stdout, reports.ErlangInput{CallsPerHour: f.callsPerHour, AHT: f.aht.d, Within: f.within.d,
		Patience: f.patience.d, Staffed: staffed}, out.Result, out.Target)
}

// erlangOutput is the JSON of callsim erlang for Erlang C and A.
type erlangOutput struct {
	erlang.Result
	Target *reports.ErlangTarget `json:"target,omitempty"`
}

// erlangLinesOutput is the JSON of callsim erlang for Erlang B.
type erlangLinesOutput struct {
	Model string `json:"model"`
	erlang.LinesResult
	Target *reports.ErlangBTarget `json:"target,omitempty"`
}

func runErlangB(e *env, f *erlangFlags, load float64) error {
	if f.trunks < 0 {
		return usageError{fmt.Errorf("--trunks %d: must not be negative", f.trunks)}
	}
	if f.blocking.set && !(f.blocking.v > 0 && f.blocking.v < 1) {
		return usageError{fmt.Errorf("--blocking %s: must be above 0%% and below 100%%, e.g. 1%%", f.blocking.raw)}
	}
	var (
		r   erlang.LinesResult
		err error
	)
	sized := f.trunks == 0 && f.blocking.set
	if sized {
		r, err = erlang.StaffB(load, f.blocking.v)
	} else {
		if f.trunks < 1 {
			return usageError{errors.New("--trunks must be at least 1 (or give --blocking 1% alone to find the minimum)")}
		}
		r, err = erlang.Lines(load, f.trunks)
	}
	if err != nil {
		return fmt.Errorf("erlang: %w", err)
	}
	out := erlangLinesOutput{Model: "erlang_b", LinesResult: r}
	if f.blocking.set {
		out.Target = &reports.ErlangBTarget{Blocking: f.blocking.v, Met: r.Blocking <= f.blocking.v}
	}
	if f.json {
		if err := writeJSON(e.stdout, out); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
		return nil
	}
	return reports.WriteErlangBText(e.stdout, reports.ErlangInput{CallsPerHour: f.callsPerHour, AHT: f.aht.d, Staffed: sized},
		load, r, out.Target)
}

// parsePercentFlag reads a fraction written as a percentage ("80%", "99.5 %")
// or as a fraction ("0.8"). A bare number above 1 is rejected as ambiguous.
func parsePercentFlag(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if strings.HasSuffix(t, "%") {
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%q is not a percentage: write e.g. 80%%", s)
		}
		return v / 100, nil
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a percentage: write e.g. 80%% or 0.8", s)
	}
	if v > 1 {
		return 0, fmt.Errorf("%q is ambiguous: write %s%% for a percentage or a fraction between 0 and 1", s, t)
	}
	return v, nil
}

// parseSecondsFlag reads a Go duration ("20s", "1m30s") or plain seconds ("20").
func parseSecondsFlag(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if d, err := time.ParseDuration(t); err == nil {
		return d, nil
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e9 {
		return 0, fmt.Errorf("%q is not a duration: write e.g. 20s, 5m, 1m30s or plain seconds", s)
	}
	return time.Duration(v * float64(time.Second)), nil
}

// erlangDuration is a pflag.Value for durations that remembers whether it was set.
type erlangDuration struct {
	d   time.Duration
	set bool
}

func (f *erlangDuration) String() string {
	if f.d == 0 && !f.set {
		return ""
	}
	return f.d.String()
}

func (f *erlangDuration) Set(s string) error {
	d, err := parseSecondsFlag(s)
	if err != nil {
		return err
	}
	f.d, f.set = d, true
	return nil
}

func (f *erlangDuration) Type() string { return "duration" }

// erlangPercent is a pflag.Value for fractions written as 80% or 0.8.
type erlangPercent struct {
	v   float64
	raw string
	set bool
}

func (f *erlangPercent) String() string { return f.raw }

func (f *erlangPercent) Set(s string) error {
	v, err := parsePercentFlag(s)
	if err != nil {
		return err
	}
	f.v, f.raw, f.set = v, s, true
	return nil
}

func (f *erlangPercent) Type() string { return "percent" }
