package loadgen

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/callsim/callsim/media"
	"github.com/callsim/callsim/segment"
)

// schedule lists a pacer's intended starts.
func schedule(t *testing.T, p Pacer) []time.Duration {
	t.Helper()
	var out []time.Duration
	for n := uint64(0); n < 100000; n++ {
		at, ok := p.At(n)
		if !ok {
			return out
		}
		out = append(out, at)
	}
	t.Fatal("schedule does not end")
	return nil
}

func TestSegmentPacerUniformUnionIsWhole(t *testing.T) {
	stages := []Stage{{Duration: 2 * time.Second, Target: 50}, {Duration: 3 * time.Second, Target: 50}}
	for _, tc := range []struct {
		name     string
		rate     float64
		stages   []Stage
		duration time.Duration
		max      uint64
	}{
		{"rate and max-calls", 100, nil, time.Minute, 1001},
		{"rate and duration", 37, nil, 3 * time.Second, 0},
		{"stages", 0, stages, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole, err := NewPacer(tc.rate, tc.stages, "uniform", 1, tc.duration, tc.max)
			if err != nil {
				t.Fatal(err)
			}
			want := schedule(t, whole)
			for _, n := range []int{1, 3, 4} {
				var union []time.Duration
				for i := range n {
					p, err := NewSegmentPacer(tc.rate, tc.stages, "uniform", 1, tc.duration, tc.max, segment.Segment{Index: i, Count: n})
					if err != nil {
						t.Fatal(err)
					}
					got := schedule(t, p)
					// Segment i holds calls i, i+n, i+2n... of the whole schedule.
					for k, at := range got {
						if at != want[k*n+i] {
							t.Fatalf("%d/%d call %d at %v, whole call %d at %v", i, n, k, at, k*n+i, want[k*n+i])
						}
					}
					if tc.max > 0 && uint64(len(got)) != (segment.Segment{Index: i, Count: n}).Share(tc.max) {
						t.Errorf("%d/%d has %d calls, want its share of %d", i, n, len(got), tc.max)
					}
					union = append(union, got...)
				}
				slices.Sort(union)
				if !slices.Equal(union, want) {
					t.Fatalf("%d segments: union of %d calls differs from the whole run's %d", n, len(union), len(want))
				}
			}
		})
	}
}

func TestSegmentPacerPoisson(t *testing.T) {
	const n = 4
	total := 0
	firsts := map[time.Duration]bool{}
	for i := range n {
		p, err := NewSegmentPacer(400, nil, "poisson", 7, 50*time.Second, 0, segment.Segment{Index: i, Count: n})
		if err != nil {
			t.Fatal(err)
		}
		s := schedule(t, p)
		// Rate 100 each over 50 s: 5000 +- 71 (sd); 5 sd.
		if len(s) < 5000-355 || len(s) > 5000+355 {
			t.Errorf("segment %d planned %d calls, want about 5000 (rate/n)", i, len(s))
		}
		if firsts[s[0]] {
			t.Errorf("segment %d repeats another segment's first arrival: shared random stream", i)
		}
		firsts[s[0]] = true
		total += len(s)
	}
	if total < 20000-710 || total > 20000+710 {
		t.Errorf("segments planned %d calls, want about 20000", total)
	}
	// max-calls split exactly: 10 over 4 segments is 3, 3, 2, 2.
	var got []int
	for i := range n {
		p, _ := NewSegmentPacer(400, nil, "poisson", 7, time.Minute, 10, segment.Segment{Index: i, Count: n})
		got = append(got, len(schedule(t, p)))
	}
	if !slices.Equal(got, []int{3, 3, 2, 2}) {
		t.Errorf("10 calls in 4 Poisson segments: %v, want [3 3 2 2]", got)
	}
	// More segments than calls: the last segments have none.
	p, _ := NewSegmentPacer(400, nil, "poisson", 7, time.Minute, 2, segment.Segment{Index: 3, Count: 4})
	if len(schedule(t, p)) != 0 {
		t.Error("segment 3/4 of 2 calls has calls")
	}
	if _, err := NewSegmentPacer(400, nil, "poisson", 7, time.Minute, 2, segment.Segment{Index: 4, Count: 4}); err == nil {
		t.Error("segment 4/4 accepted")
	}
}

