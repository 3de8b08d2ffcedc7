package optimize

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/scenarios"
)

// coord is one integer headcount the search sets: a group's agents
// (slot -1) or its agents in one interval of the day.
type coord struct {
	dec      int // index into the strategy's decisions
	group    int // index into the scenario's groups
	slot     int // interval of the day, -1 for a constant headcount
	min, max int
	// cat is the index of the shift catalogue whose requirement this is
	// (-1: a headcount of its own).
	cat int
}

// choice is one discrete decision: an index into its options.
type choice struct {
	dec     int
	options int
}

// space is what a strategy decides: the headcounts and the discrete
// choices.
type space struct {
	st      *scenarios.Strategy
	base    *scenarios.Scenario
	nSlots  int
	coords  []coord
	choices []choice
	// interval says whether some coordinate is a per-interval headcount.
	interval bool
	// cats are the shift decisions: their coordinates are a requirement
	// per interval, covered by shifts of the catalogue.
	cats []*catalogue
}

// plan is one point of a space.
type plan struct {
	x    []int
	pick []int
	// counts, once set, are the shift counts of each catalogue (by
	// index), which then replace its requirement coordinates.
	counts [][]int
}

func (p plan) key() string {
	var b strings.Builder
	for _, v := range p.x {
		b.WriteString(strconv.Itoa(v))
		b.WriteByte(',')
	}
	b.WriteByte('|')
	for _, v := range p.pick {
		b.WriteString(strconv.Itoa(v))
		b.WriteByte(',')
	}
	for _, cs := range p.counts {
		b.WriteByte('|')
		for _, v := range cs {
			b.WriteString(strconv.Itoa(v))
			b.WriteByte(',')
		}
	}
	return b.String()
}

func (p plan) clone() plan {
	q := plan{x: slices.Clone(p.x), pick: slices.Clone(p.pick)}
	if p.counts != nil {
		q.counts = make([][]int, len(p.counts))
		for i, c := range p.counts {
			q.counts[i] = slices.Clone(c)
		}
	}
	return q
}

func groupIndex(sc *scenarios.Scenario, name string) int {
	for i, g := range sc.Groups {
		if g.Name == name {
			return i
		}
	}
	return -1
}

// shiftRequirementMax bounds the requirement per interval of a shift
// decision's group.
const shiftRequirementMax = 500

// newSpace lays out a strategy's decisions.
func newSpace(st *scenarios.Strategy) (*space, error) {
	sc := st.Scenario
	if sc == nil {
		return nil, fmt.Errorf("strategy %q was not built (its scenario is invalid)", st.Name)
	}
	if sc.Interval <= 0 || 24*time.Hour%sc.Interval != 0 {
		return nil, fmt.Errorf("strategy %q: interval %v does not divide a day", st.Name, sc.Interval)
	}
	s := &space{st: st, base: sc, nSlots: int(24 * time.Hour / sc.Interval)}
	for di, d := range st.Decisions {
		gi := groupIndex(sc, d.Group)
		if gi < 0 {
			return nil, fmt.Errorf("strategy %q: %s: no group %q", st.Name, d.Path, d.Group)
		}
		switch d.Kind {
		case scenarios.DecideAgents:
			s.coords = append(s.coords, coord{dec: di, group: gi, slot: -1, min: d.Min, max: d.Max, cat: -1})
		case scenarios.DecideAgentsByInterval:
			s.interval = true
			for k := range s.nSlots {
				s.coords = append(s.coords, coord{dec: di, group: gi, slot: k, min: d.Min, max: d.Max, cat: -1})
			}
		case scenarios.DecideAfter:
			s.choices = append(s.choices, choice{dec: di, options: len(d.Delays)})
		case scenarios.DecideHours:
			s.choices = append(s.choices, choice{dec: di, options: len(d.Windows)})
		case scenarios.DecideSkills:
			s.choices = append(s.choices, choice{dec: di, options: 1 << len(d.Queues)})
		case scenarios.DecideShifts:
			cat, err := newCatalogue(di, gi, &st.Decisions[di], sc.Interval, s.nSlots)
			if err != nil {
				return nil, fmt.Errorf("strategy %q: %w", st.Name, err)
			}
			s.interval = true
			for k := range s.nSlots {
				s.coords = append(s.coords, coord{dec: di, group: gi, slot: k, min: 0, max: shiftRequirementMax, cat: len(s.cats)})
			}
			s.cats = append(s.cats, cat)
		default:
			return nil, fmt.Errorf("strategy %q: %s: unknown decision kind %q", st.Name, d.Path, d.Kind)
		}
	}
	return s, nil
}

// combos is the number of combinations of the discrete choices.
func (s *space) combos() int {
	n := 1
	for _, c := range s.choices {
		n *= c.options
	}
	return n
}

// pickOf returns the combination number i as one index per choice.
func (s *space) pickOf(i int) []int {
	out := make([]int, len(s.choices))
	for j, c := range s.choices {
		out[j] = i % c.options
		i /= c.options
	}
	return out
}

// maxPlan sets every headcount at its upper bound.
func (s *space) maxPlan(pick []int) plan {
	p := plan{x: make([]int, len(s.coords)), pick: slices.Clone(pick)}
	for i, c := range s.coords {
		p.x[i] = c.max
	}
	return p
}

