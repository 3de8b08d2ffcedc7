package sim

import (
	"fmt"
	"math"
	"sort"

	"github.com/callsim/callsim/scenarios"
)

// staffChange: from time t on, avail agents of a group are available.
type staffChange struct {
	t     float64
	avail int
}

// compileStaffing turns a group's headcount, shifts, breaks, shrinkage and
// outages into the change points of its available agents, its peak, and
// the paid and available agent seconds in every reporting cell.
func (m *model) compileStaffing(gi int, g *scenarios.Group, paid, staffed []float64) error {
	type delta struct {
		t          float64
		sched, brk int
		outage     int
		off        int // leaving (+1) or entering (-1) the group's hours
	}
	var ds []delta
	switch {
	case len(g.Shifts) > 0:
		days := int(math.Ceil(m.horizon/day)) + 1
		for d := -1; d < days; d++ {
			wd := ((d % 7) + 7) % 7
			for _, sh := range g.Shifts {
				if !sh.Days[wd] || sh.Agents == 0 {
					continue
				}
				s0 := float64(d)*day + sh.Start.Seconds()
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
		if len(counts) == 7*m.nSlots || (len(counts) == 7*24 && m.nSlots%24 == 0) {
			days = 7
		}
		if perDay := len(counts) / days; perDay*days != len(counts) || perDay != m.nSlots {
			if perDay*days != len(counts) || perDay != 24 || m.nSlots%24 != 0 {
				return fmt.Errorf("agents_by_interval has %d counts, want %d or 24 (a day) or 7 times that (a week)", len(counts), m.nSlots)
			}
			per := m.nSlots / 24
			spread := make([]int, 0, days*m.nSlots)
			for _, c := range counts {
				for j := 0; j < per; j++ {
					spread = append(spread, c)
				}
			}
			counts = spread
		}
		prev := 0
		for k := int64(0); float64(k)*m.interval < m.horizon; k++ {
			c := counts[k%int64(len(counts))]
			if c < 0 {
				return fmt.Errorf("agents_by_interval: counts must be at least 0")
			}
			ds = append(ds, delta{t: float64(k) * m.interval, sched: c - prev})
			prev = c
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
		for d := -1; float64(d)*day < m.horizon; d++ {
			if !h.Days[((d%7)+7)%7] {
				continue
			}
			s0 := float64(d)*day + from
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

	mg := &m.groups[gi]
	G := len(m.groups)
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
	for t < m.horizon {
		for i < len(ds) && ds[i].t <= t {
			sched += ds[i].sched
			brk += ds[i].brk
			out += ds[i].outage
			off += ds[i].off
			i++
		}
		next := m.horizon
		if i < len(ds) {
			next = math.Min(ds[i].t, m.horizon)
		}
		a := avail()
		if a < 0 || sched < 0 {
			return fmt.Errorf("shifts give a negative headcount at %gs", t)
		}
		if n := len(mg.changes); n == 0 || mg.changes[n-1].avail != a {
			mg.changes = append(mg.changes, staffChange{t: t, avail: a})
		}
		mg.peak = max(mg.peak, a)
		mg.agents = max(mg.agents, on(sched))
		// Integrate paid (scheduled) and available agent time over the
		// cells of the measured window.
		lo, hi := math.Max(t, m.warmup), next
		for lo < hi {
			k := int64(lo / m.interval)
			end := math.Min(hi, float64(k+1)*m.interval)
			c := m.cellOf(k)*G + gi
			paid[c] += float64(on(sched)) * (end - lo)
			staffed[c] += float64(a) * (end - lo)
			lo = end
		}
		t = next
	}
	return nil
}
