package loadgen

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/media"
	"github.com/callsim/callsim/segment"
)

// engine runs one load test.
type engine struct {
	cfg   Config
	tgt   target
	log   *slog.Logger
	eps   []*endpoint
	par   *paramGen
	col   *collector
	start time.Time

	rngMu       sync.Mutex
	holdRng     *rand.Rand
	patienceRng *rand.Rand

	idPrefix string
	inflight atomic.Int64
	wg       sync.WaitGroup

	// Media (nil ports: no media).
	ports   *media.Ports
	sched   *media.Scheduler
	audio   *media.Audio
	mediaIP netip.Addr

	stop     chan struct{} // closed: end calls in progress (CANCEL/BYE)
	stopOnce sync.Once
	hard     chan struct{} // closed: the grace period is over, finish at once

	wire    *wire       // the call path (nil: OPTIONS or REGISTER through sipgo)
	closing atomic.Bool // the engine is closing its sockets
}

// endpoint is one sipgo SIP stack (OPTIONS, REGISTER): a local UDP socket or a TCP/TLS connection,
// with the client that sends from it.
type endpoint struct {
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	closers []io.Closer // the endpoint's listening sockets (sipgo does not close them)
	// serving counts the goroutines serving the sockets: close waits for
	// them, so none logs after Run has returned.
	serving sync.WaitGroup
	client  *sipgo.Client
	laddr   sip.Addr // zero for connection-oriented transports
	contact sip.ContactHeader
	host    string
}

// Run executes the load test described by cfg. It returns when every
// attempted call has an outcome: after the workload ends and calls in progress
// finish, or, when ctx is cancelled, after calls in progress were ended
// (CANCEL or BYE) within cfg.Grace; the result is then marked Interrupted.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg.withDefaults()
	silenceDefaultSIPLogger()
	tgt, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	e := &engine{cfg: cfg, tgt: tgt, stop: make(chan struct{}), hard: make(chan struct{})}
	par, errs := newParamGen(&cfg, tgt)
	if len(errs) > 0 {
		return nil, fmt.Errorf("load config: %w", errors.Join(errs...))
	}
	e.par = par
	e.log = cfg.Logger
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	seed := cfg.Segment.Seed(cfg.Seed)
	e.holdRng = rand.New(rand.NewPCG(seed, 0x401d))
	e.patienceRng = rand.New(rand.NewPCG(seed, 0x9a71e))
	e.idPrefix = sip.GenerateTagN(10)
	if err := e.setup(); err != nil {
		return nil, err
	}
	defer e.close()
	if !cfg.StartAt.IsZero() {
		if late := time.Since(cfg.StartAt); late > time.Second {
			e.log.Warn("start time already past; starting now", "start_at", cfg.StartAt, "late", late.Round(time.Millisecond))
		}
		if err := segment.WaitUntil(ctx, cfg.StartAt); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	return e.run(ctx)
}

func (e *engine) setup() error {
	localIP, err := localIPFor(e.cfg.LocalIP, e.tgt.uri.Host, e.tgt.uri.Port)
	if err != nil {
		return err
	}
	tlsConf, err := tlsConfig(e.cfg.TLSInsecure, e.cfg.TLSCA)
	if err != nil {
		return err
	}
	if e.cfg.Mode == ModeCall && !e.cfg.NoMedia {
		if e.ports, err = media.NewPorts(e.cfg.RTPPortMin, e.cfg.RTPPortMax); err != nil {
			return fmt.Errorf("--rtp-ports: %w", err)
		}
		if e.audio, err = media.ParseAudio(e.cfg.Audio); err != nil {
			return fmt.Errorf("--audio: %w", err)
		}
		if e.mediaIP, err = netip.ParseAddr(localIP); err != nil {
			return fmt.Errorf("media address %q: %w", localIP, err)
		}
		e.mediaIP = e.mediaIP.Unmap()
		// Two wheels per core (see media.NewScheduler).
		e.sched = media.NewScheduler(2 * runtime.GOMAXPROCS(0))
		if e.cfg.RTPMux {
			if err := e.sched.Share(e.mediaIP, e.ports); err != nil {
				e.sched.Close()
				return fmt.Errorf("--rtp-mux: %w", err)
			}
		}
	}
	if e.cfg.Mode == ModeCall {
		return e.setupWire(localIP, tlsConf)
	}
	n := e.cfg.Sockets
	if n < 1 {
		n = 1
	}
	for i := 0; i < n; i++ {
		if err := e.addEndpoint(localIP, tlsConf); err != nil {
			return err
		}
	}
	return nil
}

