package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/capacity"
	"github.com/callsim/callsim/capacity/loadprobe"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/reports"
)

func init() { register(newCapacityCmd) }

type capacityFlags struct {
	load                 loadFlags
	maxRate, startRate   float64
	maxConc, startConc   int
	factor               float64
	resolution           string
	stepTime, stepMax    time.Duration
	confirmMax, warmup   time.Duration
	cooldown, duration   time.Duration
	stepCalls            uint64
	confidence           float64
	asJSON, quiet        bool
	outDir               string
	metricsAddr          string
	metricsLinger        time.Duration
	warmupSet, startsSet bool
}

func newCapacityCmd(e *env) *cobra.Command {
	var f capacityFlags
	cmd := &cobra.Command{
		Use:   "capacity URI",
		Short: "Find the highest call rate and the most calls held at once at which every --threshold holds",
		Long: `Searches the call rate (--max-rate: calls per second, open model) and, apart,
the number of calls held at once (--max-concurrent: callers in a closed
model), for the highest level at which every --threshold holds (ser>=99.9,
srd_p99<250ms, failed==0, mos_p5>=4.0 ...; the syntax of "callsim load").

Method, for each search: a ramp from the start level (--start-rate,
--start-concurrent; default a sixteenth of the bound), times --ramp-factor,
until a level does not hold; then bisection between the highest level that
held and the lowest that did not, to --resolution; then that highest level
is confirmed: held until its calls show every threshold to hold at
--confidence, or for --confirm-max. Each step starts with a warm-up
(--warmup, default: the hold time, three means for exp:) whose calls are
not judged, then is held at least --step-time and --step-calls; a cool-down
(--cooldown) follows every step, after its calls ended. A step in which most
calls fail (a collapse) is ended at once, and no higher level is tried.

The rule: a threshold holds at a step when its confidence interval lies on
the passing side. Ratios and percentiles are judged as shares of calls
(ser>=99: at least 99% answered; srd_p99<250ms: at least 99% under 250 ms)
with one-sided exact (Clopper-Pearson) bounds, means with a normal interval,
counts and extremes exactly; a step with fewer than --step-calls calls
cannot pass. So a pass on a handful of calls is not evidence: ser>=99 needs
299 calls without a failure at 95%, ser>=99.9 2,995.

Prints (and with --out writes capacity.json and capacity.html, a chart of
the steps) the knee: last_pass, the highest level shown to pass, and
first_fail, the lowest level above it that did not. The whole run, both
searches, every step, its calls' ending and the cool-downs, ends within
--duration (the rate search may use half of it when both run).

Exit code 0 when a knee was found within the bounds (or every level up to
the bound passed), 99 when even the lowest level does not pass (or none
could be shown to), 1 on error or when the time ran out first.

The call flags are those of "callsim load" (--hold, --patience, --no-media,
--transport, --from, --to, --callers ...).`,
		Example: `  callsim capacity sip:support@pbx.lab --max-rate 200 --max-concurrent 2000 --hold 30s --threshold 'ser>=99.9' --threshold 'srd_p99<250ms' --duration 30m --out cap
  callsim capacity sip:support@127.0.0.1:5070 --max-rate 64 --hold 2s --no-media --threshold 'ser>=99' --duration 3m
  callsim capacity sip:support@127.0.0.1:5070 --max-concurrent 200 --hold 2s --threshold 'ser>=99' --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("capacity takes one target URI, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f.warmupSet = cmd.Flags().Changed("warmup")
			restore, err := f.load.useProcs(cmd.Flags(), false) // a search needs every core unless told
			if err != nil {
				return usageError{err}
			}
			defer restore()
			return runCapacity(e, args[0], &f)
		},
	}
	fl := cmd.Flags()
	f.load.addCallFlags(fl, "30s")
	fl.Float64Var(&f.maxRate, "max-rate", 0, "search the call rate up to this many calls/s (open model)")
	fl.IntVar(&f.maxConc, "max-concurrent", 0, "search the calls held at once up to this many (closed model)")
	fl.Float64Var(&f.startRate, "start-rate", 0, "first (lowest) rate tried (default: --max-rate/16)")
	fl.IntVar(&f.startConc, "start-concurrent", 0, "first (lowest) number of calls held (default: --max-concurrent/16)")
	fl.Float64Var(&f.factor, "ramp-factor", capacity.DefaultFactor, "each ramp step multiplies the level by this")
	fl.StringVar(&f.resolution, "resolution", "5%", "bisection stops when first fail - last pass is within this: a share of the level (5%) or an absolute level (2)")
	fl.DurationVar(&f.stepTime, "step-time", 10*time.Second, "hold each step at least this long after its warm-up")
	fl.Uint64Var(&f.stepCalls, "step-calls", 100, "and until at least this many judged calls ended; fewer cannot pass")
	fl.DurationVar(&f.stepMax, "step-max", time.Minute, "a ramp or bisection step ends after this (after its warm-up) whatever its calls")
	fl.DurationVar(&f.confirmMax, "confirm-max", 2*time.Minute, "a confirmation step is held until its calls decide, at most this long")
	fl.DurationVar(&f.warmup, "warmup", 0, "calls intended to start within this of a step's start are not judged (default: the --hold time; 3 means for exp:)")
	fl.DurationVar(&f.cooldown, "cooldown", 2*time.Second, "pause between steps, after a step's calls ended")
	fl.DurationVar(&f.duration, "duration", 10*time.Minute, "the whole run ends within this")
	fl.Float64Var(&f.confidence, "confidence", capacity.DefaultConfidence, "confidence level of the verdicts")
	fl.BoolVar(&f.asJSON, "json", false, "print the report as JSON on stdout")
	fl.StringVar(&f.outDir, "out", "", "write capacity.json and capacity.html (chart of the steps) into this directory")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no line per step on stderr")
	addMetricsFlags(fl, &f.metricsAddr, &f.metricsLinger)
	return cmd
}

// holdWarmup is the default warm-up for a hold time: until the calls in
// progress are steady (a constant or uniform hold: its longest; exp: three
// means, 95% of the steady level), at least a second.
func holdWarmup(d loadgen.Dist) time.Duration {
	var w time.Duration
	switch d.Kind {
	case loadgen.DistConstant:
		w = d.Mean
	case loadgen.DistUniform:
		w = d.Max
	case loadgen.DistExp:
		w = 3 * d.Mean
	}
	return max(w, time.Second)
}

// holdDrain is how long calls take to end once no new call starts: the
// hold's 99th percentile (exp: 4.6 means), and 2 s to set up and hang up.
func holdDrain(d loadgen.Dist) time.Duration {
	var w time.Duration
	switch d.Kind {
	case loadgen.DistConstant:
		w = d.Mean
	case loadgen.DistUniform:
		w = d.Max
	case loadgen.DistExp:
		w = time.Duration(4.6 * float64(d.Mean))
	}
	return w + 2*time.Second
}

func parseResolution(s string) (abs, rel float64, err error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || !(v > 0 && v < 100) {
			return 0, 0, fmt.Errorf("--resolution %q: want a share like 5%% (0 to 100) or a level like 2", s)
		}
		return 0, v / 100, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, 0, fmt.Errorf("--resolution %q: want a share like 5%% or a level like 2", s)
	}
	return v, 0, nil
}

func (f *capacityFlags) config(ctx context.Context, target string) (capacity.Config, *loadprobe.Prober, error) {
	base, ths, errs := f.load.callConfig(ctx, target)
	cfg := capacity.Config{Target: target, Thresholds: f.load.thresholds, Confidence: f.confidence, Budget: f.duration}
	if len(ths) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("give at least one --threshold: the search finds where they stop holding"))
	}
	if f.maxRate <= 0 && f.maxConc <= 0 {
		errs = append(errs, errors.New("give --max-rate and/or --max-concurrent: the searches and their bounds"))
	}
	if f.maxRate < 0 || f.maxConc < 0 || f.startRate < 0 || f.startConc < 0 {
		errs = append(errs, errors.New("--max-rate, --max-concurrent, --start-rate and --start-concurrent must not be negative"))
	}
	abs, rel, err := parseResolution(f.resolution)
	if err != nil {
		errs = append(errs, err)
	}
	if f.maxRate > 0 {
		start := f.startRate
		if start == 0 {
			start = math.Max(math.Round(f.maxRate/16*100)/100, math.Min(1, f.maxRate))
		}
		cfg.Rate = &capacity.Plan{Kind: capacity.Rate, Start: start, Max: f.maxRate, Factor: f.factor, Resolution: abs, RelResolution: rel}
	}
	if f.maxConc > 0 {
		start := f.startConc
		if start == 0 {
			start = max(f.maxConc/16, 1)
		}
		cfg.Concurrent = &capacity.Plan{Kind: capacity.Concurrent, Start: float64(start), Max: float64(f.maxConc), Factor: f.factor, Resolution: abs, RelResolution: rel}
	}
	for _, p := range []*capacity.Plan{cfg.Rate, cfg.Concurrent} {
		if p != nil {
			if err := p.Validate(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if f.stepTime <= 0 || f.stepMax < f.stepTime || f.confirmMax < f.stepTime || f.cooldown < 0 || f.warmup < 0 {
		errs = append(errs, errors.New("want 0 < --step-time <= --step-max and --confirm-max, --cooldown and --warmup >= 0"))
	}
	if f.duration <= 0 {
		errs = append(errs, errors.New("--duration must be positive: the whole run ends within it"))
	}
	if !(f.confidence > 0.5 && f.confidence < 1) {
		errs = append(errs, fmt.Errorf("--confidence %v: want between 0.5 and 1, e.g. 0.95", f.confidence))
	}
	warm := f.warmup
	if !f.warmupSet {
		warm = holdWarmup(base.Hold)
	}
	cfg.Hold = capacity.Hold{MinTime: f.stepTime, MinCalls: f.stepCalls, MaxTime: f.stepMax, ConfirmMax: f.confirmMax,
		Warmup: map[capacity.Kind]time.Duration{capacity.Rate: warm, capacity.Concurrent: warm}, Cooldown: f.cooldown, Drain: holdDrain(base.Hold)}
	// Calls hung up at a step's cut must end before the run's: keep the
	// grace short.
	base.Grace = min(base.Grace, 2*time.Second)
	p := &loadprobe.Prober{Base: base, Thresholds: ths}
	if len(errs) == 0 {
		if err := p.Check(); err != nil {
			errs = append(errs, err)
		}
	}
	return cfg, p, errors.Join(errs...)
}

func runCapacity(e *env, target string, f *capacityFlags) error {
	cfg, p, err := f.config(e.ctx, target)
	if err != nil {
		return usageError{err}
	}
	if p.Base.Password, err = readPassword(e.ctx, f.load.passwordFile); err != nil {
		return err
	}
	p.Base.Logger = e.log
	cfg.Logger = e.log
	if err := checkOutputs(e, output{"--out", f.outDir, true}); err != nil {
		return err
	}
	ms, err := startMetrics(e, f.metricsAddr, f.metricsLinger)
	if err != nil {
		return err
	}
	defer ms.close()
	if ms != nil {
		p.Observer = ms.loadObserver(&p.Base)
		p.OnLevel = ms.capacityLevel
	}
	if !f.quiet {
		cfg.OnStep = func(st capacity.Step) {
			lv := strconv.FormatFloat(st.Level, 'f', 2, 64)
			if st.Kind == capacity.Concurrent {
				lv = strconv.FormatFloat(st.Level, 'f', 0, 64)
			}
			var ths []string
			for _, t := range st.Thresholds {
				ths = append(ths, fmt.Sprintf("%s %s", t.Expr, t.Verdict))
			}
			hold := "holds"
			if !st.Lean {
				hold = "does not hold"
			}
			if st.Collapse {
				hold = "COLLAPSE"
			}
			fmt.Fprintf(e.stderr, "capacity: %s %s (%s): %d calls in %.1fs, SER %s, SRD p99 %.1f ms: %s, %s [%s]\n",
				st.Kind, lv, st.Purpose, st.Calls, st.Seconds, reports.Pct(st.SER), st.SRDP99, hold, st.Verdict, strings.Join(ths, "; "))
		}
	}
	rep, err := capacity.Run(e.ctx, cfg, p)
	if rep == nil {
		return err
	}
	if f.outDir != "" {
		if werr := writeReportDir(e, f.outDir, func() ([]string, error) { return reports.WriteCapacityFiles(f.outDir, rep) }); werr != nil {
			return werr
		}
	}
	if f.asJSON {
		if werr := writeJSON(e.stdout, rep); werr != nil {
			return fmt.Errorf("writing JSON: %w", werr)
		}
	} else {
		_ = e.summary(func(w io.Writer) error { return reports.WriteCapacityText(w, rep) })
	}
	if err != nil {
		return err
	}
	return capacityExit(rep)
}

// capacityExit maps the searches' statuses to the exit code.
func capacityExit(rep *capacity.Report) error {
	var low, incomplete []string
	for _, s := range []struct {
		k capacity.Kind
		r *capacity.SearchReport
	}{{capacity.Rate, rep.Rate}, {capacity.Concurrent, rep.Concurrent}} {
		if s.r == nil {
			continue
		}
		switch s.r.Status {
		case capacity.LowestFails, capacity.NotShown:
			low = append(low, string(s.k)+": "+reports.KneeLine(s.k, s.r))
		case capacity.Incomplete:
			incomplete = append(incomplete, string(s.k))
		}
	}
	switch {
	case rep.Interrupted:
		return withCode(ExitError, errors.New("interrupted: the steps run so far are reported, no knee"))
	case len(low) > 0:
		return withCode(ExitThreshold, fmt.Errorf("no passing level: %s", strings.Join(low, "; ")))
	case len(incomplete) > 0:
		return withCode(ExitError, fmt.Errorf("the %s search did not finish within --duration (%s); give it more time or fewer steps", strings.Join(incomplete, " and "), time.Duration(rep.Budget*float64(time.Second))))
	}
	return nil
}
