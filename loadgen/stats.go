package loadgen

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/callsim/callsim/media"
)

// histSettings: histograms record microseconds from 1 µs to 1 hour with 3
// significant digits.
var histSettings = HistogramSettings{LowestUs: 1, HighestUs: int64(time.Hour / time.Microsecond), SignificantFigures: 3}

func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(histSettings.LowestUs, histSettings.HighestUs, histSettings.SignificantFigures)
}

// encodeHists encodes histograms by name (HdrHistogram V2 compressed, base64).
func encodeHists(hs map[string]*hdrhistogram.Histogram) (map[string]string, error) {
	out := make(map[string]string, len(hs))
	for name, h := range hs {
		b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			return nil, fmt.Errorf("encode the %s histogram: %w", name, err)
		}
		out[name] = string(b)
	}
	return out, nil
}

func recordDur(h *hdrhistogram.Histogram, d time.Duration) {
	us := int64(d / time.Microsecond)
	if us < 1 {
		us = 1
	}
	if us > h.HighestTrackableValue() {
		us = h.HighestTrackableValue()
	}
	_ = h.RecordValue(us)
}

func summarize(h *hdrhistogram.Histogram) Latency {
	if h.TotalCount() == 0 {
		return Latency{}
	}
	ms := func(v int64) float64 { return float64(v) / 1000 }
	return Latency{
		Count: uint64(h.TotalCount()),
		Mean:  h.Mean() / 1000,
		P50:   ms(h.ValueAtQuantile(50)),
		P90:   ms(h.ValueAtQuantile(90)),
		P95:   ms(h.ValueAtQuantile(95)),
		P99:   ms(h.ValueAtQuantile(99)),
		P999:  ms(h.ValueAtQuantile(99.9)),
		Max:   ms(h.Max()),
	}
}

// Snapshot is a live view of a run, handed to Config.OnTick.
type Snapshot struct {
	Elapsed    time.Duration
	Started    uint64
	Answered   uint64
	Failed     uint64 // every outcome other than completed
	Concurrent int64
	Rate       float64 // calls started in the last second
	SRDP99     float64 // ms, over the run so far
}

// collector aggregates call results; it is shared by all calls.
type collector struct {
	start time.Time

	mu              sync.Mutex
	attempted       uint64
	outcomes        map[Outcome]uint64
	late, dropped   uint64
	finalCodes      map[int]uint64
	responses       map[int]uint64
	byeFailures     uint64
	remoteHangups   uint64
	byeOK           uint64
	firstStart      time.Time
	lastStart       time.Time
	srd, answer     *hdrhistogram.Histogram
	srdW, answerW   *hdrhistogram.Histogram
	sdd, duration   *hdrhistogram.Histogram
	lag             *hdrhistogram.Histogram
	series          []Second
	answeredTotal   uint64
	concurrent      int64
	maxConcurrent   int64
	retransmissions atomic.Uint64
	onCall          func(CallRecord)
	media           *mediaAgg // nil without media
	// obs is told of every call (nil: nobody); ended is the one EndedCall
	// handed to it, reused (calls end serially, under mu).
	obs   Observer
	ended EndedCall

	// Per-second setup delays (see Second.SRDP50): the delays of the calls
	// started in a second wait in pending until the second is over and its
	// calls have ended; then its percentiles go into the series and the
	// buffers back to spare. Memory: 8 bytes per ended call of a second
	// still open, never per call of the run.
	pending  map[int]*secDelays
	spare    []*secDelays
	startSec int // the latest second a call started in
}

// secDelays gathers the delays (microseconds) of the calls started in one
// second; open counts those not ended yet.
type secDelays struct {
	open        int
	srd, answer []uint32
}

// mediaAgg aggregates per-call media figures; it is guarded by the
// collector's mutex except for the atomic counters.
type mediaAgg struct {
	threshold               float64
	calls, sent, recv, lost uint64
	below, oneWay, none     uint64
	mos, loss, jitter, gap  *hdrhistogram.Histogram
	mosSum, lossSum, jitSum float64
	gapSum                  float64
	mosN                    uint64
	sdpErrors, portErrors   atomic.Uint64
}

// Media figures are kept in histograms as integers: MOS and loss percent
// in thousandths, jitter and gaps in microseconds.
func newMediaAgg(threshold float64) *mediaAgg {
	return &mediaAgg{threshold: threshold,
		mos: hdrhistogram.New(1, 5000, 3), loss: hdrhistogram.New(1, 100000, 3),
		jitter: hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3),
		gap:    hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)}
}

func recordScaled(h *hdrhistogram.Histogram, v, scale float64) {
	x := int64(v*scale + 0.5)
	x = max(min(x, h.HighestTrackableValue()), 0)
	_ = h.RecordValue(x)
}

