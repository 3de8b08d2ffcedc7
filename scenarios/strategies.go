package scenarios

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Strategy is one sourcing strategy for callsim optimize (strategies[i]):
// the base scenario with fixed overrides (Set, as a variant's), and the
// Decisions the optimizer chooses, each within bounds.
type Strategy struct {
	Name        string
	Description string
	// Set maps a path to a YAML value, as Variant.Set does.
	Set map[string]string
	// Decisions are the choices left to the optimizer, in file order.
	Decisions []Decision
	// Scenario is the base with Set applied, validated; it has no variants
	// and no strategies. A decision replaces what Scenario says at its path.
	Scenario *Scenario
}

// DecisionKind says what a decision chooses.
type DecisionKind string

// The kinds of decision; the last key of a decision's path names it.
const (
	// DecideAgents: a group's headcount (groups.G.agents), Min..Max.
	DecideAgents DecisionKind = "agents"
	// DecideAgentsByInterval: a group's headcount in every interval of the
	// week (groups.G.agents_by_interval), each Min..Max.
	DecideAgentsByInterval DecisionKind = "agents_by_interval"
	// DecideShifts: how many agents work each shift of a catalogue
	// (groups.G.shifts), each at most Max (0: no bound).
	DecideShifts DecisionKind = "shifts"
	// DecideAfter: the overflow delay of a route step
	// (routing.Q.groups.G.after), one of Delays.
	DecideAfter DecisionKind = "after"
	// DecideHours: the hours a group takes calls (groups.G.hours), one of
	// Windows.
	DecideHours DecisionKind = "hours"
	// DecideSkills: which of Queues a group answers (groups.G.skills), any
	// subset, the empty one included (then no queue is routed to it).
	DecideSkills DecisionKind = "skills"
)

// Decision is one choice left to the optimizer (strategies[i].decide).
type Decision struct {
	// Path is the decision's path as written, one that variants' set
	// accepts: groups.staff.agents, routing.tech.groups.vendor.after.
	Path  string
	Kind  DecisionKind
	Group string // the group decided, or whose route step is decided
	Queue string // DecideAfter: the queue whose route holds the step
	// Min and Max bound a headcount (DecideAgents, DecideAgentsByInterval);
	// for DecideShifts, Max bounds the agents of each shift (0: no bound).
	Min, Max int
	Delays   []time.Duration // DecideAfter: the delays to choose from
	Windows  []OpenHours     // DecideHours: the windows to choose from
	Queues   []string        // DecideSkills: the queues to choose among
	Shifts   *ShiftCatalogue // DecideShifts: the shifts to choose from
	// Line and Col locate the decision's path in the file (0 if unknown).
	Line, Col int
}

// ShiftCatalogue lists the shifts an optimizer may staff: every start with
// every length and every day set; shifts at least Break.From long get one
// break.
type ShiftCatalogue struct {
	Starts  []time.Duration // times of day
	Lengths []time.Duration
	Days    [][7]bool // day sets, Monday first (default: one, every day)
	Break   *BreakRule
}

// BreakRule puts one break of Length into every shift at least From long,
// After from its start (0: in the middle, rounded down to a quarter hour).
type BreakRule struct {
	Length, From, After time.Duration
}

// BreakFor returns the break of a shift of length l, or nil.
func (c *ShiftCatalogue) BreakFor(l time.Duration) *Break {
	b := c.Break
	if b == nil || b.Length <= 0 || l < b.From || b.Length >= l {
		return nil
	}
	after := b.After
	if after == 0 {
		after = (l / 2) / (15 * time.Minute) * (15 * time.Minute)
	}
	if after+b.Length > l {
		after = l - b.Length
	}
	return &Break{After: after, Length: b.Length}
}

