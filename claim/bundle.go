package claim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/callsim/callsim/internal/atomicfile"
	"github.com/callsim/callsim/judge"
)

// Format names the bundle layout (run.json and manifest.json).
const Format = "callsim-claim-evidence/1"

// The files of an evidence bundle.
const (
	FileClaim      = "claim.yaml"      // the claim as given, byte for byte
	FileRun        = "run.json"        // Run: version, command line, seed, times, setups
	FileCalls      = "calls.csv"       // every call, with its claim line and step
	FileHistograms = "histograms.json" // HDR histograms per line and step
	FileSeries     = "series.csv"      // per-second series per line
	FileVerdicts   = "verdicts.json"   // Report: the verdicts, their method and numbers
	FileReport     = "report.html"     // for a buyer to read
	FileManifest   = "manifest.json"   // SHA-256 of every other file
)

// bundleFiles are the files a bundle holds besides the manifest, in order.
var bundleFiles = []string{FileClaim, FileRun, FileCalls, FileHistograms, FileSeries, FileVerdicts, FileReport}

// Run is what the bundle says about the run (run.json).
type Run struct {
	Format      string    `json:"format"`
	Version     string    `json:"callsim_version"`
	CommandLine []string  `json:"command_line"`
	ClaimFile   string    `json:"claim_file"`
	Seed        uint64    `json:"seed"`
	StartedAt   time.Time `json:"started_at"`
	EndedAt     time.Time `json:"ended_at"`
	Confidence  float64   `json:"confidence"`
	// StepSeconds and HoldSeconds: wall time of each ramp step below 100%,
	// and at the claimed load.
	StepSeconds float64 `json:"step_seconds"`
	HoldSeconds float64 `json:"hold_seconds"`
	Setups      []Setup `json:"setups"`
}

// Manifest lists every file of a bundle with its size and SHA-256.
type Manifest struct {
	Format string         `json:"format"`
	Files  []ManifestFile `json:"files"`
}

// ManifestFile is one file of the manifest.
type ManifestFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Bundle is what WriteBundle writes.
type Bundle struct {
	Run    Run
	Claim  []byte // the claim file as given
	Calls  []Call
	Report *Report
	// HTML is the report for a buyer (rendered by package reports).
	HTML []byte
}