func (m *mediaAgg) add(st *media.Stats) {
	m.calls++
	m.sent += st.Sent
	m.recv += st.Received
	m.lost += st.Lost
	got := st.ReceivedExpected > 0
	switch {
	case st.Sent == 0 && !got:
		m.none++
	case (st.Sent > 0) != got:
		m.oneWay++
	}
	if st.MOS > 0 {
		recordScaled(m.mos, st.MOS, 1000)
		m.mosSum += st.MOS
		m.mosN++
	}
	if st.MOS == 0 || st.MOS < m.threshold {
		m.below++
	}
	recordScaled(m.loss, st.LossPct, 1000)
	recordScaled(m.jitter, st.JitterMs, 1000)
	recordScaled(m.gap, float64(st.MaxGap)/1e3, 1)
	m.lossSum += st.LossPct
	m.jitSum += st.JitterMs
	m.gapSum += float64(st.MaxGap) / 1e6
}

func mediaDist(h *hdrhistogram.Histogram, scale, sum float64) MediaDist {
	n := h.TotalCount()
	if n == 0 {
		return MediaDist{}
	}
	// ValueAtQuantile answers 0 when p% of the count rounds to no value
	// (p5 of fewer than 10 calls); the lowest value is meant.
	q := func(p float64) float64 { return float64(max(h.ValueAtQuantile(p), h.Min())) / scale }
	return MediaDist{Count: uint64(n), Mean: sum / float64(n), Min: float64(h.Min()) / scale,
		P5: q(5), P50: q(50), P95: q(95), P99: q(99), Max: float64(h.Max()) / scale}
}

func (m *mediaAgg) summary() *MediaSummary {
	s := &MediaSummary{Calls: m.calls, PacketsSent: m.sent, PacketsReceived: m.recv, PacketsLost: m.lost,
		MOS: mediaDist(m.mos, 1000, m.mosSum), LossPct: mediaDist(m.loss, 1000, m.lossSum),
		JitterMs: mediaDist(m.jitter, 1000, m.jitSum), MaxGapMs: mediaDist(m.gap, 1000, m.gapSum),
		MOSThreshold: m.threshold, BelowMOS: m.below, BelowMOSShare: ratio(m.below, m.calls),
		OneWayAudio: m.oneWay, NoAudio: m.none, SDPErrors: m.sdpErrors.Load(), PortErrors: m.portErrors.Load()}
	// Encoding in-memory histograms cannot fail; without them the result
	// does not merge.
	s.Histograms, _ = encodeHists(m.hists())
	return s
}

// hists names the media histograms as MediaSummary.Histograms does.
func (m *mediaAgg) hists() map[string]*hdrhistogram.Histogram {
	return map[string]*hdrhistogram.Histogram{"mos": m.mos, "loss_pct": m.loss, "jitter_ms": m.jitter, "max_gap_ms": m.gap}
}

func newCollector(start time.Time, onCall func(CallRecord)) *collector {
	return &collector{
		start: start, outcomes: map[Outcome]uint64{}, finalCodes: map[int]uint64{}, responses: map[int]uint64{},
		srd: newHist(), answer: newHist(), srdW: newHist(), answerW: newHist(), sdd: newHist(), duration: newHist(),
		lag: newHist(), onCall: onCall, pending: map[int]*secDelays{},
	}
}

// secIndex is the series index of t, as sec uses it.
func (c *collector) secIndex(t time.Time) int {
	return max(int(t.Sub(c.start)/time.Second), 0)
}

// us converts a delay to whole microseconds for secDelays (at least 1, at
// most about 71 minutes).
func us(d time.Duration) uint32 {
	return uint32(min(max(int64(d/time.Microsecond), 1), math.MaxUint32))
}

// closeSec writes the delay percentiles of second i into the series and
// recycles its buffers; mu must be held.
func (c *collector) closeSec(i int, p *secDelays) {
	delete(c.pending, i)
	if len(p.srd) > 0 && i < len(c.series) {
		s := &c.series[i]
		p50, p95, p99 := nearestRanks(p.srd, 50, 95, 99)
		a95, _, _ := nearestRanks(p.answer, 95, 95, 95)
		// A second closed twice (a start that read the clock more than a
		// second before it got the lock) keeps the higher figures.
		s.SRDCalls += uint64(len(p.srd))
		s.SRDP50, s.SRDP95, s.SRDP99 = max(s.SRDP50, p50), max(s.SRDP95, p95), max(s.SRDP99, p99)
		s.AnswerP95 = max(s.AnswerP95, a95)
	}
	p.open, p.srd, p.answer = 0, p.srd[:0], p.answer[:0]
	c.spare = append(c.spare, p)
}

