package audit

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"time"

	"github.com/callsim/callsim/judge"
	"github.com/callsim/callsim/loadresult"
)

// Defaults applied by Run (see Config).
const (
	DefaultCallsPerInterval = 6
	DefaultInterval         = 30 * time.Minute
	DefaultWithin           = 20 * time.Second
	DefaultPatience         = 2 * time.Minute
	DefaultHold             = 30 * time.Second
	DefaultMinTalk          = 5 * time.Second
)

// Bounds of the settings.
const (
	MaxCallsPerInterval = 1000
	MaxCalls            = 100_000 // calls in all
	MinInterval         = time.Minute
	Day                 = 24 * time.Hour
	MaxTimeScale        = 1e6
	// MaxWallTimeout is the load generator's longest timeout
	// (loadgen.MaxTimeout): the patience in wall time stays 10 s below it.
	MaxWallTimeout = time.Hour
)

// Config describes an audit. Durations are scenario time (wall time x
// TimeScale).
type Config struct {
	// Target is the vendor's number, a SIP URI.
	Target string
	// Transport overrides the URI's (udp, tcp, tls).
	Transport string
	// CallsPerInterval test calls in each interval of Interval.
	CallsPerInterval int
	Interval         time.Duration
	// From and To bound the window audited, as times of day (0 to 24h;
	// To 0: 24h, the end of the day); To - From must be a whole number of
	// intervals.
	From, To time.Duration
	// Epoch is the wall time at which the audit's clock reads From (zero:
	// when Run starts, after a short setup).
	Epoch time.Time
	// TimeScale K: the audit's clock runs K times faster than wall time.
	TimeScale float64
	// Within is the service level threshold.
	Within time.Duration
	// Patience: a call not answered by then is hung up (abandoned).
	Patience time.Duration
	// Hold: an answered call is held this long unless the far end ends it.
	Hold time.Duration
	// MinTalk: an answered call that lasted less (or less than Hold) did
	// not reach an agent.
	MinTalk time.Duration
	// Confidence of the intervals and verdicts (default 95%).
	Confidence float64
	// Claim, if set (0 to 1), is the claimed service level each interval
	// and the day are judged against.
	Claim float64
	// NoMedia: no RTP (then "reached an agent" does not ask for audio).
	NoMedia bool
	// From user and seed of the calls (see loadgen.Config).
	Caller string
	Seed   uint64
	Logger *slog.Logger
}

