package loadgen

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/callsim/callsim/segment"
)

// latencyOf maps each histogram name to its summary in a Result.
var latencyOf = map[string]func(*Result) *Latency{
	"srd":               func(r *Result) *Latency { return &r.SRD },
	"answer_delay":      func(r *Result) *Latency { return &r.AnswerDelay },
	"sdd":               func(r *Result) *Latency { return &r.SDD },
	"session_duration":  func(r *Result) *Latency { return &r.SessionDuration },
	"start_lag":         func(r *Result) *Latency { return &r.StartLag },
	"srd_wire":          func(r *Result) *Latency { return &r.SRDWire },
	"answer_delay_wire": func(r *Result) *Latency { return &r.AnswerWire },
}

// Merge combines results of segments of one test into the result of the
// whole test. names label the results in errors (file names; "result 1"...
// when nil).
//
// Counters, status-code maps and per-second series add up (series aligned
// on the absolute StartedAt of each result); histograms merge, and every
// percentile is recomputed from the merged histograms, never averaged.
// Ratios and the achieved rate are recomputed from the merged counters and
// the first and last call starts. MaxConcurrent becomes the highest sum of
// the segments' per-second peaks (an upper bound: peaks within one second
// need not coincide), and at least the highest segment's own.
//
// The per-second setup-delay percentiles (Second.SRDP50 ...) cannot be
// recomputed: each merged second takes the highest of its segments'
// percentiles, an upper bound of the true one, and is marked
// DelaysUpperBound when more than one segment set up calls in it.
//
// Merge refuses results of different tests (their TestIDs differ; the error
// names the setting), with different histogram settings, without
// histograms, split into different numbers of segments, or covering the
// same segment twice. The merged result may still lack segments: see
// Segments.Missing.
func Merge(rs []*Result, names []string) (*Result, error) {
	if len(rs) == 0 {
		return nil, errors.New("merge: no results")
	}
	name := func(i int) string {
		if i < len(names) && names[i] != "" {
			return names[i]
		}
		return "result " + strconv.Itoa(i+1)
	}
	first := rs[0]
	for i, r := range rs {
		if r == nil {
			return nil, fmt.Errorf("merge: %s is empty", name(i))
		}
		if len(r.Histograms) == 0 || r.HistogramSettings == (HistogramSettings{}) || r.TestID == "" {
			return nil, fmt.Errorf("merge: %s has no histograms or test identity (written by an older callsim?): run it again to merge it", name(i))
		}
		if err := checkMergeInput(r); err != nil {
			return nil, fmt.Errorf("merge: %s: %w (a result file was edited?)", name(i), err)
		}
		if r.HistogramSettings != first.HistogramSettings {
			return nil, fmt.Errorf("merge: %s and %s record delays with incompatible histogram settings (%s against %s): only results recorded with the same settings merge",
				name(0), name(i), first.HistogramSettings, r.HistogramSettings)
		}
		if r.TestID != first.TestID {
			return nil, fmt.Errorf("merge: %s and %s are not segments of the same test (%s): give every segment the same target, workload, hold, patience and timeout",
				name(0), name(i), identityDiff(first, r))
		}
		if r.Segments.Count != first.Segments.Count {
			return nil, fmt.Errorf("merge: %s is split into %d segments, %s into %d: all segments of a test use the same --segments",
				name(0), first.Segments.Count, name(i), r.Segments.Count)
		}
		if len(r.Histograms) != len(first.Histograms) {
			return nil, fmt.Errorf("merge: %s has %d histograms, %s %d: write both with the same callsim version", name(0), len(first.Histograms), name(i), len(r.Histograms))
		}
		for k := range first.Histograms {
			if _, ok := r.Histograms[k]; !ok {
				return nil, fmt.Errorf("merge: %s has no %s histogram but %s has: write both with the same callsim version", name(i), k, name(0))
			}
		}
	}
	if err := checkOverlap(rs, name); err != nil {
		return nil, err
	}
	owner := map[int]int{}
	for i, r := range rs {
		for _, s := range r.Segments.Indexes {
			if s < 0 || s >= r.Segments.Count {
				return nil, fmt.Errorf("merge: %s claims segment %d of %d", name(i), s, r.Segments.Count)
			}
			if j, dup := owner[s]; dup {
				return nil, fmt.Errorf("merge: %s and %s both hold segment %d/%d of test %s: merge each segment once",
					name(j), name(i), s, r.Segments.Count, r.TestID)
			}
			owner[s] = i
		}
	}

	m := &Result{
		Mode: first.Mode, TestID: first.TestID, HistogramSettings: first.HistogramSettings,
		StatusCodes: map[string]uint64{}, Responses: map[string]uint64{}, Histograms: map[string]string{},
		Settings: first.Settings,
	}
	m.Settings.Segment.Index, m.Settings.Segment.Count = 0, 0
	m.Segments.Count = first.Segments.Count
	var end time.Time
	for _, r := range rs {
		if m.StartedAt.IsZero() || r.StartedAt.Before(m.StartedAt) {
			m.StartedAt = r.StartedAt
		}
		if e := r.StartedAt.Add(wallDuration(r)); e.After(end) {
			end = e
		}
		if !r.FirstCallAt.IsZero() && (m.FirstCallAt.IsZero() || r.FirstCallAt.Before(m.FirstCallAt)) {
			m.FirstCallAt = r.FirstCallAt
		}
		if r.LastCallAt.After(m.LastCallAt) {
			m.LastCallAt = r.LastCallAt
		}
		m.Interrupted = m.Interrupted || r.Interrupted
		m.Attempted += r.Attempted
		m.Completed += r.Completed
		m.Failed += r.Failed
		m.Abandoned += r.Abandoned
		m.TimedOut += r.TimedOut
		m.TransportErrors += r.TransportErrors
		m.Late += r.Late
		m.Dropped += r.Dropped
		m.ByeFailures += r.ByeFailures
		m.RemoteHangups += r.RemoteHangups
		m.Retransmissions += r.Retransmissions
		m.TargetCPS += r.TargetCPS
		m.MaxConcurrent = max(m.MaxConcurrent, r.MaxConcurrent)
		for k, v := range r.StatusCodes {
			m.StatusCodes[k] += v
		}
		for k, v := range r.Responses {
			m.Responses[k] += v
		}
		m.Segments.Indexes = append(m.Segments.Indexes, r.Segments.Indexes...)
	}
	slices.Sort(m.Segments.Indexes)
	m.WallSeconds = end.Sub(m.StartedAt).Seconds()

	for k := range first.Histograms {
		h := hdrhistogram.New(first.HistogramSettings.LowestUs, first.HistogramSettings.HighestUs, first.HistogramSettings.SignificantFigures)
		for i, r := range rs {
			from, err := decodeHist(r.Histograms[k], r.HistogramSettings)
			if err != nil {
				return nil, fmt.Errorf("merge: %s: the %s histogram: %w", name(i), k, err)
			}
			if dropped := h.Merge(from); dropped > 0 {
				return nil, fmt.Errorf("merge: %s: %d values of the %s histogram out of range", name(i), dropped, k)
			}
		}
		b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			return nil, fmt.Errorf("merge: encode the %s histogram: %w", k, err)
		}
		m.Histograms[k] = string(b)
		if lat, ok := latencyOf[k]; ok {
			*lat(m) = summarize(h)
		}
	}

	media, err := mergeMedia(rs, name)
	if err != nil {
		return nil, err
	}
	m.Media = media
	m.Series = mergeSeries(rs, m.StartedAt)
	for _, s := range m.Series {
		m.MaxConcurrent = max(m.MaxConcurrent, s.Concurrent)
	}
	deriveRatios(m)
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("merge: %w (a result file was edited?)", err)
	}
	return m, nil
}