// OptimizeSpec holds the optimizer's settings (optimize).
type OptimizeSpec struct {
	// EveryInterval: a plan meets a queue's target only when it is met in
	// every interval of the day (of every kind of day), not only over the
	// whole horizon (optimize.every_interval, default false).
	EveryInterval bool
	// Replications is the sample of replications plans are compared on
	// (optimize.replications, default: the scenario's replications).
	Replications int
	// CheckReplications is the number of replications, with fresh seeds,
	// of the check of every chosen plan (optimize.check_replications,
	// default: Replications).
	CheckReplications int
}

// strategySpec is a strategy as written, kept to build it once the base
// is known to be valid.
type strategySpec struct {
	path      string
	name      string
	sets      []setSpec
	decisions []decisionSpec
}

type decisionSpec struct {
	key  *yaml.Node
	path string // the error path: strategies[0].decide.groups.staff.agents
	d    Decision
	ok   bool
	// maxNode locates Max (bounds errors point at it).
	maxNode *yaml.Node
}

const decideHint = "decisions are a group's agents, agents_by_interval, shifts, hours or skills (groups.NAME.agents) or a route step's delay (routing.QUEUE.groups.GROUP.after)"

// strategy decodes strategies[i]: {name, description, set, decide}.
func (d *decoder) strategy(n *yaml.Node, path string) Strategy {
	st := Strategy{Set: map[string]string{}}
	spec := strategySpec{path: path}
	d.mapping(n, path, "a strategy (a mapping)", "write {name: in-house only, set: {groups.vendor.agents: 0}, decide: {groups.staff.agents: 5..40}}", []field{
		{"name", true, func(n *yaml.Node, p string) { st.Name, _ = d.str(n, p) }},
		{"description", false, func(n *yaml.Node, p string) { st.Description, _ = d.str(n, p) }},
		{"set", false, func(n *yaml.Node, p string) {
			if n.Kind != yaml.MappingNode {
				d.typeError(n, p, "a mapping from paths to values", "write {groups.vendor.agents: 0}")
				return
			}
			for _, e := range d.entries(n, p, 0) {
				if e.key.Kind != yaml.ScalarNode || e.key.Value == "" {
					d.notef(e.key, p, "", "keys must be paths such as groups.staff.agents")
					continue
				}
				b, _ := yaml.Marshal(e.value)
				st.Set[e.key.Value] = strings.TrimSpace(string(b))
				spec.sets = append(spec.sets, setSpec{key: e.key, value: e.value})
			}
		}},
		{"decide", false, func(n *yaml.Node, p string) {
			if n.Kind != yaml.MappingNode {
				d.typeError(n, p, "a mapping from paths to the ranges to choose from", "write {groups.staff.agents: 5..40}")
				return
			}
			for _, e := range d.entries(n, p, 0) {
				if e.key.Kind != yaml.ScalarNode || e.key.Value == "" {
					d.notef(e.key, p, decideHint, "keys must be paths such as groups.staff.agents")
					continue
				}
				ds := d.decision(e.key, resolve(e.value), join(p, e.key.Value))
				spec.decisions = append(spec.decisions, ds)
			}
		}},
	})
	spec.name = st.Name
	d.strategySpecs = append(d.strategySpecs, spec)
	return st
}