func (s *space) clip(p plan) plan {
	for i, c := range s.coords {
		p.x[i] = max(c.min, min(c.max, p.x[i]))
	}
	return p
}

// apply returns the strategy's scenario with plan p.
func (s *space) apply(p plan) *scenarios.Scenario {
	sc := s.base.Clone()
	byInterval := map[int][]int{}
	for i, c := range s.coords {
		g := &sc.Groups[c.group]
		if c.cat >= 0 && p.counts != nil {
			continue // covered by shifts, below
		}
		if c.slot < 0 {
			g.Agents = p.x[i]
			g.AgentsByInterval = nil
			g.Shifts = nil
			continue
		}
		if byInterval[c.group] == nil {
			byInterval[c.group] = make([]int, s.nSlots)
		}
		byInterval[c.group][c.slot] = p.x[i]
	}
	for gi, counts := range byInterval {
		g := &sc.Groups[gi]
		g.AgentsByInterval = counts
		g.Shifts = nil
		g.Agents = slices.Max(counts)
	}
	if p.counts != nil {
		for ci, cat := range s.cats {
			g := &sc.Groups[cat.group]
			g.Shifts, g.AgentsByInterval, g.Agents = cat.shifts(p.counts[ci]), nil, 0
			if len(g.Shifts) == 0 {
				// No agents: an empty shift keeps the group staffed by
				// shifts (with none on duty) rather than by Agents.
				g.Shifts = []scenarios.Shift{{Length: time.Hour, Days: [7]bool{true, true, true, true, true, true, true}}}
			}
		}
	}
	for j, ch := range s.choices {
		d := &s.st.Decisions[ch.dec]
		v := p.pick[j]
		switch d.Kind {
		case scenarios.DecideAfter:
			qi := -1
			for i, r := range sc.Routing {
				if r.Queue == d.Queue {
					qi = i
				}
			}
			if qi >= 0 {
				for k := range sc.Routing[qi].Groups {
					if sc.Routing[qi].Groups[k].Group == d.Group {
						sc.Routing[qi].Groups[k].After = d.Delays[v]
					}
				}
			}
		case scenarios.DecideHours:
			h := d.Windows[v]
			sc.Groups[groupIndex(sc, d.Group)].Hours = &h
		case scenarios.DecideSkills:
			gi := groupIndex(sc, d.Group)
			g := &sc.Groups[gi]
			for qk, q := range d.Queues {
				on := v&(1<<qk) != 0
				g.Skills = slices.DeleteFunc(g.Skills, func(s string) bool { return s == q })
				for ri := range sc.Routing {
					if sc.Routing[ri].Queue != q {
						continue
					}
					steps := sc.Routing[ri].Groups
					has := slices.ContainsFunc(steps, func(rg scenarios.RouteGroup) bool { return rg.Group == d.Group })
					switch {
					case on && !has:
						sc.Routing[ri].Groups = append(steps, scenarios.RouteGroup{Group: d.Group})
					case !on && has:
						sc.Routing[ri].Groups = slices.DeleteFunc(slices.Clone(steps), func(rg scenarios.RouteGroup) bool { return rg.Group == d.Group })
					}
				}
				if on {
					g.Skills = append(g.Skills, q)
				}
			}
		}
	}
	return sc
}

// decisions returns the chosen value of every decision, by path, in the
// form variants.set writes it: an integer, a list of integers, a duration,
// an hours window or a list of queues.
func (s *space) decisions(p plan) map[string]any {
	out := map[string]any{}
	byInterval := map[int][]int{}
	for ci, cat := range s.cats {
		if p.counts != nil {
			out[s.st.Decisions[cat.dec].Path] = cat.values(p.counts[ci])
		}
	}
	for i, c := range s.coords {
		d := &s.st.Decisions[c.dec]
		if c.cat >= 0 {
			continue
		}
		if c.slot < 0 {
			out[d.Path] = p.x[i]
			continue
		}
		if byInterval[c.dec] == nil {
			byInterval[c.dec] = make([]int, s.nSlots)
		}
		byInterval[c.dec][c.slot] = p.x[i]
	}
	for di, v := range byInterval {
		out[s.st.Decisions[di].Path] = v
	}
	for j, ch := range s.choices {
		d := &s.st.Decisions[ch.dec]
		v := p.pick[j]
		switch d.Kind {
		case scenarios.DecideAfter:
			out[d.Path] = d.Delays[v].String()
		case scenarios.DecideHours:
			out[d.Path] = HoursValue(d.Windows[v])
		case scenarios.DecideSkills:
			qs := []string{}
			for qk, q := range d.Queues {
				if v&(1<<qk) != 0 {
					qs = append(qs, q)
				}
			}
			out[d.Path] = qs
		}
	}
	return out
}

// Hours is an hours window as the JSON and the plan's YAML write it.
type Hours struct {
	From string   `json:"from" yaml:"from"`
	To   string   `json:"to" yaml:"to"`
	Days []string `json:"days" yaml:"days"`
}

var dayNames = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// HoursValue writes an hours window.
func HoursValue(h scenarios.OpenHours) Hours {
	out := Hours{From: clock(h.From), To: clock(h.To), Days: []string{}}
	for i, on := range h.Days {
		if on {
			out.Days = append(out.Days, dayNames[i])
		}
	}
	return out
}

func clock(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}
