package cli

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/internal/jsonout"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/media"
	"github.com/callsim/callsim/sipcenter"
)

func init() { register(newTargetCmd) }

type targetFlags struct {
	listen    string
	agents    int
	handle    string
	trunks    int
	timeScale float64
	duration  time.Duration
	within    time.Duration
	jsonFile  string
	callLog   string
	seed      uint64
	progress  bool
	scenario  string
	// --metrics-addr: serve the center's figures to Prometheus.
	metricsAddr   string
	metricsLinger time.Duration
	clock         time.Duration
	// Media.
	noMedia              bool
	rtpMux               bool
	rtpPorts, earlyMedia string
	// Limits.
	maxWait, earlyMediaMax, tcpIdle, tcpHeader time.Duration
	maxConns                                   int
}

func newTargetCmd(e *env) *cobra.Command {
	var f targetFlags
	cmd := &cobra.Command{
		Use:   "target",
		Short: "Run the embedded SIP target: a contact center answering SIP calls",
		Long: `Runs a SIP user agent server that plays a contact center: an INVITE joins the
queue named by its Request-URI user part and hears 180 Ringing while it waits;
the longest-idle free agent answers (200 OK, first come first served), talks
for the handle time and hangs up with BYE. A CANCEL while waiting is an
abandonment (487); beyond --trunks calls in the system, INVITEs get 503.

Simple mode (--agents, --handle, --within): one queue, whatever the user part.
Scenario mode (--scenario FILE or a built-in name): the scenario's queues (an
unknown user part gets 404 naming the queues), groups with their agents and
skills, routing with overflow delays (after:), queue priorities, handle times
(times each group's handle_time_factor), wrap-up, service level targets and
opening hours: outside them a queue answers 480 Temporarily Unavailable. The
scenario clock, for opening hours, is --clock-start (from Monday 00:00, e.g.
8h or 57h30m for Wednesday 09:30) + wall time x K. Arrivals, patience,
redials and repeats are the caller's business. Transfers (transfer_to, a
group's transfer share) are played: the call stays up and waits again in the
transfer_to queue; the summary counts transfers per queue. Shifts, breaks,
agents_by_interval, shrinkage and outages are followed on the scenario clock:
agents come on duty and take waiting calls, and leave when idle (busy ones
once their call is over).

--time-scale K runs scenario time K times faster than wall time: handle times
last 1/K as long, and the figures are reported in scenario time. The summary
(service level, ASA, abandon rate, occupancy, as in "callsim simulate") is
printed when the center stops: after --duration, or on Ctrl-C.

--call-log FILE writes the center's own report of every call, keyed by its
SIP Call-ID, when the center stops (CSV, times in scenario time): queue,
arrival (seconds from Monday 00:00 on the scenario clock), outcome (answered,
abandoned, closed, rejected, waiting_at_end), wait, the queue's threshold and
whether the call was answered within it, the group that answered, the talk.
"callsim audit --center-log FILE" sets it beside what a buyer's test calls
measured.

Media: a caller offering G.711 (PCMU or PCMA) gets 183 Session Progress with
the SDP answer and early media while it waits (--early-media: tone, silence
or FILE.wav), and after the answer its RTP is echoed back to where it comes
from. An offer of port 9 gets no RTP; an offer with no common codec, or off loopback when the center listens on loopback, gets 488.
Early media goes only to the address the INVITE came from (an offer naming
another address gets the answer and the echo, no early media), for at most
--early-media-max per caller; an offer naming the target's own SIP port or
one of its RTP ports gets 488.

Limits: a caller waiting longer than --max-wait gets 480 and counts as
abandoned ("expired" in the summary); over TCP a connection with no call that
sends nothing for --tcp-idle, or whose message is not complete within
--tcp-header-timeout, or whose header passes 32 KiB, is closed, and beyond
--max-conns connections the next ones are closed at once. Requests without a
Call-ID, or whose CSeq names another method, get 400; a re-INVITE in an
answered dialog gets 200 with the SDP already answered. Log lines of one kind
are limited to 10 per 10 s.
--no-media answers with a static SDP (port 9), 180 Ringing, and no RTP.
--rtp-mux answers every call on a few shared RTP ports (two per core), tells
the calls apart by SSRC (the offer's a=ssrc, or learnt from a caller with a
port per call) and announces its own (a=ssrc in the answer): RTP is sent
and read in batches (sendmmsg with UDP_SEGMENT, recvmmsg with UDP_GRO).
The summary's "media in" line (and "media" in --json) measures the callers'
RTP the center received after the answer, over the answered calls with RTP:
packets, loss and RFC 3550 interarrival jitter (mean of the calls, and the
worst), and the calls from which no packet came (one-way audio).`,
		Example: `  callsim target --agents 10 --handle exp:3m
  callsim target --listen tcp:127.0.0.1:5070 --agents 32 --handle exp:5m --trunks 50 --time-scale 60 --duration 10m --json target.json
  callsim target --listen udp:127.0.0.1:0 --agents 2 --handle 30s --progress
  callsim target --scenario two-skills --time-scale 60 --clock-start 9h`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usageError{fmt.Errorf("target takes no arguments, got %q", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTarget(e, &f, func(name string) bool { return cmd.Flags().Changed(name) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", sipcenter.DefaultListen, "TRANSPORT:HOST:PORT to listen on (udp or tcp; port 0: any free port)")
	fl.IntVar(&f.agents, "agents", 1, "number of agents")
	fl.StringVar(&f.handle, "handle", "exp:3m", "handle time, scenario time: 3m, exp:3m or uniform:2m-4m")
	fl.IntVar(&f.trunks, "trunks", 0, "max calls in the system, waiting + talking (0: unlimited); beyond: 503")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "scenario time runs this many times faster than wall time")
	fl.DurationVar(&f.duration, "duration", 0, "stop after this wall time (default: until Ctrl-C)")
	fl.DurationVar(&f.within, "within", sipcenter.DefaultWithin, "service level threshold, scenario time")
	fl.StringVar(&f.jsonFile, "json", "", "write the summary as JSON to FILE on exit")
	fl.StringVar(&f.callLog, "call-log", "", "write the center's per-call log (CSV keyed by Call-ID, scenario time) to FILE on exit")
	fl.Uint64Var(&f.seed, "seed", 1, "seed for handle times")
	fl.BoolVar(&f.progress, "progress", false, "print a status line to stderr every second")
	fl.StringVar(&f.scenario, "scenario", "", "play this scenario (file or built-in name): queues, groups, skills, routing, handle times, opening hours")
	fl.DurationVar(&f.clock, "clock-start", 0, "scenario mode: scenario time at start, from Monday 00:00 (for opening hours)")
	fl.BoolVar(&f.noMedia, "no-media", false, "signalling only: static SDP (port 9), 180 Ringing, no RTP")
	fl.BoolVar(&f.rtpMux, "rtp-mux", false, "RTP of all calls on a few shared ports (two per core), calls told apart by SSRC (a=ssrc): batched sends and reads")
	fl.StringVar(&f.rtpPorts, "rtp-ports", fmt.Sprintf("%d-%d", media.DefaultPortMin, media.DefaultPortMax), "RTP port range MIN-MAX (one even port per call)")
	addMetricsFlags(fl, &f.metricsAddr, &f.metricsLinger)
	fl.StringVar(&f.earlyMedia, "early-media", "tone", "what waiting callers hear: tone (425 Hz), silence or FILE.wav (8 kHz mono 16-bit PCM)")
	fl.DurationVar(&f.maxWait, "max-wait", sipcenter.DefaultMaxWait, "wall time a caller may wait in queue; then 480, counted as abandoned (expired)")
	fl.DurationVar(&f.earlyMediaMax, "early-media-max", sipcenter.DefaultEarlyMediaMax, "wall time of early media one waiting caller gets; then silence")
	fl.DurationVar(&f.tcpIdle, "tcp-idle", sipcenter.DefaultTCPIdle, "close a TCP connection with no call that sends nothing this long")
	fl.DurationVar(&f.tcpHeader, "tcp-header-timeout", sipcenter.DefaultTCPHeaderTimeout, "close a TCP connection whose message is not complete in this time")
	fl.IntVar(&f.maxConns, "max-conns", sipcenter.DefaultMaxConns, "TCP connections open at once; further ones are closed when accepted")
	return cmd
}

func (f *targetFlags) config(changed func(string) bool) (sipcenter.Config, error) {
	cfg := sipcenter.Config{Listen: f.listen, Agents: f.agents, Trunks: f.trunks, TimeScale: f.timeScale,
		Within: f.within, Seed: f.seed, ClockStart: f.clock,
		NoMedia: f.noMedia, RTPMux: f.rtpMux, EarlyMedia: f.earlyMedia, CallLog: f.callLog != "",
		MaxWait: f.maxWait, EarlyMediaMax: f.earlyMediaMax, TCPIdle: f.tcpIdle, TCPHeaderTimeout: f.tcpHeader, MaxConns: f.maxConns}
	for name, d := range map[string]time.Duration{"max-wait": f.maxWait, "early-media-max": f.earlyMediaMax, "tcp-idle": f.tcpIdle, "tcp-header-timeout": f.tcpHeader} {
		if d <= 0 {
			return cfg, fmt.Errorf("--%s %v: want a positive duration", name, d)
		}
	}
	if f.maxConns < 1 {
		return cfg, fmt.Errorf("--max-conns %d: want at least 1", f.maxConns)
	}
	if f.scenario != "" {
		for _, fl := range []string{"agents", "handle", "within"} {
			if changed(fl) {
				return cfg, fmt.Errorf("--%s is for the simple mode; with --scenario the scenario sets it (edit the scenario or use a variant)", fl)
			}
		}
		sc, err := loadScenario(f.scenario)
		if err != nil {
			return cfg, fmt.Errorf("--scenario: %w", err)
		}
		cfg.Scenario = sc
	} else if changed("clock-start") {
		return cfg, fmt.Errorf("--clock-start needs --scenario (opening hours come from it)")
	}
	lo, hi, err := media.ParsePortRange(f.rtpPorts)
	if err != nil {
		return cfg, fmt.Errorf("--rtp-ports: %w", err)
	}
	cfg.RTPPortMin, cfg.RTPPortMax = lo, hi
	h, err := loadgen.ParseDist(f.handle)
	if err != nil {
		return cfg, fmt.Errorf("--handle: %w", err)
	}
	cfg.Handle = h
	if f.timeScale <= 0 {
		return cfg, fmt.Errorf("--time-scale %v: want a positive factor", f.timeScale)
	}
	if f.duration < 0 {
		return cfg, fmt.Errorf("--duration %v must be positive", f.duration)
	}
	if f.within <= 0 {
		return cfg, fmt.Errorf("--within %v must be positive", f.within)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func runTarget(e *env, f *targetFlags, changed func(string) bool) error {
	cfg, err := f.config(changed)
	if err != nil {
		return usageError{err}
	}
	cfg.Logger = e.log
	if err := checkOutputs(e, output{"--json", f.jsonFile, false}, output{"--call-log", f.callLog, false}); err != nil {
		return err
	}
	srv, err := sipcenter.Start(e.ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	ms, err := startMetrics(e, f.metricsAddr, f.metricsLinger)
	if err != nil {
		return err
	}
	defer ms.close()
	ms.center(srv.Stats)
	if cfg.Scenario != nil {
		fmt.Fprintf(e.stderr, "callsim target: listening on %s:%s (scenario %q: queues %s; %d agents; time scale %g); stop with Ctrl-C\n",
			srv.Transport(), srv.Addr(), cfg.Scenario.Name, strings.Join(srv.QueueNames(), ", "), srv.Stats().Agents, cfg.TimeScale)
	} else {
		fmt.Fprintf(e.stderr, "callsim target: listening on %s:%s (%d agents, handle %s, time scale %g); stop with Ctrl-C\n",
			srv.Transport(), srv.Addr(), cfg.Agents, cfg.Handle, cfg.TimeScale)
	}

	var stop <-chan time.Time
	if f.duration > 0 {
		t := time.NewTimer(f.duration)
		defer t.Stop()
		stop = t.C
	}
	var tick <-chan time.Time
	if f.progress {
		tk := time.NewTicker(time.Second)
		defer tk.Stop()
		tick = tk.C
	}
	interrupted := false
loop:
	for {
		select {
		case <-stop:
			break loop
		case <-srv.Done():
			interrupted = e.ctx.Err() != nil
			break loop
		case <-tick:
			s := srv.Stats()
			fmt.Fprintf(e.stderr, "%7.0fs  offered %6d  answered %6d  abandoned %5d  rejected %5d  waiting %4d  talking %4d  SL %s  ASA %.1fs  occ %s\n",
				s.ElapsedSeconds, s.Offered, s.Answered, s.Abandoned, s.Rejected, s.Waiting, s.Talking,
				pct(s.ServiceLevel), s.ASASeconds, pct(s.Occupancy))
		}
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("target: close: %w", err)
	}
	st := srv.Stats()
	var lost []error
	if f.jsonFile != "" {
		b, err := jsonout.MarshalIndent(st)
		if err == nil {
			err = loadgen.WriteFileAtomic(f.jsonFile, append(b, '\n'))
		}
		if err != nil {
			lost = append(lost, fmt.Errorf("--json: %w", err))
		}
	}
	if f.callLog != "" {
		log, dropped := srv.CallLog()
		var buf bytes.Buffer
		err := sipcenter.WriteCallLog(&buf, log)
		if err == nil {
			err = loadgen.WriteFileAtomic(f.callLog, buf.Bytes())
		}
		if err != nil {
			lost = append(lost, fmt.Errorf("--call-log: %w", err))
		} else if dropped > 0 {
			fmt.Fprintf(e.stderr, "callsim target: --call-log %s holds the first %d calls; %d later ones were left out (at most %d are kept)\n",
				f.callLog, len(log), dropped, sipcenter.DefaultCallLogMax)
		}
	}
	printTargetSummary(e.stdout, st, srv.Transport()+":"+srv.Addr().String(), interrupted)
	return lostResults(lost)
}

func printTargetSummary(w io.Writer, s sipcenter.Stats, addr string, interrupted bool) {
	state := "stopped"
	if interrupted {
		state = "interrupted"
	}
	fmt.Fprintf(w, "callsim target: %s (%s; %.0fs scenario time in %.1fs, time scale %g)\n",
		addr, state, s.ElapsedSeconds, s.WallSeconds, s.TimeScale)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	queues := make([]string, 0, len(s.Queues))
	for q, n := range s.Queues {
		queues = append(queues, fmt.Sprintf("%s x%d", q, n))
	}
	sort.Strings(queues)
	trunks := "unlimited"
	if s.Trunks > 0 {
		trunks = fmt.Sprint(s.Trunks)
	}
	fmt.Fprintf(tw, "center\tagents %d\ttrunks %s\tqueues %s\t\n", s.Agents, trunks, strings.Join(queues, ", "))
	fmt.Fprintf(tw, "calls\toffered %d\tanswered %d\tabandoned %d\trejected (503) %d\twaiting at end %d\t\n",
		s.Offered, s.Answered, s.Abandoned, s.Rejected, s.WaitingAtEnd)
	fmt.Fprintf(tw, "hang-ups\tby agent %d\tby caller %d\t\t\t\t\n", s.AgentHangups, s.CallerHangups)
	fmt.Fprintf(tw, "service level\t%s within %gs\tASA %.1fs\tabandon rate %s\tmean abandon wait %.1fs\t\t\n",
		pct(s.ServiceLevel), s.WithinSeconds, s.ASASeconds, pct(s.AbandonRate), s.MeanAbandonWait)
	fmt.Fprintf(tw, "agents\toccupancy %s\tmean handle %.1fs\tqueue max %d\tqueue mean %.2f\t\t\n",
		pct(s.Occupancy), s.MeanHandleSeconds, s.MaxQueueLength, s.MeanQueueLength)
	if s.TransferredOut > 0 {
		var per []string
		for _, q := range s.PerQueue {
			if q.TransferredOut > 0 || q.TransfersIn > 0 {
				per = append(per, fmt.Sprintf("%s out %d in %d", q.Name, q.TransferredOut, q.TransfersIn))
			}
		}
		fmt.Fprintf(tw, "transfers\t%d\t%s\t\t\t\t\n", s.TransferredOut, strings.Join(per, ", "))
	}
	if s.Closed > 0 || s.Unknown > 0 {
		fmt.Fprintf(tw, "refused\tclosed (480) %d\tunknown queue (404) %d\t\t\t\t\n", s.Closed, s.Unknown)
	}
	if g := s.Guard; g != nil && *g != (sipcenter.GuardStats{}) {
		fmt.Fprintf(tw, "limits\texpired (480) %d\tmedia refused (488) %d\tearly media withheld %d\tTCP refused %d closed %d\t\t\n",
			g.Expired, g.MediaRefused, g.EarlyMediaWithheld, g.ConnsRefused, g.ConnsClosed)
	}
	if m := s.Media; m != nil {
		fmt.Fprintf(tw, "media in\tcalls %d\tpackets %d (lost %d, %.2f%%; worst call %.2f%%)\tjitter %.2f ms (max %.2f ms)\tno audio from caller %d\t\t\n",
			m.Calls, m.PacketsReceived, m.PacketsLost, m.LossPct, m.MaxLossPct, m.JitterMs, m.MaxJitterMs, m.NoAudio)
	}
	tw.Flush()
	if len(s.PerQueue) < 2 && len(s.Groups) < 2 {
		return
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "queue\toffered\tanswered\tabandoned\trejected\tclosed\tservice level\twithin\tASA s\tabandon rate\tAHT s\t")
	for _, q := range s.PerQueue {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%gs\t%.1f\t%s\t%.1f\t\n", q.Name, q.Offered, q.Answered, q.Abandoned,
			q.Rejected, q.Closed, pct(q.ServiceLevel), q.WithinSeconds, q.ASASeconds, pct(q.AbandonRate), q.MeanHandleSeconds)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "group\tagents\thandled\toccupancy\t")
	for _, g := range s.Groups {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", g.Name, g.Agents, g.Handled, pct(g.Occupancy))
	}
	tw.Flush()
}
