package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pendingSLA is an SLA whose defaults (covered queues, service level and
// threshold) come from the queues, known once the whole file is decoded.
type pendingSLA struct {
	sla    *SLA
	skills []string
	path   string
}

// commitment decodes groups[i].cost.committed_hours.
func (d *decoder) commitment(n *yaml.Node, path string) *Commitment {
	c := &Commitment{Per: PerMonth}
	d.mapping(n, path, "committed agent hours (a mapping)", "write {hours: 5000, per: month, price: 27, above: 32}", []field{
		{"hours", true, func(n *yaml.Node, p string) { c.Hours = d.nonNegativeValue(n, p) }},
		{"per", false, func(n *yaml.Node, p string) {
			v, ok := d.str(n, p)
			if !ok {
				return
			}
			switch CommitPeriod(v) {
			case PerMonth, PerWeek:
				c.Per = CommitPeriod(v)
			default:
				d.errorf(n, p, didYouMean(v, []string{string(PerMonth), string(PerWeek)}, "choices"), "unknown period %q: write month or week", v)
			}
		}},
		{"price", true, func(n *yaml.Node, p string) { c.Price = d.nonNegativeValue(n, p) }},
		{"above", false, func(n *yaml.Node, p string) { v := d.nonNegativeValue(n, p); c.Above = &v }},
	})
	return c
}

// sla decodes groups[i].cost.sla; the defaults that depend on the queues
// are filled by fillSLAs.
func (d *decoder) sla(n *yaml.Node, path string) *SLA {
	a := &SLA{Per: SLAPerInterval, MinCalls: 1}
	num := d.nonNegative
	d.mapping(n, path, "a service-level agreement (a mapping)",
		"write {per: interval, service_level: 80%, within: 20s, penalty_per_miss: 50, cap: 10%}", []field{
			{"per", false, func(n *yaml.Node, p string) {
				v, ok := d.str(n, p)
				if !ok {
					return
				}
				switch SLAPeriod(v) {
				case SLAPerInterval, SLAPerDay, SLAPerMonth:
					a.Per = SLAPeriod(v)
				default:
					d.errorf(n, p, didYouMean(v, []string{string(SLAPerInterval), string(SLAPerDay), string(SLAPerMonth)}, "choices"),
						"unknown period %q: write interval, day or month", v)
				}
			}},
			{"service_level", false, func(n *yaml.Node, p string) { a.ServiceLevel, _ = d.percent(n, p) }},
			{"within", false, func(n *yaml.Node, p string) { a.Within, _ = d.duration(n, p) }},
			{"queues", false, func(n *yaml.Node, p string) {
				a.Queues = []string{}
				d.list(n, p, "a list of queue names", "write [support]", func(_ int, it *yaml.Node, ip string) {
					q, _ := d.str(it, ip)
					a.Queues = append(a.Queues, q)
				})
			}},
			{"hours", false, func(n *yaml.Node, p string) { a.Hours = d.slaHours(n, p) }},
			{"min_calls", false, func(n *yaml.Node, p string) {
				if v, ok := d.integer(n, p); ok {
					if v < 1 {
						d.errorf(n, p, "1 measures every period with a call", "must be at least 1, got %d", v)
						return
					}
					a.MinCalls = v
				}
			}},
			num("penalty_per_point", &a.PenaltyPerPoint),
			num("penalty_per_miss", &a.PenaltyPerMiss),
			num("bonus_per_point", &a.BonusPerPoint),
			num("bonus_per_met", &a.BonusPerMet),
			{"cap", false, func(n *yaml.Node, p string) { a.CapAmount, a.CapShare = d.cap(n, p) }},
		})
	return a
}

const capHint = "write cap: 15% (of the month's vendor fees) or cap: 20000 (an amount per month)"

// cap decodes an SLA cap: a percentage of the month's fees ("15%") or an
// amount per month (a number).
func (d *decoder) cap(n *yaml.Node, path string) (amount, share float64) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.typeError(n, path, "a percentage or an amount", capHint)
		return 0, 0
	}
	if strings.HasSuffix(strings.TrimSpace(n.Value), "%") {
		v, ok := d.percent(n, path)
		if ok && (v < 0 || v > 1) {
			d.errorf(n, path, capHint, "must be between 0%% and 100%%, got %s", n.Value)
			return 0, 0
		}
		return 0, v
	}
	v, ok := d.number(n, path)
	if !ok {
		return 0, 0
	}
	if v < 0 {
		d.errorf(n, path, capHint, "must be >= 0, got %s", n.Value)
		return 0, 0
	}
	return v, 0
}

