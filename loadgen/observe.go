package loadgen

import (
	"strconv"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Observer is told of every call as the run's collector accounts for it:
// once per call, never per message, serially (under the collector's lock),
// so an implementation must be quick and must not block. Live metrics
// (package metrics), windowed thresholds and the capacity search's steps are
// fed this way; Config.Observer sets one.
type Observer interface {
	// CallStarted: a call sent its first request (late: beyond the late
	// tolerance). inProgress is the number of calls in progress, this one
	// included.
	CallStarted(at time.Time, late bool, inProgress int64)
	// CallDropped: a call was due while Config.MaxInFlight calls were in
	// progress and was never started.
	CallDropped(at time.Time)
	// CallEnded: a call has its one outcome; inProgress excludes it.
	CallEnded(c *EndedCall, inProgress int64)
}

// EndedCall is an ended call as an Observer sees it: its record and the
// figures the record does not carry. The pointer is valid during the call
// to CallEnded only.
type EndedCall struct {
	CallRecord
	// EndedAt is when the call got its outcome.
	EndedAt time.Time
	// SDD is the session disconnect delay (our BYE to its final response;
	// 0 when we did not send one).
	SDD time.Duration
	// EndedNormally: answered, and ended by our BYE answered 2xx or by the
	// far end's BYE (what SCR counts).
	EndedNormally bool
}

// Observers returns an Observer telling each of obs in turn (nil ones left
// out); nil when none is left.
func Observers(obs ...Observer) Observer {
	var t tee
	for _, o := range obs {
		if o != nil {
			t = append(t, o)
		}
	}
	switch len(t) {
	case 0:
		return nil
	case 1:
		return t[0]
	}
	return t
}

type tee []Observer

func (t tee) CallStarted(at time.Time, late bool, n int64) {
	for _, o := range t {
		o.CallStarted(at, late, n)
	}
}

func (t tee) CallDropped(at time.Time) {
	for _, o := range t {
		o.CallDropped(at)
	}
}

func (t tee) CallEnded(c *EndedCall, n int64) {
	for _, o := range t {
		o.CallEnded(c, n)
	}
}

// Tally aggregates the calls that ended (each with its one outcome) into
// the figures of a Result, so that thresholds can be checked on a part of a
// run: a time window (Config.Window), a capacity step after its warm-up. It
// is an Observer; its methods are safe for concurrent use.
//
// Its Result counts the calls that ended: Attempted is the number of ended
// calls (so attempted = completed + failed + abandoned + timed_out +
// transport_errors holds), ratios and delays are over them; Late and
// Dropped count the calls started (or dropped) while the tally was open,
// MaxConcurrent the most calls in progress it saw, and AchievedCPS the
// calls started per second of the tally's span.
type Tally struct {
	mu sync.Mutex
	// From: calls intended to start before it are left out (zero: none).
	from          time.Time
	opened        time.Time
	started       uint64
	late, dropped uint64
	maxConcurrent int64
	ended         uint64
	outcomes      [5]uint64
	finalCodes    map[int]uint64
	byeOK         uint64
	byeFailures   uint64
	remoteHangups uint64
	srd, answer   *hdrhistogram.Histogram
	sdd, duration *hdrhistogram.Histogram
	lag           *hdrhistogram.Histogram
	media         *mediaAgg
	firstEnd      time.Time
	lastEnd       time.Time
}

// NewTally returns an empty tally opened at now; calls intended to start
// before from are not counted (zero from: every call). mosThreshold is the
// MOS below which a call counts as poor (0: DefaultMOSThreshold); withMedia
// says the run measures media.
func NewTally(now, from time.Time, withMedia bool, mosThreshold float64) *Tally {
	if mosThreshold == 0 {
		mosThreshold = DefaultMOSThreshold
	}
	t := &Tally{from: from, opened: now, finalCodes: map[int]uint64{},
		srd: newHist(), answer: newHist(), sdd: newHist(), duration: newHist(), lag: newHist()}
	if withMedia {
		t.media = newMediaAgg(mosThreshold)
	}
	return t
}

var outcomeIndex = map[Outcome]int{OutcomeCompleted: 0, OutcomeFailed: 1, OutcomeAbandoned: 2, OutcomeTimedOut: 3, OutcomeTransportError: 4}

// Reset empties the tally and opens it again at now (windows reuse one
// tally, and its histograms).
func (t *Tally) Reset(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.resetLocked(now)
}

// Cut returns the figures up to now and empties the tally, opening it
// again at now, in one step: a call ending meanwhile is counted in one of
// the two, never lost between them (windows are cut this way).
func (t *Tally) Cut(now time.Time) *Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.resultLocked(now)
	t.resetLocked(now)
	return r
}

func (t *Tally) resetLocked(now time.Time) {
	t.opened = now
	t.started, t.late, t.dropped, t.maxConcurrent, t.ended = 0, 0, 0, 0, 0
	t.outcomes = [5]uint64{}
	clear(t.finalCodes)
	t.byeOK, t.byeFailures, t.remoteHangups = 0, 0, 0
	for _, h := range []*hdrhistogram.Histogram{t.srd, t.answer, t.sdd, t.duration, t.lag} {
		h.Reset()
	}
	if t.media != nil {
		t.media = newMediaAgg(t.media.threshold)
	}
	t.firstEnd, t.lastEnd = time.Time{}, time.Time{}
}