// decision decodes one entry of decide: the path's last key says which
// kind of range its value is.
func (d *decoder) decision(key, v *yaml.Node, path string) decisionSpec {
	ds := decisionSpec{key: key, path: path, d: Decision{Path: key.Value, Line: key.Line, Col: key.Column}}
	d.nodes[path] = v
	segs := strings.Split(key.Value, ".")
	last := segs[len(segs)-1]
	switch {
	case segs[0] == "groups" && len(segs) == 3 && (last == "agents" || last == "agents_by_interval"):
		ds.d.Kind = DecisionKind(last)
		ds.d.Min, ds.d.Max, ds.maxNode, ds.ok = d.bounds(v, path)
	case segs[0] == "groups" && len(segs) == 3 && last == "shifts":
		ds.d.Kind = DecideShifts
		ds.d.Shifts, ds.d.Max, ds.ok = d.catalogue(v, path)
	case segs[0] == "groups" && len(segs) == 3 && last == "hours":
		ds.d.Kind = DecideHours
		ds.d.Windows, ds.ok = d.windows(v, path)
	case segs[0] == "groups" && len(segs) == 3 && last == "skills":
		ds.d.Kind = DecideSkills
		ds.d.Queues, ds.ok = d.queueChoice(v, path)
	case segs[0] == "routing" && len(segs) == 5 && segs[2] == "groups" && last == "after":
		ds.d.Kind = DecideAfter
		ds.d.Delays, ds.ok = d.delays(v, path)
	default:
		d.notef(key, path, decideHint, "cannot decide %s", key.Value)
		return ds
	}
	if len(segs) >= 2 {
		ds.d.Group = segs[1]
	}
	if ds.d.Kind == DecideAfter {
		ds.d.Queue, ds.d.Group = segs[1], segs[3]
	}
	return ds
}

const boundsHint = "write 5..40 or {min: 5, max: 40}"

// bounds decodes a headcount range: "5..40", {min: 5, max: 40} or
// {max: 40} (min 0).
func (d *decoder) bounds(n *yaml.Node, path string) (lo, hi int, maxNode *yaml.Node, ok bool) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		a, b, cut := strings.Cut(n.Value, "..")
		x, err1 := strconv.Atoi(strings.TrimSpace(a))
		y, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !cut || err1 != nil || err2 != nil {
			d.errorf(n, path, boundsHint, "expected a range of agents, got %s", describe(n))
			return 0, 0, nil, false
		}
		return x, y, n, d.checkBounds(n, path, x, y)
	}
	hasMax := false
	good := true
	okMap := d.mapping(n, path, "a range of agents", boundsHint, []field{
		{"min", false, func(n *yaml.Node, p string) {
			var ok bool
			if lo, ok = d.integer(n, p); !ok {
				good = false
			}
		}},
		{"max", true, func(n *yaml.Node, p string) {
			var ok bool
			maxNode = n
			hasMax = true
			if hi, ok = d.integer(n, p); !ok {
				good = false
			}
		}},
	})
	if !okMap || !hasMax || !good {
		return 0, 0, nil, false
	}
	return lo, hi, maxNode, d.checkBounds(maxNode, path, lo, hi)
}

func (d *decoder) checkBounds(n *yaml.Node, path string, lo, hi int) bool {
	switch {
	case lo < 0:
		d.errorf(n, path, "", "the least headcount must be >= 0, got %d", lo)
	case lo > hi:
		d.errorf(n, path, fmt.Sprintf("write %d..%d", hi, lo), "bounds reversed: min %d is above max %d", lo, hi)
	case hi > MaxAgents:
		d.errorf(n, path, "", "max must be at most %d, got %d", MaxAgents, hi)
	default:
		return true
	}
	return false
}

// maxChoices bounds the values of one discrete decision.
const maxChoices = 1000