func (c *Config) withDefaults() {
	if c.CallsPerInterval == 0 {
		c.CallsPerInterval = DefaultCallsPerInterval
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.To == 0 {
		c.To = Day
	}
	if c.TimeScale == 0 {
		c.TimeScale = 1
	}
	if c.Within == 0 {
		c.Within = DefaultWithin
	}
	if c.Patience == 0 {
		c.Patience = DefaultPatience
	}
	if c.Hold == 0 {
		c.Hold = DefaultHold
	}
	if c.MinTalk == 0 {
		c.MinTalk = DefaultMinTalk
	}
	if c.Confidence == 0 {
		c.Confidence = judge.DefaultConfidence
	}
}

// WithDefaults returns c with every unset setting at its default.
func (c Config) WithDefaults() Config {
	c.withDefaults()
	return c
}

// Validate checks the configuration as Run would, without calling.
func (c Config) Validate() error {
	c.withDefaults()
	return c.validate()
}

func (c *Config) validate() error {
	var errs []error
	add := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if c.CallsPerInterval < 1 || c.CallsPerInterval > MaxCallsPerInterval {
		add("calls per interval %d: want 1 to %d", c.CallsPerInterval, MaxCallsPerInterval)
	}
	if c.Interval < MinInterval || c.Interval > Day {
		add("interval %v: want %v to %v", c.Interval, MinInterval, Day)
	}
	if c.From < 0 || c.From >= Day || c.To <= c.From || c.To > Day {
		add("window %s-%s: want a start before its end, both times of day (00:00 to 24:00)", Clock(c.From), Clock(c.To))
	} else if c.Interval > 0 && (c.To-c.From)%c.Interval != 0 {
		add("window %s-%s is not a whole number of %v intervals (e.g. end it at %s)", Clock(c.From), Clock(c.To), c.Interval,
			Clock(c.From+(c.To-c.From)/c.Interval*c.Interval))
	} else if n := c.Intervals() * c.CallsPerInterval; n > MaxCalls {
		add("%d intervals x %d calls = %d calls: at most %d", c.Intervals(), c.CallsPerInterval, n, MaxCalls)
	}
	if !(c.TimeScale > 0 && c.TimeScale <= MaxTimeScale) {
		add("time scale %v: want a factor above 0, at most %g", c.TimeScale, float64(MaxTimeScale))
	}
	if c.Within <= 0 || c.Patience <= 0 || c.Hold <= 0 || c.MinTalk <= 0 {
		add("within %v, patience %v, hold %v and min talk %v must be positive", c.Within, c.Patience, c.Hold, c.MinTalk)
	}
	if c.Patience < c.Within {
		add("patience %v is shorter than the threshold %v: a call could never be answered late, only abandoned", c.Patience, c.Within)
	}
	if c.TimeScale > 0 {
		if w := c.Wall(c.Patience); w > MaxWallTimeout-10*time.Second {
			add("patience %v is %v of wall time: at most %v", c.Patience, w, MaxWallTimeout-10*time.Second)
		}
		if w := c.Wall(c.Interval / time.Duration(max(c.CallsPerInterval, 1))); w < time.Millisecond {
			add("calls %v of wall time apart (interval %v / %d calls / time scale %g): at least 1ms; lower --time-scale",
				w, c.Interval, c.CallsPerInterval, c.TimeScale)
		}
	}
	if !(c.Confidence >= 0.5 && c.Confidence < 1) {
		add("confidence %v: want 50%% to below 100%%", c.Confidence)
	}
	if !(c.Claim >= 0 && c.Claim <= 1) {
		add("claimed service level %v: want 0 to 100%%", c.Claim)
	}
	if c.Target == "" {
		add("no target URI (e.g. sip:support@vendor.example.net)")
	}
	return errors.Join(errs...)
}

// Intervals is the number of intervals of the window.
func (c *Config) Intervals() int {
	if c.Interval <= 0 {
		return 0
	}
	return int((c.To - c.From) / c.Interval)
}

// Wall converts scenario time to wall time.
func (c *Config) Wall(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.TimeScale)
}

// Clock formats a time of day as HH:MM (24:00 for the end of the day).
func Clock(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// Settings are the audit's settings as its report states them (seconds of
// scenario time).
type Settings struct {
	Target           string  `json:"target"`
	CallsPerInterval int     `json:"calls_per_interval"`
	IntervalSeconds  float64 `json:"interval_seconds"`
	From             string  `json:"from"`
	To               string  `json:"to"`
	FromSeconds      float64 `json:"from_seconds"`
	TimeScale        float64 `json:"time_scale"`
	WithinSeconds    float64 `json:"within_seconds"`
	PatienceSeconds  float64 `json:"patience_seconds"`
	HoldSeconds      float64 `json:"hold_seconds"`
	MinTalkSeconds   float64 `json:"min_talk_seconds"`
	Confidence       float64 `json:"confidence"`
	Claim            float64 `json:"claimed_service_level,omitempty"`
	Media            bool    `json:"media"`
	Seed             uint64  `json:"seed"`
}

// Settings returns the settings the report states.
func (c *Config) Settings() Settings {
	return Settings{Target: c.Target, CallsPerInterval: c.CallsPerInterval, IntervalSeconds: c.Interval.Seconds(),
		From: Clock(c.From), To: Clock(c.To), FromSeconds: c.From.Seconds(), TimeScale: c.TimeScale,
		WithinSeconds: c.Within.Seconds(), PatienceSeconds: c.Patience.Seconds(), HoldSeconds: c.Hold.Seconds(),
		MinTalkSeconds: c.MinTalk.Seconds(), Confidence: c.Confidence, Claim: c.Claim, Media: !c.NoMedia, Seed: c.Seed}
}

// Call is one test call as the audit measured it (scenario time).
type Call struct {
	CallID string `json:"call_id"`
	// Interval is the index of its interval (from 0), ClockSeconds the
	// audit clock's time of day at its intended start.
	Interval      int       `json:"interval"`
	ClockSeconds  float64   `json:"clock_seconds"`
	IntendedStart time.Time `json:"intended_start"`
	Outcome       string    `json:"outcome"` // loadgen's: completed, failed, abandoned, timed_out, transport_error
	FinalStatus   int       `json:"final_status"`
	Answered      bool      `json:"answered"`
	// AnswerDelaySeconds: from the INVITE sent to the 200 OK (answered
	// calls; 0 otherwise). LateSeconds is how much later than scheduled
	// the caller sent it (its own lateness, not the vendor's, left out of
	// the delay).
	AnswerDelaySeconds float64 `json:"answer_delay_seconds"`
	LateSeconds        float64 `json:"late_seconds"`
	Within             bool    `json:"within"`
	ReachedAgent       bool    `json:"reached_agent"`
	// DurationSeconds: the call's length, from the answer to the end.
	DurationSeconds float64 `json:"duration_seconds"`
	HangupBy        string  `json:"hangup_by,omitempty"`
	// AudioPackets is the RTP the far end sent after the answer (-1: no
	// media measured).
	AudioPackets int64 `json:"audio_packets"`
}

// Refused reports whether the platform refused or failed the call.
func (c *Call) Refused() bool {
	switch loadresult.Outcome(c.Outcome) {
	case loadresult.OutcomeFailed, loadresult.OutcomeTimedOut, loadresult.OutcomeTransportError:
		return true
	}
	return false
}

// Abandoned: the caller hung up after Patience without an answer.
func (c *Call) Abandoned() bool {
	return loadresult.Outcome(c.Outcome) == loadresult.OutcomeAbandoned && !c.Answered
}

// Percentiles of the answer delay (seconds; -1: not answered).
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}

