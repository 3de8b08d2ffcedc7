package center

import (
	"fmt"
	"math"
	"sort"

	"github.com/callsim/callsim/center/dist"
	"github.com/callsim/callsim/scenarios"
)

// Day is the length of a day, in seconds.
const Day = 86400.0

// MaxRouteSteps bounds the groups on one route.
const MaxRouteSteps = 32

// Center is a compiled scenario center. It is read-only once compiled and
// may be shared by any number of runs. Times are seconds from Monday 00:00.
type Center struct {
	Name     string
	Horizon  float64 // the headcount timeline is compiled up to here
	Interval float64 // reporting interval (divides a day)
	NSlots   int     // intervals per day

	Queues  []Queue
	Groups  []Group
	NAgents int // agents of all groups at their peak availability

	// Per group and queue ([g*len(Queues)+q]): the handle-time factor, the
	// first-contact resolution probability and the transfer share.
	Factor, Resolve, Transfer []float64
}

// Queue is one call type.
type Queue struct {
	Name        string
	Arrivals    dist.Curve
	Handle      dist.Sampler
	Wrap        dist.Sampler
	Patience    dist.Sampler
	HasWrap     bool
	HasPatience bool
	Within      float64 // service-level threshold, seconds
	TargetSL    float64
	Priority    int
	Route       []Step
	// Unresolved callers call again with RepeatProb after RepeatAfter;
	// HasRepeat is set when some group may leave a call unresolved.
	HasRepeat   bool
	RepeatProb  float64
	RepeatAfter dist.Sampler
	// Abandoned callers redial with RedialProb after RedialAfter.
	RedialProb  float64
	RedialAfter dist.Sampler
	SelfService float64 // share of callers served by the IVR
	TransferTo  int     // queue transferred calls go to, or -1
	HasTransfer bool    // some group transfers calls of this queue
	Open        *scenarios.OpenHours
}

// Step is one step of a route: the group may take a call once it has
// waited After seconds.
type Step struct {
	Group int
	After float64
}

// Group is an agent group.
type Group struct {
	Name       string
	Agents     int // peak scheduled (paid) headcount
	Peak       int // peak available headcount: the agents a run needs
	FirstAgent int // agents are numbered FirstAgent .. FirstAgent+Peak-1
	// Changes is the available headcount over time, from t = 0: from
	// Changes[i].T on, Changes[i].Avail agents take calls.
	Changes []StaffChange
	// Levels are the scheduled and available headcount over [0, Horizon),
	// segment by segment, for the agent time paid and staffed.
	Levels []Level
	Serves []Served // sorted by priority, highest first
}

// StaffChange: from time T on, Avail agents of a group are available.
type StaffChange struct {
	T     float64
	Avail int
}

// Level is a group's headcount over [T, End): Sched agents scheduled (paid),
// Avail available for calls.
type Level struct {
	T, End       float64
	Sched, Avail int
}

// Served is a queue a group serves, with its overflow delay.
type Served struct {
	Q        int
	After    float64
	Priority int
}