// delays decodes the delays of an after decision: a list of durations or
// {min, max, step}.
func (d *decoder) delays(n *yaml.Node, path string) ([]time.Duration, bool) {
	const hint = "write [0s, 20s, 40s] or {min: 0s, max: 60s, step: 10s}"
	var out []time.Duration
	good := true
	if n.Kind == yaml.SequenceNode {
		d.list(n, path, "a list of delays", hint, func(_ int, it *yaml.Node, p string) {
			v, ok := d.duration(it, p)
			if ok && v < 0 {
				d.errorf(it, p, "", "a delay must be >= 0, got %v", v)
				ok = false
			}
			good = good && ok
			out = append(out, v)
		})
		if len(out) == 0 {
			d.errorf(n, path, hint, "give at least one delay")
			return nil, false
		}
		return out, good
	}
	var lo, hi, step time.Duration
	var hiNode *yaml.Node
	if !d.mapping(n, path, "a list of delays or {min, max, step}", hint, []field{
		{"min", false, func(n *yaml.Node, p string) { v, ok := d.duration(n, p); lo, good = v, good && ok }},
		{"max", true, func(n *yaml.Node, p string) { v, ok := d.duration(n, p); hi, hiNode, good = v, n, good && ok }},
		{"step", true, func(n *yaml.Node, p string) { v, ok := d.duration(n, p); step, good = v, good && ok }},
	}) || !good || hiNode == nil {
		return nil, false
	}
	switch {
	case lo < 0:
		d.errorf(hiNode, path, "", "a delay must be >= 0, got %v", lo)
	case lo > hi:
		d.errorf(hiNode, path, "swap min and max", "bounds reversed: min %v is above max %v", lo, hi)
	case step <= 0:
		d.errorf(hiNode, path, "", "step must be positive, got %v", step)
	case (hi-lo)/step+1 > maxChoices:
		d.errorf(hiNode, path, "use a larger step", "%d delays, at most %d", (hi-lo)/step+1, maxChoices)
	default:
		for v := lo; v <= hi; v += step {
			out = append(out, v)
		}
		return out, true
	}
	return nil, false
}

// times decodes one time of day or a list of them.
func (d *decoder) times(n *yaml.Node, path string) ([]time.Duration, bool) {
	if n.Kind == yaml.SequenceNode {
		var out []time.Duration
		good := true
		d.list(n, path, "a list of times of day", `write ["06:00", "08:00"]`, func(_ int, it *yaml.Node, p string) {
			v, ok := d.timeOfDay(it, p)
			good = good && ok
			out = append(out, v)
		})
		if len(out) == 0 {
			d.errorf(n, path, `write ["06:00", "08:00"]`, "give at least one time")
			return nil, false
		}
		return out, good
	}
	v, ok := d.timeOfDay(n, path)
	return []time.Duration{v}, ok
}

// windows decodes an hours decision: {from: TIMES, to: TIMES, days}; every
// from with every to is a candidate window.
func (d *decoder) windows(n *yaml.Node, path string) ([]OpenHours, bool) {
	var from, to []time.Duration
	days := allDays
	good := true
	if !d.mapping(n, path, "a mapping {from, to, days}", `write {from: ["18:00", "20:00"], to: ["06:00", "08:00"]}: every from with every to`, []field{
		{"from", true, func(n *yaml.Node, p string) { v, ok := d.times(n, p); from, good = v, good && ok }},
		{"to", true, func(n *yaml.Node, p string) { v, ok := d.times(n, p); to, good = v, good && ok }},
		{"days", false, func(n *yaml.Node, p string) { days = d.days(n, p) }},
	}) || !good || len(from) == 0 || len(to) == 0 {
		return nil, false
	}
	if len(from)*len(to) > maxChoices {
		d.errorf(n, path, "give fewer times", "%d windows, at most %d", len(from)*len(to), maxChoices)
		return nil, false
	}
	var out []OpenHours
	for _, f := range from {
		for _, t := range to {
			if f == t {
				continue // an empty window
			}
			out = append(out, OpenHours{From: f, To: t, Days: days})
		}
	}
	if len(out) == 0 {
		d.errorf(n, path, "", "every window is empty (from equals to)")
		return nil, false
	}
	return out, true
}

// queueChoice decodes a skills decision: {any_of: [QUEUES]} or the list.
func (d *decoder) queueChoice(n *yaml.Node, path string) ([]string, bool) {
	const hint = "write {any_of: [billing, technical]}: any subset of them, none included"
	var out []string
	good := true
	each := func(_ int, it *yaml.Node, p string) {
		s, ok := d.str(it, p)
		good = good && ok
		out = append(out, s)
	}
	if n.Kind == yaml.SequenceNode {
		d.list(n, path, "a list of queue names", hint, each)
	} else if !d.mapping(n, path, "a mapping {any_of: [QUEUES]}", hint, []field{
		{"any_of", true, func(n *yaml.Node, p string) { d.list(n, p, "a list of queue names", hint, each) }},
	}) {
		return nil, false
	}
	if good && len(out) == 0 {
		d.errorf(n, path, hint, "give at least one queue")
		return nil, false
	}
	if len(out) > 12 {
		d.errorf(n, path, "", "at most 12 queues to choose among (4096 subsets), got %d", len(out))
		return nil, false
	}
	return out, good
}