// udpBuffer is the socket buffer size asked for each UDP socket.
const udpBuffer = 4 << 20

// addEndpoint adds one SIP stack (user agent, server, client) with its own
// local UDP socket, or its own TCP/TLS connection to the target. sipgo reads
// and parses each socket or connection in one goroutine, and each stack has
// its own transaction table, so several endpoints spread that work over the
// cores; OPTIONS and REGISTER transactions take the endpoints in turn.
func (e *engine) addEndpoint(host string, tlsConf *tls.Config) error {
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(e.contactUser()),
		sipgo.WithUserAgentHostname(host),
		sipgo.WithUserAgenTLSConfig(tlsConf),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(e.log)),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(e.log),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) { e.col.retransmissions.Add(1) }),
		),
	)
	if err != nil {
		return fmt.Errorf("create SIP user agent: %w", err)
	}
	ep := &endpoint{ua: ua, host: host}
	e.eps = append(e.eps, ep) // closed by e.close from now on
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(e.log))
	if err != nil {
		return fmt.Errorf("create SIP server: %w", err)
	}
	ep.srv = srv
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})

	switch e.tgt.transport {
	case "UDP":
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
		if err != nil {
			return fmt.Errorf("listen udp on %s: %w (free a port or lower --sockets)", host, err)
		}
		if uc, ok := pc.(*net.UDPConn); ok {
			// Bursts of responses must not overflow the default buffer (about
			// 200 KB) while the reader parses: ask for 4 MB (the kernel caps
			// it at net.core.rmem_max / wmem_max).
			_ = uc.SetReadBuffer(udpBuffer)
			_ = uc.SetWriteBuffer(udpBuffer)
		}
		ep.closers = append(ep.closers, pc)
		ep.serving.Go(func() { _ = srv.ServeUDP(pc) })
		// ServeUDP registers the socket with the transport layer in its own
		// goroutine; a call sent before that would make the client bind the
		// same address again and fail. Wait for it (briefly, bounded).
		for deadline := time.Now().Add(2 * time.Second); ; {
			if c, err := ua.TransportLayer().GetConnection("udp", pc.LocalAddr().String()); err == nil && c != nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("udp socket %s not ready", pc.LocalAddr())
			}
			time.Sleep(time.Millisecond)
		}
		uaddr := pc.LocalAddr().(*net.UDPAddr)
		// rport (RFC 3581): responses come back to the socket the request
		// left from, through a NAT or an impairing relay.
		cl, err := sipgo.NewClient(ua, sipgo.WithClientLogger(e.log), sipgo.WithClientHostname(host),
			sipgo.WithClientConnectionAddr(pc.LocalAddr().String()), sipgo.WithClientNAT())
		if err != nil {
			return fmt.Errorf("create SIP client: %w", err)
		}
		ep.client = cl
		ep.laddr = sip.Addr{IP: uaddr.IP, Port: uaddr.Port, Hostname: host}
		ep.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: e.contactUser(), Host: host, Port: uaddr.Port}}
	case "TCP", "TLS":
		cl, err := sipgo.NewClient(ua, sipgo.WithClientLogger(e.log), sipgo.WithClientHostname(host))
		if err != nil {
			return fmt.Errorf("create SIP client: %w", err)
		}
		ep.client = cl
		port := 0
		if e.tgt.transport == "TCP" {
			l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
			if err != nil {
				return fmt.Errorf("listen tcp on %s: %w", host, err)
			}
			ep.closers = append(ep.closers, l)
			ep.serving.Go(func() { _ = srv.ServeTCP(l) })
			port = l.Addr().(*net.TCPAddr).Port
		}
		scheme := "sip"
		if e.tgt.uri.IsEncrypted() {
			scheme = "sips"
		}
		ep.contact = sip.ContactHeader{Address: sip.Uri{Scheme: scheme, User: e.contactUser(), Host: host, Port: port,
			UriParams: sip.HeaderParams{{K: "transport", V: stringsLower(e.tgt.transport)}}}}
	}
	return nil
}

