package sipcenter

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/media"
	"github.com/callsim/callsim/scenarios"
)

// Defaults applied by Start.
const (
	DefaultListen     = "udp:127.0.0.1:5060"
	DefaultWithin     = 20 * time.Second // service level threshold, scenario time
	DefaultRetryAfter = time.Second
	// DefaultShutdown bounds how long Close waits for calls to end.
	DefaultShutdown = 5 * time.Second
)

// Config describes a target.
type Config struct {
	// Listen is TRANSPORT:HOST:PORT, e.g. udp:127.0.0.1:5060 or tcp:127.0.0.1:0
	// (port 0: a free port, see Server.Addr). The transport defaults to udp.
	Listen string `json:"listen"`
	// Scenario, when set, is played instead of the simple mode's single
	// queue: its queues (the Request-URI user part names one; others get
	// 404), groups with their headcounts (followed on the scenario clock
	// when they vary), skills, routing with
	// overflow delays, priorities, handle and wrap-up times (times the
	// group's handle_time_factor), service level targets and opening hours
	// (480 outside them). Agents, Handle and Within are then ignored.
	Scenario *scenarios.Scenario `json:"-"`
	// Trace, when set, gives per queue (in the scenario's order) the needs
	// of the calls entering it, in order of arrival: talk (before the
	// group's handle-time factor) and wrap-up time, and the uniform that
	// decides resolution; transferred calls count as arrivals at the queue
	// they are handed on to. Calls past a queue's trace draw from the
	// center's streams. Patience is the caller's. See sim.Trace.
	Trace [][]center.Needs `json:"-"`
	// ClockStart is the scenario time at start, from Monday 00:00 (for
	// opening hours): the scenario clock is ClockStart + wall time x TimeScale.
	ClockStart time.Duration `json:"clock_start,omitempty"`
	// Epoch, if set, is the wall time at which the scenario clock reads
	// ClockStart (default: when Start is called): a replay's callers and
	// the center then share their time zero (see verify.RunPaired).
	Epoch time.Time `json:"-"`
	// Agents is the number of agents answering (at least 1).
	Agents int `json:"agents"`
	// Handle is the handle (talk) time distribution, in scenario time.
	Handle loadgen.Dist `json:"handle"`
	// Trunks caps the calls in the system (waiting + talking); 0: no cap.
	Trunks int `json:"trunks,omitempty"`
	// TimeScale K: scenario time runs K times faster than wall time (default 1).
	TimeScale float64 `json:"time_scale"`
	// Within is the service level threshold in scenario time (default 20s).
	Within time.Duration `json:"within"`
	// RetryAfter is the Retry-After of a 503 (wall time, whole seconds, default 1s).
	RetryAfter time.Duration `json:"retry_after"`
	// Seed fixes the handle times.
	Seed uint64 `json:"seed"`
	// NoMedia answers with a static SDP (port 9) and sends no RTP. With
	// media, an INVITE offering G.711 gets 183 Session Progress with the SDP
	// answer and early media (EarlyMedia) while it waits, and after the
	// answer the caller's RTP is echoed back to where it comes from.
	NoMedia bool `json:"no_media,omitempty"`
	// RTPMux answers every call on a few shared RTP ports (two per core):
	// calls are told apart by SSRC (the offer's a=ssrc, or learnt from a
	// caller with a port per call) and the answer announces the target's
	// (see media.Scheduler.Share).
	RTPMux bool `json:"rtp_mux,omitempty"`
	// EarlyMedia is what callers hear while they wait: tone (default),
	// silence or a WAV file (8 kHz mono 16-bit PCM).
	EarlyMedia string `json:"early_media,omitempty"`
	// RTPPortMin and RTPPortMax bound the RTP ports (default 16384-32767).
	RTPPortMin int `json:"rtp_port_min,omitempty"`
	RTPPortMax int `json:"rtp_port_max,omitempty"`
	// CallLog keeps a per-call log (Server.CallLog), keyed by Call-ID, of
	// at most CallLogMax entries (default DefaultCallLogMax; beyond it
	// entries are counted, not kept).
	CallLog    bool `json:"call_log,omitempty"`
	CallLogMax int  `json:"call_log_max,omitempty"`
	// Shutdown bounds how long Close waits for calls to end (default 5s).
	Shutdown time.Duration `json:"-"`

	// Limits (see guard.go; 0 takes the default). MaxWait: a caller waiting
	// longer (wall time) gets 480 and counts as abandoned (default
	// DefaultMaxWait). EarlyMediaMax: the early media one waiting caller
	// gets (default DefaultEarlyMediaMax). TCPIdle: a TCP connection with no
	// call that sends nothing for this long is closed (DefaultTCPIdle);
	// TCPHeaderTimeout: a message begun must be complete within it
	// (DefaultTCPHeaderTimeout); TCPBuffer: the bytes of a header before its
	// blank line (DefaultTCPBuffer); MaxConns: TCP connections at once
	// (DefaultMaxConns).
	MaxWait          time.Duration `json:"max_wait,omitempty"`
	EarlyMediaMax    time.Duration `json:"early_media_max,omitempty"`
	TCPIdle          time.Duration `json:"tcp_idle,omitempty"`
	TCPHeaderTimeout time.Duration `json:"tcp_header_timeout,omitempty"`
	TCPBuffer        int           `json:"tcp_buffer,omitempty"`
	MaxConns         int           `json:"max_conns,omitempty"`
	// Logger receives diagnostics (default: discarded).
	Logger *slog.Logger `json:"-"`
}