// catalogue decodes a shifts decision: {starts, lengths, days, break, max}.
func (d *decoder) catalogue(n *yaml.Node, path string) (*ShiftCatalogue, int, bool) {
	c := &ShiftCatalogue{}
	maxAgents := 0
	good := true
	const hint = `write {starts: {from: "06:00", to: "14:00", every: 30m}, lengths: [8h], days: [[weekdays], [weekend]], break: {length: 30m, from: 6h}}`
	if !d.mapping(n, path, "a shift catalogue (a mapping)", hint, []field{
		{"starts", true, func(n *yaml.Node, p string) {
			if n.Kind == yaml.MappingNode {
				var from, to, every time.Duration
				var toNode *yaml.Node
				if !d.mapping(n, p, "{from, to, every}", `write {from: "06:00", to: "14:00", every: 30m}`, []field{
					{"from", true, func(n *yaml.Node, p string) { v, ok := d.timeOfDay(n, p); from, good = v, good && ok }},
					{"to", true, func(n *yaml.Node, p string) { v, ok := d.timeOfDay(n, p); to, toNode, good = v, n, good && ok }},
					{"every", true, func(n *yaml.Node, p string) { v, ok := d.duration(n, p); every, good = v, good && ok }},
				}) || !good || toNode == nil {
					good = false
					return
				}
				switch {
				case every <= 0:
					d.errorf(toNode, p, "", "every must be positive, got %v", every)
					good = false
				case from > to:
					d.errorf(toNode, p, "the starts run from..to within one day; shifts may still run past midnight", "bounds reversed: from %s is after to %s", clockText(from), clockText(to))
					good = false
				default:
					for t := from; t <= to && t < 24*time.Hour; t += every {
						c.Starts = append(c.Starts, t)
					}
				}
				return
			}
			v, ok := d.times(n, p)
			c.Starts, good = v, good && ok
		}},
		{"lengths", true, func(n *yaml.Node, p string) {
			d.list(n, p, "a list of shift lengths", "write [4h, 8h]", func(_ int, it *yaml.Node, ip string) {
				v, ok := d.duration(it, ip)
				if ok && (v <= 0 || v > 24*time.Hour) {
					d.errorf(it, ip, "", "a shift length must be more than 0 and at most 24h, got %v", v)
					ok = false
				}
				good = good && ok
				c.Lengths = append(c.Lengths, v)
			})
		}},
		{"days", false, func(n *yaml.Node, p string) {
			d.list(n, p, "a list of day sets", "write [[weekdays], [sat, sun]]", func(_ int, it *yaml.Node, ip string) {
				var set [7]bool
				if it.Kind == yaml.ScalarNode {
					set = d.days(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{it}, Line: it.Line, Column: it.Column}, ip)
				} else {
					set = d.days(it, ip)
				}
				if set == ([7]bool{}) {
					good = false
				}
				c.Days = append(c.Days, set)
			})
		}},
		{"break", false, func(n *yaml.Node, p string) {
			b := &BreakRule{}
			d.mapping(n, p, "a break rule {length, from, after}", "write {length: 30m, from: 6h}: shifts of 6h or more get a 30-minute break in the middle", []field{
				{"length", true, func(n *yaml.Node, p string) { v, ok := d.duration(n, p); b.Length, good = v, good && ok }},
				{"from", false, func(n *yaml.Node, p string) { v, ok := d.duration(n, p); b.From, good = v, good && ok }},
				{"after", false, func(n *yaml.Node, p string) { v, ok := d.duration(n, p); b.After, good = v, good && ok }},
			})
			if b.Length < 0 || b.From < 0 || b.After < 0 {
				d.errorf(n, p, "", "break durations must be >= 0")
				good = false
			}
			c.Break = b
		}},
		{"max", false, func(n *yaml.Node, p string) {
			v, ok := d.integer(n, p)
			if ok && (v < 1 || v > MaxAgents) {
				d.errorf(n, p, "", "max (agents on one shift) must be between 1 and %d, got %d", MaxAgents, v)
				ok = false
			}
			maxAgents, good = v, good && ok
		}},
	}) {
		return nil, 0, false
	}
	if len(c.Days) == 0 {
		c.Days = [][7]bool{allDays}
	}
	if good && len(c.Starts)*len(c.Lengths)*len(c.Days) > 20000 {
		d.errorf(n, path, "use fewer starts, lengths or day sets", "%d shifts in the catalogue, at most 20000", len(c.Starts)*len(c.Lengths)*len(c.Days))
		good = false
	}
	return c, maxAgents, good && len(c.Starts) > 0 && len(c.Lengths) > 0
}

