package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/audit"
	"github.com/callsim/callsim/audit/sipaudit"
	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/segment"
)

func init() { register(newAuditCmd) }

type auditFlags struct {
	calls                           int
	interval                        time.Duration
	from, to, startAt               string
	timeScale                       float64
	within, patience, hold, minTalk time.Duration
	claim, confidence               string
	centerLog, result               string
	tolerance                       time.Duration
	asJSON, quiet, noMedia          bool
	outDir, transport, caller       string
	seed                            uint64
}

const auditHelp = `The buyer's audit of a vendor's contact center: a few test calls (--audit-calls,
6 by default; 3 to 6 per operator is common) in every interval of the day
(--per-interval, 30m) from --from to --to (times of day, 00:00 to 24:00), at
the vendor's number URI. The calls of an interval are evenly spaced, each at
the middle of its slot, so none sits on a boundary. Each call waits up to
--patience (2m) for an answer, then hangs up (abandoned); an answered call is
held --hold (30s) unless the far end hangs up first. Per call: the answer
delay (from the INVITE sent to the 200 OK), within --within (20s) or
not, whether it reached an agent (answered, up at least --min-talk (5s) or
the whole hold, and with media the far end sent audio), and its length.

Per interval and for the day: calls placed, answered, within the threshold,
reached an agent, abandoned, refused (final response >= 300, no response,
transport error); the service level = answered within the threshold / calls
placed (abandoned and refused calls count as missed) with its two-sided
exact binomial (Clopper-Pearson) interval at --confidence (95%): with 6 calls
an interval this interval is wide, and says so. The calls of an interval are
taken as independent; for the day (a sample stratified by interval) the
binomial interval on all calls is conservative. Reaction speed: the answer
delay's p50, p90 and max (nearest rank) over the calls placed, a call never
answered counting as slower than any answered ("not answered"). With --claim
(e.g. 80%) each interval and the day get PASS, FAIL or INCONCLUSIVE (with the
calls that would decide) by one-sided exact binomial bounds (batch means from
50 calls on), and a FAIL for the day exits 99.

The audit's clock reads --from when it starts (or at --start-at, RFC 3339)
and runs --time-scale K times faster than wall time: a day can be audited in
a minute against "callsim target --scenario FILE --time-scale K --clock-start
8h" (start both together, and the audit with --from 08:00). At K = 1 start it
at --from (e.g. from cron) or give --start-at.

--center-log FILE sets the audit beside the center's own per-call report
(CSV with call_id, outcome, wait_seconds and within columns, as "callsim
target --call-log" writes; arrived_seconds is used when present), matched by
SIP Call-ID: per interval, the service level each side gives, calls the
center does not list, calls answered on one side only, an answer delay and
a center's wait further apart than --tolerance (default 2s, or 20 ms of wall
time x K when larger), and calls within the threshold on one side only
unless both delays lie within the tolerance of it (signalling). It exits 99
when the two disagree. With --result FILE (an earlier audit's --json or
result.json) no call is placed: the saved audit is set beside the log.

Output: a summary (text), --json (the whole report with every call on
stdout), --out DIR (report.html with charts, report.md, result.json and
calls.csv, one line a call); "callsim report result.json" renders it again.`