// contactUser is the user part of the Contact: the caller's when it never
// varies, else "callsim".
func (e *engine) contactUser() string {
	if e.par != nil && e.par.static != nil {
		return e.par.static.from
	}
	return "callsim"
}

// tlsConfig is the client TLS configuration: the system's roots, or those
// of caFile, or no verification at all when insecure.
func tlsConfig(insecure bool, caFile string) (*tls.Config, error) {
	conf := &tls.Config{InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in for lab targets
	if caFile == "" {
		return conf, nil
	}
	pem, err := inputfile.Read(context.Background(), caFile, inputfile.TLSCA, nil)
	if err != nil {
		return nil, fmt.Errorf("TLS CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("TLS CA file %s: no PEM certificate found (want -----BEGIN CERTIFICATE----- blocks)", caFile)
	}
	conf.RootCAs = pool
	return conf, nil
}

func stringsLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// localIPFor picks the local address used to reach host.
func localIPFor(configured, host string, port int) (string, error) {
	if configured != "" {
		if net.ParseIP(configured) == nil {
			return "", fmt.Errorf("local IP %q is not an IP address", configured)
		}
		return configured, nil
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]") // an IPv6 URI host keeps its brackets
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		if ip.To4() != nil {
			return "127.0.0.1", nil
		}
		return "::1", nil
	}
	if port == 0 {
		port = 5060
	}
	// A UDP "connection" sends nothing; it only asks the kernel for a route.
	c, err := net.Dial("udp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return "", fmt.Errorf("find a local address towards %s: %w", host, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String(), nil
}

func (e *engine) close() {
	if e.wire != nil {
		e.closeWire()
	}
	if e.sched != nil {
		e.sched.Close()
	}
	for _, ep := range e.eps {
		if ep.srv != nil {
			_ = ep.srv.Close()
		}
		_ = ep.ua.Close()
		for _, c := range ep.closers {
			_ = c.Close()
		}
		ep.serving.Wait()
	}
}

func (e *engine) endCalls() {
	e.stopOnce.Do(func() {
		close(e.stop)
		if e.wire != nil {
			e.endWireCalls()
		}
	})
}

func (e *engine) run(ctx context.Context) (*Result, error) {
	e.start = time.Now()
	e.col = newCollector(e.start, e.cfg.OnCall)
	if e.ports != nil {
		e.col.media = newMediaAgg(e.cfg.MOSThreshold)
	}
	var judge *windowJudge
	var abort <-chan struct{} // closed: a windowed threshold failed, end the run
	if e.cfg.Window > 0 && len(e.cfg.WindowThresholds) > 0 {
		judge = newWindowJudge(e.start, &e.cfg, e.ports != nil)
		if e.cfg.AbortOnFail {
			abort = judge.aborted
		}
		go judge.run()
		defer func() { judge.finish(time.Now()) }()
		e.col.obs = Observers(e.cfg.Observer, judge)
	} else {
		e.col.obs = e.cfg.Observer
	}

	tickDone := make(chan struct{})
	defer close(tickDone)
	if e.cfg.OnTick != nil {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-tickDone:
					return
				case now := <-t.C:
					e.cfg.OnTick(e.col.snapshot(now))
				}
			}
		}()
	}

	e.wg.Add(1) // the scheduler holds a slot so Wait cannot return early
	schedDone := make(chan struct{})
	go func() {
		defer e.wg.Done()
		defer close(schedDone)
		if e.cfg.Concurrency > 0 {
			e.closedLoop(ctx)
		} else {
			e.openLoop(ctx)
		}
	}()
	allDone := make(chan struct{})
	go func() { e.wg.Wait(); close(allDone) }()

	interrupted, aborted := false, false
	select {
	case <-schedDone:
	case <-ctx.Done():
		interrupted = true
	case <-abort:
		aborted = true
	}
	if !interrupted && !aborted {
		drain := time.NewTimer(e.drainLimit())
		select {
		case <-allDone:
		case <-ctx.Done():
			interrupted = true
		case <-abort:
			aborted = true
		case <-drain.C:
			e.log.Warn("calls still in progress after the drain limit; ending them", "limit", e.drainLimit())
		}
		drain.Stop()
	}
	select {
	case <-allDone:
	default:
		e.endCalls()
		grace := time.NewTimer(e.cfg.Grace)
		select {
		case <-allDone:
		case <-grace.C:
			close(e.hard)
			if e.wire != nil {
				e.hardStopWire()
			}
		}
		grace.Stop()
		select {
		case <-allDone:
		case <-time.After(10 * time.Second):
			return nil, errors.New("load: calls did not finish after the grace period (internal error)")
		}
	}
	end := time.Now()
	r := e.col.result(end)
	r.Mode = e.cfg.Mode
	r.Interrupted = interrupted
	if judge != nil {
		judge.finish(end)
		r.Windows, r.AbortReason = judge.result()
		r.WindowSeconds = e.cfg.Window.Seconds()
		r.Aborted = aborted
	}
	r.Settings = e.cfg.Settings()
	r.TargetCPS = e.cfg.Rate / float64(e.cfg.Segment.N())
	r.FinishIdentity()
	if r.Media != nil && e.sched != nil {
		r.Media.SchedulerLate = e.sched.Late()
		r.Media.Unclaimed = e.sched.Unclaimed()
	}
	if err := r.Check(); err != nil {
		return r, fmt.Errorf("load: internal accounting error: %w", err)
	}
	return r, nil
}

