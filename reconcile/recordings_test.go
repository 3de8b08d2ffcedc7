package reconcile

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recordingsDir writes 8 kHz µ-law recordings of the given durations, named
// CALL-ID.wav, and whatever else is in extra (name -> content).
func recordingsDir(t *testing.T, secs map[string]float64, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for id, s := range secs {
		if err := os.WriteFile(filepath.Join(dir, id+".wav"), wavFile(wavMuLaw, 1, 8000, 8, s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, c := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The billing of TestPlantedRecordings: testdata/billing.csv (our calls a1,
// a2, a4 by start time, and the 10:15 line no call is behind) plus three
// calls of the vendor's other callers, which our CDR cannot know: c1 (its
// recording backs it), c2 (billed 300 s, recorded 100 s: cut short) and c3
// (billed 60 s, no call and no recording).
const plantedBilling = `Call-ID,Caller,Start_Time,BillSec,Rate
a1,+4930111,2026-11-23 09:00:02.010,61,0.05
a2,+4930112,2026-11-23 09:00:11.010,95,0.05
,+4930114,2026-11-23T09:00:33.4Z,90,0.05
,+4930199,2026-11-23T10:15:00Z,120,0.05
c1,+4930500,2026-11-23 11:00:00,120,0.05
c2,+4930501,2026-11-23 11:05:00,300,0.05
c3,+4930502,2026-11-23 11:10:00,60,0.05
`

// TestPlantedRecordings: each planted case is found, with its amount.
//   - a1: billed 61 s, measured 61 s, recorded 61 s: nothing.
//   - a2: billed 95 s for a 30.5 s call (our CDR: disputed 64 s, as
//     without recordings), recorded 20 s: listed as cut short.
//   - a3: answered (45 s), not billed, no recording: a missing recording.
//   - a4: billed by start time only; its recording is found by the call
//     id of the CDR call it matched: 90 s, nothing.
//   - the 10:15 line: no call, no recording: disputed in full (120 s).
//   - c1: no call of ours, recorded 120 s: backed, nothing disputed.
//   - c2: no call of ours, recorded 100 s of 300 s billed: 200 s disputed.
//   - c3: no call of ours and no recording: billed without a call, 60 s.
//   - x9.wav: a recording nobody billed; bad.wav: not a WAV file.
//
// Disputed: 64 + 120 + 200 + 60 = 444 s, at 0.05 a minute 0.37.
func TestPlantedRecordings(t *testing.T) {
	calls, _ := load(t)
	billed, err := ParseBilling("billing.csv", strings.NewReader(plantedBilling))
	if err != nil {
		t.Fatal(err)
	}
	dir := recordingsDir(t, map[string]float64{"a1": 61, "a2": 20, "a4": 90, "c1": 120, "c2": 100, "x9": 5},
		map[string]string{"bad.wav": "ID3 not audio at all", "notes.txt": "ignored"})
	recs, err := LoadRecordings(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 {
		t.Fatalf("%d recordings, want 7 (six WAV files and bad.wav)", len(recs))
	}
	r, err := Compare(calls, billed, Options{Tolerance: time.Second, Recordings: recs})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ls []Line) string {
		var out []string
		for _, l := range ls {
			out = append(out, firstNonEmpty(l.CallID, l.Caller))
		}
		return strings.Join(out, " ")
	}
	if got := ids(r.OverBilled); got != "a2" || r.OverBilled[0].DisputedSeconds != 64 {
		t.Errorf("over-billed %s (%+v), want a2 by 64 s", got, r.OverBilled)
	}
	if got := ids(r.RecordingShort); got != "a2 c2" || r.RecordingShort[0].DisputedSeconds != 0 || r.RecordingShort[1].DisputedSeconds != 200 ||
		math.Abs(r.RecordingShort[1].DisputedAmount-200.0/60*0.05) > 1e-12 {
		t.Errorf("recordings short: %s %+v; want a2 (a finding: our CDR governs) and c2 by 200 s", got, r.RecordingShort)
	}
	if got := ids(r.MissingRecordings); got != "a3" {
		t.Errorf("missing recordings %s, want a3", got)
	}
	if got := ids(r.BilledNotPlaced); got != "+4930199 c3" || r.BilledNotPlaced[1].DisputedSeconds != 60 ||
		!strings.Contains(r.BilledNotPlaced[1].Reason, "no recording") {
		t.Errorf("billed, no call and no recording: %s %+v", got, r.BilledNotPlaced)
	}
	if got := ids(r.BilledRecorded); got != "c1 c2" || r.BilledRecorded[0].DisputedSeconds != 0 || *r.BilledRecorded[0].RecordedSeconds != 120 {
		t.Errorf("billed and recorded: %s %+v", got, r.BilledRecorded)
	}
	if len(r.RecordingsNotBilled) != 1 || r.RecordingsNotBilled[0].CallID != "x9" ||
		len(r.UnreadableRecordings) != 1 || !strings.Contains(r.UnreadableRecordings[0].Error, "not a WAV file") {
		t.Errorf("not billed %+v, unreadable %+v", r.RecordingsNotBilled, r.UnreadableRecordings)
	}
	for _, l := range r.Calls {
		if l.CallID == "a4" && (l.RecordedSeconds == nil || *l.RecordedSeconds != 90) {
			t.Errorf("a4: recording %v, want 90 s found by the CDR's call id", l.RecordedSeconds)
		}
	}
	if math.Abs(r.DisputedSeconds-444) > 1e-9 || math.Abs(r.DisputedAmount-444.0/60*0.05) > 1e-9 {
		t.Errorf("disputed %v s, %v; want 444 s, %v", r.DisputedSeconds, r.DisputedAmount, 444.0/60*0.05)
	}
	if r.Recordings != 7 || math.Abs(r.RecordedSeconds-396) > 1e-9 || r.BilledWithoutRecordingSeconds != 180 {
		t.Errorf("recordings %d, %v s recorded, %v s billed without one; want 7, 396, 180", r.Recordings, r.RecordedSeconds, r.BilledWithoutRecordingSeconds)
	}
}

// TestRecordingsManifest: a manifest CSV names the recordings (any file
// names); its errors name the file and line, and a path outside its
// directory is refused.
func TestRecordingsManifest(t *testing.T) {
	dir := recordingsDir(t, map[string]float64{"rec-0001": 61, "rec-0002": 30}, map[string]string{
		ManifestName: "Call-ID,File\na1,rec-0001.wav\na2,rec-0002.wav\n"})
	recs, err := LoadRecordings(context.Background(), dir)
	if err != nil || len(recs) != 2 || recs[0].CallID != "a1" || recs[0].Seconds != 61 || recs[1].Seconds != 30 {
		t.Fatalf("%+v, %v", recs, err)
	}
	if recs, err = LoadRecordings(context.Background(), filepath.Join(dir, ManifestName)); err != nil || len(recs) != 2 {
		t.Errorf("the manifest as the path: %+v, %v", recs, err)
	}
	for _, tt := range []struct{ manifest, want string }{
		{"call_id\na1\n", "no file column"},
		{"call_id,file\na1,\n", "manifest.csv:2: want both"},
		{"call_id,file\na1,../../etc/passwd\n", "inside the manifest's directory"},
		{"call_id,file\na1,rec-0001.wav\na1,rec-0002.wav\n", `call "a1" has two recordings`},
	} {
		d := recordingsDir(t, map[string]float64{"rec-0001": 1, "rec-0002": 1}, map[string]string{ManifestName: tt.manifest})
		if _, err := LoadRecordings(context.Background(), d); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.manifest, err, tt.want)
		}
	}
	if _, err := LoadRecordings(context.Background(), t.TempDir()); err == nil || !strings.Contains(err.Error(), "no .wav files") {
		t.Errorf("empty directory: %v", err)
	}
}