// synthetic builds a result from calls recorded by a collector, as Run does.
func synthetic(t *testing.T, start time.Time, seg segment.Segment, calls []fakeCall) *Result {
	t.Helper()
	c := newCollector(start, nil)
	c.media = newMediaAgg(DefaultMOSThreshold)
	for _, fc := range calls {
		at := start.Add(fc.at)
		fc.rec.IntendedStart, fc.rec.ActualStart = at, at.Add(fc.lag)
		c.started(at, at.Add(fc.lag), false)
		if fc.rec.AnswerDelay > 0 {
			c.answered(at.Add(fc.rec.AnswerDelay))
		}
		cr := &callResult{rec: fc.rec, srdWire: fc.rec.SRD, answerWire: fc.rec.AnswerDelay, byeOK: fc.byeOK, sdd: fc.sdd}
		c.finished(cr, at.Add(fc.rec.AnswerDelay+fc.rec.Duration))
	}
	r := c.result(start.Add(20 * time.Second))
	r.Mode = ModeCall
	r.Settings = Config{Target: "sip:support@127.0.0.1:5060", Mode: ModeCall, Rate: 100, Arrivals: "uniform",
		Duration: time.Minute, MaxCalls: 1000, Hold: Dist{Kind: DistConstant, Mean: time.Second}, Segment: seg,
		MOSThreshold: DefaultMOSThreshold}.Settings()
	r.TargetCPS = r.Settings.Rate / float64(seg.N())
	r.FinishIdentity()
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	return r
}

type fakeCall struct {
	at, lag time.Duration
	rec     CallRecord
	sdd     time.Duration
	byeOK   bool
}

func fakeCalls(n int, seed uint64) []fakeCall {
	rng := rand.New(rand.NewPCG(seed, 1))
	codes := []int{200, 200, 200, 200, 486, 503, 302, 0}
	var out []fakeCall
	for k := range n {
		fc := fakeCall{at: time.Duration(k) * 10 * time.Millisecond, lag: time.Duration(rng.IntN(3000)) * time.Microsecond}
		code := codes[rng.IntN(len(codes))]
		fc.rec.FinalStatus = code
		fc.rec.SRD = time.Duration(1+rng.ExpFloat64()*20e3) * time.Microsecond
		switch {
		case code == 200:
			fc.rec.Outcome = OutcomeCompleted
			fc.rec.AnswerDelay = fc.rec.SRD + time.Duration(rng.ExpFloat64()*200e3)*time.Microsecond
			fc.rec.Duration = time.Second + time.Duration(rng.IntN(1000))*time.Microsecond
			fc.byeOK = rng.IntN(10) > 0
			fc.sdd = time.Duration(1+rng.IntN(5000)) * time.Microsecond
			st := &media.Stats{Sent: 50, Received: uint64(40 + rng.IntN(11)), Expected: 50, JitterMs: rng.ExpFloat64() * 3,
				MaxGap: time.Duration(20+rng.IntN(200)) * time.Millisecond}
			st.ReceivedExpected, st.Lost = st.Received, 50-st.Received
			st.LossPct = float64(st.Lost) * 2
			if st.Received > 42 {
				st.MOS = 2.5 + 2*rng.Float64()
			}
			fc.rec.Media = st
		case code == 0:
			fc.rec.Outcome = OutcomeTimedOut
			fc.rec.SRD = 0
		default:
			fc.rec.Outcome = OutcomeFailed
		}
		out = append(out, fc)
	}
	return out
}

