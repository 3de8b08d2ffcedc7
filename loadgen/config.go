package loadgen

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/media"
	"github.com/callsim/callsim/segment"
)

// Defaults applied by Config.withDefaults.
const (
	DefaultDurationCap   = time.Hour        // a run bounded only by MaxCalls still ends
	DefaultInviteTimeout = 32 * time.Second // like Timer B
	DefaultGrace         = 5 * time.Second
	DefaultLateTolerance = 10 * time.Millisecond
	// DefaultIOTick is Config.IOTick's default: 4 ms, where a process
	// wakes about 250 times a second (Go's timers wake it twice for a
	// rest between 1 and 2 ms, so 2 ms saves nothing over 1 ms); at
	// 2,000 calls/s over UDP it took 17% less CPU per call than 1 ms.
	DefaultIOTick = 4 * time.Millisecond
	// DefaultClosedIOTick is Config.IOTick's default in the closed model
	// (Concurrency), where each caller waits for its call's responses
	// before the next call: a tick delays every response a call waits for
	// and so slows the whole loop; at zero hold time 64 callers placed
	// 13,600 calls/s at 1 ms and 6,700 at 4 ms (BenchmarkCallsLoopback/tcp).
	DefaultClosedIOTick = time.Millisecond
	DefaultMaxInFlight  = 500000
)

// Bounds of a load test's settings, far above what one generator places
// (about 10,000 calls a second), so that a typo cannot ask for endless
// work: the call rate, the calls in progress, the duration and every
// timeout.
const (
	MaxRate        = 100_000 // calls per second (--rate, stage targets)
	MaxConcurrency = 1_000_000
	MaxIOTick      = 100 * time.Millisecond // Config.IOTick
	MaxDuration    = 7 * 24 * time.Hour
	MaxTimeout     = time.Hour // --invite-timeout, --grace, --late-tolerance
)

// MaxSockets bounds Config.Sockets.
const MaxSockets = 64

// DefaultSockets is the default number of sockets: one per core
// (GOMAXPROCS), at least 2 and at most 8.
func DefaultSockets() int {
	return min(max(runtime.GOMAXPROCS(0), 2), 8)
}