// optimizeSpec decodes the top-level optimize mapping.
func (d *decoder) optimizeSpec(n *yaml.Node, path string) OptimizeSpec {
	var o OptimizeSpec
	rep := func(dst *int) func(*yaml.Node, string) {
		return func(n *yaml.Node, p string) {
			v, ok := d.integer(n, p)
			if ok && (v < 1 || v > MaxReplications) {
				d.errorf(n, p, "", "must be between 1 and %d, got %d", MaxReplications, v)
				return
			}
			*dst = v
		}
	}
	d.mapping(n, path, "a mapping", "write {every_interval: true}", []field{
		{"every_interval", false, func(n *yaml.Node, p string) {
			if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&o.EveryInterval) != nil {
				d.typeError(n, p, "true or false", "")
			}
		}},
		{"replications", false, rep(&o.Replications)},
		{"check_replications", false, rep(&o.CheckReplications)},
	})
	return o
}

// buildStrategies builds every strategy's scenario (the base, without
// variants and strategies, with the strategy's overrides) and checks its
// decisions against it; errors point at the override or the decision.
func (d *decoder) buildStrategies(root *yaml.Node, s *Scenario) {
	names := map[string]bool{}
	for i, spec := range d.strategySpecs {
		if names[spec.name] {
			d.notef(d.nodes[spec.path+".name"], spec.path+".name", "give every strategy its own name", "duplicate strategy name %q", spec.name)
			continue
		}
		names[spec.name] = true
		doc := cloneNode(root)
		for _, k := range []string{"variants", "strategies", "optimize"} {
			removeKey(doc, k)
		}
		ok := true
		for _, st := range spec.sets {
			if err := setPath(doc, st.key.Value, cloneNode(st.value)); err != nil {
				d.notef(st.key, spec.path+".set", setHint, "strategy %q: %v", spec.name, err)
				ok = false
			}
		}
		if !ok {
			continue
		}
		ss, err := parseNode(d.file, doc)
		if err != nil {
			el, _ := err.(*ErrorList)
			if el == nil {
				d.notef(resolve(d.nodes[spec.path]), spec.path, "", "strategy %q: %v", spec.name, err)
				continue
			}
			for _, e := range el.Errors {
				at := d.nodes[spec.path]
				for _, st := range spec.sets {
					if p := errorPath(root, st.key.Value); within(e.Path, p) || within(p, e.Path) {
						at = st.value
					}
				}
				d.notef(at, spec.path, e.Hint, "strategy %q: %s: %s", spec.name, e.Path, e.Msg)
			}
			continue
		}
		var decs []Decision
		staffing := map[string]string{} // group -> the staffing decision's path
		for _, ds := range spec.decisions {
			switch ds.d.Kind {
			case DecideAgents, DecideAgentsByInterval, DecideShifts:
				if _, dup := staffing[ds.d.Group]; !dup && ds.ok {
					staffing[ds.d.Group] = ds.d.Path
				}
			}
		}
		for _, ds := range spec.decisions {
			if ds.ok && d.checkDecision(ss, spec.name, &ds, staffing) {
				decs = append(decs, ds.d)
			}
		}
		s.Strategies[i].Decisions = decs
		s.Strategies[i].Scenario = ss
	}
}

