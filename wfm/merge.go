package wfm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/segment"
)

// sweepID hashes what every segment of one sweep shares.
func sweepID(sc *scenarios.Scenario, fixed map[string]string, axes []Axis) (string, error) {
	b, err := json.Marshal(struct {
		Scenario *scenarios.Scenario
		Fixed    map[string]string
		Axes     []Axis
	}{sc, fixed, axes})
	if err != nil {
		return "", fmt.Errorf("sweep identity: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8]), nil
}

// MergeSweeps puts the segments of one sweep back together: the points in
// the order of the whole sweep, the cheapest point and the knee judged on
// all of them. The result equals what Sweep gives unsplit. names label the
// inputs in errors (file names).
//
// It refuses results that are not segments, segments of different sweeps
// (scenario, seed, replications, fixed values or axes differ), split into
// different numbers of segments, the same segment twice, missing segments,
// and segments with missing points (an interrupted run).
func MergeSweeps(rs []*SweepResult, names []string) (*SweepResult, error) {
	name := func(i int) string {
		if i < len(names) && names[i] != "" {
			return names[i]
		}
		return "sweep " + strconv.Itoa(i+1)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("merge: no sweeps")
	}
	first := rs[0]
	owner := map[int]int{}
	for i, r := range rs {
		if r == nil || r.Segment == nil {
			return nil, fmt.Errorf("merge: %s is a whole sweep, not a segment (run sweep with --segment or --segments)", name(i))
		}
		if err := r.Segment.Validate(); err != nil || r.Segment.Count < 1 {
			return nil, fmt.Errorf("merge: %s: segment %d/%d: want INDEX from 0 to COUNT-1, COUNT from 1 to %d (a result file was edited?)", name(i), r.Segment.Index, r.Segment.Count, segment.MaxCount)
		}
		if r.Total < 0 || r.Total > maxPoints || r.Total != first.Total {
			return nil, fmt.Errorf("merge: %s holds total_points %d, %s %d: want the same count of 0 to %d points (a result file was edited?)", name(i), r.Total, name(0), first.Total, maxPoints)
		}
		switch {
		case r.TestID != first.TestID || r.Scenario != first.Scenario || r.Seed != first.Seed ||
			!reflect.DeepEqual(r.Axes, first.Axes) || !reflect.DeepEqual(r.Fixed, first.Fixed):
			return nil, fmt.Errorf("merge: %s and %s are segments of different sweeps (scenario, seed, replications, --with or --set differ): give every segment the same ones", name(0), name(i))
		case r.Segment.Count != first.Segment.Count:
			return nil, fmt.Errorf("merge: %s is split into %d segments, %s into %d", name(0), first.Segment.Count, name(i), r.Segment.Count)
		}
		if j, dup := owner[r.Segment.Index]; dup {
			return nil, fmt.Errorf("merge: %s and %s are both segment %s of the sweep: merge each segment once", name(j), name(i), r.Segment)
		}
		owner[r.Segment.Index] = i
		if want := r.Segment.ShareInt(r.Total); r.Interrupted || len(r.Points) != want {
			return nil, fmt.Errorf("merge: %s holds %d of its %d points (interrupted?): run segment %s again", name(i), len(r.Points), want, r.Segment)
		}
	}
	var missing []int
	for s := range first.Segment.Count {
		if _, ok := owner[s]; !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("merge: segments %v of %d are missing: give every segment's result", missing, first.Segment.Count)
	}
	out := &SweepResult{Scenario: first.Scenario, Seed: first.Seed, Axes: first.Axes, Fixed: first.Fixed, Cheapest: -1, Knee: -1,
		Points: make([]Point, first.Total)}
	for _, r := range rs {
		for k, p := range r.Points {
			out.Points[r.Segment.Global(uint64(k))] = p
		}
	}
	out.judgeCheapest()
	if len(out.Axes) == 1 {
		out.Knee = knee(out.Axes[0].Values, out.Points)
	}
	return out, nil
}
