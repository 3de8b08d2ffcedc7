package scenarios

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of the scenario: changing the copy's queues,
// groups, routes, costs, variants or strategies leaves s as it was. The
// scenarios of variants and strategies are shared (they are read, not
// changed, by everything that holds a clone), and so is the YAML the
// scenario was read from; With copies it before applying overrides.
func (s *Scenario) Clone() *Scenario {
	if s == nil {
		return nil
	}
	c := *s
	c.Queues = slices.Clone(s.Queues)
	for i := range c.Queues {
		q := &c.Queues[i]
		q.Arrivals.Profile = slices.Clone(q.Arrivals.Profile)
		q.Arrivals.WeekRates = slices.Clone(q.Arrivals.WeekRates)
		q.HandleTime = q.HandleTime.clone()
		q.WrapUp = clonePtrDist(q.WrapUp)
		q.Patience = clonePtrDist(q.Patience)
		q.Repeat.After = q.Repeat.After.clone()
		q.Redial.After = q.Redial.After.clone()
		if q.Open != nil {
			o := *q.Open
			q.Open = &o
		}
	}
	c.Groups = slices.Clone(s.Groups)
	for i := range c.Groups {
		g := &c.Groups[i]
		g.Skills = slices.Clone(g.Skills)
		g.HandleTimeFactor = maps.Clone(g.HandleTimeFactor)
		g.Resolution = maps.Clone(g.Resolution)
		g.Transfer = maps.Clone(g.Transfer)
		g.Shifts = slices.Clone(g.Shifts)
		for j := range g.Shifts {
			g.Shifts[j].Breaks = slices.Clone(g.Shifts[j].Breaks)
		}
		g.AgentsByInterval = slices.Clone(g.AgentsByInterval)
		g.Outages = slices.Clone(g.Outages)
		if g.Hours != nil {
			h := *g.Hours
			g.Hours = &h
		}
		g.Cost = g.Cost.clone()
	}
	c.Routing = slices.Clone(s.Routing)
	for i := range c.Routing {
		c.Routing[i].Groups = slices.Clone(c.Routing[i].Groups)
	}
	c.Variants = slices.Clone(s.Variants)
	for i := range c.Variants {
		c.Variants[i].Set = maps.Clone(c.Variants[i].Set)
	}
	c.Strategies = slices.Clone(s.Strategies)
	for i := range c.Strategies {
		st := &c.Strategies[i]
		st.Set = maps.Clone(st.Set)
		st.Decisions = slices.Clone(st.Decisions)
		for j := range st.Decisions {
			st.Decisions[j] = st.Decisions[j].clone()
		}
	}
	return &c
}

func (d Decision) clone() Decision {
	d.Delays = slices.Clone(d.Delays)
	d.Windows = slices.Clone(d.Windows)
	d.Queues = slices.Clone(d.Queues)
	if d.Shifts != nil {
		c := *d.Shifts
		c.Starts = slices.Clone(c.Starts)
		c.Lengths = slices.Clone(c.Lengths)
		c.Days = slices.Clone(c.Days)
		if c.Break != nil {
			b := *c.Break
			c.Break = &b
		}
		d.Shifts = &c
	}
	return d
}

func (x Dist) clone() Dist {
	x.Values = slices.Clone(x.Values)
	return x
}

func clonePtrDist(d *Dist) *Dist {
	if d == nil {
		return nil
	}
	c := d.clone()
	return &c
}