// MaxCounter bounds every counter of a result that is merged (about 7e13
// calls: more than any run places), so that the sums of up to
// segment.MaxCount results cannot overflow.
const MaxCounter = 1 << 46

// maxHistogramUs bounds the highest value of a result's histograms (a
// day, in microseconds); callsim records up to an hour.
const maxHistogramUs = int64(24 * time.Hour / time.Microsecond)

// checkMergeInput checks, before anything is allocated from them or added
// up, the fields of a result that Merge uses: the series, the segments,
// the histogram settings, the counters (bounded, outcomes adding up to
// attempted), the times and every number (finite).
func checkMergeInput(r *Result) error {
	if err := checkSeries(r); err != nil {
		return err
	}
	if y := r.StartedAt.Year(); r.StartedAt.IsZero() || y < 2000 || y > 9999 {
		return fmt.Errorf("started_at %s is not when a run started", r.StartedAt.Format(time.RFC3339))
	}
	if c := r.Segments.Count; c < 1 || c > segment.MaxCount {
		return fmt.Errorf("segments.count %d: want 1 to %d", c, segment.MaxCount)
	}
	if n := len(r.Segments.Indexes); n < 1 || n > r.Segments.Count {
		return fmt.Errorf("segments.indexes holds %d segments, want 1 to segments.count (%d)", n, r.Segments.Count)
	}
	hs := r.HistogramSettings
	if hs.LowestUs < 1 || hs.HighestUs < 2*hs.LowestUs || hs.HighestUs > maxHistogramUs || hs.SignificantFigures < 1 || hs.SignificantFigures > 3 {
		return fmt.Errorf("histogram_settings %s: want a lowest value of at least 1 us, a highest of at most %d us and 1 to 3 significant figures", hs, maxHistogramUs)
	}
	counters := []struct {
		name string
		v    uint64
	}{
		{"attempted", r.Attempted}, {"completed", r.Completed}, {"failed", r.Failed}, {"abandoned", r.Abandoned},
		{"timed_out", r.TimedOut}, {"transport_errors", r.TransportErrors}, {"late", r.Late}, {"dropped", r.Dropped},
		{"bye_failures", r.ByeFailures}, {"remote_hangups", r.RemoteHangups}, {"retransmissions", r.Retransmissions},
	}
	for k, v := range r.StatusCodes {
		counters = append(counters, struct {
			name string
			v    uint64
		}{"status_codes." + k, v})
	}
	for k, v := range r.Responses {
		counters = append(counters, struct {
			name string
			v    uint64
		}{"responses." + k, v})
	}
	if md := r.Media; md != nil {
		for _, c := range []struct {
			name string
			v    uint64
		}{{"media.calls", md.Calls}, {"media.packets_sent", md.PacketsSent}, {"media.packets_received", md.PacketsReceived},
			{"media.packets_lost", md.PacketsLost}, {"media.below_mos", md.BelowMOS}, {"media.one_way_audio", md.OneWayAudio},
			{"media.no_audio", md.NoAudio}, {"media.sdp_errors", md.SDPErrors}, {"media.port_errors", md.PortErrors},
			{"media.scheduler_late", md.SchedulerLate}, {"media.unclaimed", md.Unclaimed}, {"media.mos.count", md.MOS.Count}, {"media.loss_pct.count", md.LossPct.Count},
			{"media.jitter_ms.count", md.JitterMs.Count}, {"media.max_gap_ms.count", md.MaxGapMs.Count}} {
			counters = append(counters, c)
		}
	}
	for _, c := range counters {
		if c.v > MaxCounter {
			return fmt.Errorf("%s is %d, more than any run counts (%d)", c.name, c.v, uint64(MaxCounter))
		}
	}
	if err := r.Check(); err != nil {
		return err
	}
	if r.MaxConcurrent < 0 || r.MaxConcurrent > MaxCounter {
		return fmt.Errorf("max_concurrent %d: want 0 to %d", r.MaxConcurrent, uint64(MaxCounter))
	}
	if !(r.TargetCPS >= 0 && r.TargetCPS <= 1e9) {
		return fmt.Errorf("target_cps %v: want a rate of 0 to 1e9 calls a second", r.TargetCPS)
	}
	if !r.FirstCallAt.IsZero() && r.LastCallAt.Before(r.FirstCallAt) {
		return fmt.Errorf("last_call_at %s is before first_call_at %s", r.LastCallAt.Format(time.RFC3339Nano), r.FirstCallAt.Format(time.RFC3339Nano))
	}
	for i, s := range r.Series {
		for _, c := range []uint64{s.Started, s.Answered, s.Failed, s.Abandoned, s.TimedOut, s.TransportErrors, s.SRDCalls} {
			if c > MaxCounter {
				return fmt.Errorf("series second %d counts %d calls, more than any run counts", i, c)
			}
		}
		if s.Concurrent < 0 || s.Concurrent > MaxCounter {
			return fmt.Errorf("series second %d: concurrent %d: want 0 to %d", i, s.Concurrent, uint64(MaxCounter))
		}
		for _, f := range []float64{s.SRDP50, s.SRDP95, s.SRDP99, s.AnswerP95} {
			if !(f >= 0 && f <= 1e12) {
				return fmt.Errorf("series second %d: a delay of %v ms: want a finite delay of 0 or more", i, f)
			}
		}
	}
	if md := r.Media; md != nil {
		if !(md.MOSThreshold >= 0 && md.MOSThreshold <= 5) {
			return fmt.Errorf("media.mos_threshold %v: want 0 to 5", md.MOSThreshold)
		}
		for _, d := range []struct {
			name string
			v    float64
		}{{"mos", md.MOS.Mean}, {"loss_pct", md.LossPct.Mean}, {"jitter_ms", md.JitterMs.Mean}, {"max_gap_ms", md.MaxGapMs.Mean}} {
			if !(d.v >= 0 && d.v <= 1e12) {
				return fmt.Errorf("media.%s.mean %v: want a finite value of 0 or more", d.name, d.v)
			}
		}
	}
	return nil
}