// TestMergeEqualsWhole: the calls of a run split over segments (call k in
// segment k mod n) merge into exactly the whole run's figures.
func TestMergeEqualsWhole(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	calls := fakeCalls(1000, 3)
	whole := synthetic(t, start, segment.Segment{}, calls)
	const n = 4
	var parts []*Result
	for i := range n {
		var mine []fakeCall
		for k, c := range calls {
			if k%n == i {
				mine = append(mine, c)
			}
		}
		// Segments start a few ms apart, as pods do.
		off := time.Duration(i) * 3 * time.Millisecond
		for j := range mine {
			mine[j].at -= off
		}
		parts = append(parts, synthetic(t, start.Add(off), segment.Segment{Index: i, Count: n}, mine))
	}
	// Order does not matter.
	m, err := Merge([]*Result{parts[2], parts[0], parts[3], parts[1]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Segments.Missing()) != 0 || !slices.Equal(m.Segments.Indexes, []int{0, 1, 2, 3}) {
		t.Errorf("segments %+v", m.Segments)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"attempted", m.Attempted, whole.Attempted}, {"completed", m.Completed, whole.Completed},
		{"failed", m.Failed, whole.Failed}, {"timed out", m.TimedOut, whole.TimedOut},
		{"bye failures", m.ByeFailures, whole.ByeFailures}, {"status codes", m.StatusCodes, whole.StatusCodes},
		{"srd", m.SRD, whole.SRD}, {"answer delay", m.AnswerDelay, whole.AnswerDelay}, {"sdd", m.SDD, whole.SDD},
		{"session", m.SessionDuration, whole.SessionDuration}, {"start lag", m.StartLag, whole.StartLag},
		{"srd wire", m.SRDWire, whole.SRDWire}, {"answer wire", m.AnswerWire, whole.AnswerWire},
		{"ser", m.SER, whole.SER}, {"seer", m.SEER, whole.SEER}, {"isa", m.ISA, whole.ISA}, {"scr", m.SCR, whole.SCR},
		{"achieved cps", m.AchievedCPS, whole.AchievedCPS}, {"target cps", m.TargetCPS, whole.TargetCPS},
		{"test id", m.TestID, whole.TestID}, {"histograms", m.Histograms, whole.Histograms},
		{"media histograms", m.Media.Histograms, whole.Media.Histograms},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("merged %s = %v, whole run %v", f.name, f.got, f.want)
		}
	}
	// Media: counters exact, quantiles exact, means up to rounding.
	mm, wm := *m.Media, *whole.Media
	if wm.Calls == 0 || wm.MOS.Count == 0 || wm.BelowMOS == 0 {
		t.Fatalf("no media in the test calls: %+v", wm)
	}
	for _, d := range []struct{ got, want *MediaDist }{{&mm.MOS, &wm.MOS}, {&mm.LossPct, &wm.LossPct}, {&mm.JitterMs, &wm.JitterMs}, {&mm.MaxGapMs, &wm.MaxGapMs}} {
		if math.Abs(d.got.Mean-d.want.Mean) > 1e-9*math.Abs(d.want.Mean) {
			t.Errorf("media mean %v, whole %v", d.got.Mean, d.want.Mean)
		}
		d.got.Mean = d.want.Mean
	}
	mm.Histograms, wm.Histograms = nil, nil
	if !reflect.DeepEqual(mm, wm) {
		t.Errorf("merged media %+v\nwhole run %+v", mm, wm)
	}
	var started, ws uint64
	for _, s := range m.Series {
		started += s.Started
	}
	for _, s := range whole.Series {
		ws += s.Started
	}
	if started != whole.Attempted || ws != whole.Attempted || len(m.Series) != len(whole.Series) {
		t.Errorf("series: merged %d seconds with %d starts, whole %d seconds with %d", len(m.Series), started, len(whole.Series), ws)
	}
	// Per-second setup delays: the same calls counted; the merged
	// percentiles bound the whole run's from above and say so.
	var set uint64
	for j, s := range m.Series {
		if j >= len(whole.Series) {
			break
		}
		w := whole.Series[j]
		set += s.SRDCalls
		if s.SRDCalls != w.SRDCalls || s.SRDCalls > 0 && !s.DelaysUpperBound {
			t.Errorf("second %d: merged %d setups (upper bound %v), whole run %d", j, s.SRDCalls, s.DelaysUpperBound, w.SRDCalls)
		}
		if s.SRDP50 < w.SRDP50 || s.SRDP95 < w.SRDP95 || s.SRDP99 < w.SRDP99 || s.AnswerP95 < w.AnswerP95 {
			t.Errorf("second %d: merged %+v below the whole run's %+v", j, s, w)
		}
	}
	if set == 0 || set != whole.SRD.Count {
		t.Errorf("series: %d setups, the SRD histogram %d", set, whole.SRD.Count)
	}
	// The merged result survives JSON and merges no further with a segment.
	b, _ := json.Marshal(m)
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge([]*Result{&back, parts[1]}, []string{"merged.json", "seg-1.json"}); err == nil ||
		!strings.Contains(err.Error(), "merged.json and seg-1.json both hold segment 1/4") {
		t.Errorf("merging a segment twice: %v", err)
	}
}

