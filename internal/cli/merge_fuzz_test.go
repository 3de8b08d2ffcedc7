package cli

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/wfm"
)

// FuzzReportMerge feeds report merge two JSON inputs: whatever they hold,
// decoding and merging them ends with an error or with a merged result
// whose outcomes add up and whose JSON and summary are written. Seeded
// with real segments of a load test and of a sweep (testdata/merge) and
// the hostile merge inputs of cmd/callsim/testdata/hostile.
func FuzzReportMerge(f *testing.F) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	l0, l1 := read("testdata/merge/load-0.json"), read("testdata/merge/load-1.json")
	s0, s1 := read("testdata/merge/sweep-0.json"), read("testdata/merge/sweep-1.json")
	f.Add(l0, l1)
	f.Add(s0, s1)
	f.Add(l0, s1)
	hostile, _ := filepath.Glob("../../cmd/callsim/testdata/hostile/merge-*.json")
	for _, p := range hostile {
		f.Add(l0, read(p))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ka, la, sa, err := decodeMergeInput("a.json", a)
		if err != nil {
			return
		}
		kb, lb, sb, err := decodeMergeInput("b.json", b)
		if err != nil || ka != kb {
			return
		}
		names := []string{"a.json", "b.json"}
		if ka == "sweep" {
			m, err := wfm.MergeSweeps([]*wfm.SweepResult{sa, sb}, names)
			if err != nil {
				return
			}
			if err := writeJSON(io.Discard, m); err != nil {
				t.Fatalf("merged sweep: %v", err)
			}
			return
		}
		m, err := loadgen.Merge([]*loadgen.Result{la, lb}, names)
		if err != nil {
			return
		}
		if err := m.Check(); err != nil {
			t.Fatalf("merged result: %v", err)
		}
		_ = m.Segments.Missing()
		if err := writeJSON(io.Discard, m); err != nil {
			t.Fatalf("merged result: %v", err)
		}
		printSummary(io.Discard, m, nil)
	})
}