// Compile checks a scenario for what a center needs and compiles it, with
// its headcount timeline up to the scenario's horizon. Scenarios from the
// scenarios package are already validated; the checks here guard scenarios
// built in Go.
func Compile(sc *scenarios.Scenario) (*Center, error) {
	if sc == nil {
		return nil, fmt.Errorf("no scenario")
	}
	c := &Center{Name: sc.Name, Horizon: sc.Horizon.Seconds(), Interval: sc.Interval.Seconds()}
	switch {
	case !(c.Horizon > 0):
		return nil, fmt.Errorf("horizon must be positive, got %v", sc.Horizon)
	case !(c.Interval > 0) || math.Mod(Day, c.Interval) != 0:
		return nil, fmt.Errorf("interval %v must be positive and divide 24h", sc.Interval)
	case len(sc.Queues) == 0:
		return nil, fmt.Errorf("no queues")
	case len(sc.Groups) == 0:
		return nil, fmt.Errorf("no groups")
	}
	c.NSlots = int(Day / c.Interval)

	qIndex := map[string]int{}
	for i, q := range sc.Queues {
		if _, dup := qIndex[q.Name]; dup {
			return nil, fmt.Errorf("queue %q declared twice", q.Name)
		}
		qIndex[q.Name] = i
		if q.Arrivals.Rate < 0 || math.IsNaN(q.Arrivals.Rate) || math.IsInf(q.Arrivals.Rate, 0) {
			return nil, fmt.Errorf("queue %q: arrival rate must be finite and at least 0", q.Name)
		}
		if err := dist.Check(&q.HandleTime); err != nil {
			return nil, fmt.Errorf("queue %q: handle_time: %w", q.Name, err)
		}
		cq := Queue{
			Name:     q.Name,
			Handle:   dist.New(&q.HandleTime),
			Within:   q.Target.Within.Seconds(),
			TargetSL: q.Target.ServiceLevel,
			Priority: q.Priority,
		}
		if q.WrapUp != nil {
			if err := dist.Check(q.WrapUp); err != nil {
				return nil, fmt.Errorf("queue %q: wrap_up: %w", q.Name, err)
			}
			cq.Wrap, cq.HasWrap = dist.New(q.WrapUp), true
		}
		if q.Patience != nil {
			if err := dist.Check(q.Patience); err != nil {
				return nil, fmt.Errorf("queue %q: patience: %w", q.Name, err)
			}
			cq.Patience, cq.HasPatience = dist.New(q.Patience), true
		}
		curve, err := dist.NewCurve(&q.Arrivals, c.Interval)
		if err != nil {
			return nil, fmt.Errorf("queue %q: arrivals: %w", q.Name, err)
		}
		cq.Arrivals = curve
		c.Queues = append(c.Queues, cq)
	}

	gIndex := map[string]int{}
	for i, g := range sc.Groups {
		if _, dup := gIndex[g.Name]; dup {
			return nil, fmt.Errorf("group %q declared twice", g.Name)
		}
		if g.Agents < 0 {
			return nil, fmt.Errorf("group %q: agents must be at least 0, got %d", g.Name, g.Agents)
		}
		gIndex[g.Name] = i
		c.Groups = append(c.Groups, Group{Name: g.Name})
	}
	for i := range sc.Groups {
		if err := c.compileStaffing(i, &sc.Groups[i]); err != nil {
			return nil, fmt.Errorf("group %q: %w", sc.Groups[i].Name, err)
		}
		c.Groups[i].FirstAgent = c.NAgents
		c.NAgents += c.Groups[i].Peak
	}
	if err := c.compileOutcomes(sc, qIndex); err != nil {
		return nil, err
	}

	for _, r := range sc.Routes() {
		qi, ok := qIndex[r.Queue]
		if !ok {
			return nil, fmt.Errorf("routing names unknown queue %q", r.Queue)
		}
		if len(r.Groups) > MaxRouteSteps {
			return nil, fmt.Errorf("queue %q: a route has at most %d groups", r.Queue, MaxRouteSteps)
		}
		staffedBefore := false
		for _, rg := range r.Groups {
			gi, ok := gIndex[rg.Group]
			if !ok {
				return nil, fmt.Errorf("queue %q: routing names unknown group %q", r.Queue, rg.Group)
			}
			after := rg.After.Seconds()
			if after < 0 {
				return nil, fmt.Errorf("queue %q: group %q: after must be at least 0", r.Queue, rg.Group)
			}
			// An overflow delay waits for the groups before it; when none of
			// them has any agents (a variant that removes the in-house
			// team, say) the call goes straight on, as an ACD skips
			// groups with nobody logged in.
			if !staffedBefore {
				after = 0
			}
			staffedBefore = staffedBefore || c.Groups[gi].Peak > 0
			c.Queues[qi].Route = append(c.Queues[qi].Route, Step{Group: gi, After: after})
			c.Groups[gi].Serves = append(c.Groups[gi].Serves, Served{Q: qi, After: after, Priority: sc.ServePriority(&sc.Groups[gi], r.Queue)})
		}
	}
	for i := range c.Groups {
		s := c.Groups[i].Serves
		sort.SliceStable(s, func(a, b int) bool { return s[a].Priority > s[b].Priority })
	}
	return c, nil
}

