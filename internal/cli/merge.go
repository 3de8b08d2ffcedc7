package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/internal/jsonout"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/segment"
	"github.com/callsim/callsim/wfm"
)

// segmentFlags are the flags that split a command into execution segments.
type segmentFlags struct {
	spec    string // --segment i/n
	count   int    // --segments n (i from $JOB_COMPLETION_INDEX)
	startAt string // --start-at
}

// segmentHelp is added to the long help of the commands taking segmentFlags.
const segmentHelp = `
Beyond one machine: --segment i/n runs segment i (from 0) of n of the same
command, each instance computing its own share; --segments n takes i from
$` + segment.IndexEnv + ` (a Kubernetes Indexed Job). --start-at TIME (RFC 3339,
or +30s from now) waits until then so every instance starts together. Merge
the segments' JSON with "callsim report merge".`

func (s *segmentFlags) add(fl *pflag.FlagSet, what string) {
	fl.StringVar(&s.spec, "segment", "", "run segment INDEX/COUNT (from 0, e.g. 0/4) of "+what)
	fl.IntVar(&s.count, "segments", 0, "split into N segments, this one's index from $"+segment.IndexEnv+" (Kubernetes Indexed Job)")
	fl.StringVar(&s.startAt, "start-at", "", "wait until TIME (RFC 3339, e.g. 2026-11-23T14:00:00Z, or +30s) before starting")
}

// set reports whether any of the flags was given.
func (s *segmentFlags) set() bool { return s.spec != "" || s.count != 0 || s.startAt != "" }

// resolve returns the segment (zero: whole) and the start time (zero: now).
func (s *segmentFlags) resolve() (segment.Segment, time.Time, error) {
	var seg segment.Segment
	var err error
	switch {
	case s.spec != "" && s.count != 0:
		return seg, time.Time{}, errors.New("give --segment INDEX/COUNT or --segments COUNT, not both")
	case s.spec != "":
		if seg, err = segment.Parse(s.spec); err != nil {
			return seg, time.Time{}, fmt.Errorf("--segment: %w", err)
		}
	case s.count < 0:
		return seg, time.Time{}, fmt.Errorf("--segments %d: must be at least 1", s.count)
	case s.count > 0:
		if seg, err = segment.FromEnv(s.count, os.LookupEnv); err != nil {
			return seg, time.Time{}, fmt.Errorf("--segments: %w", err)
		}
	}
	at, err := segment.ParseStartAt(s.startAt, time.Now())
	if err != nil {
		return seg, time.Time{}, fmt.Errorf("--start-at: %w", err)
	}
	return seg, at, nil
}