func TestMergeRefuses(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	mk := func(i, n int) *Result {
		return synthetic(t, start, segment.Segment{Index: i, Count: n}, fakeCalls(20, uint64(i)))
	}
	otherTarget := mk(1, 2)
	otherTarget.Settings.Target = "sip:sales@127.0.0.1:5070"
	otherTarget.FinishIdentity()

	otherHist := mk(1, 2)
	h := hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 2)
	_ = h.RecordValue(1000)
	enc, _ := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	for k := range otherHist.Histograms {
		otherHist.Histograms[k] = string(enc)
	}
	otherHist.HistogramSettings = HistogramSettings{LowestUs: 1, HighestUs: int64(time.Minute / time.Microsecond), SignificantFigures: 2}
	otherHist.FinishIdentity()

	lying := mk(1, 2) // declares the usual settings, holds other histograms
	for k := range lying.Histograms {
		lying.Histograms[k] = string(enc)
	}
	corrupt := mk(1, 2)
	corrupt.Histograms["srd"] = "HISTFAAAAAA="
	garbage := mk(1, 2)
	garbage.Histograms["srd"] = "not base64!"
	old := mk(1, 2)
	old.Histograms = nil
	noMedia := mk(1, 2)
	noMedia.Media = nil
	oldMedia := mk(1, 2)
	oldMedia.Media.Histograms = nil
	otherRate := mk(1, 2)
	otherRate.Settings.Rate = 200
	otherRate.FinishIdentity()

	for _, tc := range []struct {
		name string
		b    *Result
		want string
	}{
		{"different target", otherTarget, `a.json and b.json are not segments of the same test (target "sip:support@127.0.0.1:5060" against "sip:sales@127.0.0.1:5070")`},
		{"different rate", otherRate, "rate 100 against 200"},
		{"histogram settings", otherHist, "a.json and b.json record delays with incompatible histogram settings (1 us to 3600000000 us, 3 significant figures against 1 us to 60000000 us, 2 significant figures)"},
		{"histogram lies", lying, "b.json: the"},
		{"duplicate segment", mk(0, 2), "a.json and b.json both hold segment 0/2"},
		{"segment count", mk(1, 3), "a.json is split into 2 segments, b.json into 3"},
		{"corrupt histogram", corrupt, "b.json: the srd histogram"},
		{"not base64", garbage, "not base64"},
		{"no histograms", old, "b.json has no histograms"},
		{"media in one only", noMedia, "a.json has media figures but b.json has none"},
		{"media without histograms", oldMedia, "b.json has no media"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Merge([]*Result{mk(0, 2), tc.b}, []string{"a.json", "b.json"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Merge error %v, want %q", err, tc.want)
			}
		})
	}
	// A missing segment merges, and says so.
	m, err := Merge([]*Result{mk(0, 3), mk(2, 3)}, nil)
	if err != nil || !slices.Equal(m.Segments.Missing(), []int{1}) {
		t.Errorf("partial merge: %v, missing %v", err, m.Segments.Missing())
	}
}

