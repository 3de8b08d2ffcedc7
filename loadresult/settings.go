package loadresult

import (
	"time"

	"github.com/callsim/callsim/segment"
)

// Mode is what each "call" of a run is.
type Mode string

// Modes of a run.
const (
	ModeCall     Mode = "call"     // INVITE, answer, hold, BYE (or CANCEL)
	ModeOptions  Mode = "options"  // one OPTIONS transaction
	ModeRegister Mode = "register" // one REGISTER transaction (with digest auth)
)

// Stage is one step of a ramping arrival rate: over Duration the rate moves
// linearly from the previous stage's target (0 before the first stage) to
// Target calls per second, like k6's ramping-arrival-rate executor.
type Stage struct {
	Duration time.Duration `json:"duration"`
	Target   float64       `json:"target"`
}

// Settings are the settings of a run as its result records them: every
// serialised setting of the load generator's configuration (loadgen.Config
// without the callbacks, the tables and the secrets), in the same order
// and under the same JSON names.
type Settings struct {
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
	Display     string `json:"display,omitempty"`
	CallersFile string `json:"callers_file,omitempty"`
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
	// DefaultIOTick; negative: no coalescing (react to each message).
	IOTick time.Duration `json:"io_tick"`
	Seed   uint64        `json:"seed"`

	// Segment makes this run segment i of n of the test the rest of the
	// Config describes (see package segment): open uniform arrivals take the
	// calls k of the whole schedule with k mod n == i; Poisson arrivals run
	// at Rate/n (or Stages/n) with a seed derived from (Seed, i); MaxCalls
	// and Concurrency are split exactly. Rate, Stages, MaxCalls and
	// Concurrency stay those of the whole test. Zero: the whole test.
	Segment segment.Segment `json:"segment,omitzero"`

	// Digest credentials; the password is never serialised. Username is a
	// template (default: the caller's From user part).
	Username string `json:"username,omitempty"`

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

	// RampUp spreads the first calls of a closed model's callers evenly
	// over this time (0: every caller calls at once).
	RampUp time.Duration `json:"ramp_up,omitempty"`

	// Window, if set, judges WindowThresholds on the calls that ended in
	// each window of this length (see Tally and Result.Windows); with
	// AbortOnFail the run ends at the end of the first window in which one
	// fails: no call starts after it, calls in progress are ended as on
	// interruption (CANCEL or BYE, within Grace), and the result is marked
	// Aborted.
	Window      time.Duration `json:"window,omitempty"`
	AbortOnFail bool          `json:"abort_on_fail,omitempty"`
}
