package capacity

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Kind is what a search varies.
type Kind string

// Kinds of search.
const (
	Rate       Kind = "rate"       // calls started per second (open model)
	Concurrent Kind = "concurrent" // calls held at once (closed model)
)

// Unit is the unit of the kind's levels.
func (k Kind) Unit() string {
	if k == Concurrent {
		return "calls"
	}
	return "calls/s"
}

// Purpose says why a step was run.
type Purpose string

// Purposes of a step.
const (
	Ramp    Purpose = "ramp"    // going up from Start by Factor until a level does not pass
	Bisect  Purpose = "bisect"  // halving the interval between the last pass and the first fail
	Confirm Purpose = "confirm" // holding the highest passing level until it is shown to pass (or not)
)

// Plan bounds one search.
type Plan struct {
	Kind Kind `json:"kind"`
	// Start is the first (lowest) level, Max the highest tried.
	Start float64 `json:"start"`
	Max   float64 `json:"max"`
	// Factor multiplies the level at each ramp step (default 2).
	Factor float64 `json:"factor"`
	// Resolution: bisection stops once first fail - last pass <= it
	// (absolute, in the level's unit), or <= RelResolution x first fail.
	Resolution    float64 `json:"resolution,omitempty"`
	RelResolution float64 `json:"rel_resolution,omitempty"`
}

// Defaults of a Plan.
const (
	DefaultFactor        = 2
	DefaultRelResolution = 0.05
)

func (p *Plan) withDefaults() {
	if p.Factor == 0 {
		p.Factor = DefaultFactor
	}
	if p.Resolution == 0 && p.RelResolution == 0 {
		p.RelResolution = DefaultRelResolution
	}
	if p.Kind == Concurrent {
		p.Resolution = max(p.Resolution, 1)
	}
}

// Validate checks the plan.
func (p Plan) Validate() error {
	p.withDefaults()
	var errs []error
	if p.Kind != Rate && p.Kind != Concurrent {
		errs = append(errs, fmt.Errorf("search kind %q: want rate or concurrent", p.Kind))
	}
	if !(p.Start > 0) || !(p.Max >= p.Start) || math.IsInf(p.Max, 0) {
		errs = append(errs, fmt.Errorf("%s search: levels from %v to %v: want 0 < start <= max", p.Kind, p.Start, p.Max))
	}
	if p.Kind == Concurrent && (p.Start != math.Trunc(p.Start) || p.Max != math.Trunc(p.Max)) {
		errs = append(errs, fmt.Errorf("concurrent search: levels %v to %v must be whole numbers of calls", p.Start, p.Max))
	}
	if !(p.Factor > 1) || math.IsInf(p.Factor, 0) {
		errs = append(errs, fmt.Errorf("%s search: ramp factor %v: want more than 1", p.Kind, p.Factor))
	}
	if p.Resolution < 0 || p.RelResolution < 0 || p.RelResolution >= 1 {
		errs = append(errs, fmt.Errorf("%s search: resolution %v / %v%%: want >= 0 and a relative one under 100%%", p.Kind, p.Resolution, 100*p.RelResolution))
	}
	return errors.Join(errs...)
}

// Outcome is what the search learns from a step: Lean says whether the
// thresholds held on the step's point estimates (the search navigates by
// it), Verdict whether they were shown to hold (the knee's last pass must
// be a Pass).
type Outcome struct {
	Verdict  Verdict
	Lean     bool
	Collapse bool
}

// Status is how a search ended.
type Status string

// Statuses.
const (
	Found       Status = "knee"         // last pass and first fail both found, within the resolution
	NoFail      Status = "no_fail"      // every level up to Max passed: the capacity is at least Max
	LowestFails Status = "lowest_fails" // even Start did not pass
	// NotShown: levels passed on their point estimates, but none was shown
	// to pass at the confidence level, even held to its longest.
	NotShown   Status = "not_shown"
	Incomplete Status = "incomplete" // the time ran out (or the run was interrupted) first
)

// Knee is a search's answer.
type Knee struct {
	// LastPass is the highest level shown to pass (nil: none); FirstFail
	// the lowest level above it that did not pass: it failed on its point
	// estimates, or a confirmation could not show it to pass (its step
	// says which; nil: none).
	LastPass  *float64 `json:"last_pass"`
	FirstFail *float64 `json:"first_fail"`
	Status    Status   `json:"status"`
}

// Probe is a level to run next.
type Probe struct {
	Level   float64
	Purpose Purpose
}

// Search is the schedule of one search, apart from running it: Next says
// which level to run, Record what came of it. It is pure arithmetic (no
// clock, no I/O), so a test drives it with a synthetic platform.
//
// The method: a ramp from Start, multiplying by Factor, until a level does
// not pass on its point estimates (or Max passes); then bisection between
// the highest level that passed and the lowest that did not, until they
// are within the resolution; a step that collapses (most calls failed)
// stops the ramp like any failure, and no level above a collapse is run.
// Then, unless the highest passing level was already shown to pass at
// the confidence level, it is run again as a confirmation step, held until
// its calls decide; if that shows it fails, bisection resumes below it,
// and if it cannot decide, the next lower passing level is confirmed.
type Search struct {
	plan  Plan
	tried map[float64]Outcome // the latest outcome at each level
	// lo: highest level that leaned pass with no failure at or below it
	// since; hi: lowest level that leaned fail (0: none yet).
	lo, hi float64
	ramp   bool
	// unconfirmed: levels that leaned pass but whose confirmation could
	// not decide; they are not confirmed again.
	unconfirmed map[float64]bool
	done        bool
	status      Status
}

