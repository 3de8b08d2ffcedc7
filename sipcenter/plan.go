package sipcenter

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/scenarios"
)

// simpleQueue names the one queue of simple mode.
const simpleQueue = "default"

// compileCenter compiles the center cfg plays: the scenario's, or in
// simple mode one queue served by cfg.Agents agents with cfg.Handle.
func compileCenter(cfg *Config) (*center.Center, error) {
	sc := cfg.Scenario
	if sc == nil {
		sc = simpleScenario(cfg)
	}
	c, err := center.Compile(sc)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", sc.Name, err)
	}
	return c, nil
}

// simpleScenario is the scenario of simple mode.
func simpleScenario(cfg *Config) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "simple", Horizon: 7 * 24 * time.Hour, Interval: time.Hour, Replications: 1,
		Queues: []scenarios.Queue{{Name: simpleQueue, HandleTime: scenarioDist(cfg.Handle),
			Target: scenarios.Target{Within: cfg.Within}}},
		Groups: []scenarios.Group{{Name: "agents", Agents: cfg.Agents, Skills: []string{simpleQueue}}},
	}
}

// scenarioDist is the scenario form of a load generator distribution
// (seconds).
func scenarioDist(d loadgen.Dist) scenarios.Dist {
	switch d.Kind {
	case loadgen.DistExp:
		return scenarios.Dist{Kind: scenarios.Exponential, Mean: d.Mean.Seconds()}
	case loadgen.DistUniform:
		return scenarios.Dist{Kind: scenarios.Uniform, Min: d.Min.Seconds(), Max: d.Max.Seconds()}
	}
	return scenarios.Dist{Kind: scenarios.Constant, Mean: d.Mean.Seconds()}
}

// checkScenario says why a scenario cannot be played by the center.
func checkScenario(sc *scenarios.Scenario) error {
	c, err := center.Compile(sc)
	if err != nil {
		return fmt.Errorf("scenario %q: %w", sc.Name, err)
	}
	peak := 0
	for _, g := range c.Groups {
		peak = max(peak, g.Peak)
	}
	if peak < 1 {
		return errors.Join(fmt.Errorf("scenario %q: no agents in any group at any time", sc.Name))
	}
	return nil
}

// newACD builds the distributor of cfg (defaults applied, validated) at
// wall time now.
func newACD(cfg Config, now time.Time) (*acd, error) {
	c, err := compileCenter(&cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Trace != nil && len(cfg.Trace) != len(c.Queues) {
		return nil, fmt.Errorf("trace has %d queues, the center %d", len(cfg.Trace), len(c.Queues))
	}
	start := now
	if !cfg.Epoch.IsZero() {
		start = cfg.Epoch
	}
	a := &acd{c: c, start: start, scale: cfg.TimeScale, clockStart: cfg.ClockStart.Seconds(), trunks: cfg.Trunks,
		wildcard: cfg.Scenario == nil, trace: cfg.Trace, userParts: map[string]uint64{}, callLog: cfg.callLog(),
		queues: make([]sipQueue, len(c.Queues)), level: make([]int, len(c.Groups)), lastStaff: make([]float64, len(c.Groups))}
	a.layout = kpi.NewLayout(0, math.Inf(1), center.Day, 1)
	a.t = kpi.NewTally(&a.layout, len(c.Queues), len(c.Groups))
	a.core.Init(c, &a.t)
	a.st = center.NewStreams(c, cfg.Seed, 0)
	for i := range c.Queues {
		w := c.Queues[i].Within
		if !(w > 0) {
			w = DefaultWithin.Seconds()
		}
		a.queues[i].within = w
	}
	for gi, g := range c.Groups {
		for id := g.FirstAgent; id < g.FirstAgent+g.Peak; id++ {
			a.agents = append(a.agents, &agent{id: int32(id), group: gi})
		}
	}
	// The headcount timeline, followed on the scenario clock: the value at
	// ClockStart now, each later change when its time comes.
	t0 := a.clockStart
	for gi, g := range c.Groups {
		a.lastStaff[gi] = t0
		a.setStaffLocked(gi, c.AvailableAt(gi, t0), now)
		for _, ch := range g.Changes {
			if ch.T > t0 {
				due := start.Add(a.wall(ch.T - t0)).Sub(now)
				a.staffTimers = append(a.staffTimers, time.AfterFunc(due, func() { a.setStaff(gi, ch.Avail) }))
			}
		}
	}
	return a, nil
}

// QueueNames lists the queues a scenario-mode center answers (nil in simple
// mode, which takes any Request-URI user part).
func (s *Server) QueueNames() []string {
	if s.acd.wildcard {
		return nil
	}
	var names []string
	for _, q := range s.acd.c.Queues {
		names = append(names, q.Name)
	}
	return names
}