// byQueue decodes groups[i].cost.by_queue: queue name -> volume prices.
func (d *decoder) byQueue(n *yaml.Node, path string) map[string]QueueTerms {
	out := map[string]QueueTerms{}
	n = resolve(n)
	d.nodes[path] = n
	if n.Kind != yaml.MappingNode {
		d.typeError(n, path, "a mapping from queue names to prices", "write {premium client: {per_handled_minute: 0.8}}")
		return out
	}
	for _, e := range d.entries(n, path, 0) {
		if e.key.Kind != yaml.ScalarNode || isNull(e.key) {
			d.notef(e.key, path, "", "keys must be queue names")
			continue
		}
		p := join(path, e.key.Value)
		var t QueueTerms
		ptr := func(key string, dst **float64) field {
			return field{key, false, func(n *yaml.Node, p string) { v := d.nonNegativeValue(n, p); *dst = &v }}
		}
		d.mapping(e.value, p, "the queue's prices (a mapping)", "write {per_handled_minute: 0.8, per_call: 0.1}", []field{
			ptr("per_handled_minute", &t.PerHandledMinute),
			{"bill_wrap_up", false, func(n *yaml.Node, p string) {
				var b bool
				if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
					d.typeError(n, p, "true or false", "")
					return
				}
				t.BillWrapUp = &b
			}},
			ptr("per_call", &t.PerCall),
			ptr("per_resolved_contact", &t.PerResolvedContact),
		})
		out[e.key.Value] = t
	}
	return out
}

// slaHours decodes {from, to, days}, as a queue's open.
func (d *decoder) slaHours(n *yaml.Node, path string) *OpenHours {
	o := OpenHours{Days: allDays}
	var fromOK, toOK bool
	d.mapping(n, path, "hours {from, to, days}", `write {from: "08:00", to: "20:00", days: [mon, tue, wed, thu, fri]}`, []field{
		{"from", true, func(n *yaml.Node, p string) { o.From, fromOK = d.timeOfDay(n, p) }},
		{"to", true, func(n *yaml.Node, p string) { o.To, toOK = d.timeOfDay(n, p) }},
		{"days", false, func(n *yaml.Node, p string) { o.Days = d.days(n, p) }},
	})
	if fromOK && toOK {
		d.openHours(&o, n, path)
	}
	return &o
}

// nonNegativeValue decodes a number >= 0 (0 when it is not one).
func (d *decoder) nonNegativeValue(n *yaml.Node, path string) float64 {
	v, ok := d.number(n, path)
	if !ok {
		return 0
	}
	if v < 0 {
		d.errorf(n, path, "", "must be >= 0, got %s", n.Value)
		return 0
	}
	return v
}