// Config describes one load run. Exactly one workload model is used: closed
// if Concurrency > 0, otherwise open (Rate or Stages).
type Config struct {
	// Target is the SIP URI called, e.g. sip:support@127.0.0.1:5060;
	// sips: or ;transport=tcp|tls select the transport.
	Target string `json:"target"`
	// Transport overrides the URI's transport: udp, tcp or tls.
	Transport string `json:"transport"`
	Mode      Mode   `json:"mode"`
	// From is the caller's user part, a template (see Template): default
	// the callers' column from or user, else "callsim".
	From string `json:"from"`
	// To, a template, is whom each call is for: a user part replacing the
	// target URI's user (e.g. "[seq%100+1000]"), or a sip: URI used as
	// Request-URI and To while requests still go to the target's host and
	// port. Default: the callers' column to or queue, else the target URI.
	To string `json:"to,omitempty"`
	// Display is the From display name, a template (default: the callers'
	// column display).
	Display string `json:"display,omitempty"`
	// Callers is a table of per-call values, one row per call in turn; see
	// ParseCallers. A column named password is the digest password of the
	// row. Never serialised; CallersFile names its source.
	Callers     *Callers `json:"-"`
	CallersFile string   `json:"callers_file,omitempty"`
	// Sockets is the number of SIP stacks calls are spread over (round
	// robin), each with its own local UDP socket or TCP/TLS connection;
	// default DefaultSockets().
	Sockets int `json:"sockets,omitempty"`
	// LocalIP is the address to bind to (default: 127.0.0.1 or ::1 after the
	// target's family).
	LocalIP string `json:"local_ip,omitempty"`

	// Open model.
	Rate     float64 `json:"rate,omitempty"`     // calls per second
	Arrivals string  `json:"arrivals,omitempty"` // uniform (default) or poisson
	Stages   []Stage `json:"stages,omitempty"`   // ramping rate
	// Schedule, if set, gives every call's start (and patience) instead.
	Schedule *Schedule `json:"-"`
	// Closed model.
	Concurrency int `json:"concurrency,omitempty"`

	// Bounds: at least one; Duration defaults to DefaultDurationCap.
	Duration time.Duration `json:"duration"`
	MaxCalls uint64        `json:"max_calls,omitempty"`
	// MaxInFlight caps calls in progress; a call due while the cap is reached
	// is dropped (counted, never started).
	MaxInFlight int `json:"max_in_flight"`

	Hold     Dist `json:"hold"`     // answered calls are held this long
	Patience Dist `json:"patience"` // zero: wait for a final response or the timeout

	// InviteTimeout ends a call with no final response (timed_out).
	InviteTimeout time.Duration `json:"invite_timeout"`
	// LateTolerance: a call starting later than this after its intended start is late.
	LateTolerance time.Duration `json:"late_tolerance"`
	// Grace bounds how long calls in progress may take to end after the
	// context is cancelled.
	Grace time.Duration `json:"grace"`
	// IOTick coalesces the call path's work: each socket's reader handles
	// what arrived, writes the replies in one batch and then rests until a
	// tick has passed since it woke; the open-model scheduler starts the
	// calls due at most once a tick, their INVITEs in one batch per
	// socket. Arrival times come from the kernel's receive timestamps
	// where the system gives them (Linux), so delays are measured as
	// before; replies and scheduled starts are up to a tick later. Zero:
	// DefaultIOTick (DefaultClosedIOTick with Concurrency); negative: no
	// coalescing (react to each message).
	IOTick time.Duration `json:"io_tick"`
	Seed   uint64        `json:"seed"`

	// Segment makes this run segment i of n of the test the rest of the
	// Config describes (see package segment): open uniform arrivals take the
	// calls k of the whole schedule with k mod n == i; Poisson arrivals run
	// at Rate/n (or Stages/n) with a seed derived from (Seed, i); MaxCalls
	// and Concurrency are split exactly. Rate, Stages, MaxCalls and
	// Concurrency stay those of the whole test. Zero: the whole test.
	Segment segment.Segment `json:"segment,omitzero"`
	// StartAt, if set, is when the first call is due: Run prepares its
	// sockets, then waits until then (cancellable), so instances started
	// apart begin together.
	StartAt time.Time `json:"-"`

	// Digest credentials; the password is never serialised. Username is a
	// template (default: the caller's From user part).
	Username string `json:"username,omitempty"`
	Password string `json:"-"`

	// TLSInsecure skips certificate verification (tests, lab targets).
	TLSInsecure bool `json:"tls_insecure,omitempty"`
	// TLSCA is a PEM file of the CA certificates that sign the target's
	// certificate (a private CA), used instead of the system's roots.
	TLSCA string `json:"tls_ca,omitempty"`

	// Engine names the call path: EngineFast, the only one (recorded in
	// the result's settings). The sipgo call path ("sipgo") was retired;
	// OPTIONS and REGISTER go through sipgo.
	Engine string `json:"engine,omitempty"`

	// Media (calls only). NoMedia offers port 9 and sends no RTP.
	NoMedia bool `json:"no_media,omitempty"`
	// RTPMux puts all calls' RTP on a few shared ports (one per sending
	// wheel, two per core), told apart by SSRC (a=ssrc in the SDP): fewer
	// system calls and, against a far end that shares ports too (callsim
	// target --rtp-mux), many packets per pass through the kernel.
	RTPMux bool `json:"rtp_mux,omitempty"`
	// RTPPortMin and RTPPortMax bound the local RTP ports (default
	// 16384-32767; even ports are used).
	RTPPortMin int `json:"rtp_port_min,omitempty"`
	RTPPortMax int `json:"rtp_port_max,omitempty"`
	// Audio is what each call sends: silence (default), tone, or the path
	// of a WAV file (8 kHz mono 16-bit PCM).
	Audio string `json:"audio,omitempty"`
	// MOSThreshold: calls whose estimated MOS is below it are counted
	// (default 3.6).
	MOSThreshold float64 `json:"mos_threshold,omitempty"`
	// MOSNetworkDelay is the one-way network delay the MOS estimate assumes
	// (default 0: loopback or LAN).
	MOSNetworkDelay time.Duration `json:"mos_network_delay,omitempty"`
	// MediaVia, if set, maps the far end's RTP address to the address RTP is
	// sent to (tests route media through an impairing relay with it).
	MediaVia func(netip.AddrPort) netip.AddrPort `json:"-"`

	// OnCall, if set, receives every finished call's record (from many
	// goroutines, serially: calls are never reported concurrently).
	OnCall func(CallRecord) `json:"-"`
	// OnTick, if set, is called about once a second with a live snapshot.
	OnTick func(Snapshot) `json:"-"`
	// Observer, if set, is told of every call as it starts and ends (see
	// Observer): live metrics and capacity steps are fed this way.
	Observer Observer `json:"-"`
	// Stop, if set, ends the workload once it is closed: no call starts
	// after that, and the calls in progress end as they would (hold, final
	// response); the result is complete, not interrupted.
	Stop <-chan struct{} `json:"-"`
	// RampUp spreads the first calls of a closed model's callers evenly
	// over this time (0: every caller calls at once).
	RampUp time.Duration `json:"ramp_up,omitempty"`

	// Window, if set, judges WindowThresholds on the calls that ended in
	// each window of this length (see Tally and Result.Windows); with
	// AbortOnFail the run ends at the end of the first window in which one
	// fails: no call starts after it, calls in progress are ended as on
	// interruption (CANCEL or BYE, within Grace), and the result is marked
	// Aborted.
	Window           time.Duration `json:"window,omitempty"`
	WindowThresholds []Threshold   `json:"-"`
	AbortOnFail      bool          `json:"abort_on_fail,omitempty"`
	// Logger receives diagnostics (default: discarded).
	Logger *slog.Logger `json:"-"`
}

