package reports

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// TestCompareReportFromJSON checks that the report of a comparison read
// back from its result.json is the report written right after the run:
// the same files, byte for byte, per-interval figures and charts included.
func TestCompareReportFromJSON(t *testing.T) {
	src, err := scenarios.BuiltinSource("hybrid")
	if err != nil {
		t.Fatal(err)
	}
	short := strings.NewReplacer("horizon: 5d", "horizon: 2d", "replications: 10", "replications: 3").Replace(string(src))
	sc, err := scenarios.Parse("hybrid.yaml", []byte(short))
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := sim.Compare(context.Background(), sc, sim.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	paths, err := WriteCompareFiles(fresh, cmp)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := ReadResult(filepath.Join(fresh, FileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if saved.Kind != KindCompare {
		t.Fatalf("result.json read as %s", saved.Kind)
	}
	again := filepath.Join(t.TempDir(), "again")
	paths2, err := WriteCompareFiles(again, saved.Comparison)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths2) != len(paths) {
		t.Fatalf("from JSON: %d files, after the run: %d", len(paths2), len(paths))
	}
	hasIv := false
	for _, p := range paths {
		name := filepath.Base(p)
		hasIv = hasIv || name == FileIntervals
		a, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(again, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s from JSON differs from the one written after the run", name)
		}
	}
	if !hasIv {
		t.Error("no intervals.csv in the report of a fresh comparison")
	}
	var h bytes.Buffer
	if err := WriteCompareHTML(&h, saved.Comparison); err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, h.Bytes(), 3) // cost, frontier and service level through the day
}
