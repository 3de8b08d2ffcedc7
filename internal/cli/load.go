package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/callsim/callsim/cdr"
	"github.com/callsim/callsim/internal/atomicfile"
	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/media"
	"github.com/callsim/callsim/reports"
)

func init() { register(newLoadCmd) }

// passwordEnv names the environment variable holding the digest password.
const passwordEnv = "CALLSIM_SIP_PASSWORD"

type loadFlags struct {
	transport, mode, from, localIP          string
	rate                                    float64
	arrivals, stages                        string
	concurrency                             int
	duration                                time.Duration
	maxCalls                                uint64
	maxInFlight                             int
	hold, patience                          string
	inviteTimeout, grace, tolerance, ioTick time.Duration
	ioTickFlag                              *pflag.Flag // --io-tick, to tell a default from a choice
	seed                                    uint64
	user, passwordFile                      string
	tlsInsecure                             bool
	tlsCA                                   string
	sockets                                 int
	engine                                  string
	to, display, callersFile                string
	jsonFile, cdrFile                       string
	thresholds                              []string
	window                                  time.Duration // --window: thresholds judged per window
	abortOnFail                             bool
	metricsAddr                             string // --metrics-addr: serve /metrics
	metricsLinger                           time.Duration
	progress                                bool
	outDir                                  string // --out: report directory
	quiet                                   bool   // --quiet: no status line
	seg                                     segmentFlags
	// Media.
	noMedia         bool
	rtpMux          bool
	procs           int
	rtpPorts, audio string
	mosThreshold    float64
	mosDelay        time.Duration
}

