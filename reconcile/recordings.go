package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Recording is one call recording and the duration its WAV header gives.
type Recording struct {
	CallID  string  `json:"call_id"`
	File    string  `json:"file"`
	Seconds float64 `json:"seconds"`
	// Error: the file could not be read as a WAV file (it then has no
	// duration and backs no billed time).
	Error     string `json:"error,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// ManifestName is the file in a recordings directory that, when present,
// lists the recordings instead of their names.
const ManifestName = "manifest.csv"

// maxRecordings bounds a recordings directory or manifest.
const maxRecordings = 1_000_000

// LoadRecordings reads the recordings at path: a directory of WAV files
// named by call id (CALL-ID.wav), or, when the directory holds
// manifest.csv or path is a CSV file itself, the recordings that manifest
// lists (columns call_id and file, the file relative to the manifest's
// directory; others ignored). Each file's duration comes from its WAV
// header (ReadWAV); a file that is not a WAV file is kept with its error.
func LoadRecordings(ctx context.Context, path string) ([]Recording, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var recs []Recording
	base := path
	switch {
	case !fi.IsDir():
		base = filepath.Dir(path)
		if recs, err = readRecordingManifest(path); err != nil {
			return nil, err
		}
	default:
		m := filepath.Join(path, ManifestName)
		if _, err := os.Stat(m); err == nil {
			if recs, err = readRecordingManifest(m); err != nil {
				return nil, err
			}
			break
		}
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || !strings.EqualFold(ext, ".wav") {
				continue
			}
			if len(recs) == maxRecordings {
				return nil, fmt.Errorf("%s: more than %d recordings", path, maxRecordings)
			}
			recs = append(recs, Recording{CallID: strings.TrimSuffix(e.Name(), ext), File: e.Name()})
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("%s: no .wav files and no %s: want recordings named CALL-ID.wav, or a manifest", path, ManifestName)
		}
	}
	seen := map[string]string{}
	for i := range recs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := &recs[i]
		if prev, dup := seen[r.CallID]; dup {
			return nil, fmt.Errorf("call %q has two recordings: %s and %s", r.CallID, prev, r.File)
		}
		seen[r.CallID] = r.File
		info, err := readWAVFile(filepath.Join(base, r.File))
		if err != nil {
			r.Error = err.Error()
			continue
		}
		r.Seconds, r.Truncated = info.Seconds, info.Truncated
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].CallID < recs[j].CallID })
	return recs, nil
}

func readWAVFile(path string) (WAVInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return WAVInfo{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return WAVInfo{}, err
	}
	if !fi.Mode().IsRegular() {
		return WAVInfo{}, fmt.Errorf("%s: not a regular file", path)
	}
	info, err := ReadWAV(f, fi.Size())
	if err != nil {
		return info, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return info, nil
}

func readRecordingManifest(path string) ([]Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := newReader(io.LimitReader(f, 256<<20))
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty; want a header line naming call_id and file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	idx := columns(header, map[string][]string{"call_id": {"call_id", "callid", "call-id", "sip_call_id"},
		"file": {"file", "path", "recording", "filename"}})
	if _, ok := idx["call_id"]; !ok {
		return nil, fmt.Errorf("%s:1: no call_id column (header %q)", path, strings.Join(header, ","))
	}
	if _, ok := idx["file"]; !ok {
		return nil, fmt.Errorf("%s:1: no file column (header %q)", path, strings.Join(header, ","))
	}
	var out []Recording
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		r := Recording{CallID: field(rec, idx, "call_id"), File: field(rec, idx, "file")}
		switch {
		case r.CallID == "" && r.File == "":
			continue
		case r.CallID == "" || r.File == "":
			return nil, fmt.Errorf("%s:%d: want both a call_id and a file", path, line)
		case filepath.IsAbs(r.File) || strings.HasPrefix(filepath.Clean(r.File), ".."):
			return nil, fmt.Errorf("%s:%d: file %q: want a path inside the manifest's directory", path, line, r.File)
		case len(out) == maxRecordings:
			return nil, fmt.Errorf("%s:%d: more than %d recordings", path, line, maxRecordings)
		}
		out = append(out, r)
	}
}

// recordingsPass sets the recordings beside the billed and measured
// durations (see the package documentation, Recordings).
func recordingsPass(rep *Report, calls []Call, billed []Billed, recs []Recording, tol, inc float64) {
	byID := map[string]*Recording{}
	for i := range recs {
		byID[recs[i].CallID] = &recs[i]
		if recs[i].Error != "" {
			rep.UnreadableRecordings = append(rep.UnreadableRecordings, recs[i])
		}
	}
	used := map[string]bool{}
	recorded := func(id string) (float64, bool) {
		r, ok := byID[id]
		if !ok || id == "" || r.Error != "" {
			return 0, false
		}
		used[id] = true
		return r.Seconds, true
	}
	rep.Recordings = len(recs)
	for _, r := range recs {
		rep.RecordedSeconds += r.Seconds
	}
	amount := func(sec, rate float64) float64 { return sec / 60 * rate }
	rateOf := map[int]float64{}
	for _, b := range billed {
		rateOf[b.Line] = b.Rate
	}
	// Matched calls: our CDR governs the dispute; the recording is set
	// beside it, and a missing or much shorter one is a finding.
	placedBilled := map[string]bool{}
	for i := range rep.Calls {
		l := &rep.Calls[i]
		placedBilled[l.CallID] = true
		if sec, ok := recorded(l.CallID); ok {
			l.RecordedSeconds = ptr(sec)
			rounded := math.Ceil(sec/inc-1e-9) * inc
			if short := l.BilledSeconds - rounded; short > tol {
				f := *l
				f.Reason = fmt.Sprintf("recorded %.1fs of the %.1fs billed (our CDR measured %.1fs)", sec, l.BilledSeconds, l.MeasuredSeconds)
				f.DisputedSeconds, f.DisputedAmount = 0, 0
				rep.RecordingShort = append(rep.RecordingShort, f)
			}
			continue
		}
		f := *l
		f.Reason = fmt.Sprintf("billed %.1fs and measured %.1fs, but no recording", l.BilledSeconds, l.MeasuredSeconds)
		f.DisputedSeconds, f.DisputedAmount = 0, 0
		rep.MissingRecordings = append(rep.MissingRecordings, f)
		rep.BilledWithoutRecordingSeconds += l.BilledSeconds
	}
	// Calls we placed and that were answered but not billed: the recording
	// is still owed.
	for _, l := range rep.PlacedNotBilled {
		if _, ok := recorded(l.CallID); !ok {
			f := l
			f.Reason = fmt.Sprintf("answered (%.1fs measured), not billed, and no recording", l.MeasuredSeconds)
			rep.MissingRecordings = append(rep.MissingRecordings, f)
		}
	}
	// Billed lines with no call of ours: a recording backs what it holds,
	// the rest is disputed; with no recording either, all of it (it stays
	// in BilledNotPlaced).
	var still []Line
	for _, l := range rep.BilledNotPlaced {
		rate := rateOf[l.BillingLine]
		sec, ok := recorded(l.CallID)
		if !ok {
			l.Reason = "billed, but no call was placed and there is no recording"
			if len(calls) == 0 {
				l.Reason = "billed, but there is no recording"
			}
			rep.BilledWithoutRecordingSeconds += l.BilledSeconds
			still = append(still, l)
			continue
		}
		rep.DisputedSeconds -= l.DisputedSeconds
		rep.DisputedAmount -= l.DisputedAmount
		l.RecordedSeconds = ptr(sec)
		l.DiffSeconds = l.BilledSeconds - sec
		rounded := math.Ceil(sec/inc-1e-9) * inc
		l.DisputedSeconds, l.DisputedAmount = 0, 0
		if over := l.BilledSeconds - rounded; over > tol {
			l.DisputedSeconds, l.DisputedAmount = over, amount(over, rate)
			l.Reason = fmt.Sprintf("recorded %.1fs of the %.1fs billed (%.0fs in %gs increments): the recording is much shorter", sec, l.BilledSeconds, rounded, inc)
			rep.RecordingShort = append(rep.RecordingShort, l)
		} else {
			l.Reason = "no call of ours; backed by its recording"
		}
		rep.DisputedSeconds += l.DisputedSeconds
		rep.DisputedAmount += l.DisputedAmount
		rep.BilledRecorded = append(rep.BilledRecorded, l)
	}
	rep.BilledNotPlaced = nonNil(still)
	for _, r := range recs {
		if !used[r.CallID] && r.Error == "" && !placedBilled[r.CallID] {
			rep.RecordingsNotBilled = append(rep.RecordingsNotBilled, r)
		}
	}
	// Clamp the float error of the subtraction above.
	if math.Abs(rep.DisputedSeconds) < 1e-9 {
		rep.DisputedSeconds = 0
	}
	if math.Abs(rep.DisputedAmount) < 1e-12 {
		rep.DisputedAmount = 0
	}
	rep.RecordingShort = nonNil(rep.RecordingShort)
	rep.MissingRecordings = nonNil(rep.MissingRecordings)
	rep.BilledRecorded = nonNil(rep.BilledRecorded)
	if rep.RecordingsNotBilled == nil {
		rep.RecordingsNotBilled = []Recording{}
	}
	if rep.UnreadableRecordings == nil {
		rep.UnreadableRecordings = []Recording{}
	}
}

func ptr(f float64) *float64 { return &f }

func nonNil(l []Line) []Line {
	if l == nil {
		return []Line{}
	}
	return l
}

// ErrNoEvidence is returned when neither a CDR nor recordings are given.
var ErrNoEvidence = errors.New("nothing to reconcile the billing against: give our CDR, the recordings, or both")