func newAuditCmd(e *env) *cobra.Command {
	var f auditFlags
	cmd := &cobra.Command{
		Use:   "audit URI | --result FILE --center-log FILE",
		Short: "The buyer's audit: test calls across the day at a vendor's number, the service level per interval as they saw it",
		Long:  auditHelp,
		Example: `  callsim audit sip:support@vendor.example.net --from 08:00 --to 20:00
  callsim audit sip:support@vendor.example.net --audit-calls 4 --per-interval 1h --claim 80% --out audit/
  callsim target --scenario sales-day --time-scale 300 --clock-start 8h --call-log center.csv --duration 50s &
  callsim audit sip:sales@127.0.0.1:5060 --from 08:00 --to 12:00 --time-scale 300
  callsim audit --result audit/result.json --center-log center.csv`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error { return runAudit(e, &f, args) },
	}
	fl := cmd.Flags()
	fl.IntVar(&f.calls, "audit-calls", audit.DefaultCallsPerInterval, "test calls in each interval")
	fl.DurationVar(&f.interval, "per-interval", audit.DefaultInterval, "the interval the calls are spread over and reported by")
	fl.StringVar(&f.from, "from", "00:00", "start of the window audited, time of day HH:MM")
	fl.StringVar(&f.to, "to", "24:00", "end of the window audited, time of day HH:MM (a whole number of intervals after --from)")
	fl.StringVar(&f.startAt, "start-at", "", "when the audit's clock reads --from (RFC 3339, or +30s; default: now)")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "the audit's clock runs this many times faster than wall time (as callsim target --time-scale)")
	fl.DurationVar(&f.within, "within", audit.DefaultWithin, "service level threshold")
	fl.DurationVar(&f.patience, "patience", audit.DefaultPatience, "a call not answered by then is hung up (abandoned)")
	fl.DurationVar(&f.hold, "hold", audit.DefaultHold, "an answered call is held this long unless the far end hangs up")
	fl.DurationVar(&f.minTalk, "min-talk", audit.DefaultMinTalk, "an answered call up for less (and less than --hold) did not reach an agent")
	fl.StringVar(&f.claim, "claim", "", "a claimed service level (e.g. 80%) to judge each interval and the day against")
	fl.StringVar(&f.confidence, "confidence", "95%", "confidence of the intervals and verdicts")
	fl.StringVar(&f.centerLog, "center-log", "", "the center's per-call report (CSV: call_id, outcome, wait_seconds, within) to set beside the audit")
	fl.StringVar(&f.result, "result", "", "an earlier audit (its --json or result.json): set it beside --center-log, placing no call")
	fl.DurationVar(&f.tolerance, "tolerance", 0, "how far the audit's answer delay and the center's wait may differ (default 2s, or 20ms of wall time x K)")
	fl.BoolVar(&f.asJSON, "json", false, "print the report as JSON (every call) on stdout")
	fl.StringVar(&f.outDir, "out", "", "write report.html, report.md, result.json and calls.csv into this directory")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress lines on stderr")
	fl.BoolVar(&f.noMedia, "no-media", false, "signalling only (no RTP; reaching an agent then asks for no audio)")
	fl.StringVar(&f.transport, "transport", "", "udp, tcp or tls (default: the URI's)")
	fl.StringVar(&f.caller, "caller", "", "the From user part of the test calls (default callsim)")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the calls' tags and media")
	return cmd
}

// parseShare parses 80% or 0.8.
func parseShare(flag, s string) (float64, error) {
	t := strings.TrimSpace(s)
	div := 1.0
	if strings.HasSuffix(t, "%") {
		t, div = strings.TrimSpace(strings.TrimSuffix(t, "%")), 100
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v/div > 0 && v/div <= 1) {
		return 0, fmt.Errorf("%s %q: want a share above 0 and at most 100%%, e.g. 80%% or 0.8", flag, s)
	}
	return v / div, nil
}

func (f *auditFlags) config(args []string) (audit.Config, error) {
	cfg := audit.Config{CallsPerInterval: f.calls, Interval: f.interval, TimeScale: f.timeScale, Within: f.within,
		Patience: f.patience, Hold: f.hold, MinTalk: f.minTalk, NoMedia: f.noMedia, Transport: f.transport, Caller: f.caller, Seed: f.seed}
	if len(args) == 1 {
		cfg.Target = args[0]
	}
	var err error
	if cfg.From, err = audit.ParseClock(f.from); err != nil {
		return cfg, fmt.Errorf("--from: %w", err)
	}
	if cfg.To, err = audit.ParseClock(f.to); err != nil {
		return cfg, fmt.Errorf("--to: %w", err)
	}
	if f.calls <= 0 || f.interval <= 0 || f.timeScale <= 0 || f.within <= 0 || f.patience <= 0 || f.hold <= 0 || f.minTalk <= 0 {
		return cfg, errors.New("--audit-calls, --per-interval, --time-scale, --within, --patience, --hold and --min-talk must be positive")
	}
	if cfg.Confidence, err = parseConfidence(f.confidence); err != nil {
		return cfg, err
	}
	if f.claim != "" {
		if cfg.Claim, err = parseShare("--claim", f.claim); err != nil {
			return cfg, err
		}
	}
	if f.startAt != "" {
		if cfg.Epoch, err = segment.ParseStartAt(f.startAt, time.Now()); err != nil {
			return cfg, fmt.Errorf("--start-at: %w", err)
		}
	}
	if f.tolerance < 0 {
		return cfg, fmt.Errorf("--tolerance %v must not be negative", f.tolerance)
	}
	return cfg, cfg.Validate()
}

// auditProgress counts the calls for the progress line.
type auditProgress struct{ started, ended, answered atomic.Int64 }

func (p *auditProgress) CallStarted(time.Time, bool, int64) { p.started.Add(1) }
func (p *auditProgress) CallDropped(time.Time)              {}
func (p *auditProgress) CallEnded(c *loadgen.EndedCall, _ int64) {
	p.ended.Add(1)
	if c.AnswerDelay > 0 {
		p.answered.Add(1)
	}
}