// Figures are the audit's figures over some calls: an interval or the day.
type Figures struct {
	Label        string  `json:"label"`
	StartSeconds float64 `json:"start_seconds"`
	Calls        int     `json:"calls"`
	Answered     int     `json:"answered"`
	Within       int     `json:"within"`
	ReachedAgent int     `json:"reached_agent"`
	Abandoned    int     `json:"abandoned"`
	Refused      int     `json:"refused"`
	// ServiceLevel = Within / Calls, with its two-sided exact binomial
	// interval at the audit's confidence.
	ServiceLevel      float64 `json:"service_level"`
	ServiceLevelLower float64 `json:"service_level_lower"`
	ServiceLevelUpper float64 `json:"service_level_upper"`
	// ReachedShare = ReachedAgent / Calls.
	ReachedShare float64 `json:"reached_share"`
	// AnswerDelay: percentiles over the calls placed (see the package
	// documentation); ASASeconds: the mean over the answered.
	AnswerDelay         Percentiles `json:"answer_delay_seconds"`
	ASASeconds          float64     `json:"asa_seconds"`
	MeanDurationSeconds float64     `json:"mean_duration_seconds"`
	// Verdict on the claimed service level (nil: no claim).
	Verdict *judge.Proportion `json:"verdict,omitempty"`
}

// Report is an audit's outcome.
type Report struct {
	Kind        string    `json:"kind"` // "audit"
	Settings    Settings  `json:"audit"`
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended"`
	Epoch       time.Time `json:"epoch"` // when the audit's clock read From
	Interrupted bool      `json:"interrupted"`
	// NotPlaced counts scheduled calls never placed (interrupted, or the
	// generator could not start them).
	NotPlaced int       `json:"not_placed"`
	Intervals []Figures `json:"intervals"`
	Day       Figures   `json:"day"`
	// Method states how the figures are computed.
	Method string `json:"method"`
	// Center, if set, is the center's own report of the same calls set
	// beside the audit (CompareCenter).
	Center *CenterComparison `json:"center,omitempty"`
	Calls  []Call            `json:"calls"`
}