func (c *Config) withDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.TimeScale == 0 {
		c.TimeScale = 1
	}
	if c.Within == 0 {
		c.Within = DefaultWithin
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = DefaultRetryAfter
	}
	if c.Shutdown == 0 {
		c.Shutdown = DefaultShutdown
	}
	if c.Handle.IsZero() {
		c.Handle = loadgen.Dist{Kind: loadgen.DistConstant}
	}
	if c.EarlyMedia == "" {
		c.EarlyMedia = "tone"
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.EarlyMediaMax == 0 {
		c.EarlyMediaMax = DefaultEarlyMediaMax
	}
	if c.TCPIdle == 0 {
		c.TCPIdle = DefaultTCPIdle
	}
	if c.TCPHeaderTimeout == 0 {
		c.TCPHeaderTimeout = DefaultTCPHeaderTimeout
	}
	if c.TCPBuffer == 0 {
		c.TCPBuffer = DefaultTCPBuffer
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
}

// Validate checks the configuration as Start would, without listening.
func (c Config) Validate() error {
	c.withDefaults()
	_, _, err := ParseListen(c.Listen)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	if c.Scenario != nil {
		if err := checkScenario(c.Scenario); err != nil {
			errs = append(errs, err)
		}
	} else if c.Agents < 1 {
		errs = append(errs, fmt.Errorf("agents %d: want at least 1", c.Agents))
	}
	if c.ClockStart < 0 {
		errs = append(errs, fmt.Errorf("clock start %v must not be negative", c.ClockStart))
	}
	if c.NoMedia && c.RTPMux {
		errs = append(errs, errors.New("rtp mux shares the RTP ports of calls with media: drop it or no media"))
	}
	if !c.NoMedia {
		if _, err := media.NewPorts(c.RTPPortMin, c.RTPPortMax); err != nil {
			errs = append(errs, err)
		}
		if _, err := media.ParseAudio(c.EarlyMedia); err != nil {
			errs = append(errs, fmt.Errorf("early media: %w", err))
		}
	}
	if c.CallLogMax < 0 || c.CallLogMax > MaxCallLog {
		errs = append(errs, fmt.Errorf("call log max %d: want 0 (default %d) to %d entries", c.CallLogMax, DefaultCallLogMax, MaxCallLog))
	}
	if c.Trunks < 0 {
		errs = append(errs, fmt.Errorf("trunks %d must not be negative (0: no limit)", c.Trunks))
	}
	if c.TimeScale < 0 || c.TimeScale > 1e6 {
		errs = append(errs, fmt.Errorf("time scale %v: want a positive factor up to 1e6", c.TimeScale))
	}
	if c.Within < 0 || c.RetryAfter < 0 || c.Shutdown < 0 {
		errs = append(errs, errors.New("within, retry-after and shutdown must be positive"))
	}
	if c.MaxWait < 0 || c.EarlyMediaMax < 0 || c.TCPIdle < 0 || c.TCPHeaderTimeout < 0 {
		errs = append(errs, errors.New("max wait, early media max, TCP idle and TCP header timeout must be positive"))
	}
	if c.TCPBuffer < 0 || c.TCPBuffer > 1<<20 {
		errs = append(errs, fmt.Errorf("TCP buffer %d: want 1 to %d bytes", c.TCPBuffer, 1<<20))
	}
	if c.MaxConns < 0 || c.MaxConns > 1<<20 {
		errs = append(errs, fmt.Errorf("max connections %d: want 1 to %d", c.MaxConns, 1<<20))
	}
	return errors.Join(errs...)
}

// ParseListen splits "udp:127.0.0.1:5060" into its transport ("udp" or
// "tcp") and address; a bare "127.0.0.1:5060" is UDP.
func ParseListen(s string) (transport, addr string, err error) {
	s = strings.TrimSpace(s)
	transport, addr = "udp", s
	if tp, rest, ok := strings.Cut(s, ":"); ok {
		switch strings.ToLower(tp) {
		case "udp", "tcp":
			transport, addr = strings.ToLower(tp), rest
		case "tls", "ws", "wss":
			return "", "", fmt.Errorf("listen %q: transport %s is not supported (want udp or tcp)", s, tp)
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("listen %q: want TRANSPORT:HOST:PORT, e.g. udp:127.0.0.1:5060: %w", s, err)
	}
	if host == "" || net.ParseIP(host) == nil {
		return "", "", fmt.Errorf("listen %q: host %q must be an IP address", s, host)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", "", fmt.Errorf("listen %q: bad port %q", s, port)
	}
	return transport, addr, nil
}