// checkOverlap refuses segments that did not run at the same time: the
// latest start must come before the earliest end. Segments of one test
// start together (--start-at, or the pods of one job); one started after
// another had ended (a host with a wrong clock, a result of another day)
// would stretch the merged series over the gap and divide the rate.
func checkOverlap(rs []*Result, name func(int) string) error {
	first, last := 0, 0
	for i, r := range rs {
		if r.StartedAt.After(rs[last].StartedAt) {
			last = i
		}
		if r.StartedAt.Add(wallDuration(r)).Before(rs[first].StartedAt.Add(wallDuration(rs[first]))) {
			first = i
		}
	}
	end := rs[first].StartedAt.Add(wallDuration(rs[first]))
	if start := rs[last].StartedAt; start.After(end.Add(time.Second)) {
		return fmt.Errorf("merge: %s started at %s, %s after %s had ended (%s): segments of one test run at the same time; start them together with --start-at",
			name(last), start.Format(time.RFC3339), start.Sub(end).Round(time.Second), name(first), end.Format(time.RFC3339))
	}
	return nil
}

func wallDuration(r *Result) time.Duration {
	return time.Duration(r.WallSeconds * float64(time.Second))
}

// checkSeries checks a result's per-second series before anything is
// allocated from it: second i of the series is second i of the run (the
// collector writes every second, from 0), and the run lasted WallSeconds.
func checkSeries(r *Result) error {
	if !(r.WallSeconds >= 0 && r.WallSeconds <= MaxWallSeconds) {
		return fmt.Errorf("wall_seconds %v is not a duration of 0 to %v seconds", r.WallSeconds, MaxWallSeconds)
	}
	if limit := int(r.WallSeconds) + 2; len(r.Series) > limit {
		return fmt.Errorf("the series has %d seconds, the run lasted %.0f s", len(r.Series), r.WallSeconds)
	}
	for i, s := range r.Series {
		if s.T != i {
			return fmt.Errorf("series entry %d is second %d, want %d (one entry per second, from 0)", i, s.T, i)
		}
	}
	return nil
}