// checkDecision resolves a decision against the strategy's scenario: the
// group (and route step) must exist, and a group has at most one staffing
// decision.
func (d *decoder) checkDecision(ss *Scenario, strategy string, ds *decisionSpec, staffing map[string]string) bool {
	dec := &ds.d
	fail := func(hint, format string, args ...any) bool {
		d.notef(ds.key, ds.path, hint, "strategy %q: "+format, append([]any{strategy}, args...)...)
		return false
	}
	gi := -1
	var names []string
	for i, g := range ss.Groups {
		names = append(names, g.Name)
		if g.Name == dec.Group {
			gi = i
		}
	}
	if gi < 0 {
		return fail(didYouMean(dec.Group, names, "groups"), "no group %q (there are: %s)", dec.Group, strings.Join(names, ", "))
	}
	g := &ss.Groups[gi]
	switch dec.Kind {
	case DecideAgents, DecideAgentsByInterval, DecideShifts:
		if prev := staffing[dec.Group]; prev != dec.Path {
			return fail("decide one of agents, agents_by_interval or shifts per group", "group %q is already decided by %s", dec.Group, prev)
		}
		if dec.Kind == DecideShifts && g.Hours != nil {
			return fail("remove the group's hours: the shifts say when it works", "group %q has hours; shifts cannot be combined with them", dec.Group)
		}
	case DecideHours:
		if len(g.Shifts) > 0 && staffing[dec.Group] == "" {
			// The group works shifts, and no decision replaces them.
			return fail("hours apply to a group staffed by agents or agents_by_interval", "group %q works shifts, which say when it works", dec.Group)
		}
		if p := staffing[dec.Group]; strings.HasSuffix(p, ".shifts") {
			return fail("hours apply to a group staffed by agents or agents_by_interval", "group %q is decided by %s", dec.Group, p)
		}
	case DecideSkills:
		var qs []string
		for _, q := range ss.Queues {
			qs = append(qs, q.Name)
		}
		seen := map[string]bool{}
		for _, q := range dec.Queues {
			if !contains(qs, q) {
				return fail(didYouMean(q, qs, "queues"), "no queue %q (there are: %s)", q, strings.Join(qs, ", "))
			}
			if seen[q] {
				return fail("", "queue %q is listed twice", q)
			}
			seen[q] = true
		}
	case DecideAfter:
		qi := -1
		var qs []string
		for i, q := range ss.Queues {
			qs = append(qs, q.Name)
			if q.Name == dec.Queue {
				qi = i
			}
		}
		if qi < 0 {
			return fail(didYouMean(dec.Queue, qs, "queues"), "no route for queue %q (there are: %s)", dec.Queue, strings.Join(qs, ", "))
		}
		var steps []string
		found := false
		for _, rg := range ss.Routing[qi].Groups {
			steps = append(steps, rg.Group)
			found = found || rg.Group == dec.Group
		}
		if !found {
			return fail(didYouMean(dec.Group, steps, "groups in the route"), "the route of %q has no group %q (it has: %s)", dec.Queue, dec.Group, strings.Join(steps, ", "))
		}
	}
	return true
}

// StrategyByName returns the strategy called name, or nil.
func (s *Scenario) StrategyByName(name string) *Strategy {
	for i := range s.Strategies {
		if s.Strategies[i].Name == name {
			return &s.Strategies[i]
		}
	}
	return nil
}

// StrategyNames lists the strategies' names, in file order.
func (s *Scenario) StrategyNames() []string {
	out := make([]string, len(s.Strategies))
	for i, st := range s.Strategies {
		out[i] = st.Name
	}
	return out
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
