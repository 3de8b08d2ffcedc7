package optimize

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/wfm"
)

// column is one shift of a catalogue: a start, a length and a day set.
type column struct {
	start, length time.Duration
	days          [7]bool
	brk           *scenarios.Break
	units         []int // intervals of the week covered (on duty, not on break)
	hours         float64
}

// catalogue is a shift decision laid out for covers.
type catalogue struct {
	dec    int
	group  int
	cols   []column
	max    int
	nSlots int
	mu     sync.Mutex
	covers map[string][]int // requirement -> counts
}

// newCatalogue lists every shift of d's catalogue with the intervals of the
// week it covers: an interval counts only when the shift is on duty, not
// on its break, for the whole interval; a shift past midnight covers the
// next day's first intervals (Sunday's wraps to Monday).
func newCatalogue(dec, group int, d *scenarios.Decision, interval time.Duration, nSlots int) (*catalogue, error) {
	c := &catalogue{dec: dec, group: group, max: d.Max, nSlots: nSlots, covers: map[string][]int{}}
	iv := interval
	for _, days := range d.Shifts.Days {
		for _, st := range d.Shifts.Starts {
			for _, l := range d.Shifts.Lengths {
				col := column{start: st, length: l, days: days, brk: d.Shifts.BreakFor(l)}
				for wd, on := range days {
					if !on {
						continue
					}
					col.hours += l.Hours()
					first := (st + iv - 1) / iv // the first whole interval
					for k := first; (k+1)*iv <= st+l; k++ {
						a, b := k*iv-st, (k+1)*iv-st // within the shift
						if col.brk != nil && a < col.brk.After+col.brk.Length && b > col.brk.After {
							continue
						}
						u := (wd*nSlots + int(k)) % (7 * nSlots)
						col.units = append(col.units, u)
					}
				}
				if len(col.units) > 0 {
					c.cols = append(c.cols, col)
				}
			}
		}
	}
	if len(c.cols) == 0 {
		return nil, fmt.Errorf("%s: no shift of the catalogue covers a whole interval of %v", d.Path, interval)
	}
	return c, nil
}