// drainLimit bounds how long calls may run on once no new call starts.
func (e *engine) drainLimit() time.Duration {
	hold := e.cfg.Hold.Mean
	if e.cfg.Hold.Kind == DistUniform {
		hold = e.cfg.Hold.Max
	} else if e.cfg.Hold.Kind == DistExp {
		hold = 10 * e.cfg.Hold.Mean
	}
	return hold + 2*e.cfg.InviteTimeout + 10*time.Second
}

// sleepUntil waits until t, on one timer reused for every call of the
// open loop; it reports false when the run is stopping.
func (e *engine) sleepUntil(ctx context.Context, timer *time.Timer, t time.Time) bool {
	d := time.Until(t)
	if d <= 50*time.Microsecond {
		return true
	}
	timer.Reset(d)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		timer.Stop()
		return false
	case <-e.stop:
		timer.Stop()
		return false
	case <-e.cfg.Stop:
		timer.Stop()
		return false
	}
}

// stopped reports whether the workload must end: the run is stopping, or
// Config.Stop is closed.
func (e *engine) stopped(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-e.stop:
		return true
	case <-e.cfg.Stop:
		return true
	default:
		return false
	}
}

func (e *engine) openLoop(ctx context.Context) {
	var pacer Pacer = schedulePacer{max: e.cfg.MaxCalls}
	var err error
	if e.cfg.Schedule != nil {
		pacer = schedulePacer{at: e.cfg.Schedule.At, max: e.cfg.MaxCalls}
	} else {
		pacer, err = NewSegmentPacer(e.cfg.Rate, e.cfg.Stages, e.cfg.Arrivals, e.cfg.Seed, e.cfg.Duration, e.cfg.MaxCalls, e.cfg.Segment)
	}
	if err != nil {
		e.log.Error("pacer", "error", err)
		return
	}
	// Go >= 1.23 timers: Reset after Stop or after firing never delivers a stale tick.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	// The calls due when the scheduler wakes start together, their
	// INVITEs written in one batch per socket; the calls take the sockets
	// in turn, call by call (a burst of k calls puts k/sockets on each), so
	// that the spread is even however the calls fall into bursts.
	var queues []*sendQueue
	if e.wire != nil {
		for _, ep := range e.wire.eps {
			queues = append(queues, &sendQueue{ep: ep})
		}
	}
	defer func() {
		for _, q := range queues {
			q.flush()
		}
	}()
	tick := max(e.cfg.IOTick, 0)
	var woke time.Time
	for n, turn := uint64(0), 0; ; n++ {
		at, ok := pacer.At(n)
		if !ok {
			return
		}
		intended := e.start.Add(at)
		if time.Until(intended) > 50*time.Microsecond {
			for _, q := range queues {
				q.flush()
			}
			// Wake at most once a tick, on the readers' ticks.
			if !e.sleepUntil(ctx, timer, later(intended, nextTick(woke, tick))) {
				return
			}
			woke = time.Now()
		}
		if e.stopped(ctx) {
			return
		}
		if e.inflight.Load() >= int64(e.cfg.MaxInFlight) {
			e.col.dropped1(time.Now())
			continue
		}
		n := e.cfg.Segment.Global(n) // the whole test's call number
		if queues != nil {
			q := queues[turn%len(queues)]
			turn++
			e.startWire(n, intended, false, q)
			if len(q.bufs) >= readBatch {
				q.flush()
			}
		} else {
			e.startCall(n, intended, false)
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (e *engine) closedLoop(ctx context.Context) {
	var next atomic.Uint64
	var workers sync.WaitGroup
	deadline := e.start.Add(e.cfg.Duration)
	// A segment runs its share of the callers and of the calls.
	maxCalls := e.cfg.MaxCalls
	if maxCalls > 0 {
		if maxCalls = e.cfg.Segment.Share(maxCalls); maxCalls == 0 {
			return
		}
	}
	callers := e.cfg.Segment.ShareInt(e.cfg.Concurrency)
	for w := 0; w < callers; w++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			if e.cfg.RampUp > 0 && w > 0 {
				// Caller w first calls at w/callers of the ramp-up.
				t := time.NewTimer(time.Until(e.start.Add(e.cfg.RampUp * time.Duration(w) / time.Duration(callers))))
				defer t.Stop()
				select {
				case <-t.C:
				case <-ctx.Done():
					return
				case <-e.stop:
					return
				case <-e.cfg.Stop:
					return
				}
			}
			for {
				if e.stopped(ctx) {
					return
				}
				now := time.Now()
				if !now.Before(deadline) {
					return
				}
				n := next.Add(1) - 1
				if maxCalls > 0 && n >= maxCalls {
					return
				}
				done := e.startCall(e.cfg.Segment.Global(n), now, true)
				<-done
			}
		}()
	}
	workers.Wait()
}

// startCall launches call n; when wait is set, the returned channel closes
// when it has ended.
func (e *engine) startCall(n uint64, intended time.Time, wait bool) <-chan struct{} {
	if e.wire != nil {
		return e.startWire(n, intended, wait, nil)
	}
	e.inflight.Add(1)
	e.wg.Add(1)
	c := &call{e: e, n: n, intended: intended, done: make(chan struct{})}
	go c.run()
	return c.done
}

func (e *engine) endpointFor(n uint64) *endpoint { return e.eps[int(n%uint64(len(e.eps)))] }

func (e *engine) sampleHold() time.Duration {
	e.rngMu.Lock()
	defer e.rngMu.Unlock()
	return e.cfg.Hold.Sample(e.holdRng)
}

func (e *engine) samplePatience() time.Duration {
	e.rngMu.Lock()
	defer e.rngMu.Unlock()
	return e.cfg.Patience.Sample(e.patienceRng)
}

var quietSIPLogs sync.Once

// silenceDefaultSIPLogger routes sipgo's package-level logger (used for a few
// low-level connection messages) away from the process's stderr, unless an
// application already configured it.
func silenceDefaultSIPLogger() {
	quietSIPLogs.Do(func() {
		if sip.DefaultLogger() == slog.Default() {
			sip.SetDefaultLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
		}
	})
}
