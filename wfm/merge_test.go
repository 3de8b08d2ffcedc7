package wfm

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/segment"
)

// roundTrip writes a sweep as JSON and reads it back, as files between
// processes are.
func roundTrip(t *testing.T, r *SweepResult) *SweepResult {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out SweepResult
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestSweepSegmentsMergeToWhole(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	fixed := map[string]string{"horizon": "20h", "replications": "2", "costs.per_abandoned_call": "5"}
	ctx := context.Background()
	for _, axes := range [][]Axis{
		{{Path: "groups.staff.agents", Values: []string{"28", "30", "32", "34", "36", "38", "40"}}},
		{{Path: "groups.staff.agents", Values: []string{"30", "33"}}, {Path: "queues.support.arrivals.per_hour", Values: []string{"300", "340", "380"}}},
	} {
		whole, err := Sweep(ctx, sc, fixed, axes, quickRun, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(roundTrip(t, whole))
		const n = 3
		var parts []*SweepResult
		for _, i := range []int{2, 0, 1} { // any order
			p, err := SweepSegment(ctx, sc, fixed, axes, segment.Segment{Index: i, Count: n}, quickRun, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Cheapest != -1 || p.Knee != -1 || p.Total != len(whole.Points) || len(p.Points) != (segment.Segment{Index: i, Count: n}).ShareInt(p.Total) {
				t.Errorf("segment %d: cheapest %d knee %d, %d of %d points", i, p.Cheapest, p.Knee, len(p.Points), p.Total)
			}
			parts = append(parts, roundTrip(t, p))
		}
		m, err := MergeSweeps(parts, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(m)
		if !bytes.Equal(got, want) {
			t.Errorf("merged sweep differs from the unsplit one:\n got %s\nwant %s", got, want)
		}
	}
}

func TestMergeSweepsRefuses(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	fixed := map[string]string{"horizon": "5h", "replications": "1"}
	axes := []Axis{{Path: "groups.staff.agents", Values: []string{"30", "32", "34"}}}
	ctx := context.Background()
	seg := func(i, n int, sc *scenarios.Scenario, axes []Axis) *SweepResult {
		r, err := SweepSegment(ctx, sc, fixed, axes, segment.Segment{Index: i, Count: n}, quickRun, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	whole, _ := Sweep(ctx, sc, fixed, axes, quickRun, nil)
	other := *sc
	other.Seed = 99
	cut := seg(1, 2, sc, axes)
	cut.Points = cut.Points[:0]
	for _, tc := range []struct {
		name string
		rs   []*SweepResult
		want string
	}{
		{"whole", []*SweepResult{seg(0, 2, sc, axes), whole}, "b.json is a whole sweep"},
		{"other seed", []*SweepResult{seg(0, 2, sc, axes), seg(1, 2, &other, axes)}, "a.json and b.json are segments of different sweeps"},
		{"other axes", []*SweepResult{seg(0, 2, sc, axes), seg(1, 2, sc, []Axis{{Path: "groups.staff.agents", Values: []string{"30", "31", "34"}}})}, "different sweeps"},
		{"count", []*SweepResult{seg(0, 2, sc, axes), seg(1, 3, sc, axes)}, "a.json is split into 2 segments, b.json into 3"},
		{"duplicate", []*SweepResult{seg(0, 2, sc, axes), seg(0, 2, sc, axes)}, "a.json and b.json are both segment 0/2"},
		{"missing", []*SweepResult{seg(0, 2, sc, axes)}, "segments [1] of 2 are missing"},
		{"interrupted", []*SweepResult{seg(0, 2, sc, axes), cut}, "b.json holds 0 of its 1 points"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := MergeSweeps(tc.rs, []string{"a.json", "b.json"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