// CallStarted implements Observer.
func (t *Tally) CallStarted(at time.Time, late bool, n int64) {
	t.mu.Lock()
	t.started++
	if late {
		t.late++
	}
	t.maxConcurrent = max(t.maxConcurrent, n)
	t.mu.Unlock()
}

// CallDropped implements Observer.
func (t *Tally) CallDropped(time.Time) {
	t.mu.Lock()
	t.dropped++
	t.mu.Unlock()
}

// CallEnded implements Observer.
func (t *Tally) CallEnded(c *EndedCall, _ int64) {
	if !t.from.IsZero() && c.IntendedStart.Before(t.from) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended++
	t.outcomes[outcomeIndex[c.Outcome]]++
	if c.FinalStatus > 0 {
		t.finalCodes[c.FinalStatus]++
	}
	if c.SRD > 0 {
		recordDur(t.srd, c.SRD)
	}
	if c.AnswerDelay > 0 {
		recordDur(t.answer, c.AnswerDelay)
	}
	if c.SDD > 0 {
		recordDur(t.sdd, c.SDD)
	}
	recordDur(t.lag, c.ActualStart.Sub(c.IntendedStart))
	if c.Outcome == OutcomeCompleted {
		recordDur(t.duration, c.Duration)
		switch {
		case c.HangupBy == "callee":
			t.remoteHangups++
		case !c.EndedNormally:
			t.byeFailures++
		}
	}
	if c.EndedNormally {
		t.byeOK++
	}
	if t.media != nil && c.Media != nil {
		t.media.add(c.Media)
	}
	if t.firstEnd.IsZero() {
		t.firstEnd = c.EndedAt
	}
	t.lastEnd = c.EndedAt
}

// Started is the number of calls started while the tally was open (the
// From filter does not apply to it).
func (t *Tally) Started() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.started
}

// Ended is the number of calls counted so far, and how many of them did
// not complete.
func (t *Tally) Ended() (calls, notCompleted uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ended, t.ended - t.outcomes[0]
}

// Result returns the tally's figures as a Result (see Tally) up to now.
func (t *Tally) Result(now time.Time) *Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.resultLocked(now)
}

func (t *Tally) resultLocked(now time.Time) *Result {
	r := &Result{
		StartedAt: t.opened, WallSeconds: now.Sub(t.opened).Seconds(),
		Attempted: t.ended, Completed: t.outcomes[0], Failed: t.outcomes[1], Abandoned: t.outcomes[2],
		TimedOut: t.outcomes[3], TransportErrors: t.outcomes[4],
		Late: t.late, Dropped: t.dropped, MaxConcurrent: t.maxConcurrent,
		StatusCodes: map[string]uint64{}, Responses: map[string]uint64{},
		ByeFailures: t.byeFailures, RemoteHangups: t.remoteHangups,
		SRD: summarize(t.srd), AnswerDelay: summarize(t.answer), SDD: summarize(t.sdd),
		SessionDuration: summarize(t.duration), StartLag: summarize(t.lag),
		HistogramSettings: histSettings,
	}
	var k finalCounts
	for code, n := range t.finalCodes {
		r.StatusCodes[strconv.Itoa(code)] = n
		k.add(code, n)
	}
	if r.Attempted > k.c3xx {
		r.SER = ratio(k.ok2xx, r.Attempted-k.c3xx)
		r.SEER = ratio(k.ok2xx+k.seer, r.Attempted-k.c3xx)
	}
	r.ISA = ratio(k.isa+r.TimedOut, r.Attempted)
	r.SCR = ratio(t.byeOK, r.Attempted)
	if s := r.WallSeconds; s > 0 {
		r.AchievedCPS = float64(t.started) / s
	}
	if t.media != nil {
		r.Media = t.media.summary()
	}
	return r
}

// Histogram returns a copy of the tally's histogram of the delay metric
// (srd, answer_delay, sdd, session_duration, start_lag; microseconds) or,
// for media, of mos, loss, jitter or max_gap (MOS and loss percent in
// thousandths, jitter and gaps in microseconds); nil when unknown or the
// run has no media.
func (t *Tally) Histogram(metric string) *hdrhistogram.Histogram {
	t.mu.Lock()
	defer t.mu.Unlock()
	var h *hdrhistogram.Histogram
	switch metric {
	case "srd":
		h = t.srd
	case "answer_delay":
		h = t.answer
	case "sdd":
		h = t.sdd
	case "session_duration":
		h = t.duration
	case "start_lag":
		h = t.lag
	}
	if t.media != nil {
		switch metric {
		case "mos":
			h = t.media.mos
		case "loss":
			h = t.media.loss
		case "jitter":
			h = t.media.jitter
		case "max_gap":
			h = t.media.gap
		}
	}
	if h == nil {
		return nil
	}
	return hdrhistogram.Import(h.Export())
}