// fillSLAs applies the defaults of every SLA that depend on the queues:
// the covered queues (the group's skills that are ours), then the service
// level and threshold (the covered queues' target, when they agree).
func (d *decoder) fillSLAs(s *Scenario) {
	for _, ps := range d.pendingSLAs {
		a := ps.sla
		if d.nodes[join(ps.path, "queues")] == nil {
			a.Queues = nil
			for _, sk := range ps.skills {
				if q := s.queueByName(sk); q != nil && q.Ours() {
					a.Queues = append(a.Queues, sk)
				}
			}
		}
		var covered []*Queue
		for _, name := range a.Queues {
			if q := s.queueByName(name); q != nil {
				covered = append(covered, q)
			}
		}
		if len(covered) == 0 {
			continue // reported by Validate
		}
		at := d.nodes[ps.path]
		if d.nodes[join(ps.path, "service_level")] == nil {
			a.ServiceLevel = covered[0].Target.ServiceLevel
			for _, q := range covered[1:] {
				if q.Target.ServiceLevel != a.ServiceLevel {
					d.errorf(at, join(ps.path, "service_level"), "give service_level: the agreed service level of the covered queues together",
						"the covered queues have different targets (%s for %q, %s for %q)",
						fmtPercent(a.ServiceLevel), covered[0].Name, fmtPercent(q.Target.ServiceLevel), q.Name)
					break
				}
			}
		}
		if d.nodes[join(ps.path, "within")] == nil {
			a.Within = covered[0].Target.Within
			for _, q := range covered[1:] {
				if q.Target.Within != a.Within {
					d.errorf(at, join(ps.path, "within"), "give within: the agreed threshold of the covered queues together",
						"the covered queues have different thresholds (%v for %q, %v for %q)", a.Within, covered[0].Name, q.Target.Within, q.Name)
					break
				}
			}
		}
	}
}

// validateContracts checks the contract terms of outsourced groups (the
// keys that suit the sourcing are checked in validateSourcing) and the
// queues of other clients.
func (s *Scenario) validateContracts(v *validator) {
	ours := 0
	for i := range s.Queues {
		q := &s.Queues[i]
		if q.Ours() {
			ours++
			if t := s.queueByName(q.TransferTo); t != nil && !t.Ours() {
				v.errorf(fmt.Sprintf("queues[%d].transfer_to", i), "transfer to a queue of ours",
					"queue %q is another client's (%s): our calls cannot be transferred to it", t.Name, t.Client)
			}
			continue
		}
		for _, g := range s.Groups {
			if contains(g.Skills, q.Name) && g.Sourcing != Outsourced {
				v.errorf(fmt.Sprintf("queues[%d].client", i), "another client's calls share a vendor's agents: serve the queue by outsourced groups only",
					"queue %q is another client's, but group %q (in-house) serves it", q.Name, g.Name)
			}
		}
	}
	if ours == 0 && len(s.Queues) > 0 {
		v.errorf("queues", "remove client from the queues that are ours", "every queue is another client's (client:); at least one must be ours")
	}
	for i := range s.Groups {
		g := &s.Groups[i]
		gp := fmt.Sprintf("groups[%d]", i)
		switch g.Priority {
		case "", ByQueue:
		case ByPrice:
			if g.Sourcing != Outsourced {
				v.errorf(gp+".priority", "by_price ranks a vendor's contracts; use the queues' priority for an in-house group",
					"by_price needs an outsourced group, but group %q is %s", g.Name, orDefault(g.Sourcing))
			}
		default:
			v.errorf(gp+".priority", "write queue or by_price", "unknown priority %q", g.Priority)
		}
		if g.Sourcing != Outsourced {
			continue // its vendor keys are reported by validateSourcing
		}
		c := &g.Cost
		cp := gp + ".cost"
		for _, q := range sortedQueues(c.ByQueue) {
			if !contains(g.Skills, q) {
				v.errorf(cp+".by_queue."+q, didYouMean(q, g.Skills, "skills of this group"), "%q is not a skill of group %q", q, g.Name)
			}
			t := c.ByQueue[q]
			for _, x := range []struct {
				key string
				v   *float64
			}{{"per_handled_minute", t.PerHandledMinute}, {"per_call", t.PerCall}, {"per_resolved_contact", t.PerResolvedContact}} {
				if x.v != nil && (*x.v < 0 || !finite(*x.v)) {
					v.errorf(cp+".by_queue."+q+"."+x.key, "", "must be >= 0")
				}
			}
		}
		for _, x := range []keyValue{{"per_resolved_contact", c.PerResolvedContact}, {"minimum_minutes", c.MinimumMinutes}, {"minimum_calls", c.MinimumCalls}} {
			if x.v < 0 || !finite(x.v) {
				v.errorf(cp+"."+x.key, "", "must be >= 0")
			}
		}
		if c.MinimumMinutes > 0 && c.PerHandledMinute == 0 {
			v.errorf(cp+".minimum_minutes", "give per_handled_minute: the minutes short of the minimum are billed at it", "a minimum of minutes needs a price per minute")
		}
		if c.MinimumCalls > 0 && c.PerCall == 0 {
			v.errorf(cp+".minimum_calls", "give per_call: the calls short of the minimum are billed at it", "a minimum of calls needs a price per call")
		}
		if k := c.Committed; k != nil {
			kp := cp + ".committed_hours"
			if k.Per != PerMonth && k.Per != PerWeek {
				v.errorf(kp+".per", "write month or week", "unknown period %q", k.Per)
			}
			if k.Hours < 0 || !finite(k.Hours) {
				v.errorf(kp+".hours", "", "must be >= 0")
			}
			if k.Price < 0 || !finite(k.Price) {
				v.errorf(kp+".price", "", "must be >= 0")
			}
			if a := k.AbovePrice(); a < 0 || !finite(a) {
				v.errorf(kp+".above", "", "must be >= 0")
			}
		}
		if a := c.SLA; a != nil {
			s.validateSLA(v, g, cp+".sla", a)
		}
	}
}

