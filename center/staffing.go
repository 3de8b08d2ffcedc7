package center

import (
	"fmt"
	"math"
	"sort"

	"github.com/callsim/callsim/scenarios"
)

// compileStaffing turns a group's headcount, shifts, breaks, hours,
// shrinkage and outages into its headcount timeline: the change points of
// its available agents, the scheduled (paid) and available levels segment
// by segment, and its peaks.
func (c *Center) compileStaffing(gi int, g *scenarios.Group) error {
	type delta struct {
		t          float64
		sched, brk int
		outage     int
		off        int // leaving (+1) or entering (-1) the group's hours
	}
	var ds []delta
	switch {
	case len(g.Shifts) > 0:
		days := int(math.Ceil(c.Horizon/Day)) + 1
		for d := -1; d < days; d++ {
			wd := ((d % 7) + 7) % 7
			for _, sh := range g.Shifts {
				if !sh.Days[wd] || sh.Agents == 0 {
					continue
				}
				s0 := float64(d)*Day + sh.Start.Seconds()
				ds = append(ds, delta{t: s0, sched: sh.Agents}, delta{t: s0 + sh.Length.Seconds(), sched: -sh.Agents})
				for _, b := range sh.Breaks {
					b0 := s0 + b.After.Seconds()
					ds = append(ds, delta{t: b0, brk: sh.Agents}, delta{t: b0 + b.Length.Seconds(), brk: -sh.Agents})
				}
			}
		}
	case len(g.AgentsByInterval) > 0:
		// One day's counts, or a week's (Monday first); either may be
		// hourly counts, spread over the intervals of each hour.
		counts := g.AgentsByInterval
		days := 1
		if len(counts) == 7*c.NSlots || (len(counts) == 7*24 && c.NSlots%24 == 0) {
			days = 7
		}
		if perDay := len(counts) / days; perDay*days != len(counts) || perDay != c.NSlots {
			if perDay*days != len(counts) || perDay != 24 || c.NSlots%24 != 0 {
				return fmt.Errorf("agents_by_interval has %d counts, want %d or 24 (a day) or 7 times that (a week)", len(counts), c.NSlots)
			}
			per := c.NSlots / 24
			spread := make([]int, 0, days*c.NSlots)
			for _, n := range counts {
				for j := 0; j < per; j++ {
					spread = append(spread, n)
				}
			}
			counts = spread
		}
		prev := 0
		for k := int64(0); float64(k)*c.Interval < c.Horizon; k++ {
			n := counts[k%int64(len(counts))]
			if n < 0 {
				return fmt.Errorf("agents_by_interval: counts must be at least 0")
			}
			ds = append(ds, delta{t: float64(k) * c.Interval, sched: n - prev})
			prev = n
		}
	default:
		ds = append(ds, delta{t: 0, sched: g.Agents})
	}
	for _, o := range g.Outages {
		ds = append(ds, delta{t: o.Start.Seconds(), outage: 1}, delta{t: (o.Start + o.Length).Seconds(), outage: -1})
	}
	off := 0
	if h := g.Hours; h != nil {
		// Outside its hours the group has nobody on duty and nobody paid:
		// off counts how far outside (windows never overlap, so 0 or 1).
		if !h.InHours(0) {
			off = 1
		}
		length := h.Length().Seconds()
		from := h.From.Seconds()
		for d := -1; float64(d)*Day < c.Horizon; d++ {
			if !h.Days[((d%7)+7)%7] {
				continue
			}
			s0 := float64(d)*Day + from
			if s0+length <= 0 {
				continue
			}
			if s0 > 0 {
				ds = append(ds, delta{t: s0, off: -1})
			}
			ds = append(ds, delta{t: s0 + length, off: 1})
		}
	}
	if !(g.Shrinkage >= 0 && g.Shrinkage < 1) {
		return fmt.Errorf("shrinkage must be in [0, 1)")
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].t < ds[j].t })

	cg := &c.Groups[gi]
	sched, brk, out := 0, 0, 0
	// on: the scheduled agents, none outside the group's hours.
	on := func(n int) int {
		if off > 0 {
			return 0
		}
		return n
	}
	avail := func() int {
		if out > 0 {
			return 0
		}
		return int(math.Round(float64(on(sched)-on(brk)) * (1 - g.Shrinkage)))
	}
	t := 0.0
	i := 0
	for t < c.Horizon {
		for i < len(ds) && ds[i].t <= t {
			sched += ds[i].sched
			brk += ds[i].brk
			out += ds[i].outage
			off += ds[i].off
			i++
		}
		next := c.Horizon
		if i < len(ds) {
			next = math.Min(ds[i].t, c.Horizon)
		}
		a := avail()
		if a < 0 || sched < 0 {
			return fmt.Errorf("shifts give a negative headcount at %gs", t)
		}
		if n := len(cg.Changes); n == 0 || cg.Changes[n-1].Avail != a {
			cg.Changes = append(cg.Changes, StaffChange{T: t, Avail: a})
		}
		cg.Peak = max(cg.Peak, a)
		cg.Agents = max(cg.Agents, on(sched))
		cg.Levels = append(cg.Levels, Level{T: t, End: next, Sched: on(sched), Avail: a})
		t = next
	}
	return nil
}

// AvailableAt is group g's available headcount at time t.
func (c *Center) AvailableAt(g int, t float64) int {
	ch := c.Groups[g].Changes
	n := 0
	for _, x := range ch {
		if x.T > t {
			break
		}
		n = x.Avail
	}
	return n
}