// compileOutcomes fills the per-skill handle-time factors, resolution
// probabilities, transfer shares and the repeat, redial, self-service and
// transfer behaviour of the queues.
func (c *Center) compileOutcomes(sc *scenarios.Scenario, qIndex map[string]int) error {
	Q := len(c.Queues)
	c.Factor = make([]float64, len(c.Groups)*Q)
	c.Resolve = make([]float64, len(c.Groups)*Q)
	c.Transfer = make([]float64, len(c.Groups)*Q)
	for i := range c.Factor {
		c.Factor[i], c.Resolve[i] = 1, 1
	}
	for gi, g := range sc.Groups {
		for name, f := range g.HandleTimeFactor {
			qi, ok := qIndex[name]
			if !ok || !(f > 0) || math.IsInf(f, 0) {
				return fmt.Errorf("group %q: handle_time_factor for %q must name a queue and be positive", g.Name, name)
			}
			c.Factor[gi*Q+qi] = f
		}
		for name, p := range g.Resolution {
			qi, ok := qIndex[name]
			if !ok || !(p >= 0 && p <= 1) {
				return fmt.Errorf("group %q: resolution for %q must name a queue and be in [0, 1]", g.Name, name)
			}
			c.Resolve[gi*Q+qi] = p
			if p < 1 {
				c.Queues[qi].HasRepeat = true
			}
		}
		for name, p := range g.Transfer {
			qi, ok := qIndex[name]
			if !ok || !(p >= 0 && p <= 1) {
				return fmt.Errorf("group %q: transfer for %q must name a queue and be in [0, 1]", g.Name, name)
			}
			if p > 0 && sc.Queues[qi].TransferTo == "" {
				return fmt.Errorf("group %q transfers calls of %q, which has no transfer_to", g.Name, name)
			}
			c.Transfer[gi*Q+qi] = p
			c.Queues[qi].HasTransfer = c.Queues[qi].HasTransfer || p > 0
		}
	}
	for qi, q := range sc.Queues {
		cq := &c.Queues[qi]
		cq.RepeatProb = 1
		after := scenarios.Dist{Kind: scenarios.Exponential, Mean: Day}
		if q.Repeat.After.Kind != "" {
			cq.RepeatProb = q.Repeat.Probability
			after = q.Repeat.After
		}
		if err := dist.Check(&after); err != nil {
			return fmt.Errorf("queue %q: repeat.after: %w", q.Name, err)
		}
		if !(cq.RepeatProb >= 0 && cq.RepeatProb <= 1) {
			return fmt.Errorf("queue %q: repeat.probability must be in [0, 1]", q.Name)
		}
		cq.RepeatAfter = dist.New(&after)

		cq.RedialProb = q.Redial.Probability
		redial := q.Redial.After
		if redial.Kind == "" {
			redial = scenarios.Dist{Kind: scenarios.Exponential, Mean: 600}
		}
		if err := dist.Check(&redial); err != nil {
			return fmt.Errorf("queue %q: redial.after: %w", q.Name, err)
		}
		cq.RedialAfter = dist.New(&redial)
		if !(cq.RedialProb >= 0 && cq.RedialProb <= 1) || !(q.SelfService >= 0 && q.SelfService <= 1) {
			return fmt.Errorf("queue %q: redial.probability and self_service must be in [0, 1]", q.Name)
		}
		cq.SelfService = q.SelfService
		cq.Open = q.Open
		cq.TransferTo = -1
		if q.TransferTo != "" {
			ti, ok := qIndex[q.TransferTo]
			if !ok || ti == qi {
				return fmt.Errorf("queue %q: transfer_to %q must name another queue", q.Name, q.TransferTo)
			}
			cq.TransferTo = ti
		}
	}
	return nil
}

// Open reports whether queue q takes calls at time t.
func (c *Center) Open(q int, t float64) bool {
	o := c.Queues[q].Open
	return o == nil || IsOpen(o, t)
}

// IsOpen reports whether a queue with opening hours o takes calls at time t
// (seconds from Monday 00:00).
func IsOpen(o *scenarios.OpenHours, t float64) bool {
	d := int64(t / Day)
	tod := t - float64(d)*Day
	from, to := o.From.Seconds(), o.To.Seconds()
	if from <= to {
		return o.Days[d%7] && tod >= from && tod < to
	}
	// Spanning midnight: open from "from" on an open day to "to" the next.
	return (o.Days[d%7] && tod >= from) || (o.Days[(d+6)%7] && tod < to)
}

// Queue returns the index of the queue named name, or -1.
func (c *Center) Queue(name string) int {
	for i := range c.Queues {
		if c.Queues[i].Name == name {
			return i
		}
	}
	return -1
}

// Group returns the index of the group named name, or -1.
func (c *Center) Group(name string) int {
	for i := range c.Groups {
		if c.Groups[i].Name == name {
			return i
		}
	}
	return -1
}