// TestMergeRefusesBadInput: a series second out of place (a negative one
// once panicked with an index out of range) or past the run's end, counts
// and times that would allocate or overflow, segments that did not run
// together and non-finite numbers are errors naming the file, found before
// anything is allocated from them.
func TestMergeRefusesBadInput(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	mk := func(i int) *Result {
		return synthetic(t, start, segment.Segment{Index: i, Count: 2}, fakeCalls(20, uint64(i)))
	}
	for _, tc := range []struct {
		name string
		edit func(*Result)
		want string
	}{
		{"negative second", func(r *Result) { r.Series[1].T = -5 }, "b.json: series entry 1 is second -5, want 1"},
		{"far second", func(r *Result) { r.Series[len(r.Series)-1].T = 1e12 }, "is second 1000000000000"},
		{"longer than the run", func(r *Result) {
			for len(r.Series) < 40 {
				r.Series = append(r.Series, Second{T: len(r.Series)})
			}
		}, "the series has 40 seconds, the run lasted 20 s"},
		{"huge wall", func(r *Result) { r.WallSeconds = 1e308 }, "wall_seconds 1e+308 is not a duration"},
		{"negative wall", func(r *Result) { r.WallSeconds = -1 }, "wall_seconds -1 is not"},
		{"NaN wall", func(r *Result) { r.WallSeconds = math.NaN() }, "wall_seconds NaN is not"},
		{"segment count 1e15", func(r *Result) { r.Segments.Count = 1e15 }, "segments.count 1000000000000000: want 1 to 100000"},
		{"segment count -1", func(r *Result) { r.Segments.Count = -1 }, "segments.count -1: want 1 to"},
		{"no segment", func(r *Result) { r.Segments.Indexes = nil }, "segments.indexes holds 0 segments"},
		{"huge histograms", func(r *Result) {
			r.HistogramSettings = HistogramSettings{LowestUs: 1, HighestUs: 1 << 62, SignificantFigures: 5}
		}, "histogram_settings 1 us to 4611686018427387904 us, 5 significant figures: want"},
		{"counter overflow", func(r *Result) { r.Completed, r.Failed = math.MaxUint64, 1 }, "completed is 18446744073709551615, more than any run counts"},
		{"outcomes", func(r *Result) { r.Attempted++ }, "outcomes add up to"},
		{"started a year later", func(r *Result) { r.StartedAt = r.StartedAt.AddDate(1, 0, 0) }, "b.json started at 2027-11-23T12:00:00Z, 8759h59m40s after a.json had ended"},
		{"started an hour later", func(r *Result) { r.StartedAt = r.StartedAt.Add(time.Hour) }, "segments of one test run at the same time; start them together with --start-at"},
		{"no start", func(r *Result) { r.StartedAt = time.Time{} }, "started_at 0001-01-01T00:00:00Z is not when a run started"},
		{"NaN rate", func(r *Result) { r.TargetCPS = math.NaN() }, "target_cps NaN"},
		{"Inf delay", func(r *Result) { r.Series[0].SRDP99 = math.Inf(1) }, "series second 0: a delay of +Inf ms"},
		{"negative concurrency", func(r *Result) { r.Series[0].Concurrent = -3 }, "concurrent -3"},
		{"NaN MOS", func(r *Result) { r.Media.MOS.Mean = math.NaN() }, "media.mos.mean NaN"},
		{"calls backwards", func(r *Result) { r.LastCallAt = r.FirstCallAt.Add(-time.Second) }, "last_call_at"},
		{"histogram bomb", func(r *Result) { r.Histograms["srd"] = histBomb(t) }, "b.json: the srd histogram: corrupt HdrHistogram encoding (a payload of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mk(1)
			if len(b.Series) < 2 {
				t.Fatalf("series of %d seconds", len(b.Series))
			}
			tc.edit(b)
			_, err := Merge([]*Result{mk(0), b}, []string{"a.json", "b.json"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Merge error %v, want %q", err, tc.want)
			}
		})
	}
}

// histBomb is a histogram encoding with the usual settings whose payload
// claims, and decompresses to, 100 MB.
func histBomb(t *testing.T) string {
	t.Helper()
	var payload bytes.Buffer
	hdr := make([]byte, 40)
	binary.BigEndian.PutUint32(hdr[0:4], 0x1c849303) // V2 encoding cookie
	binary.BigEndian.PutUint32(hdr[4:8], 100<<20)
	binary.BigEndian.PutUint32(hdr[12:16], uint32(histSettings.SignificantFigures))
	binary.BigEndian.PutUint64(hdr[16:24], uint64(histSettings.LowestUs))
	binary.BigEndian.PutUint64(hdr[24:32], uint64(histSettings.HighestUs))
	payload.Write(hdr)
	payload.Write(make([]byte, 100<<20))
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(payload.Bytes())
	zw.Close()
	out := make([]byte, 8, 8+z.Len())
	binary.BigEndian.PutUint32(out[0:4], 0x1c849304) // V2 compressed cookie
	binary.BigEndian.PutUint32(out[4:8], uint32(z.Len()))
	out = append(out, z.Bytes()...)
	return base64.StdEncoding.EncodeToString(out)
}

// TestDecodeResultBoundsSeries: the series is checked while it is decoded,
// so a file cannot make it longer than the run it claims.
func TestDecodeResultBoundsSeries(t *testing.T) {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	r := synthetic(t, start, segment.Segment{Index: 0, Count: 1}, fakeCalls(20, 1))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeResult(b)
	if err != nil || !reflect.DeepEqual(back.Series, r.Series) || back.Attempted != r.Attempted {
		t.Fatalf("round trip: %v", err)
	}
	long := *r
	for len(long.Series) < 1000 {
		long.Series = append(long.Series, Second{T: len(long.Series)})
	}
	b, _ = json.Marshal(&long)
	if _, err := DecodeResult(b); err == nil || !strings.Contains(err.Error(), "the series has more than 22 seconds, the run lasted 20 s") {
		t.Errorf("long series: %v", err)
	}
	long.Series = []Second{{T: -5}}
	b, _ = json.Marshal(&long)
	if _, err := DecodeResult(b); err == nil || !strings.Contains(err.Error(), "series entry 0 is second -5") {
		t.Errorf("negative second: %v", err)
	}
}
