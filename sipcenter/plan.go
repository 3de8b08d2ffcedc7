package sipcenter

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

// checkScenario says why a scenario cannot be played by the target.
func checkScenario(sc *scenarios.Scenario) error {
	var errs []error
	if len(sc.Queues) == 0 {
		errs = append(errs, fmt.Errorf("scenario %q: no queues", sc.Name))
	}
	hc, err := sim.Headcount(sc)
	if err != nil {
		return fmt.Errorf("scenario %q: %w", sc.Name, err)
	}
	peak := 0
	for _, changes := range hc {
		for _, c := range changes {
			peak = max(peak, c.Available)
		}
	}
	if peak < 1 {
		errs = append(errs, fmt.Errorf("scenario %q: no agents in any group at any time", sc.Name))
	}
	return errors.Join(errs...)
}

// varying reports whether a group's headcount changes over time.
func varying(g *scenarios.Group) bool {
	return len(g.Shifts) > 0 || len(g.AgentsByInterval) > 0 || len(g.Outages) > 0 || g.Shrinkage > 0 || g.Hours != nil
}

// newACD builds the distributor of cfg (defaults applied, validated).
func newACD(cfg Config, now time.Time) (*acd, error) {
	a := &acd{start: now, scale: cfg.TimeScale, clockStart: cfg.ClockStart, trunks: cfg.Trunks,
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x7a4e)), userParts: map[string]uint64{}, callLog: cfg.callLog()}
	wall := func(d time.Duration) time.Duration { return time.Duration(float64(d) / cfg.TimeScale) }
	if cfg.Scenario == nil {
		// Simple mode: one queue (whatever the user part), one group.
		a.wildcard = true
		h := cfg.Handle
		a.queues = []*queue{{within: wall(cfg.Within), withinSc: cfg.Within, lastChange: now, transferTo: -1,
			route: []step{{group: 0}}, handle: func(r *rand.Rand) time.Duration { return h.Sample(r) }}}
		a.groups = []*group{{name: "agents", factor: []float64{1}, serves: []servedQ{{q: 0}}}}
		a.addAgents(0, cfg.Agents)
		return a, nil
	}
	sc := cfg.Scenario
	qIndex := map[string]int{}
	for i, sq := range sc.Queues {
		qIndex[sq.Name] = i
		within := sq.Target.Within
		if within <= 0 {
			within = DefaultWithin
		}
		hs := sim.NewSampler(sq.HandleTime)
		q := &queue{name: sq.Name, within: wall(within), withinSc: within, priority: sq.Priority, open: sq.Open,
			lastChange: now, handle: func(r *rand.Rand) time.Duration { return seconds(hs.Sample(r)) },
			transferTo: -1, transferRng: rand.New(rand.NewPCG(cfg.Seed, transferStream+uint64(i)))}
		if sq.WrapUp != nil && sq.WrapUp.Mean > 0 {
			ws := sim.NewSampler(*sq.WrapUp)
			q.wrap = func(r *rand.Rand) time.Duration { return seconds(ws.Sample(r)) }
		}
		a.queues = append(a.queues, q)
	}
	for i, sq := range sc.Queues {
		if sq.TransferTo == "" {
			continue
		}
		ti, ok := qIndex[sq.TransferTo]
		if !ok || ti == i {
			return nil, fmt.Errorf("scenario %q: queue %q: transfer_to %q must name another queue", sc.Name, sq.Name, sq.TransferTo)
		}
		a.queues[i].transferTo = ti
	}
	hc, err := sim.Headcount(sc)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", sc.Name, err)
	}
	timeline := make([][]sim.StaffChange, len(sc.Groups))
	gIndex := map[string]int{}
	for i, sg := range sc.Groups {
		gIndex[sg.Name] = i
		g := &group{name: sg.Name, factor: make([]float64, len(sc.Queues)), transfer: make([]float64, len(sc.Queues))}
		for qi, q := range sc.Queues {
			g.factor[qi] = 1
			if f, ok := sg.HandleTimeFactor[q.Name]; ok && f > 0 {
				g.factor[qi] = f
			}
			if p := sg.Transfer[q.Name]; p > 0 {
				if a.queues[qi].transferTo < 0 {
					return nil, fmt.Errorf("scenario %q: group %q transfers calls of %q, which has no transfer_to", sc.Name, sg.Name, q.Name)
				}
				g.transfer[qi] = min(p, 1)
				a.queues[qi].hasTransfer = true
			}
		}
		a.groups = append(a.groups, g)
		if !varying(&sg) {
			a.addAgents(i, sg.Agents)
			continue
		}
		// A time-varying headcount, followed on the scenario clock: the
		// value at ClockStart now, each later change when its time comes.
		peak, now0 := 0, 0
		for _, c := range hc[i] {
			peak = max(peak, c.Available)
			if c.At <= cfg.ClockStart {
				now0 = c.Available
			}
		}
		a.addAgents(i, peak)
		g.idle, g.onDuty = nil, 0
		for _, ag := range g.agents {
			ag.on = false
		}
		a.setStaffLocked(i, now0, now)
		timeline[i] = hc[i]
	}
	for _, r := range sc.Routes() {
		qi, ok := qIndex[r.Queue]
		if !ok {
			return nil, fmt.Errorf("scenario %q: routing names unknown queue %q", sc.Name, r.Queue)
		}
		staffedBefore := false
		for _, rg := range r.Groups {
			gi, ok := gIndex[rg.Group]
			if !ok {
				return nil, fmt.Errorf("scenario %q: queue %q: routing names unknown group %q", sc.Name, r.Queue, rg.Group)
			}
			after := rg.After
			// As in the simulator: an overflow delay waits for the groups
			// before it; with nobody in them, the call goes straight on.
			if !staffedBefore {
				after = 0
			}
			staffedBefore = staffedBefore || len(a.groups[gi].agents) > 0 // the peak, as in the simulator
			a.queues[qi].route = append(a.queues[qi].route, step{group: gi, after: wall(after)})
			a.groups[gi].serves = append(a.groups[gi].serves, servedQ{q: qi, after: wall(after), priority: a.queues[qi].priority})
		}
	}
	for _, g := range a.groups {
		sort.SliceStable(g.serves, func(i, j int) bool { return g.serves[i].priority > g.serves[j].priority })
	}
	// Once the center is built: each later headcount change when its time
	// comes on the scenario clock.
	for gi, changes := range timeline {
		for _, c := range changes {
			if c.At > cfg.ClockStart {
				a.staffTimers = append(a.staffTimers, time.AfterFunc(wall(c.At-cfg.ClockStart), func() { a.setStaff(gi, c.Available) }))
			}
		}
	}
	return a, nil
}

func (a *acd) addAgents(gi, n int) {
	g := a.groups[gi]
	for range n {
		ag := &agent{id: len(a.agents), group: gi, on: true}
		a.agents = append(a.agents, ag)
		g.agents = append(g.agents, ag)
		g.idle = append(g.idle, ag)
	}
	g.onDuty += n
	g.lastStaff = a.start
}

// transferStream seeds each queue's transfer draws, apart from the handle
// and wrap-up times.
const transferStream = 0x7472_0000

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// QueueNames lists the queues a scenario-mode target answers (nil in simple
// mode, which takes any Request-URI user part).
func (s *Server) QueueNames() []string {
	if s.acd.wildcard {
		return nil
	}
	var names []string
	for _, q := range s.acd.queues {
		names = append(names, q.name)
	}
	return names
}
