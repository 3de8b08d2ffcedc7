package capacity

import (
	"math"
	"testing"
)

// platform is a synthetic platform for the search: levels up to lean pass
// on their point estimates; a confirmation decides pass up to shown, fails
// above undecidedFrom (when set) it cannot decide; levels from collapse on
// collapse. Screening steps (ramp, bisect) are inconclusive unless decisive.
type platform struct {
	lean, shown   float64
	undecidedFrom float64 // 0: every confirmation decides
	collapse      float64 // 0: never
	decisive      bool    // screening steps already decide
}

func (p platform) outcome(pr Probe) Outcome {
	l := pr.Level
	if p.collapse > 0 && l >= p.collapse {
		return Outcome{Verdict: Fail, Collapse: true}
	}
	o := Outcome{Lean: l <= p.lean, Verdict: Inconclusive}
	if pr.Purpose == Confirm || p.decisive {
		switch {
		case p.undecidedFrom > 0 && l >= p.undecidedFrom && l <= p.lean:
		case l <= p.shown:
			o.Verdict = Pass
		case !o.Lean:
			o.Verdict = Fail
		default:
			o.Verdict = Fail
		}
	}
	return o
}

func ptr(v float64) *float64 { return &v }

func TestSearch(t *testing.T) {
	tests := []struct {
		name       string
		plan       Plan
		p          platform
		status     Status
		last, fail *float64 // nil: want nil; checked with the bounds below
		lastMin    float64
		failMax    float64
	}{
		{"rate knee", Plan{Kind: Rate, Start: 5, Max: 100}, platform{lean: 25, shown: 25}, Found, ptr(25), ptr(26.25), 25 * 0.95, 25 / 0.95},
		{"rate knee decisive", Plan{Kind: Rate, Start: 5, Max: 100}, platform{lean: 25, shown: 25, decisive: true}, Found, ptr(25), ptr(26.25), 25 * 0.95, 25 / 0.95},
		{"concurrent knee", Plan{Kind: Concurrent, Start: 5, Max: 200}, platform{lean: 50, shown: 50}, Found, ptr(50), ptr(51), 48, 53},
		{"beyond max", Plan{Kind: Rate, Start: 10, Max: 100}, platform{lean: 500, shown: 500}, NoFail, ptr(100), nil, 100, 0},
		{"lowest fails", Plan{Kind: Rate, Start: 10, Max: 100}, platform{lean: 3, shown: 3}, LowestFails, nil, ptr(10), 0, 10},
		{"start collapses", Plan{Kind: Rate, Start: 10, Max: 100}, platform{lean: 3, shown: 3, collapse: 5}, LowestFails, nil, ptr(10), 0, 10},
		// The point estimates pass up to 27, but confirmation shows only
		// up to 25: the knee is where it was shown.
		{"confirmation fails", Plan{Kind: Rate, Start: 5, Max: 100}, platform{lean: 27, shown: 25}, Found, ptr(25), ptr(26), 25 * 0.95, 27},
		// Confirmations from 24 up cannot decide: the last pass is below
		// 24, and the first not shown to pass is the undecided level.
		{"undecided near the knee", Plan{Kind: Rate, Start: 5, Max: 100}, platform{lean: 27, shown: 27, undecidedFrom: 24}, Found, ptr(20), ptr(24), 15, 27},
		{"nothing decides", Plan{Kind: Rate, Start: 5, Max: 100}, platform{lean: 27, shown: 27, undecidedFrom: 1}, NotShown, nil, ptr(5), 0, 27},
		{"collapse above the knee", Plan{Kind: Concurrent, Start: 10, Max: 1000}, platform{lean: 50, shown: 50, collapse: 51}, Found, ptr(50), ptr(51), 48, 53},
		{"start at max", Plan{Kind: Concurrent, Start: 8, Max: 8}, platform{lean: 50, shown: 50}, NoFail, ptr(8), nil, 8, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSearch(tt.plan)
			if err != nil {
				t.Fatal(err)
			}
			var probes []Probe
			collapsedAt := math.Inf(1)
			for {
				pr, ok := s.Next()
				if !ok {
					break
				}
				if pr.Level > collapsedAt {
					t.Errorf("level %v run above the collapse at %v", pr.Level, collapsedAt)
				}
				if pr.Level < tt.plan.Start || pr.Level > tt.plan.Max {
					t.Errorf("level %v outside [%v, %v]", pr.Level, tt.plan.Start, tt.plan.Max)
				}
				if tt.plan.Kind == Concurrent && pr.Level != math.Trunc(pr.Level) {
					t.Errorf("concurrent level %v", pr.Level)
				}
				probes = append(probes, pr)
				if len(probes) > 40 {
					t.Fatalf("no end after %d steps: %v", len(probes), probes)
				}
				o := tt.p.outcome(pr)
				if o.Collapse {
					collapsedAt = min(collapsedAt, pr.Level)
				}
				s.Record(pr, o)
			}
			k := s.Knee()
			t.Logf("%d steps %v -> last %v first %v %s", len(probes), probes, deref(k.LastPass), deref(k.FirstFail), k.Status)
			if k.Status != tt.status {
				t.Errorf("status %s, want %s", k.Status, tt.status)
			}
			if (k.LastPass == nil) != (tt.last == nil) || (k.FirstFail == nil) != (tt.fail == nil) {
				t.Fatalf("last %v first %v, want nil-ness of %v %v", k.LastPass, k.FirstFail, tt.last, tt.fail)
			}
			if k.LastPass != nil {
				if *k.LastPass < tt.lastMin || *k.LastPass > tt.p.shown {
					t.Errorf("last pass %v outside [%v, %v]", *k.LastPass, tt.lastMin, tt.p.shown)
				}
				if o := tt.p.outcome(Probe{Level: *k.LastPass, Purpose: Confirm}); o.Verdict != Pass {
					t.Errorf("last pass %v is not a level shown to pass", *k.LastPass)
				}
			}
			if k.FirstFail != nil && (*k.FirstFail > tt.failMax || (k.LastPass != nil && *k.FirstFail <= *k.LastPass)) {
				t.Errorf("first fail %v: want above the last pass and at most %v", *k.FirstFail, tt.failMax)
			}
			if k.Status == Found && tt.p.undecidedFrom == 0 {
				if w := *k.FirstFail - *k.LastPass; w > math.Max(s.Plan().Resolution, s.Plan().RelResolution**k.FirstFail)+1e-9 {
					t.Errorf("knee width %v beyond the resolution", w)
				}
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestPlanValidate(t *testing.T) {
	for _, p := range []Plan{
		{Kind: "load", Start: 1, Max: 2},
		{Kind: Rate, Start: 0, Max: 2},
		{Kind: Rate, Start: 3, Max: 2},
		{Kind: Concurrent, Start: 1.5, Max: 2},
		{Kind: Rate, Start: 1, Max: 2, Factor: 1},
		{Kind: Rate, Start: 1, Max: 2, RelResolution: 1},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
	if err := (Plan{Kind: Rate, Start: 1, Max: 2}).Validate(); err != nil {
		t.Error(err)
	}
}