// nearestRanks sorts v (microseconds) and returns its percentiles a, b and
// c by nearest rank, in milliseconds; zeros for no values.
func nearestRanks(v []uint32, a, b, c float64) (float64, float64, float64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	slices.Sort(v)
	at := func(q float64) float64 {
		k := int(math.Ceil(q/100*float64(len(v)))) - 1
		return float64(v[min(max(k, 0), len(v)-1)]) / 1000
	}
	return at(a), at(b), at(c)
}

// sec returns the series point for t; mu must be held.
func (c *collector) sec(t time.Time) *Second {
	i := int(t.Sub(c.start) / time.Second)
	if i < 0 {
		i = 0
	}
	for len(c.series) <= i {
		c.series = append(c.series, Second{T: len(c.series), Concurrent: c.concurrent})
	}
	return &c.series[i]
}

func (c *collector) dropped1(at time.Time) {
	c.mu.Lock()
	c.dropped++
	c.sec(at)
	if c.obs != nil {
		c.obs.CallDropped(at)
	}
	c.mu.Unlock()
}

// started records a call that is about to send its first request.
func (c *collector) started(intended, actual time.Time, late bool) {
	c.mu.Lock()
	c.attempted++
	if late {
		c.late++
	}
	if c.firstStart.IsZero() || actual.Before(c.firstStart) {
		c.firstStart = actual
	}
	if actual.After(c.lastStart) {
		c.lastStart = actual
	}
	recordDur(c.lag, actual.Sub(intended))
	c.concurrent++
	if c.concurrent > c.maxConcurrent {
		c.maxConcurrent = c.concurrent
	}
	s := c.sec(actual)
	s.Started++
	i := c.secIndex(actual)
	if i > c.startSec {
		// A new second: no call starts in the earlier ones any more (one
		// second of slack for a caller that read the clock before taking
		// the lock), so those whose calls have all ended are complete.
		c.startSec = i
		for k, p := range c.pending {
			if k < i-1 && p.open == 0 {
				c.closeSec(k, p)
			}
		}
	}
	p := c.pending[i]
	if p == nil {
		if n := len(c.spare); n > 0 {
			p, c.spare = c.spare[n-1], c.spare[:n-1]
		} else {
			p = &secDelays{}
		}
		c.pending[i] = p
	}
	p.open++
	if c.concurrent > s.Concurrent {
		s.Concurrent = c.concurrent
	}
	if c.obs != nil {
		c.obs.CallStarted(actual, late, c.concurrent)
	}
	c.mu.Unlock()
}

func (c *collector) response(code int) {
	c.mu.Lock()
	c.responses[code]++
	c.mu.Unlock()
}

func (c *collector) answered(at time.Time) {
	c.mu.Lock()
	c.answeredTotal++
	c.sec(at).Answered++
	c.mu.Unlock()
}

// finished records the end of a call; cr is complete.
func (c *collector) finished(cr *callResult, now time.Time) {
	c.mu.Lock()
	c.outcomes[cr.rec.Outcome]++
	c.concurrent--
	s := c.sec(now)
	switch cr.rec.Outcome {
	case OutcomeFailed:
		s.Failed++
	case OutcomeAbandoned:
		s.Abandoned++
	case OutcomeTimedOut:
		s.TimedOut++
	case OutcomeTransportError:
		s.TransportErrors++
	}
	if cr.rec.FinalStatus > 0 {
		c.finalCodes[cr.rec.FinalStatus]++
	}
	i := c.secIndex(cr.rec.ActualStart)
	p := c.pending[i]
	if cr.rec.SRD > 0 {
		recordDur(c.srd, cr.rec.SRD)
		recordDur(c.srdW, cr.srdWire)
		if p != nil {
			p.srd = append(p.srd, us(cr.rec.SRD))
		}
	}
	if cr.rec.AnswerDelay > 0 {
		recordDur(c.answer, cr.rec.AnswerDelay)
		recordDur(c.answerW, cr.answerWire)
		if p != nil {
			p.answer = append(p.answer, us(cr.rec.AnswerDelay))
		}
	}
	if p != nil {
		p.open--
		if p.open <= 0 && c.startSec > i+1 {
			c.closeSec(i, p)
		}
	}
	if cr.sdd > 0 {
		recordDur(c.sdd, cr.sdd)
	}
	if cr.rec.Outcome == OutcomeCompleted {
		recordDur(c.duration, cr.rec.Duration)
		switch {
		case cr.rec.HangupBy == "callee":
			c.remoteHangups++
			c.byeOK++
		case cr.byeOK:
			c.byeOK++
		default:
			c.byeFailures++
		}
	}
	if c.media != nil && cr.rec.Media != nil {
		c.media.add(cr.rec.Media)
	}
	if c.onCall != nil {
		c.onCall(cr.rec)
	}
	if c.obs != nil {
		normal := cr.rec.Outcome == OutcomeCompleted && (cr.rec.HangupBy == "callee" || cr.byeOK)
		c.ended = EndedCall{CallRecord: cr.rec, EndedAt: now, SDD: cr.sdd, EndedNormally: normal}
		c.obs.CallEnded(&c.ended, c.concurrent)
	}
	c.mu.Unlock()
}