// Method is the report's statement of its method.
const Method = "Service level = calls answered within the threshold / calls placed (abandoned and refused calls count as not within), " +
	"with its two-sided exact binomial (Clopper-Pearson) confidence interval; the calls of an interval are spaced evenly across it and taken as independent, " +
	"and for the day, a sample stratified by interval, the binomial interval on all calls is conservative. " +
	"Reaction speed: percentiles (nearest rank) of the answer delay, from the INVITE sent to the 200 OK, over the calls placed, a call never answered counting as slower than any answered (shown as not answered). " +
	"A call reached an agent when answered and up for at least the minimum talk (or the whole hold) and, with media, the far end sent audio. " +
	"A claimed service level is judged per interval and for the day by one-sided exact binomial bounds (batch means for 50 calls or more): PASS, FAIL, or INCONCLUSIVE with the calls that would decide."

// Summarize computes the report's figures from its calls (in any order;
// they are sorted by intended start): the audit's own, or calls read back
// from its CSV.
func Summarize(s Settings, calls []Call) *Report {
	calls = append([]Call(nil), calls...)
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].IntendedStart.Before(calls[j].IntendedStart) })
	rep := &Report{Kind: "audit", Settings: s, Method: Method, Calls: calls}
	nIv := 0
	if s.IntervalSeconds > 0 {
		to := s.FromSeconds + Day.Seconds()
		if t, err := ParseClock(s.To); err == nil {
			to = t.Seconds()
		}
		nIv = int(math.Round((to - s.FromSeconds) / s.IntervalSeconds))
	}
	for _, c := range calls {
		nIv = max(nIv, c.Interval+1)
	}
	by := make([][]Call, nIv)
	for _, c := range calls {
		if c.Interval >= 0 {
			by[c.Interval] = append(by[c.Interval], c)
		}
	}
	for i, cs := range by {
		start := s.FromSeconds + float64(i)*s.IntervalSeconds
		label := Clock(time.Duration(start*1e9)) + "-" + Clock(time.Duration((start+s.IntervalSeconds)*1e9))
		rep.Intervals = append(rep.Intervals, figures(s, label, start, cs))
	}
	rep.Day = figures(s, "day", s.FromSeconds, calls)
	return rep
}

func figures(s Settings, label string, start float64, calls []Call) Figures {
	f := Figures{Label: label, StartSeconds: start, Calls: len(calls), ServiceLevelUpper: 1}
	var delays []float64
	var ok []bool
	var delaySum, durSum float64
	for _, c := range calls {
		d := math.Inf(1)
		if c.Answered {
			f.Answered++
			d = c.AnswerDelaySeconds
			delaySum += d
			durSum += c.DurationSeconds
		}
		delays = append(delays, d)
		if c.Within {
			f.Within++
		}
		ok = append(ok, c.Within)
		if c.ReachedAgent {
			f.ReachedAgent++
		}
		if c.Abandoned() {
			f.Abandoned++
		}
		if c.Refused() {
			f.Refused++
		}
	}
	if f.Calls > 0 {
		f.ServiceLevel = float64(f.Within) / float64(f.Calls)
		f.ReachedShare = float64(f.ReachedAgent) / float64(f.Calls)
		f.ServiceLevelLower, f.ServiceLevelUpper = judge.Bounds(float64(f.Within), float64(f.Calls), (1+s.Confidence)/2)
		sort.Float64s(delays)
		at := func(p float64) float64 {
			v := delays[max(0, int(math.Ceil(p*float64(len(delays))))-1)]
			if math.IsInf(v, 1) {
				return -1
			}
			return v
		}
		f.AnswerDelay = Percentiles{P50: at(0.5), P90: at(0.9), Max: at(1)}
	}
	if f.Answered > 0 {
		f.ASASeconds = delaySum / float64(f.Answered)
		f.MeanDurationSeconds = durSum / float64(f.Answered)
	}
	if s.Claim > 0 {
		v := judge.JudgeProportion(ok, s.Claim, s.Confidence)
		f.Verdict = &v
	}
	return f
}

// ParseClock parses a time of day, HH:MM (00:00 to 24:00).
func ParseClock(s string) (time.Duration, error) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || len(s) < 4 || len(s) > 5 || s[len(s)-3] != ':' {
		return 0, fmt.Errorf("time of day %q: want HH:MM, e.g. 08:00 or 24:00", s)
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if h < 0 || m < 0 || m > 59 || d > Day {
		return 0, fmt.Errorf("time of day %q: want 00:00 to 24:00", s)
	}
	return d, nil
}
