package loadresult

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"time"

	"github.com/callsim/callsim/internal/atomicfile"
	"github.com/callsim/callsim/internal/jsonout"
	"github.com/callsim/callsim/segment"
)

// MaxWallSeconds bounds a result's wall_seconds when results are read
// back (a week and a day: longer than any run the generator places).
const MaxWallSeconds = 8 * 24 * 3600

// Latency summarises a delay distribution in milliseconds.
type Latency struct {
	Count uint64  `json:"count"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// Second is one point of the per-second time series (seconds since start).
type Second struct {
	T               int    `json:"t"`
	Started         uint64 `json:"started"`
	Answered        uint64 `json:"answered"`
	Failed          uint64 `json:"failed"`
	Abandoned       uint64 `json:"abandoned"`
	TimedOut        uint64 `json:"timed_out"`
	TransportErrors uint64 `json:"transport_errors"`
	Concurrent      int64  `json:"concurrent"` // highest number of calls in progress during the second

	// Setup delays of the calls started in this second, in milliseconds
	// from their intended start: SRDCalls of them got an 18x or 2xx, and
	// SRDP50, SRDP95 and SRDP99 are the percentiles of their SRD, AnswerP95
	// the 95th percentile of the answer delay of those answered. All are
	// zero, and omitted, when no call started in the second was set up.
	// They are exact (nearest rank), computed once every call started in
	// the second has ended.
	//
	// Percentiles of segments cannot be combined exactly: in a merged
	// result, a second that more than one segment set calls up in holds the
	// highest of the segments' percentiles, an upper bound of the whole
	// test's (the percentile of a union never exceeds the largest of the
	// parts'), and DelaysUpperBound says so.
	SRDCalls         uint64  `json:"srd_calls,omitempty"`
	SRDP50           float64 `json:"srd_p50_ms,omitempty"`
	SRDP95           float64 `json:"srd_p95_ms,omitempty"`
	SRDP99           float64 `json:"srd_p99_ms,omitempty"`
	AnswerP95        float64 `json:"answer_delay_p95_ms,omitempty"`
	DelaysUpperBound bool    `json:"delays_upper_bound,omitempty"`
}

// Result is the outcome of a run. Its JSON field names are a contract.
type Result struct {
	Mode        Mode      `json:"mode"`
	StartedAt   time.Time `json:"started_at"`
	WallSeconds float64   `json:"wall_seconds"`
	Interrupted bool      `json:"interrupted"`
	// Aborted: a windowed threshold failed with Config.AbortOnFail, and the
	// run was ended at the end of that window (AbortReason says which);
	// every call started still has its one outcome.
	Aborted     bool   `json:"aborted"`
	AbortReason string `json:"abort_reason,omitempty"`
	// Windows holds each window's judgement of the thresholds when they
	// were judged per window (Config.Window, WindowSeconds long).
	WindowSeconds float64  `json:"window_seconds,omitempty"`
	Windows       []Window `json:"windows,omitempty"`

	// Attempted = Completed + Failed + Abandoned + TimedOut + TransportErrors.
	Attempted       uint64 `json:"attempted"`
	Completed       uint64 `json:"completed"`
	Failed          uint64 `json:"failed"`
	Abandoned       uint64 `json:"abandoned"`
	TimedOut        uint64 `json:"timed_out"`
	TransportErrors uint64 `json:"transport_errors"`
	// Late calls started more than the tolerance after their intended start
	// (they are attempted too); dropped calls were due but never started.
	Late    uint64 `json:"late"`
	Dropped uint64 `json:"dropped"`

	// RFC 6076 ratios, as fractions in [0, 1].
	SER  float64 `json:"ser"`
	SEER float64 `json:"seer"`
	ISA  float64 `json:"isa"`
	SCR  float64 `json:"scr"`

	TargetCPS     float64 `json:"target_cps,omitempty"`
	AchievedCPS   float64 `json:"achieved_cps"`
	MaxConcurrent int64   `json:"max_concurrent"`

	// StatusCodes counts final INVITE responses (or final responses of the
	// OPTIONS/REGISTER transactions) by code; Responses counts every response
	// received to the initial request, provisional ones included.
	StatusCodes map[string]uint64 `json:"status_codes"`
	Responses   map[string]uint64 `json:"responses"`
	// ByeFailures counts answered calls whose BYE got no 2xx.
	ByeFailures uint64 `json:"bye_failures"`
	// RemoteHangups counts answered calls the far end hung up (BYE received).
	RemoteHangups uint64 `json:"remote_hangups"`
	// Retransmissions counts responses received again (2xx retransmissions
	// re-ACKed, stray responses to finished transactions).
	Retransmissions uint64 `json:"retransmissions"`

	SRD             Latency `json:"srd_ms"`
	AnswerDelay     Latency `json:"answer_delay_ms"`
	SDD             Latency `json:"sdd_ms"`
	SessionDuration Latency `json:"session_duration_ms"`
	StartLag        Latency `json:"start_lag_ms"`
	SRDWire         Latency `json:"srd_wire_ms"`
	AnswerWire      Latency `json:"answer_delay_wire_ms"`

	// Series holds one point per second; second t covers
	// [StartedAt + t s, StartedAt + (t+1) s), StartedAt being absolute, so
	// series of segments align when merged.
	Series   []Second `json:"series"`
	Settings Settings `json:"settings"`

	// FirstCallAt and LastCallAt are when the first and the last call
	// actually started (AchievedCPS is measured between them).
	FirstCallAt time.Time `json:"first_call_at,omitzero"`
	LastCallAt  time.Time `json:"last_call_at,omitzero"`

	// TestID identifies the test: a hash of the settings every segment of
	// one test shares (see Identity). Results merge only with equal TestIDs.
	TestID string `json:"test_id,omitempty"`
	// Segments tells which segments of the test the result covers: one for
	// a run, several once merged.
	Segments Segments `json:"segments,omitzero"`
	// HistogramSettings are those of every histogram in Histograms.
	HistogramSettings HistogramSettings `json:"histogram_settings,omitzero"`
	// Histograms holds the delay histograms losslessly, each in HdrHistogram's
	// V2 compressed encoding (base64, "HISTF..."), keyed like the summaries:
	// srd, answer_delay, sdd, session_duration, start_lag, srd_wire,
	// answer_delay_wire. Merging results merges these and recomputes the
	// percentiles from them.
	Histograms map[string]string `json:"histograms,omitempty"`

	// Media summarises the RTP of answered calls (absent with --no-media
	// and in options/register modes).
	Media *MediaSummary `json:"media,omitempty"`
}

// MediaDist summarises a per-call media figure over the calls.
type MediaDist struct {
	Count uint64  `json:"count"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
	P5    float64 `json:"p5"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// MediaSummary aggregates the media figures of the answered calls, each
// measured by the caller on the stream it received.
type MediaSummary struct {
	Calls           uint64 `json:"calls"` // answered calls with a media measurement
	PacketsSent     uint64 `json:"packets_sent"`
	PacketsReceived uint64 `json:"packets_received"`
	PacketsLost     uint64 `json:"packets_lost"`
	// MOS is the E-model estimate per call; calls that received nothing
	// have no MOS and are counted in NoAudio or OneWayAudio.
	MOS      MediaDist `json:"mos"`
	LossPct  MediaDist `json:"loss_pct"`
	JitterMs MediaDist `json:"jitter_ms"`
	MaxGapMs MediaDist `json:"max_gap_ms"`
	// MOSThreshold and the calls below it (share: of Calls, a fraction).
	MOSThreshold  float64 `json:"mos_threshold"`
	BelowMOS      uint64  `json:"below_mos"`
	BelowMOSShare float64 `json:"below_mos_share"`
	OneWayAudio   uint64  `json:"one_way_audio"` // RTP in one direction only after the answer
	NoAudio       uint64  `json:"no_audio"`      // RTP in neither direction after the answer
	SDPErrors     uint64  `json:"sdp_errors"`    // answers whose SDP was unusable (no media sent)
	PortErrors    uint64  `json:"port_errors"`   // calls not placed for want of an RTP port
	// SchedulerLate counts the sender's 1 ms slots visited more than a
	// 20 ms frame late (the generator's own CPU was short).
	SchedulerLate uint64 `json:"scheduler_late"`
	// Unclaimed counts RTP datagrams that reached a shared port (--rtp-mux)
	// for no call: an SSRC neither announced nor learnt (nor of a call
	// ended in the last 10 s).
	Unclaimed uint64 `json:"unclaimed,omitempty"`
	// Histograms holds the per-call distributions losslessly (HdrHistogram
	// V2 compressed, base64), keyed mos, loss_pct, jitter_ms, max_gap_ms, so
	// that results of segments merge.
	Histograms map[string]string `json:"histograms,omitempty"`
}

// Segments says which of Count segments a result covers.
type Segments struct {
	Count   int   `json:"count"`
	Indexes []int `json:"indexes"`
}

// HistogramSettings describe an HDR histogram: values (microseconds) from
// LowestUs to HighestUs with SignificantFigures digits.
type HistogramSettings struct {
	LowestUs           int64 `json:"lowest_us"`
	HighestUs          int64 `json:"highest_us"`
	SignificantFigures int   `json:"significant_figures"`
}

func (h HistogramSettings) String() string {
	return fmt.Sprintf("%d us to %d us, %d significant figures", h.LowestUs, h.HighestUs, h.SignificantFigures)
}

// Identity is what every segment of one test shares; Result.TestID is its
// hash. The segment, the seed and local details (addresses, credentials,
// in-flight cap, grace) are not part of it.
type Identity struct {
	Target        string            `json:"target"`
	Transport     string            `json:"transport"`
	Mode          Mode              `json:"mode"`
	Rate          float64           `json:"rate"`
	Arrivals      string            `json:"arrivals"`
	Stages        []Stage           `json:"stages"`
	Concurrency   int               `json:"concurrency"`
	Duration      time.Duration     `json:"duration"`
	MaxCalls      uint64            `json:"max_calls"`
	Hold          Dist              `json:"hold"`
	Patience      Dist              `json:"patience"`
	InviteTimeout time.Duration     `json:"invite_timeout"`
	Histograms    HistogramSettings `json:"histograms"`
	// Media: with or without RTP, and what a poor call is.
	NoMedia      bool    `json:"no_media"`
	MOSThreshold float64 `json:"mos_threshold"`
}

// IdentityOf returns the identity of the test a result belongs to.
func (r *Result) IdentityOf() Identity {
	c := r.Settings
	return Identity{Target: c.Target, Transport: c.Transport, Mode: c.Mode, Rate: c.Rate, Arrivals: c.Arrivals,
		Stages: c.Stages, Concurrency: c.Concurrency, Duration: c.Duration, MaxCalls: c.MaxCalls,
		Hold: c.Hold, Patience: c.Patience, InviteTimeout: c.InviteTimeout, Histograms: r.HistogramSettings,
		NoMedia: c.NoMedia, MOSThreshold: c.MOSThreshold}
}

// ID hashes the identity (16 hex digits of its SHA-256).
func (id Identity) ID() string {
	b, _ := json.Marshal(id) // plain values: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// FinishIdentity fills TestID and Segments from Settings.
func (r *Result) FinishIdentity() {
	r.TestID = r.IdentityOf().ID()
	r.Segments = Segments{Count: r.Settings.Segment.N(), Indexes: []int{r.Settings.Segment.Index}}
}

// Check verifies the invariant attempted = sum of outcomes.
func (r *Result) Check() error {
	var sum, carry uint64
	for _, v := range []uint64{r.Completed, r.Failed, r.Abandoned, r.TimedOut, r.TransportErrors} {
		var c uint64
		sum, c = bits.Add64(sum, v, 0)
		carry |= c
	}
	if carry != 0 {
		return fmt.Errorf("outcomes add up to more than 2^64, attempted is %d", r.Attempted)
	}
	if sum != r.Attempted {
		return fmt.Errorf("outcomes add up to %d, attempted is %d", sum, r.Attempted)
	}
	return nil
}

// WriteJSON writes r as indented JSON to path, atomically.
func (r *Result) WriteJSON(path string) error {
	b, err := jsonout.MarshalIndent(r)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

// Missing lists the segments of Count that the result does not cover.
func (s Segments) Missing() []int {
	if s.Count < 1 || s.Count > segment.MaxCount {
		return nil
	}
	have := make([]bool, s.Count)
	for _, i := range s.Indexes {
		if i >= 0 && i < s.Count {
			have[i] = true
		}
	}
	var out []int
	for i, ok := range have {
		if !ok {
			out = append(out, i)
		}
	}
	return out
}

// DecodeResult decodes a load result's JSON, as written by WriteJSON, with
// its per-second series checked while it is decoded: one entry per second
// from 0, no more than the run's wall_seconds allow (see checkSeries), so
// a hostile file cannot make the series larger than the run it claims.
func DecodeResult(data []byte) (*Result, error) {
	type plain Result // no methods: the default decoding
	var wrap struct {
		*plain
		Series json.RawMessage `json:"series"`
	}
	r := &Result{}
	wrap.plain = (*plain)(r)
	if err := json.Unmarshal(data, &wrap); err != nil {
		return nil, err
	}
	if !(r.WallSeconds >= 0 && r.WallSeconds <= MaxWallSeconds) {
		return nil, fmt.Errorf("wall_seconds %v is not a duration of 0 to %v seconds", r.WallSeconds, MaxWallSeconds)
	}
	if len(wrap.Series) == 0 || string(wrap.Series) == "null" {
		return r, nil
	}
	dec := json.NewDecoder(bytes.NewReader(wrap.Series))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, errors.New("series: want a list of seconds")
	}
	limit := int(r.WallSeconds) + 2
	for dec.More() {
		if len(r.Series) >= limit {
			return nil, fmt.Errorf("the series has more than %d seconds, the run lasted %.0f s", limit, r.WallSeconds)
		}
		var s Second
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("series entry %d: %w", len(r.Series), err)
		}
		if s.T != len(r.Series) {
			return nil, fmt.Errorf("series entry %d is second %d, want %d (one entry per second, from 0)", len(r.Series), s.T, len(r.Series))
		}
		r.Series = append(r.Series, s)
	}
	return r, nil
}