// hists names the histograms as Result.Histograms does; mu must be held.
func (c *collector) hists() map[string]*hdrhistogram.Histogram {
	return map[string]*hdrhistogram.Histogram{
		"srd": c.srd, "answer_delay": c.answer, "sdd": c.sdd, "session_duration": c.duration,
		"start_lag": c.lag, "srd_wire": c.srdW, "answer_delay_wire": c.answerW,
	}
}

func (c *collector) snapshot(now time.Time) Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	var failed uint64
	for o, n := range c.outcomes {
		if o != OutcomeCompleted {
			failed += n
		}
	}
	var rate float64
	if i := int(now.Sub(c.start)/time.Second) - 1; i >= 0 && i < len(c.series) {
		rate = float64(c.series[i].Started)
	}
	return Snapshot{Elapsed: now.Sub(c.start), Started: c.attempted, Answered: c.answeredTotal, Failed: failed,
		Concurrent: c.concurrent, Rate: rate, SRDP99: float64(c.srd.ValueAtQuantile(99)) / 1000}
}

// finalCounts classifies final responses for the RFC 6076 ratios: 2xx
// (established), 3xx (redirected, left out of SER and SEER), the user's
// answers that count as effective in SEER (480, 486, 600, 603) and the
// ineffective session attempts (408, 500, 503, 504).
type finalCounts struct{ ok2xx, c3xx, seer, isa uint64 }

func (k *finalCounts) add(code int, n uint64) {
	switch {
	case code >= 200 && code < 300:
		k.ok2xx += n
	case code >= 300 && code < 400:
		k.c3xx += n
	}
	switch code {
	case 480, 486, 600, 603:
		k.seer += n
	case 408, 500, 503, 504:
		k.isa += n
	}
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// result builds the Result; the caller fills in Settings and Interrupted.
func (c *collector) result(end time.Time) *Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Seconds still open (calls that never ended) get the delays of the
	// calls that did.
	for k, p := range c.pending {
		c.closeSec(k, p)
	}
	r := &Result{
		StartedAt: c.start, WallSeconds: end.Sub(c.start).Seconds(),
		Attempted: c.attempted, Completed: c.outcomes[OutcomeCompleted], Failed: c.outcomes[OutcomeFailed],
		Abandoned: c.outcomes[OutcomeAbandoned], TimedOut: c.outcomes[OutcomeTimedOut],
		TransportErrors: c.outcomes[OutcomeTransportError],
		Late:            c.late, Dropped: c.dropped, MaxConcurrent: c.maxConcurrent,
		StatusCodes: map[string]uint64{}, Responses: map[string]uint64{},
		ByeFailures: c.byeFailures, RemoteHangups: c.remoteHangups, Retransmissions: c.retransmissions.Load(),
		SRD: summarize(c.srd), AnswerDelay: summarize(c.answer), SDD: summarize(c.sdd),
		SessionDuration: summarize(c.duration), StartLag: summarize(c.lag),
		SRDWire: summarize(c.srdW), AnswerWire: summarize(c.answerW),
		Series:      append([]Second(nil), c.series...),
		FirstCallAt: c.firstStart, LastCallAt: c.lastStart,
		HistogramSettings: histSettings,
	}
	// Encoding in-memory histograms cannot fail; on error the result simply
	// has no histograms (and will not merge).
	if hs, err := encodeHists(c.hists()); err == nil {
		r.Histograms = hs
	}
	if c.media != nil {
		r.Media = c.media.summary()
	}
	var k finalCounts
	for code, n := range c.finalCodes {
		r.StatusCodes[strconv.Itoa(code)] = n
		k.add(code, n)
	}
	ok2xx, c3xx, seer, isa := k.ok2xx, k.c3xx, k.seer, k.isa
	for code, n := range c.responses {
		r.Responses[strconv.Itoa(code)] = n
	}
	// Timed-out INVITEs are ineffective attempts, like a 408.
	isa += r.TimedOut
	if c.attempted > c3xx {
		r.SER = ratio(ok2xx, c.attempted-c3xx)
		r.SEER = ratio(ok2xx+seer, c.attempted-c3xx)
	}
	r.ISA = ratio(isa, c.attempted)
	r.SCR = ratio(c.byeOK, c.attempted)
	if c.attempted > 1 {
		if span := c.lastStart.Sub(c.firstStart).Seconds(); span > 0 {
			r.AchievedCPS = float64(c.attempted-1) / span
		}
	}
	return r
}