// cover returns the shift counts covering req (scheduled agents per
// interval of the day, every day) at the least paid hours found
// (wfm.SolveCover: the LP relaxation, rounded and improved).
func (c *catalogue) cover(req []int) ([]int, error) {
	var kb strings.Builder
	for _, v := range req {
		kb.WriteString(strconv.Itoa(v))
		kb.WriteByte(',')
	}
	key := kb.String()
	c.mu.Lock()
	if counts, ok := c.covers[key]; ok {
		c.mu.Unlock()
		return counts, nil
	}
	c.mu.Unlock()
	need := make([]int, 7*c.nSlots)
	for u := range need {
		need[u] = req[u%c.nSlots]
	}
	p := wfm.CoverProblem{Need: need, Units: make([][]int, len(c.cols)), Cost: make([]float64, len(c.cols))}
	if c.max > 0 {
		p.Max = make([]int, len(c.cols))
	}
	for j, col := range c.cols {
		p.Units[j], p.Cost[j] = col.units, col.hours
		if p.Max != nil {
			p.Max[j] = c.max
		}
	}
	sol, err := wfm.SolveCover(p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.covers[key] = sol.Count
	c.mu.Unlock()
	return sol.Count, nil
}

// shifts turns counts into the group's shifts.
func (c *catalogue) shifts(counts []int) []scenarios.Shift {
	var out []scenarios.Shift
	for j, n := range counts {
		if n == 0 {
			continue
		}
		col := c.cols[j]
		sh := scenarios.Shift{Start: col.start, Length: col.length, Days: col.days, Agents: n}
		if col.brk != nil {
			sh.Breaks = []scenarios.Break{*col.brk}
		}
		out = append(out, sh)
	}
	return out
}

// ShiftValue is one shift of a chosen plan, as the JSON and the plan's
// YAML write it.
type ShiftValue struct {
	Start  string       `json:"start"`
	Length string       `json:"length"`
	Days   []string     `json:"days"`
	Agents int          `json:"agents"`
	Breaks []BreakValue `json:"breaks,omitempty"`
}

// BreakValue is a shift's break.
type BreakValue struct {
	After  string `json:"after"`
	Length string `json:"length"`
}

func (c *catalogue) values(counts []int) []ShiftValue {
	out := []ShiftValue{}
	for _, sh := range c.shifts(counts) {
		v := ShiftValue{Start: clock(sh.Start), Length: durText(sh.Length), Agents: sh.Agents, Days: []string{}}
		for i, on := range sh.Days {
			if on {
				v.Days = append(v.Days, dayNames[i])
			}
		}
		for _, b := range sh.Breaks {
			v.Breaks = append(v.Breaks, BreakValue{After: durText(b.After), Length: durText(b.Length)})
		}
		out = append(out, v)
	}
	return out
}

func shiftsYAML(vs []ShiftValue) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		s := fmt.Sprintf("{start: %q, length: %s, days: [%s], agents: %d", v.Start, v.Length, strings.Join(v.Days, ", "), v.Agents)
		if len(v.Breaks) > 0 {
			s += fmt.Sprintf(", breaks: [{after: %s, length: %s}]", v.Breaks[0].After, v.Breaks[0].Length)
		}
		parts[i] = s + "}"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// maxCoverRounds bounds the rounds of raising a shift plan's requirement.
const maxCoverRounds = 40

// coverPhase turns a plan whose shift decisions are still requirements per
// interval (found as headcounts per interval) into shifts: each
// requirement is covered by its catalogue; while the covered plan misses
// a target the requirement is raised where it misses (everywhere when the
// miss is over the horizon) and covered again; then agents are taken off
// single shifts while the plan stays feasible and gets cheaper.
func (sr *searcher) coverPhase(ctx context.Context, ev *eval) (*eval, error) {
	s := sr.s
	p := ev.p.clone()
	req := func(ci int) []int {
		r := make([]int, s.nSlots)
		for i, c := range s.coords {
			if c.cat == ci {
				r[c.slot] = p.x[i]
			}
		}
		return r
	}
	coverAll := func() error {
		p.counts = make([][]int, len(s.cats))
		for ci, cat := range s.cats {
			counts, err := cat.cover(req(ci))
			if err != nil {
				return err
			}
			p.counts[ci] = counts
		}
		return nil
	}
	if err := coverAll(); err != nil {
		return nil, err
	}
	cur, err := sr.eval(ctx, p)
	if err != nil {
		return nil, err
	}
	for round := 0; !cur.feasible && round < maxCoverRounds; round++ {
		bumped := false
		for i, c := range s.coords {
			if c.cat < 0 || p.x[i] >= c.max {
				continue
			}
			if len(cur.missedSlots) == 0 || cur.missedSlots[c.slot] {
				p.x[i]++
				bumped = true
			}
		}
		if !bumped {
			break
		}
		if err := coverAll(); err != nil {
			return nil, err
		}
		if cur, err = sr.eval(ctx, p); err != nil {
			return nil, err
		}
	}
	if !cur.feasible {
		return cur, nil
	}
	for ctx.Err() == nil {
		var cands []plan
		for ci := range cur.p.counts {
			for j, n := range cur.p.counts[ci] {
				if n > 0 {
					q := cur.p.clone()
					q.counts[ci][j]--
					cands = append(cands, q)
				}
			}
		}
		evs, err := sr.evalAll(ctx, cands)
		if err != nil {
			return sr.best, err
		}
		var next *eval
		for _, n := range evs {
			if n.feasible && n.cost < cur.cost && better(n, next) {
				next = n
			}
		}
		if next == nil {
			return cur, nil
		}
		cur = next
	}
	return sr.best, ctx.Err()
}

// recover covers p's requirements anew when p is a shift plan (its
// counts set), after its requirement coordinates changed.
func (s *space) recover(p *plan) error {
	if p.counts == nil {
		return nil
	}
	for ci, cat := range s.cats {
		r := make([]int, s.nSlots)
		for i, c := range s.coords {
			if c.cat == ci {
				r[c.slot] = p.x[i]
			}
		}
		counts, err := cat.cover(r)
		if err != nil {
			return err
		}
		p.counts[ci] = slices.Clone(counts)
	}
	return nil
}

// durText writes 8h, 8h30m, 30m, 45s rather than 8h0m0s.
func durText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