// mergeSeries adds the results' series second by second on absolute time:
// second t of a result started d seconds after origin falls in the merged
// second that holds its midpoint, floor(d + t + 0.5).
func mergeSeries(rs []*Result, origin time.Time) []Second {
	var out []Second
	for _, r := range rs {
		d := r.StartedAt.Sub(origin).Seconds()
		for _, s := range r.Series {
			j := int(math.Floor(d + float64(s.T) + 0.5))
			for len(out) <= j {
				out = append(out, Second{T: len(out)})
			}
			o := &out[j]
			o.Started += s.Started
			o.Answered += s.Answered
			o.Failed += s.Failed
			o.Abandoned += s.Abandoned
			o.TimedOut += s.TimedOut
			o.TransportErrors += s.TransportErrors
			o.Concurrent += s.Concurrent
			if s.SRDCalls > 0 {
				o.DelaysUpperBound = o.DelaysUpperBound || o.SRDCalls > 0
				o.SRDCalls += s.SRDCalls
				o.SRDP50, o.SRDP95, o.SRDP99 = max(o.SRDP50, s.SRDP50), max(o.SRDP95, s.SRDP95), max(o.SRDP99, s.SRDP99)
				o.AnswerP95 = max(o.AnswerP95, s.AnswerP95)
			}
			o.DelaysUpperBound = o.DelaysUpperBound || s.DelaysUpperBound
		}
	}
	return out
}