// NewSearch starts a search.
func NewSearch(p Plan) (*Search, error) {
	p.withDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Search{plan: p, tried: map[float64]Outcome{}, ramp: true, unconfirmed: map[float64]bool{}}, nil
}

// Plan returns the plan with its defaults.
func (s *Search) Plan() Plan { return s.plan }

func (s *Search) round(v float64) float64 {
	if s.plan.Kind == Concurrent {
		return math.Round(v)
	}
	return math.Round(v*100) / 100
}

// narrow reports whether lo and hi are within the resolution.
func (s *Search) narrow() bool {
	w := s.hi - s.lo
	return w <= s.plan.Resolution+1e-9 || w <= s.plan.RelResolution*s.hi+1e-9
}

// Next returns the level to run next, or false when the search is over.
func (s *Search) Next() (Probe, bool) {
	if s.done {
		return Probe{}, false
	}
	if s.ramp {
		if s.lo == 0 {
			return Probe{Level: s.plan.Start, Purpose: Ramp}, true
		}
		return Probe{Level: s.round(min(s.lo*s.plan.Factor, s.plan.Max)), Purpose: Ramp}, true
	}
	if s.lo == 0 {
		s.finish(LowestFails)
		return Probe{}, false
	}
	// Bisect while the interval is wide; once a confirmation could not
	// decide, only from a level shown to pass (else confirm lower first).
	if s.hi > 0 && !s.narrow() && (len(s.unconfirmed) == 0 || s.tried[s.lo].Verdict == Pass) {
		mid := s.round((s.lo + s.hi) / 2)
		if mid > s.lo && mid < s.hi && !s.unconfirmed[mid] {
			return Probe{Level: mid, Purpose: Bisect}, true
		}
	}
	if s.tried[s.lo].Verdict == Pass {
		if s.hi == 0 {
			s.finish(NoFail)
		} else {
			s.finish(Found)
		}
		return Probe{}, false
	}
	return Probe{Level: s.lo, Purpose: Confirm}, true
}

func (s *Search) finish(st Status) {
	s.done, s.status = true, st
}

// Record tells the search the outcome of the step it asked for.
func (s *Search) Record(p Probe, o Outcome) {
	if o.Collapse {
		o.Verdict = Fail
	}
	if o.Verdict == Fail {
		o.Lean = false // shown to fail
	}
	s.tried[p.Level] = o
	switch {
	case p.Purpose == Confirm && o.Verdict == Pass:
		// Shown: Next finishes.
	case p.Purpose == Confirm && o.Lean:
		// Still passing but undecided at its longest: not shown. Confirm
		// the next lower level that passed.
		s.unconfirmed[p.Level] = true
		s.stepDown(p.Level, false)
	case !o.Lean:
		if p.Level <= s.lo || s.lo == 0 {
			// A failure at or below the highest pass: the pass did not
			// hold up; look below it.
			s.stepDown(p.Level, true)
		} else if s.hi == 0 || p.Level < s.hi {
			s.hi = p.Level
		}
		s.ramp = false
	default: // leaned pass
		if p.Level > s.lo && (s.hi == 0 || p.Level < s.hi) && !s.unconfirmed[p.Level] {
			s.lo = p.Level
		}
		if s.ramp && p.Level >= s.plan.Max {
			s.ramp = false
		}
	}
}

// stepDown moves the highest pass below level (a failure there when
// failed, else an undecided confirmation): lo becomes the highest lower
// level that leaned pass and was not left undecided by a confirmation,
// and hi becomes level. With no such level the search ends:
// the lowest level failed, or no level could be shown to pass.
func (s *Search) stepDown(level float64, failed bool) {
	// Either way no level from here up is worth bisecting for a pass: it
	// failed, or could not be shown to pass (a higher one would need more
	// calls still).
	if s.hi == 0 || level < s.hi {
		s.hi = level
	}
	s.lo = 0
	for l, o := range s.tried {
		if l < level && o.Lean && !s.unconfirmed[l] && l > s.lo {
			s.lo = l
		}
	}
	if s.lo == 0 {
		if o, ok := s.tried[s.plan.Start]; ok && !o.Lean {
			s.finish(LowestFails)
		} else {
			s.finish(NotShown)
		}
	}
}

// Stop ends the search early (the time ran out, or the run was
// interrupted).
func (s *Search) Stop() {
	if !s.done {
		s.finish(Incomplete)
	}
}

// Done reports whether the search is over.
func (s *Search) Done() bool { return s.done }

// Knee returns the answer so far: the highest level shown to pass (below
// the lowest failure) and the lowest level above it that did not pass.
func (s *Search) Knee() Knee {
	k := Knee{Status: s.status}
	if !s.done {
		k.Status = Incomplete
	}
	levels := make([]float64, 0, len(s.tried))
	for l := range s.tried {
		levels = append(levels, l)
	}
	sort.Float64s(levels)
	// The lowest level that leaned fail bounds the passes considered.
	firstLeanFail := math.Inf(1)
	for _, l := range levels {
		if !s.tried[l].Lean {
			firstLeanFail = l
			break
		}
	}
	var last float64
	for _, l := range levels {
		if l < firstLeanFail && s.tried[l].Verdict == Pass {
			last = l
		}
	}
	if last > 0 {
		v := last
		k.LastPass = &v
	}
	for _, l := range levels {
		// A level that held on its point estimates but was only screened
		// (not confirmed) is not a failure.
		if o := s.tried[l]; l > last && o.Verdict != Pass && (!o.Lean || s.unconfirmed[l]) {
			v := l
			k.FirstFail = &v
			break
		}
	}
	if k.Status == NoFail {
		k.FirstFail = nil
	}
	return k
}