// WriteBundle writes the evidence bundle into dir (created if need be; a
// directory holding other files than a bundle's is refused) and returns
// the SHA-256 of its manifest, which names the bundle. Each file is written
// atomically, the manifest last.
func WriteBundle(dir string, b *Bundle) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("evidence directory: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("evidence directory: %w", err)
	}
	for _, e := range ents {
		if !slices.Contains(bundleFiles, e.Name()) && e.Name() != FileManifest {
			return "", fmt.Errorf("evidence directory %s holds %s, not a file of a bundle: give an empty or new directory", dir, e.Name())
		}
	}
	hists, err := BuildHistograms(b.Run.Setups, b.Calls)
	if err != nil {
		return "", err
	}
	var calls, series bytes.Buffer
	if err := WriteCalls(&calls, b.Calls); err != nil {
		return "", err
	}
	if err := WriteSeries(&series, Series(b.Run.Setups, b.Calls)); err != nil {
		return "", err
	}
	run := b.Run
	run.Format = Format
	contents := map[string][]byte{FileClaim: b.Claim, FileCalls: calls.Bytes(), FileSeries: series.Bytes(), FileReport: b.HTML}
	for name, v := range map[string]any{FileRun: run, FileHistograms: hists, FileVerdicts: b.Report} {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		contents[name] = append(data, '\n')
	}
	m := Manifest{Format: Format}
	for _, name := range bundleFiles {
		data := contents[name]
		if err := atomicfile.WriteFile(filepath.Join(dir, name), data); err != nil {
			return "", fmt.Errorf("writing %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		m.Files = append(m.Files, ManifestFile{Name: name, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	data = append(data, '\n')
	if err := atomicfile.WriteFile(filepath.Join(dir, FileManifest), data); err != nil {
		return "", fmt.Errorf("writing %s: %w", FileManifest, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// Problem is one thing wrong with a bundle, in the file it names.
type Problem struct {
	File string `json:"file"`
	Msg  string `json:"problem"`
}

func (p Problem) String() string { return p.File + ": " + p.Msg }

// CheckResult is the outcome of CheckBundle.
type CheckResult struct {
	Dir string `json:"dir"`
	// Digest is the SHA-256 of manifest.json (the bundle's name).
	Digest string `json:"digest"`
	// Intact: every file is there, as its hash in the manifest says, and
	// no other; Reproduced: the verdicts, histograms, series and steps
	// computed again from the calls alone are those stored.
	Intact     bool      `json:"intact"`
	Reproduced bool      `json:"reproduced"`
	Problems   []Problem `json:"problems"`
	Run        *Run      `json:"run,omitempty"`
	// Report is the verdict computed again from the calls.
	Report *Report `json:"report,omitempty"`
}

// File size bounds for reading a bundle.
const (
	maxSmallFile = 1 << 20   // claim.yaml, manifest.json
	maxJSONFile  = 256 << 20 // run.json, verdicts.json, histograms.json
)

// CheckBundle checks the bundle in dir: the manifest's hashes, then every
// verdict computed again from the raw calls, the histograms and the series.
// The error is about reading the bundle at all (no directory, no
// manifest); anything wrong inside is a Problem.
func CheckBundle(dir string) (*CheckResult, error) {
	res := &CheckResult{Dir: dir, Intact: true, Reproduced: true, Problems: []Problem{}}
	mdata, err := readBounded(filepath.Join(dir, FileManifest), maxSmallFile)
	if err != nil {
		return nil, fmt.Errorf("%s: no evidence bundle: %w", dir, err)
	}
	sum := sha256.Sum256(mdata)
	res.Digest = hex.EncodeToString(sum[:])
	var m Manifest
	if err := strictJSON(mdata, &m); err != nil || m.Format != Format {
		return nil, fmt.Errorf("%s: %s is not a claim evidence manifest (want format %q): %v", dir, FileManifest, Format, err)
	}
	broken := func(file, f string, a ...any) {
		res.Intact = false
		for _, p := range res.Problems {
			if p.File == file && file != FileManifest {
				return // one problem a file: the first says it
			}
		}
		res.Problems = append(res.Problems, Problem{file, fmt.Sprintf(f, a...)})
	}
	differs := func(file, f string, a ...any) {
		res.Reproduced = false
		res.Problems = append(res.Problems, Problem{file, fmt.Sprintf(f, a...)})
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		if listed[f.Name] || !slices.Contains(bundleFiles, f.Name) {
			broken(FileManifest, "lists %q twice or a file that is not part of a bundle", f.Name)
			continue
		}
		listed[f.Name] = true
		n, h, err := hashFile(filepath.Join(dir, f.Name))
		switch {
		case err != nil:
			broken(f.Name, "cannot be read: %v", err)
		case h != f.SHA256:
			broken(f.Name, "SHA-256 %s, the manifest says %s: the file or its hash in manifest.json was changed (the manifest's own SHA-256, sent with the bundle, tells which)", h, f.SHA256)
		case n != f.Bytes:
			broken(f.Name, "%d bytes, the manifest says %d", n, f.Bytes)
		}
	}
	for _, name := range bundleFiles {
		if !listed[name] {
			broken(FileManifest, "does not list %s", name)
		}
	}
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if !slices.Contains(bundleFiles, e.Name()) && e.Name() != FileManifest {
				broken(e.Name(), "is not part of the bundle (not in the manifest)")
			}
		}
	}

	// Compute everything again from the raw calls.
	cdata, err := readBounded(filepath.Join(dir, FileClaim), maxSmallFile)
	if err != nil {
		broken(FileClaim, "%v", err)
		return res, nil
	}
	cl, err := Parse(FileClaim, cdata)
	if err != nil {
		differs(FileClaim, "%v", err)
		return res, nil
	}
	var run Run
	if data, err := readBounded(filepath.Join(dir, FileRun), maxJSONFile); err != nil {
		broken(FileRun, "%v", err)
		return res, nil
	} else if err := strictJSON(data, &run); err != nil {
		differs(FileRun, "not a run description: %v", err)
		return res, nil
	}
	res.Run = &run
	cl.Source = run.ClaimFile
	if msg := checkSetups(cl, run.Setups); msg != "" {
		differs(FileRun, "%s", msg)
		return res, nil
	}
	f, err := os.Open(filepath.Join(dir, FileCalls))
	if err != nil {
		broken(FileCalls, "%v", err)
		return res, nil
	}
	calls, err := ReadCalls(FileCalls, f)
	f.Close()
	if err != nil {
		differs(FileCalls, "%v", err)
		return res, nil
	}
	for i := range calls {
		c := &calls[i]
		s := setupOf(run.Setups, c.Line)
		if s == nil {
			differs(FileCalls, "line %d: a %s call, but the run tested no %s line", i+2, c.Line, c.Line)
			return res, nil
		}
		if k := s.StepOf(c.IntendedStart); k != c.Step {
			differs(FileCalls, "line %d: call %s is in step %d, but its intended start %s falls in step %d", i+2, c.CallID, c.Step,
				c.IntendedStart.Format(time.RFC3339Nano), k)
		}
	}
	rep := Judge(cl, run.Setups, calls, run.Confidence)
	res.Report = rep
	var stored Report
	if data, err := readBounded(filepath.Join(dir, FileVerdicts), maxJSONFile); err != nil {
		broken(FileVerdicts, "%v", err)
	} else if err := strictJSON(data, &stored); err != nil {
		differs(FileVerdicts, "not a claim report: %v", err)
	} else if msg := diffReports(&stored, rep); msg != "" {
		differs(FileVerdicts, "%s", msg)
	}
	hists, err := BuildHistograms(run.Setups, calls)
	if err != nil {
		return nil, err
	}
	var storedH Histograms
	if data, err := readBounded(filepath.Join(dir, FileHistograms), maxJSONFile); err != nil {
		broken(FileHistograms, "%v", err)
	} else if err := strictJSON(data, &storedH); err != nil {
		differs(FileHistograms, "not histograms: %v", err)
	} else if msg := sameHistograms(&storedH, hists); msg != "" {
		differs(FileHistograms, "%s", msg)
	}
	var series bytes.Buffer
	if err := WriteSeries(&series, Series(run.Setups, calls)); err != nil {
		return nil, err
	}
	if data, err := readBounded(filepath.Join(dir, FileSeries), maxJSONFile); err != nil {
		broken(FileSeries, "%v", err)
	} else if !bytes.Equal(data, series.Bytes()) {
		differs(FileSeries, "%s", firstLineDiff(data, series.Bytes()))
	}
	return res, nil
}

func setupOf(ss []Setup, line string) *Setup {
	for i := range ss {
		if ss[i].Line == line {
			return &ss[i]
		}
	}
	return nil
}

// checkSetups reports what makes the setups unusable with the claim.
func checkSetups(cl *Claim, ss []Setup) string {
	for _, s := range ss {
		if (s.Line == "capacity" && cl.Capacity == nil) || (s.Line == "service" && cl.Service == nil) || (s.Line != "capacity" && s.Line != "service") {
			return fmt.Sprintf("a %q line was tested, the claim has none", s.Line)
		}
		if len(s.Steps) == 0 || len(s.Steps) > 100 {
			return fmt.Sprintf("the %s line has %d steps", s.Line, len(s.Steps))
		}
		if s.TimeScale <= 0 {
			return fmt.Sprintf("the %s line's time scale %g is not positive", s.Line, s.TimeScale)
		}
	}
	return ""
}

// diffReports says how the stored report differs from the one computed
// again (empty: they are the same).
func diffReports(stored, again *Report) string {
	a, _ := json.Marshal(stored)
	b, _ := json.Marshal(again)
	if bytes.Equal(a, b) {
		return ""
	}
	if stored.Outcome != again.Outcome {
		return fmt.Sprintf("the verdict is %s, the calls give %s", orNone(stored.Outcome), orNone(again.Outcome))
	}
	if len(stored.Lines) != len(again.Lines) {
		return fmt.Sprintf("%d lines, the calls give %d", len(stored.Lines), len(again.Lines))
	}
	for i := range again.Lines {
		x, y := stored.Lines[i], again.Lines[i]
		name := fmt.Sprintf("%s (line %d)", y.Line, y.FileLine)
		if x.Outcome != y.Outcome {
			return fmt.Sprintf("%s: the verdict is %s, the calls give %s", name, orNone(x.Outcome), orNone(y.Outcome))
		}
		if len(x.Checks) == len(y.Checks) {
			for j := range y.Checks {
				if x.Checks[j].Outcome != y.Checks[j].Outcome || x.Checks[j].Measured != y.Checks[j].Measured {
					return fmt.Sprintf("%s, %s: %s (%s), the calls give %s (%s)", name, y.Checks[j].Name, x.Checks[j].Measured,
						x.Checks[j].Outcome, y.Checks[j].Measured, y.Checks[j].Outcome)
				}
			}
		}
		xa, _ := json.Marshal(x)
		ya, _ := json.Marshal(y)
		if !bytes.Equal(xa, ya) {
			return fmt.Sprintf("%s: the figures differ from those the calls give", name)
		}
	}
	return "the report differs from the one the calls give"
}

func orNone(o judge.Outcome) string {
	if o == "" {
		return "none"
	}
	return string(o)
}

func firstLineDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(la), len(lb)) {
		if i >= len(la) || i >= len(lb) || la[i] != lb[i] {
			return fmt.Sprintf("line %d differs from the series the calls give", i+1)
		}
	}
	return "differs from the series the calls give"
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// strictJSON decodes one JSON value with no unknown fields.
func strictJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// SortCalls orders calls as a bundle holds them: by line (the claim's
// order: capacity, then service), then intended start.
func SortCalls(calls []Call) {
	sort.SliceStable(calls, func(i, j int) bool {
		if calls[i].Line != calls[j].Line {
			return calls[i].Line < calls[j].Line
		}
		return calls[i].IntendedStart.Before(calls[j].IntendedStart)
	})
}