// decodeHist decodes one histogram and checks its settings; bad input gives
// an error, never a panic.
func decodeHist(enc string, want HistogramSettings) (h *hdrhistogram.Histogram, err error) {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	if len(raw) < 8 {
		return nil, errors.New("too short for an HdrHistogram encoding")
	}
	if err := checkHistHeader(raw, want); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			h, err = nil, fmt.Errorf("corrupt HdrHistogram encoding (%v)", p)
		}
	}()
	h, err = hdrhistogram.Decode([]byte(enc))
	if err != nil {
		return nil, fmt.Errorf("corrupt HdrHistogram encoding: %w", err)
	}
	got := HistogramSettings{LowestUs: h.LowestTrackableValue(), HighestUs: h.HighestTrackableValue(), SignificantFigures: int(h.SignificantFigures())}
	if got != want {
		return nil, fmt.Errorf("recorded with %s, the file declares %s", got, want)
	}
	return h, nil
}

// deriveRatios recomputes the RFC 6076 ratios and the achieved rate from
// the counters, status codes and call start times, as the collector does.
func deriveRatios(r *Result) {
	var k finalCounts
	for s, n := range r.StatusCodes {
		if code, err := strconv.Atoi(s); err == nil {
			k.add(code, n)
		}
	}
	ok2xx, c3xx, seer, isa := k.ok2xx, k.c3xx, k.seer, k.isa
	isa += r.TimedOut
	r.SER, r.SEER = 0, 0
	if r.Attempted > c3xx {
		r.SER = ratio(ok2xx, r.Attempted-c3xx)
		r.SEER = ratio(ok2xx+seer, r.Attempted-c3xx)
	}
	r.ISA = ratio(isa, r.Attempted)
	var byeOK uint64
	if r.Completed > r.ByeFailures {
		byeOK = r.Completed - r.ByeFailures
	}
	r.SCR = ratio(byeOK, r.Attempted)
	r.AchievedCPS = 0
	if r.Attempted > 1 {
		if span := r.LastCallAt.Sub(r.FirstCallAt).Seconds(); span > 0 {
			r.AchievedCPS = float64(r.Attempted-1) / span
		}
	}
}

// identityDiff names the identity settings where a and b differ.
func identityDiff(a, b *Result) string {
	var ma, mb map[string]json.RawMessage
	ja, _ := json.Marshal(a.IdentityOf())
	jb, _ := json.Marshal(b.IdentityOf())
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var diffs []string
	for _, k := range []string{"target", "transport", "mode", "rate", "arrivals", "stages", "concurrency", "duration",
		"max_calls", "hold", "patience", "invite_timeout", "histograms", "no_media", "mos_threshold"} {
		if string(ma[k]) != string(mb[k]) {
			diffs = append(diffs, fmt.Sprintf("%s %s against %s", k, ma[k], mb[k]))
		}
	}
	if len(diffs) == 0 {
		return "test ids " + a.TestID + " and " + b.TestID
	}
	return strings.Join(diffs, "; ")
}