func newReportMergeCmd(e *env) *cobra.Command {
	var (
		out          string
		thresholds   []string
		allowPartial bool
	)
	cmd := &cobra.Command{
		Use:   "merge RESULT.json... [-o merged.json]",
		Short: "Merge the results of the segments of one load test or one sweep",
		Long: `Merge the JSON results of the segments of one test (callsim load --segment
or --segments, --json FILE) into the result of the whole test, as if one
process had run it: counters and status codes add up, the delay histograms
(stored losslessly in each result) merge and every percentile is computed
again from the merged histogram (never averaged), the per-second series are
aligned on absolute time, and the ratios and the achieved rate are computed
from the merged counts. max_concurrent becomes the highest sum of the
segments' per-second peaks (an upper bound).

Sweep segments (callsim sweep --segment ... --json) merge into the points
of the whole sweep in their unsplit order, with the cheapest point and the
knee judged on all points: the same JSON as the unsplit sweep.

Merging refuses results of different tests (target, workload, hold,
patience, timeout), of incompatible histogram settings, split into different
numbers of segments, or holding the same segment twice, naming the files.
A load test with missing segments is refused unless --allow-partial.

--threshold is evaluated on the merged load result, as by "callsim load":
exit code 99 when one fails. Without -o the merged JSON goes to stdout;
with -o it is written to FILE and the summary printed.`,
		Example: `  callsim report merge seg-0.json seg-1.json seg-2.json seg-3.json -o merged.json
  callsim report merge /results/seg-*.json -o merged.json --threshold 'ser>=99.9' --threshold 'srd_p99<250ms'
  callsim report merge sweep-0.json sweep-1.json sweep-2.json > sweep.json`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ths []loadgen.Threshold
			for _, s := range thresholds {
				th, err := loadgen.ParseThreshold(s)
				if err != nil {
					return usageError{fmt.Errorf("--threshold: %w", err)}
				}
				ths = append(ths, th)
			}
			if err := checkOutputs(e, output{"--output", out, false}); err != nil {
				return err
			}
			kind, loads, sweeps, err := readMergeInputs(e.ctx, args)
			if err != nil {
				return err
			}
			if kind == "sweep" {
				if len(ths) > 0 {
					return usageError{errors.New("--threshold applies to load results, not to sweeps")}
				}
				m, err := wfm.MergeSweeps(sweeps, args)
				if err != nil {
					return err
				}
				if out == "" {
					return writeJSON(e.stdout, m)
				}
				b, err := jsonout.MarshalIndent(m)
				if err != nil {
					return fmt.Errorf("encode the merged sweep: %w", err)
				}
				if err := loadgen.WriteFileAtomic(out, append(b, '\n')); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "merged %d sweep segments into %s\n", len(sweeps), out)
				return reports.WriteSweepText(e.stdout, m)
			}
			m, err := loadgen.Merge(loads, args)
			if err != nil {
				return err
			}
			if missing := m.Segments.Missing(); len(missing) > 0 {
				if !allowPartial {
					return fmt.Errorf("merge: segments %v of %d are missing (test %s): give every segment's result, or --allow-partial to merge what there is",
						missing, m.Segments.Count, m.TestID)
				}
				fmt.Fprintf(e.stderr, "callsim: warning: segments %v of %d are missing: the merged result covers %d of %d segments\n",
					missing, m.Segments.Count, len(m.Segments.Indexes), m.Segments.Count)
			}
			var checks []loadgen.ThresholdResult
			for _, th := range ths {
				checks = append(checks, th.Check(m))
			}
			if out == "" {
				if err := writeJSON(e.stdout, m); err != nil {
					return err
				}
			} else {
				if err := m.WriteJSON(out); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "merged %d results (segments %v of %d, test %s) into %s\n",
					len(loads), m.Segments.Indexes, m.Segments.Count, m.TestID, out)
				printSummary(e.stdout, m, checks)
			}
			var failed []string
			for _, c := range checks {
				if !c.Pass {
					failed = append(failed, c.String())
				}
			}
			if len(failed) > 0 {
				fmt.Fprintf(e.stderr, "callsim: %d of %d thresholds failed on the merged result:\n  %s\n", len(failed), len(checks), strings.Join(failed, "\n  "))
				return withCode(ExitThreshold, fmt.Errorf("thresholds failed: %s", strings.Join(failed, "; ")))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "write the merged JSON to FILE (default: stdout)")
	f.StringArrayVar(&thresholds, "threshold", nil, "pass/fail condition on the merged load result, repeatable, as for callsim load")
	f.BoolVar(&allowPartial, "allow-partial", false, "merge a load test even if some segments' results are missing (warns)")
	return cmd
}

// readMergeInputs reads load results or sweeps (all of one kind).
func readMergeInputs(ctx context.Context, paths []string) (string, []*loadgen.Result, []*wfm.SweepResult, error) {
	var (
		kind   string
		loads  []*loadgen.Result
		sweeps []*wfm.SweepResult
	)
	for i, p := range paths {
		data, err := inputfile.Read(ctx, p, inputfile.Result, nil)
		if err != nil {
			return "", nil, nil, fmt.Errorf("merge: %w", err)
		}
		k, load, sweep, err := decodeMergeInput(p, data)
		if err != nil {
			return "", nil, nil, err
		}
		if i > 0 && k != kind {
			return "", nil, nil, fmt.Errorf("merge: %s is a %s result, %s a %s: merge results of one kind", paths[0], kind, p, k)
		}
		kind = k
		if load != nil {
			loads = append(loads, load)
		} else {
			sweeps = append(sweeps, sweep)
		}
	}
	return kind, loads, sweeps, nil
}

// decodeMergeInput decodes one input of report merge: a load result or a
// sweep ("load" or "sweep").
func decodeMergeInput(name string, data []byte) (string, *loadgen.Result, *wfm.SweepResult, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return "", nil, nil, fmt.Errorf("merge: %s: not a JSON result: %w", name, err)
	}
	switch {
	case keys["attempted"] != nil:
		r, err := loadgen.DecodeResult(data)
		if err != nil {
			return "", nil, nil, fmt.Errorf("merge: %s: %w", name, err)
		}
		return "load", r, nil, nil
	case keys["points"] != nil:
		var r wfm.SweepResult
		if err := json.Unmarshal(data, &r); err != nil {
			return "", nil, nil, fmt.Errorf("merge: %s: %w", name, err)
		}
		return "sweep", nil, &r, nil
	}
	return "", nil, nil, fmt.Errorf("merge: %s is neither a load result (callsim load --json FILE) nor a sweep (callsim sweep --json)", name)
}