func runAudit(e *env, f *auditFlags, args []string) error {
	if f.result != "" {
		if len(args) > 0 || f.centerLog == "" {
			return usageError{errors.New("--result FILE sets a saved audit beside --center-log FILE: give both, and no URI")}
		}
		return runAuditResult(e, f)
	}
	if len(args) != 1 {
		return usageError{errors.New("audit needs the vendor's number, a SIP URI (e.g. sip:support@vendor.example.net), or --result FILE --center-log FILE")}
	}
	cfg, err := f.config(args)
	if err != nil {
		return usageError{err}
	}
	cfg.Logger = e.log
	if err := checkOutputs(e, output{"--out", f.outDir, true}); err != nil {
		return err
	}
	n := (cfg.To - cfg.From) / cfg.Interval * time.Duration(cfg.CallsPerInterval)
	wall := time.Duration(float64(cfg.To-cfg.From) / cfg.TimeScale)
	var obs loadgen.Observer
	if !f.quiet {
		fmt.Fprintf(e.stderr, "callsim audit: %d calls at %s, %s to %s, %d per %v; %v of wall time at time scale %g\n",
			n, cfg.Target, audit.Clock(cfg.From), audit.Clock(cfg.To), cfg.CallsPerInterval, cfg.Interval, wall.Round(time.Millisecond), cfg.TimeScale)
		prog := &auditProgress{}
		obs = prog
		done := make(chan struct{})
		defer close(done)
		go func() {
			// At most a line per interval (and every 10 s at most).
			tk := time.NewTicker(max(10*time.Second, time.Duration(float64(cfg.Interval)/cfg.TimeScale)))
			defer tk.Stop()
			for {
				select {
				case <-done:
					return
				case <-tk.C:
					fmt.Fprintf(e.stderr, "callsim audit: %d of %d calls placed, %d ended, %d answered\n",
						prog.started.Load(), n, prog.ended.Load(), prog.answered.Load())
				}
			}
		}()
	}
	rep, err := sipaudit.Run(e.ctx, cfg, obs)
	if err != nil {
		return err
	}
	return finishAudit(e, f, rep)
}

func runAuditResult(e *env, f *auditFlags) error {
	data, err := inputfile.Read(e.ctx, f.result, inputfile.Result, nil)
	if err != nil {
		return fmt.Errorf("--result: %w", err)
	}
	s, err := reports.DecodeResult(data)
	if err != nil || s.Kind != reports.KindAudit {
		if err == nil {
			err = fmt.Errorf("a %s result, not an audit", s.Kind)
		}
		return fmt.Errorf("--result %s: %w", f.result, err)
	}
	if err := checkOutputs(e, output{"--out", f.outDir, true}); err != nil {
		return err
	}
	return finishAudit(e, f, s.Audit)
}

func finishAudit(e *env, f *auditFlags, rep *audit.Report) error {
	if f.centerLog != "" {
		data, err := inputfile.Read(e.ctx, f.centerLog, inputfile.CDR, nil)
		if err != nil {
			return fmt.Errorf("--center-log: %w", err)
		}
		center, err := audit.ReadCenterLog(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("--center-log %s: %w", f.centerLog, err)
		}
		rep.Center = audit.CompareCenter(rep, center, f.tolerance)
	}
	var lost []error
	if f.outDir != "" {
		paths, err := reports.WriteAuditFiles(f.outDir, rep)
		if err != nil {
			lost = append(lost, fmt.Errorf("--out: %w", err))
		} else if !f.quiet {
			fmt.Fprintf(e.stderr, "callsim audit: wrote %s\n", strings.Join(paths, ", "))
		}
	}
	var err error
	if f.asJSON {
		err = writeJSON(e.stdout, rep)
	} else {
		err = e.summary(func(w io.Writer) error { return reports.WriteAuditText(w, rep) })
	}
	if err != nil {
		return err
	}
	if err := lostResults(lost); err != nil {
		return err
	}
	switch {
	case rep.Interrupted:
		return withCode(ExitError, errors.New("interrupted: the calls placed so far are reported"))
	case rep.Day.Verdict != nil && rep.Day.Verdict.Outcome == "FAIL":
		return withCode(ExitThreshold, fmt.Errorf("the claimed service level of %.1f%% fails for the day", rep.Settings.Claim*100))
	case rep.Center != nil && !rep.Center.Agrees:
		return withCode(ExitThreshold, errors.New(reports.CenterVerdict(rep.Center)))
	}
	return nil
}