func (s *Scenario) validateSLA(v *validator, g *Group, p string, a *SLA) {
	switch a.Per {
	case SLAPerInterval, SLAPerDay, SLAPerMonth:
	default:
		v.errorf(p+".per", "write interval, day or month", "unknown period %q", a.Per)
	}
	if !(a.ServiceLevel > 0 && a.ServiceLevel <= 1) {
		v.errorf(p+".service_level", "the agreed share of calls answered within the threshold, such as 80%", "must be more than 0%% and at most 100%%, got %s", fmtPercent(a.ServiceLevel))
	}
	if a.Within < 0 {
		v.errorf(p+".within", "", "must be >= 0, got %v", a.Within)
	}
	if len(a.Queues) == 0 {
		v.errorf(p+".queues", "list the queues the agreement covers, or serve a queue of ours by the group",
			"the agreement covers no queue: group %q serves no queue of ours", g.Name)
	}
	for j, name := range a.Queues {
		qp := fmt.Sprintf("%s.queues[%d]", p, j)
		q := s.queueByName(name)
		switch {
		case !contains(g.Skills, name):
			v.errorf(qp, didYouMean(name, g.Skills, "skills of this group"), "%q is not a skill of group %q", name, g.Name)
		case q != nil && !q.Ours():
			v.errorf(qp, "an agreement of ours covers our queues", "queue %q is another client's (%s)", name, q.Client)
		}
	}
	if a.MinCalls < 0 {
		v.errorf(p+".min_calls", "", "must be at least 1, got %d", a.MinCalls)
	}
	for _, x := range []keyValue{{"penalty_per_point", a.PenaltyPerPoint}, {"penalty_per_miss", a.PenaltyPerMiss},
		{"bonus_per_point", a.BonusPerPoint}, {"bonus_per_met", a.BonusPerMet}, {"cap", a.CapAmount}} {
		if x.v < 0 || !finite(x.v) {
			v.errorf(p+"."+x.key, "", "must be >= 0")
		}
	}
	if a.CapShare < 0 || a.CapShare > 1 {
		v.errorf(p+".cap", capHint, "must be between 0%% and 100%%, got %s", fmtPercent(a.CapShare))
	}
	if a.CapAmount > 0 && a.CapShare > 0 {
		v.errorf(p+".cap", capHint, "give the cap as an amount or as a share of the fees, not both")
	}
	if h := a.Hours; h != nil && h.Days == ([7]bool{}) {
		v.errorf(p+".hours.days", "", "no days given")
	}
}

type keyValue struct {
	key string
	v   float64
}

func sortedQueues(m map[string]QueueTerms) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