// mergeMedia merges the media summaries: counters add, the per-call
// distributions merge through their histograms, means are weighted by
// their counts.
func mergeMedia(rs []*Result, name func(int) string) (*MediaSummary, error) {
	with, without := -1, -1
	for i, r := range rs {
		if r.Media != nil && with < 0 {
			with = i
		}
		if r.Media == nil && without < 0 {
			without = i
		}
	}
	if with < 0 {
		return nil, nil
	}
	if without >= 0 {
		return nil, fmt.Errorf("merge: %s has media figures but %s has none: merge results of one test", name(with), name(without))
	}
	agg := newMediaAgg(rs[0].Media.MOSThreshold)
	hs := agg.hists()
	for i, r := range rs {
		md := r.Media
		if md.MOSThreshold != agg.threshold {
			return nil, fmt.Errorf("merge: %s counts calls below MOS %v, %s below %v", name(0), agg.threshold, name(i), md.MOSThreshold)
		}
		for k, h := range hs {
			enc, ok := md.Histograms[k]
			if !ok {
				return nil, fmt.Errorf("merge: %s has no media %s histogram (written by an older callsim?): run it again to merge it", name(i), k)
			}
			want := HistogramSettings{LowestUs: h.LowestTrackableValue(), HighestUs: h.HighestTrackableValue(), SignificantFigures: int(h.SignificantFigures())}
			from, err := decodeHist(enc, want)
			if err != nil {
				return nil, fmt.Errorf("merge: %s: the media %s histogram: %w", name(i), k, err)
			}
			if dropped := h.Merge(from); dropped > 0 {
				return nil, fmt.Errorf("merge: %s: %d values of the media %s histogram out of range", name(i), dropped, k)
			}
		}
		agg.calls += md.Calls
		agg.sent += md.PacketsSent
		agg.recv += md.PacketsReceived
		agg.lost += md.PacketsLost
		agg.below += md.BelowMOS
		agg.oneWay += md.OneWayAudio
		agg.none += md.NoAudio
		agg.mosSum += md.MOS.Mean * float64(md.MOS.Count)
		agg.mosN += md.MOS.Count
		agg.lossSum += md.LossPct.Mean * float64(md.LossPct.Count)
		agg.jitSum += md.JitterMs.Mean * float64(md.JitterMs.Count)
		agg.gapSum += md.MaxGapMs.Mean * float64(md.MaxGapMs.Count)
		agg.sdpErrors.Add(md.SDPErrors)
		agg.portErrors.Add(md.PortErrors)
	}
	s := agg.summary()
	for _, r := range rs {
		s.SchedulerLate += r.Media.SchedulerLate
		s.Unclaimed += r.Media.Unclaimed
	}
	return s, nil
}

// checkHistHeader reads the header of a V2 compressed HdrHistogram
// encoding and checks, before the histogram is allocated, that its
// settings are want's and that its payload decompresses to no more than a
// histogram of those settings can hold (a compressed payload can expand a
// thousandfold).
func checkHistHeader(raw []byte, want HistogramSettings) error {
	n := int64(int32(binary.BigEndian.Uint32(raw[4:8])))
	if n < 0 || n > int64(len(raw)-8) {
		return fmt.Errorf("corrupt HdrHistogram encoding (a compressed length of %d in %d bytes)", n, len(raw)-8)
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8 : 8+n]))
	if err != nil {
		return fmt.Errorf("corrupt HdrHistogram encoding: %w", err)
	}
	defer z.Close()
	var hdr [40]byte
	if _, err := io.ReadFull(z, hdr[:]); err != nil {
		return fmt.Errorf("corrupt HdrHistogram encoding (short header): %w", err)
	}
	got := HistogramSettings{
		SignificantFigures: int(int32(binary.BigEndian.Uint32(hdr[12:16]))),
		LowestUs:           int64(binary.BigEndian.Uint64(hdr[16:24])),
		HighestUs:          int64(binary.BigEndian.Uint64(hdr[24:32])),
	}
	if got != want {
		return fmt.Errorf("recorded with %s, the file declares %s", got, want)
	}
	// Each count takes at most 9 bytes (a zig-zag LEB128 varint).
	limit := 9 * (hdrhistogram.New(want.LowestUs, want.HighestUs, want.SignificantFigures).ByteSize()/8 + 1)
	payload := int64(int32(binary.BigEndian.Uint32(hdr[4:8])))
	if payload < 0 || payload > int64(limit) {
		return fmt.Errorf("corrupt HdrHistogram encoding (a payload of %d bytes for a histogram of at most %d)", payload, limit)
	}
	m, err := io.Copy(io.Discard, io.LimitReader(z, int64(limit)+1))
	if err != nil {
		return fmt.Errorf("corrupt HdrHistogram encoding: %w", err)
	}
	if m > int64(limit) {
		return fmt.Errorf("corrupt HdrHistogram encoding (it expands past the %d bytes a histogram of its settings holds)", limit)
	}
	return nil
}
