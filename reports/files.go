package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/callsim/callsim/audit"
	"github.com/callsim/callsim/claim"
	"github.com/callsim/callsim/internal/atomicfile"
	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/internal/jsonout"
	"github.com/callsim/callsim/loadresult"
	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/wfm"
)

// File names written by WriteSimulateFiles and WriteCompareFiles.
const (
	FileHTML      = "report.html"
	FileMarkdown  = "report.md"
	FileJSON      = "result.json"
	FileIntervals = "intervals.csv"
	FileQueues    = "queues.csv"
	FileGroups    = "groups.csv"
	FileVariants  = "variants.csv"
)

// WriteJSON writes v as indented JSON, as the CLI's --json does.
func WriteJSON(w io.Writer, v any) error {
	if err := jsonout.Encode(w, v); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	return nil
}

// fileJob is one file of a report directory.
type fileJob struct {
	name  string
	write func(w io.Writer) error
}

// WriteSimulateFiles writes the report of a simulation into dir (created
// when missing): report.html, report.md, result.json, intervals.csv,
// queues.csv and groups.csv. Each file is written to a temporary file in
// dir and renamed into place, so a reader never sees half a file. It
// returns the paths written.
func WriteSimulateFiles(dir string, r *sim.Result) ([]string, error) {
	return writeFiles(dir, []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteSimulateHTML(w, r) }},
		{FileMarkdown, func(w io.Writer) error { return WriteSimulateMarkdown(w, r) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, r) }},
		{FileIntervals, func(w io.Writer) error { return WriteIntervalsCSV(w, r) }},
		{FileQueues, func(w io.Writer) error { return WriteQueuesCSV(w, r) }},
		{FileGroups, func(w io.Writer) error { return WriteGroupsCSV(w, r) }},
	})
}

// WriteCompareFiles writes the report of a comparison into dir (created
// when missing): report.html, report.md, result.json, variants.csv,
// queues.csv and groups.csv (a row per variant and queue or group), and
// intervals.csv when the variants carry their intervals (every comparison
// but those saved by callsim before they were in its JSON). Files are written atomically, as
// by WriteSimulateFiles. It returns the paths written.
func WriteCompareFiles(dir string, c *sim.Comparison) ([]string, error) {
	jobs := []fileJob{
		{FileHTML, func(w io.Writer) error { return WriteCompareHTML(w, c) }},
		{FileMarkdown, func(w io.Writer) error { return WriteCompareMarkdown(w, c) }},
		{FileJSON, func(w io.Writer) error { return WriteJSON(w, c) }},
		{FileVariants, func(w io.Writer) error { return WriteVariantsCSV(w, c) }},
		{FileQueues, func(w io.Writer) error { return WriteCompareQueuesCSV(w, c) }},
		{FileGroups, func(w io.Writer) error { return WriteCompareGroupsCSV(w, c) }},
	}
	if hasIntervals(c) {
		jobs = append(jobs, fileJob{FileIntervals, func(w io.Writer) error { return WriteCompareIntervalsCSV(w, c) }})
	}
	return writeFiles(dir, jobs)
}

func writeFiles(dir string, jobs []fileJob) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create report directory %s: %w", dir, err)
	}
	var paths []string
	for _, j := range jobs {
		var b bytes.Buffer
		if err := j.write(&b); err != nil {
			return paths, fmt.Errorf("render %s: %w", j.name, err)
		}
		p := filepath.Join(dir, j.name)
		if err := WriteFileAtomic(p, b.Bytes()); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// WriteFileAtomic writes data to a temporary file in path's directory and
// renames it to path, so that path holds either its old or its new
// content, never a part (see package internal/atomicfile).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.WriteFile(path, data) }

// Kind says what a result file holds.
type Kind string

// Kinds of result files.
const (
	KindSimulate Kind = "simulate"
	KindCompare  Kind = "compare"
	KindLoad     Kind = "load"
	KindStaff    Kind = "staff"
	KindSweep    Kind = "sweep"
	KindOptimize Kind = "optimize"
)

// Saved is a result read back from a JSON file: exactly one of Result,
// Comparison, Load, Staff and Sweep is set, as Kind says.
type Saved struct {
	Path       string
	Kind       Kind
	Result     *sim.Result
	Comparison *sim.Comparison
	Load       *loadresult.Result
	Staff      *wfm.StaffPlan
	Sweep      *wfm.SweepResult
	Optimize   *optimize.Result
	Claim      *claim.Report
	Audit      *audit.Report
}

// ErrUnknownResult is returned for JSON that is not a callsim result.
var ErrUnknownResult = errors.New("not a callsim result (a simulate result has \"kpis\", a compare result \"variants\", a load result \"attempted\", a staffing plan \"queues\" and \"verified\", a sweep \"axes\" and \"points\", an optimization \"strategies\" and \"best\", a claim check \"claim\" and \"lines\", an audit \"audit\", \"intervals\" and \"day\")")

// DecodeResult decodes a simulate result (--json of callsim simulate), a
// comparison (of callsim compare), a load test (of callsim load), a
// staffing plan (of callsim staff) or a sweep (of callsim sweep), telling
// them apart by their keys: a comparison has "variants", a sweep "axes"
// and "points", a simulation "kpis", a load test "attempted", a staffing
// plan "queues" and "verified".
func DecodeResult(data []byte) (*Saved, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return nil, fmt.Errorf("not JSON of a callsim result: %w", err)
	}
	switch {
	case keys["measurement"] != nil && keys["kpis"] != nil:
		return nil, errors.New("a callsim verify report: callsim report does not render those (callsim verify prints its own summary)")
	case keys["audit"] != nil && keys["intervals"] != nil && keys["day"] != nil:
		return decodeAudit(data)
	case keys["claim"] != nil && keys["lines"] != nil:
		return decodeClaim(data, keys)
	case keys["strategies"] != nil && keys["best"] != nil && keys["recommendation"] != nil:
		var r optimize.Result
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("optimize result: %w", err)
		}
		return &Saved{Kind: KindOptimize, Optimize: &r}, nil
	case keys["axes"] != nil && keys["points"] != nil:
		var r wfm.SweepResult
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("sweep result: %w", err)
		}
		return &Saved{Kind: KindSweep, Sweep: &r}, nil
	case keys["variants"] != nil:
		var c sim.Comparison
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("compare result: %w", err)
		}
		return &Saved{Kind: KindCompare, Comparison: &c}, nil
	case keys["kpis"] != nil:
		var r sim.Result
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("simulate result: %w", err)
		}
		return &Saved{Kind: KindSimulate, Result: &r}, nil
	case keys["attempted"] != nil:
		r, err := loadresult.DecodeResult(data)
		if err != nil {
			return nil, fmt.Errorf("load result: %w", err)
		}
		return &Saved{Kind: KindLoad, Load: r}, nil
	case keys["queues"] != nil && keys["verified"] != nil:
		var p wfm.StaffPlan
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, fmt.Errorf("staffing plan: %w", err)
		}
		return &Saved{Kind: KindStaff, Staff: &p}, nil
	}
	return nil, ErrUnknownResult
}

// ReadResult reads and decodes a result file (a regular file of at most
// inputfile.Result's limit, 32 MB); errors name the file.
func ReadResult(path string) (*Saved, error) {
	data, err := inputfile.Read(context.Background(), path, inputfile.Result, nil)
	if err != nil {
		return nil, err
	}
	s, err := DecodeResult(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.Path = path
	return s, nil
}
