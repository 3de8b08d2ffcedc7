package reports

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenContracts renders a comparison whose vendor has a
// service-level agreement (the built-in offshore) and a simulation of a
// shared funnel (the built-in shared-funnel, another client's queue in the
// pool): the vendor bills, the agreement and the distribution of its
// monthly penalties.
func TestGoldenContracts(t *testing.T) {
	cs, err := ReadResult(filepath.Join("testdata", "compare-sla.json"))
	if err != nil || cs.Kind != KindCompare {
		t.Fatalf("compare-sla.json: %v (%v)", err, cs)
	}
	ss, err := ReadResult(filepath.Join("testdata", "simulate-funnel.json"))
	if err != nil || ss.Kind != KindSimulate {
		t.Fatalf("simulate-funnel.json: %v (%v)", err, ss)
	}
	c, r := cs.Comparison, ss.Result
	tests := []struct {
		file   string
		render func(w io.Writer) error
		want   []string
	}{
		{"compare-sla.txt.golden", func(w io.Writer) error { return WriteCompareText(w, c) },
			[]string{"SLA penalties received", "p10 / p50 / p90", "vendor SLA (credit < 0)", "over 10 replications"}},
		{"compare-sla.md.golden", func(w io.Writer) error { return WriteCompareMarkdown(w, c) },
			[]string{"## SLA penalties received per month (EUR)", "| SLA periods missed |"}},
		{"variants-sla.csv.golden", func(w io.Writer) error { return WriteVariantsCSV(w, c) }, []string{"sla_penalties_p90_EUR"}},
		{"simulate-funnel.txt.golden", func(w io.Writer) error { return WriteSimulateText(w, r, TextOptions{}) },
			[]string{"premium line (client Premium Co)", "met (theirs)", "Vendor contracts", "our line  699,428"}},
		{"simulate-funnel.md.golden", func(w io.Writer) error { return WriteSimulateMarkdown(w, r) },
			[]string{"## Vendor bills (per month, EUR)"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("no %q in\n%s", w, b.String())
				}
			}
			golden(t, tt.file, b.Bytes())
		})
	}
	// The billed volumes are our line's only: the other client's calls
	// were handled by the same pool but are not in our bill.
	g := r.Cost.Groups[0]
	if len(g.Billed.Queues) != 1 || g.Billed.Queues[0].Queue != "our line" || !(g.Billed.Minutes < r.Groups[0].HandledMinutes*0.6*30.4375*86400/(r.HorizonSeconds-r.WarmupSeconds)) {
		t.Errorf("billed %+v against the pool's %g minutes per window", g.Billed, r.Groups[0].HandledMinutes)
	}
}
