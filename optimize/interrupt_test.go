package optimize_test

import (
	"context"
	"strings"
	"testing"

	"github.com/callsim/callsim/optimize"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/scenarios"
)

// TestInterrupted: a run whose context is cancelled (Ctrl-C in the CLI)
// returns the best plan found so far, marked interrupted, not checked and
// not reported as meeting the targets; the progress callback saw the
// strategy and a fraction done.
func TestInterrupted(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("hybrid")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last optimize.Progress
	r, err := optimize.Run(ctx, sc, optimize.Options{Progress: func(p optimize.Progress) {
		last = p
		if p.Evaluations >= 4 {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Interrupted || len(r.Strategies) == 0 || len(r.Strategies) == len(sc.Strategies) && r.Strategies[2].Status != optimize.StatusInterrupted {
		t.Fatalf("interrupted %v, %d strategies", r.Interrupted, len(r.Strategies))
	}
	s := r.Strategies[len(r.Strategies)-1]
	if s.Status != optimize.StatusInterrupted || s.MeetsTargets || len(s.Decisions) == 0 {
		t.Errorf("%s: status %s, meets %v, decisions %v; want the best so far, interrupted", s.Name, s.Status, s.MeetsTargets, s.Decisions)
	}
	for _, s := range r.Strategies {
		if s.MeetsTargets {
			t.Errorf("%s reported as meeting its targets after an interrupt", s.Name)
		}
	}
	if r.Best != "" || r.Recommendation.Verdict != "none" {
		t.Errorf("best %q, verdict %s after an interrupt", r.Best, r.Recommendation.Verdict)
	}
	if last.Strategy == "" || last.Fraction < 0 || last.Fraction > 1 || last.Strategies != 3 {
		t.Errorf("progress %+v", last)
	}
	var b strings.Builder
	if err := reports.WriteOptimizeText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "INTERRUPTED") {
		t.Errorf("the text does not say interrupted:\n%s", b.String())
	}
}