// target is the parsed destination.
type target struct {
	uri       sip.Uri
	transport string // UDP, TCP, TLS
}

func (c *Config) withDefaults() {
	if c.Mode == "" {
		c.Mode = ModeCall
	}
	if c.Mode == ModeCall && c.Engine == "" {
		c.Engine = EngineFast // recorded in the result's settings
	}
	if c.From == "" {
		c.From = defaultColumn(c.Callers, "from", "user")
	}
	if c.From == "" {
		c.From = "callsim"
	}
	if c.Duration == 0 {
		c.Duration = DefaultDurationCap
	}
	if c.InviteTimeout == 0 {
		c.InviteTimeout = DefaultInviteTimeout
	}
	if c.Grace == 0 {
		c.Grace = DefaultGrace
	}
	if c.LateTolerance == 0 {
		c.LateTolerance = DefaultLateTolerance
	}
	if c.IOTick == 0 {
		c.IOTick = DefaultIOTick
		if c.Concurrency > 0 {
			c.IOTick = DefaultClosedIOTick
		}
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.Sockets == 0 {
		c.Sockets = DefaultSockets()
	}
	if c.Arrivals == "" {
		c.Arrivals = "uniform"
	}
	if c.Hold.IsZero() {
		c.Hold = Dist{Kind: DistConstant}
	}
	if c.RTPPortMin == 0 && c.RTPPortMax == 0 {
		c.RTPPortMin, c.RTPPortMax = media.DefaultPortMin, media.DefaultPortMax
	}
	if c.Audio == "" {
		c.Audio = "silence"
	}
	if c.MOSThreshold == 0 {
		c.MOSThreshold = DefaultMOSThreshold
	}
}

// DefaultMOSThreshold is the MOS below which a call counts as poor.
const DefaultMOSThreshold = 3.6

// Validate checks the configuration as Run would, without sending anything.
func (c Config) Validate() error {
	c.withDefaults()
	_, err := c.validate()
	return err
}

func (c *Config) validate() (target, error) {
	var errs []error
	t, err := parseTarget(c.Target, c.Transport)
	if err != nil {
		errs = append(errs, err)
	}
	switch c.Mode {
	case ModeCall, ModeOptions, ModeRegister:
	default:
		errs = append(errs, fmt.Errorf("mode %q: want call, options or register", c.Mode))
	}
	open := c.Rate > 0 || len(c.Stages) > 0 || c.Schedule != nil
	if c.Schedule != nil {
		if err := c.Schedule.validate(); err != nil {
			errs = append(errs, err)
		}
		if c.Rate > 0 || len(c.Stages) > 0 || !c.Segment.Whole() {
			errs = append(errs, errors.New("a schedule replaces --rate, --stages and segments"))
		}
	}
	switch {
	case c.Concurrency < 0:
		errs = append(errs, fmt.Errorf("concurrency %d must be positive", c.Concurrency))
	case c.Concurrency > 0 && open:
		errs = append(errs, errors.New("choose one workload model: --concurrency (closed) or --rate/--stages (open)"))
	case c.Concurrency == 0 && !open:
		errs = append(errs, errors.New("no workload: give --rate, --stages or --concurrency"))
	}
	if !(c.Rate >= 0 && c.Rate <= MaxRate) {
		errs = append(errs, fmt.Errorf("rate %v: want 0 to %d calls a second", c.Rate, MaxRate))
	}
	for i, st := range c.Stages {
		if !(st.Target >= 0 && st.Target <= MaxRate) || st.Duration < 0 || st.Duration > MaxDuration {
			errs = append(errs, fmt.Errorf("stage %d (%v to %v): want a rate of 0 to %d calls a second for at most %v", i+1, st.Duration, st.Target, MaxRate, MaxDuration))
		}
	}
	if c.Concurrency > MaxConcurrency || c.MaxInFlight > MaxConcurrency*10 {
		errs = append(errs, fmt.Errorf("concurrency %d, max in flight %d: want at most %d and %d", c.Concurrency, c.MaxInFlight, MaxConcurrency, MaxConcurrency*10))
	}
	if c.Duration > MaxDuration {
		errs = append(errs, fmt.Errorf("duration %v: want at most %v", c.Duration, MaxDuration))
	}
	if c.IOTick > MaxIOTick {
		errs = append(errs, fmt.Errorf("io tick %v: want at most %v (0 or less: react to each message at once)", c.IOTick, MaxIOTick))
	}
	if c.InviteTimeout > MaxTimeout || c.Grace > MaxTimeout || c.LateTolerance > MaxTimeout {
		errs = append(errs, fmt.Errorf("timeouts (%v, %v, %v): want at most %v", c.InviteTimeout, c.Grace, c.LateTolerance, MaxTimeout))
	}
	if c.Rate > 0 && len(c.Stages) > 0 {
		errs = append(errs, errors.New("give --rate or --stages, not both"))
	}
	if c.Engine == "sipgo" {
		errs = append(errs, errors.New(`engine "sipgo": the sipgo call path was retired; calls go through callsim's own call path (--engine fast, the default), which keeps every RFC 3261 rule the sipgo path had at about a third of its CPU and a sixth of its memory per call; OPTIONS and REGISTER still go through sipgo`))
	} else if c.Engine != "" && c.Engine != EngineFast {
		errs = append(errs, fmt.Errorf("engine %q: want fast", c.Engine))
	}
	if c.Arrivals != "uniform" && c.Arrivals != "poisson" {
		errs = append(errs, fmt.Errorf("arrivals %q: want uniform or poisson", c.Arrivals))
	}
	if c.Duration < 0 {
		errs = append(errs, fmt.Errorf("duration %v must be positive", c.Duration))
	}
	if c.MaxInFlight < 0 {
		errs = append(errs, fmt.Errorf("max in flight %d must be positive", c.MaxInFlight))
	}
	if c.Sockets < 0 || c.Sockets > MaxSockets {
		errs = append(errs, fmt.Errorf("sockets %d: want 1 to %d", c.Sockets, MaxSockets))
	}
	if c.InviteTimeout < 0 || c.Grace < 0 || c.LateTolerance < 0 {
		errs = append(errs, errors.New("timeouts must be positive"))
	}
	if err := c.Segment.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.RampUp < 0 {
		errs = append(errs, fmt.Errorf("ramp-up %v must not be negative", c.RampUp))
	}
	switch {
	case c.Window < 0:
		errs = append(errs, fmt.Errorf("window %v must be positive", c.Window))
	case c.Window > 0 && c.Window < MinWindow:
		errs = append(errs, fmt.Errorf("window %v: want at least %v", c.Window, MinWindow))
	case c.Window > 0 && len(c.WindowThresholds) == 0:
		errs = append(errs, errors.New("a window judges thresholds: give at least one --threshold with --window"))
	case c.Window == 0 && c.AbortOnFail:
		errs = append(errs, errors.New("abort on fail judges the thresholds per window: give --window (e.g. 10s)"))
	}
	if c.TLSCA != "" {
		if _, err := tlsConfig(c.TLSInsecure, c.TLSCA); err != nil {
			errs = append(errs, err)
		}
	}
	if err == nil {
		_, perrs := newParamGen(c, t)
		errs = append(errs, perrs...)
	}
	if c.RTPMux && (c.NoMedia || c.Mode != ModeCall) {
		errs = append(errs, errors.New("--rtp-mux shares the RTP ports of calls with media: drop it or --no-media"))
	}
	if c.Mode == ModeCall && !c.NoMedia {
		if _, err := media.NewPorts(c.RTPPortMin, c.RTPPortMax); err != nil {
			errs = append(errs, fmt.Errorf("--rtp-ports: %w", err))
		}
		if _, err := media.ParseAudio(c.Audio); err != nil {
			errs = append(errs, fmt.Errorf("--audio: %w", err))
		}
		if c.MOSThreshold < 1 || c.MOSThreshold > 4.5 {
			errs = append(errs, fmt.Errorf("MOS threshold %v: want 1 to 4.5", c.MOSThreshold))
		}
	}
	return t, errors.Join(errs...)
}

func parseTarget(s, transport string) (target, error) {
	var t target
	if s == "" {
		return t, errors.New("no target URI (e.g. sip:support@127.0.0.1:5060)")
	}
	if !strings.HasPrefix(strings.ToLower(s), "sip:") && !strings.HasPrefix(strings.ToLower(s), "sips:") {
		return t, fmt.Errorf("target %q: want a sip: or sips: URI", s)
	}
	if err := sip.ParseUri(s, &t.uri); err != nil {
		return t, fmt.Errorf("target %q: %w", s, err)
	}
	if t.uri.Host == "" {
		return t, fmt.Errorf("target %q: no host", s)
	}
	tp := "UDP"
	if t.uri.IsEncrypted() {
		tp = "TLS"
	}
	if t.uri.UriParams != nil {
		if v, ok := t.uri.UriParams.Get("transport"); ok && v != "" {
			tp = strings.ToUpper(v)
		}
	}
	if transport != "" {
		tp = strings.ToUpper(transport)
	}
	switch tp {
	case "UDP", "TCP", "TLS":
	default:
		return t, fmt.Errorf("transport %q: want udp, tcp or tls", strings.ToLower(tp))
	}
	t.transport = tp
	return t, nil
}