func newLoadCmd(e *env) *cobra.Command {
	var f loadFlags
	cmd := &cobra.Command{
		Use:   "load URI",
		Short: "Push SIP test calls at a target and measure them (RFC 6076 metrics)",
		Long: `Places SIP calls at URI (INVITE, answer, hold, BYE; CANCEL when a caller's
patience runs out) and reports outcomes, delays and ratios.

Every answered call sends RTP (G.711, 20 ms packets) from the answer to the
hang-up and measures the far end's stream: packets, loss and jitter (RFC 3550),
the longest gap, one-way or no audio, and a G.107 E-model MOS (G.711 with
packet loss concealment; delay assumed: 20 ms packetization + 40 ms jitter
buffer + 2 x jitter + --mos-delay). --no-media offers port 9 and sends none.
--rtp-mux puts every call's RTP on a few shared ports (two per core) and tells
the calls apart by SSRC (a=ssrc in the offer, or learnt from a far end with a
port per call): packets leave in batches (sendmmsg, UDP_SEGMENT) and are read
in batches (recvmmsg, UDP_GRO). Against callsim target --rtp-mux on 2 cores:
12,000 echoed calls with every packet sent, where a port per call stops
near 2,000 (bench/media/results.md).

Workload models (choose one):
  open:    --rate N calls per second (--arrivals uniform|poisson), or
           --stages 30s:10,2m:100,30s:0 (linear ramps between target rates)
  closed:  --concurrency N callers, each calling again when its call ends
Bounds: --duration and/or --max-calls (at least one); --stages alone runs
for the stages' total length.

Every attempted call ends as completed, failed, abandoned, timed_out or
transport_error. Delays are measured from each call's intended start.
The digest password is read from $` + passwordEnv + ` or --password-file.

Per-call parameters: --from, --to, --display and --user are templates with
placeholders in brackets (as SIPp's [field0], [call_number]):
  [seq] (0, 1, 2 ...), [seq+K], [seq%M], [seq%M+K], [call_number] (seq+1),
  [NAME] or [fieldN]: column NAME (or number N, from 0) of the --callers row.
--callers FILE.csv: a header row naming the columns, then one row per caller;
calls take the rows in turn (round robin). Columns used without a template:
from or user (the caller), to or queue (whom to call), display, and password
(that caller's digest password; never printed or written).
--to is a user part (1000, [to]) or a sip: URI; requests still go to URI's
host and port.

` + windowHelp + `
` + segmentHelp + `

A segment of a load test takes its exact share: with uniform arrivals the
calls k of the whole schedule with k mod n == i; with Poisson arrivals
rate/n from a seed derived from (--seed, i); --max-calls and --concurrency
split exactly (the first ones take one more).`,
		Example: `  callsim load sip:support@127.0.0.1:5060 --rate 200 --max-calls 2000 --hold 1s
  callsim load 'sip:support@127.0.0.1:5060;transport=tcp' --concurrency 50 --duration 1m --hold exp:90s --patience exp:60s
  callsim load sip:support@127.0.0.1 --rate 100 --duration 30s --json out.json --threshold 'ser>=99.9' --threshold 'srd_p99<250ms'
  callsim load sip:support@pbx.lab --rate 50 --duration 30m --threshold 'srd_p99<250ms' --threshold 'ser>=99' --window 10s --abort-on-fail
  callsim load sip:pbx.lab --rate 20 --max-calls 500 --from 'caller[seq]' --to '[seq%100+1000]'
  callsim load sip:pbx.lab --rate 20 --duration 5m --callers agents.csv --hold exp:60s
  callsim load sips:support@pbx.lab --rate 50 --max-calls 1000 --tls-ca lab-ca.pem
  callsim load sip:support@pbx.example.net --rate 4000 --duration 5m --segment 2/4 --start-at 2026-11-23T14:00:00Z --json seg-2.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("load takes one target URI, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLoad(e, cmd, args[0], &f)
		},
	}
	fl := cmd.Flags()
	f.addCallFlags(fl, "0s")
	fl.StringVar(&f.mode, "mode", "call", "call, options (OPTIONS pings) or register")
	fl.Float64Var(&f.rate, "rate", 0, "open model: calls per second")
	fl.StringVar(&f.stages, "stages", "", "open model ramp, DURATION:RATE,... e.g. 30s:10,2m:100,30s:0")
	fl.IntVar(&f.concurrency, "concurrency", 0, "closed model: number of callers")
	fl.DurationVar(&f.duration, "duration", 0, "how long to start calls (default cap 1h if only --max-calls)")
	fl.Uint64Var(&f.maxCalls, "max-calls", 0, "stop after this many calls")
	fl.StringVar(&f.jsonFile, "json", "", "write the result as JSON to FILE")
	fl.StringVar(&f.cdrFile, "cdr", "", "write a CSV call detail record per call to FILE (columns: README; last: from, to)")
	f.addWindowFlags(fl)
	addMetricsFlags(fl, &f.metricsAddr, &f.metricsLinger)
	fl.BoolVar(&f.progress, "progress", false, "print a progress line to stderr every second")
	fl.StringVar(&f.outDir, "out", "", "also write report.html (charts), report.md, result.json, series.csv and delays.csv into this directory")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no status line on stderr")
	f.seg.add(fl, "the test")
	return cmd
}

// addCallFlags adds the flags that say what each call is and how it is
// judged, shared by load and capacity; holdDefault is --hold's default.
func (f *loadFlags) addCallFlags(fl *pflag.FlagSet, holdDefault string) {
	fl.StringVar(&f.transport, "transport", "", "udp, tcp or tls (default: from the URI, udp)")
	fl.StringVar(&f.from, "from", "", "caller user part, a template: 'caller[seq]' (default: the --callers column from or user, else callsim)")
	fl.StringVar(&f.to, "to", "", "whom each call is for, a template: '[seq%100+1000]' or 'sip:[to]@pbx.lab' (default: the URI, or the --callers column to or queue)")
	fl.StringVar(&f.display, "display", "", "caller display name, a template (default: the --callers column display)")
	fl.StringVar(&f.callersFile, "callers", "", "CSV of callers: header row, one row per call in turn; columns usable as [NAME] in templates")
	fl.StringVar(&f.localIP, "local-ip", "", "local address to bind (default: chosen by route)")
	fl.IntVar(&f.sockets, "sockets", loadgen.DefaultSockets(), "local UDP sockets or TCP/TLS connections to spread calls over; one per core, 2 to 8, by default")
	fl.StringVar(&f.engine, "engine", loadgen.EngineFast, "call path: fast, the only one (the sipgo call path was retired; OPTIONS and REGISTER use sipgo)")
	_ = fl.MarkDeprecated("engine", "calls always go through callsim's own call path; the sipgo call path was retired (see the README)")
	fl.StringVar(&f.arrivals, "arrivals", "uniform", "open model arrivals: uniform or poisson")
	fl.IntVar(&f.maxInFlight, "max-in-flight", loadgen.DefaultMaxInFlight, "calls in progress cap; calls due beyond it are dropped (counted)")
	fl.StringVar(&f.hold, "hold", holdDefault, "hold time of answered calls: 90s, exp:90s or uniform:30s-2m")
	fl.StringVar(&f.patience, "patience", "", "caller patience before CANCEL: 60s, exp:60s... (default: wait for a final response)")
	fl.DurationVar(&f.inviteTimeout, "timeout", loadgen.DefaultInviteTimeout, "no final response within this: timed_out")
	fl.DurationVar(&f.grace, "grace", loadgen.DefaultGrace, "on interrupt, time to end calls in progress")
	fl.DurationVar(&f.ioTick, "io-tick", loadgen.DefaultIOTick, "coalesce the call path's socket work: read, reply and start due calls in batches at most once a tick (delays still measured from kernel receive times); 0: react to each message at once; the default is "+loadgen.DefaultClosedIOTick.String()+" with --concurrency, whose callers wait for each call's responses")
	f.ioTickFlag = fl.Lookup("io-tick")
	fl.DurationVar(&f.tolerance, "late-tolerance", loadgen.DefaultLateTolerance, "a call starting later than this after its schedule counts as late")
	fl.Uint64Var(&f.seed, "seed", 1, "seed for arrivals, hold times and patience")
	fl.StringVar(&f.user, "user", "", "digest auth user name, a template (default: the caller's --from)")
	fl.StringVar(&f.passwordFile, "password-file", "", "file holding the digest password (else $"+passwordEnv+")")
	fl.BoolVar(&f.tlsInsecure, "tls-insecure", false, "do not verify the target's TLS certificate (lab only)")
	fl.StringVar(&f.tlsCA, "tls-ca", "", "PEM file of the private CA that signed the target's TLS certificate")
	fl.StringArrayVar(&f.thresholds, "threshold", nil, "pass/fail condition, repeatable: 'ser>=99.9', 'srd_p99<250ms', 'failed==0' (ratios in percent)")
	fl.BoolVar(&f.noMedia, "no-media", false, "signalling only: offer port 9, send and measure no RTP")
	fl.BoolVar(&f.rtpMux, "rtp-mux", false, "RTP of all calls on a few shared ports (two per core), calls told apart by SSRC (a=ssrc): batched sends and reads")
	fl.IntVar(&f.procs, "procs", 0, "cores the generator runs on (Go's GOMAXPROCS); 0: one core and one socket (unless --sockets is given) with --no-media at --rate up to "+strconv.Itoa(oneCoreRate)+" calls/s, where signalling costs the least CPU per call on one core; else every core")
	fl.StringVar(&f.rtpPorts, "rtp-ports", fmt.Sprintf("%d-%d", media.DefaultPortMin, media.DefaultPortMax), "local RTP port range MIN-MAX (one even port per call)")
	fl.StringVar(&f.audio, "audio", "silence", "what calls send: silence, tone (425 Hz) or FILE.wav (8 kHz mono 16-bit PCM)")
	fl.Float64Var(&f.mosThreshold, "mos-threshold", loadgen.DefaultMOSThreshold, "calls with an estimated MOS below this are counted (below_mos)")
	fl.DurationVar(&f.mosDelay, "mos-delay", 0, "one-way network delay the MOS estimate assumes (0: loopback or LAN)")
}

func readPassword(ctx context.Context, file string) (string, error) {
	if file != "" {
		b, err := inputfile.Read(ctx, file, inputfile.Password, nil)
		if err != nil {
			return "", usageError{fmt.Errorf("--password-file: %w", err)}
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return os.Getenv(passwordEnv), nil
}

func (f *loadFlags) config(ctx context.Context, target string) (loadgen.Config, []loadgen.Threshold, error) {
	cfg, ths, errs := f.callConfig(ctx, target)
	cfg.Mode, cfg.Rate, cfg.Concurrency, cfg.Duration, cfg.MaxCalls = loadgen.Mode(f.mode), f.rate, f.concurrency, f.duration, f.maxCalls
	if f.duration == 0 && f.maxCalls == 0 && f.stages == "" {
		errs = append(errs, errors.New("give --duration and/or --max-calls so the run ends"))
	}
	if f.stages != "" {
		st, err := loadgen.ParseStages(f.stages)
		if err != nil {
			errs = append(errs, fmt.Errorf("--stages: %w", err))
		}
		cfg.Stages = st
		if f.duration == 0 && f.maxCalls == 0 {
			// The ramp ends the run: its total length bounds it.
			for _, s := range st {
				cfg.Duration += s.Duration
			}
		}
	}
	cfg.Window, cfg.AbortOnFail = f.window, f.abortOnFail
	if f.window > 0 {
		cfg.WindowThresholds = ths
	}
	var err error
	if cfg.Segment, cfg.StartAt, err = f.seg.resolve(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, nil, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, nil, err
	}
	return cfg, ths, nil
}

// callConfig reads the call flags (addCallFlags) into a configuration
// without a workload, and the thresholds; errs lists every bad flag.
func (f *loadFlags) callConfig(ctx context.Context, target string) (loadgen.Config, []loadgen.Threshold, []error) {
	cfg := loadgen.Config{
		Target: target, Transport: f.transport, Mode: loadgen.ModeCall, From: f.from, LocalIP: f.localIP,
		Arrivals: f.arrivals, MaxInFlight: f.maxInFlight, InviteTimeout: f.inviteTimeout, Grace: f.grace, LateTolerance: f.tolerance, IOTick: ioTickConfig(f.ioTick, f.ioTickFlag != nil && f.ioTickFlag.Changed),
		Seed: f.seed, Username: f.user, TLSInsecure: f.tlsInsecure, TLSCA: f.tlsCA,
		To: f.to, Display: f.display, CallersFile: f.callersFile, Sockets: f.sockets, Engine: f.engine,
		NoMedia: f.noMedia, RTPMux: f.rtpMux, Audio: f.audio, MOSThreshold: f.mosThreshold, MOSNetworkDelay: f.mosDelay,
	}
	var errs []error
	if lo, hi, err := media.ParsePortRange(f.rtpPorts); err != nil {
		errs = append(errs, fmt.Errorf("--rtp-ports: %w", err))
	} else {
		cfg.RTPPortMin, cfg.RTPPortMax = lo, hi
	}
	if f.callersFile != "" {
		c, err := loadgen.LoadCallers(ctx, f.callersFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("--callers: %w", err))
		}
		cfg.Callers = c
	}
	var err error
	if cfg.Hold, err = loadgen.ParseDist(f.hold); err != nil {
		errs = append(errs, fmt.Errorf("--hold: %w", err))
	}
	if cfg.Patience, err = loadgen.ParseDist(f.patience); err != nil {
		errs = append(errs, fmt.Errorf("--patience: %w", err))
	}
	var ths []loadgen.Threshold
	for _, s := range f.thresholds {
		th, err := loadgen.ParseThreshold(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("--threshold: %w", err))
			continue
		}
		ths = append(ths, th)
	}
	return cfg, ths, errs
}

func runLoad(e *env, cmd *cobra.Command, target string, f *loadFlags) error {
	restore, err := f.useProcs(cmd.Flags(), true)
	if err != nil {
		return usageError{err}
	}
	defer restore()
	cfg, ths, err := f.config(e.ctx, target)
	if err != nil {
		return usageError{err}
	}
	if cfg.Password, err = readPassword(e.ctx, f.passwordFile); err != nil {
		return err
	}
	cfg.Logger = e.log
	if err := checkOutputs(e, output{"--json", f.jsonFile, false}, output{"--out", f.outDir, true}, output{"--cdr", f.cdrFile, false}); err != nil {
		return err
	}

	var cdr *cdrSink
	if f.cdrFile != "" {
		if cdr, err = newCDRSink(f.cdrFile); err != nil {
			return err
		}
		defer cdr.abort()
		cfg.OnCall = cdr.write
	}

	if f.quiet && f.progress {
		return usageError{errors.New("--quiet and --progress do not go together")}
	}
	live := isTerminal(e.stderr) && !f.quiet
	var tickMu sync.Mutex
	if live || f.progress {
		cfg.OnTick = func(s loadgen.Snapshot) {
			tickMu.Lock()
			defer tickMu.Unlock()
			line := fmt.Sprintf("%6.0fs  rate %5.0f/s  concurrent %5d  started %7d  answered %7d  failed %5d  srd p99 %7.1fms",
				s.Elapsed.Seconds(), s.Rate, s.Concurrent, s.Started, s.Answered, s.Failed, s.SRDP99)
			if live && !f.progress {
				fmt.Fprintf(e.stderr, "\r%s\x1b[K", line)
			} else {
				fmt.Fprintln(e.stderr, line)
			}
		}
	}

	ms, err := startMetrics(e, f.metricsAddr, f.metricsLinger)
	if err != nil {
		return err
	}
	defer ms.close()
	cfg.Observer = ms.loadObserver(&cfg)
	res, runErr := loadgen.Run(e.ctx, cfg)
	if live && !f.progress {
		fmt.Fprint(e.stderr, "\r\x1b[K")
	}
	if res == nil {
		return runErr
	}

	// Every output is written, or its failure kept, before the summary is
	// printed: a failed write never costs the summary.
	var lost []error
	if cdr != nil {
		if err := cdr.commit(); err != nil {
			lost = append(lost, err)
		}
	}
	if f.jsonFile != "" {
		if err := res.WriteJSON(f.jsonFile); err != nil {
			lost = append(lost, fmt.Errorf("--json: %w", err))
		}
	}
	if f.outDir != "" {
		if err := writeReportDir(e, f.outDir, func() ([]string, error) { return reports.WriteLoadFiles(f.outDir, res) }); err != nil {
			lost = append(lost, fmt.Errorf("--out: %w", err))
		}
	}
	var checks []loadgen.ThresholdResult
	for _, th := range ths {
		checks = append(checks, th.Check(res))
	}
	_ = e.summary(func(w io.Writer) error {
		printSummary(w, res, checks)
		reports.WriteLoadWindowsText(w, res)
		return nil
	})
	if runErr != nil {
		return errors.Join(runErr, lostResults(lost))
	}
	if err := lostResults(lost); err != nil {
		return err
	}
	var failed []string
	for _, c := range checks {
		if !c.Pass {
			failed = append(failed, c.String())
		}
	}
	head := fmt.Sprintf("%d of %d thresholds failed", len(failed), len(checks))
	if wf := windowFailures(res); len(wf) > 0 {
		if len(failed) == 0 {
			head = "thresholds failed in windows"
		} else {
			head += ", and in windows"
		}
		failed = append(failed, wf...)
	}
	if len(failed) > 0 {
		fmt.Fprintf(e.stderr, "callsim: %s:\n  %s\n", head, strings.Join(failed, "\n  "))
		return withCode(ExitThreshold, fmt.Errorf("thresholds failed: %s", strings.Join(failed, "; ")))
	}
	if res.Interrupted {
		fmt.Fprintln(e.stderr, "callsim: interrupted; results cover the calls made so far")
	}
	return nil
}

// cdrSink streams call detail records to a temporary file that is renamed
// into place when the run ends, so a reader never sees a partial file.
type cdrSink struct {
	path string
	f    *atomicfile.File
	w    *cdr.Writer
	err  error
}

func newCDRSink(path string) (*cdrSink, error) {
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cdr: %w", err)
	}
	s := &cdrSink{path: path, f: f}
	if s.w, err = cdr.NewWriter(f); err != nil {
		s.abort()
		return nil, fmt.Errorf("--cdr %s: %w", path, err)
	}
	return s, nil
}

// write is called serially by the load generator.
func (s *cdrSink) write(r loadgen.CallRecord) {
	if err := s.w.Write(r.CDR()); err != nil && s.err == nil {
		s.err = err
	}
}

func (s *cdrSink) commit() error {
	err := s.err
	if err == nil {
		err = s.w.Flush()
	}
	if err != nil {
		s.abort()
		return fmt.Errorf("--cdr %s: %w", s.path, err)
	}
	if err := s.f.Commit(); err != nil {
		return fmt.Errorf("--cdr: %w", err)
	}
	return nil
}

// abort removes the temporary file (a no-op after commit).
func (s *cdrSink) abort() { s.f.Abort() }

func pct(v float64) string { return fmt.Sprintf("%.2f%%", v*100) }

// printSummary prints a load result's summary (reports.WriteLoadText)
// with the thresholds judged on it.
func printSummary(w io.Writer, r *loadgen.Result, checks []loadgen.ThresholdResult) {
	lines := make([]reports.ThresholdLine, len(checks))
	for i, c := range checks {
		lines[i] = reports.ThresholdLine{Pass: c.Pass, Text: c.String()}
	}
	reports.WriteLoadText(w, r, lines)
}

// ioTickConfig maps --io-tick to Config.IOTick, where zero means the
// default (which depends on the model) and a negative tick no coalescing.
func ioTickConfig(d time.Duration, set bool) time.Duration {
	if !set {
		return 0
	}
	if d <= 0 {
		return -1
	}
	return d
}

// oneCoreRate is the highest call rate at which a signalling-only run
// defaults to one core (bench/sip/results.md: below it one core places
// the calls at less CPU per call; above it two cores place more).
const oneCoreRate = 8000

// useProcs sets the cores the run uses (--procs; with auto, its default
// for a signalling-only open run of at most oneCoreRate calls/s is one
// core) and, on one core, one socket unless --sockets was given; restore
// undoes it (the CLI runs in tests' processes too).
func (f *loadFlags) useProcs(fl *pflag.FlagSet, auto bool) (restore func(), err error) {
	n := f.procs
	if n < 0 || n > 1024 {
		return func() {}, fmt.Errorf("--procs %d: want 0 (automatic) or 1 to 1024 cores", n)
	}
	if n == 0 {
		if !auto || !f.noMedia || f.peakRate() <= 0 || f.peakRate() > oneCoreRate {
			return func() {}, nil
		}
		n = 1
	}
	prev := runtime.GOMAXPROCS(n)
	if n == 1 && !fl.Changed("sockets") {
		f.sockets = 1
	}
	return func() { runtime.GOMAXPROCS(prev) }, nil
}

// peakRate is the open model's highest rate (0: closed model or bad
// stages, which the configuration reports).
func (f *loadFlags) peakRate() float64 {
	if f.stages == "" {
		return f.rate
	}
	st, err := loadgen.ParseStages(f.stages)
	if err != nil {
		return 0
	}
	var peak float64
	for _, x := range st {
		peak = max(peak, x.Target)
	}
	return peak
}
