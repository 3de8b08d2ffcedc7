package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/callsim/callsim/claim"
	"github.com/callsim/callsim/judge"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// ParseClaim reads a claim (see claim.Parse).
func ParseClaim(name string, data []byte) (*claim.Claim, error) { return claim.Parse(name, data) }

// Defaults of a claim check.
const (
	DefaultClaimTimeScale = 120
	DefaultClaimStep      = 3 * time.Second
	DefaultClaimHold      = 15 * time.Second
)

// ClaimConfig describes one check of a claim.
type ClaimConfig struct {
	Claim *claim.Claim
	// Target is the SIP URI to call; empty: an embedded target per line.
	Target string
	// Agents and Trunks configure the embedded target: agents default to
	// the service line's (twice the claimed concurrent calls for the
	// capacity line); trunks default to none (no limit).
	Agents, Trunks int
	// TimeScale K plays the service line K times faster (default 120).
	TimeScale float64
	// Step is the wall time of each ramp step below 100% (default 3s);
	// Hold the wall time at the claimed load (default 15s).
	Step, Hold time.Duration
	// Confidence of every bound (default 95%).
	Confidence float64
	Seed       uint64
	Logger     *slog.Logger
}

// ClaimRun is a claim check's verdicts with the evidence they come from.
type ClaimRun struct {
	Report *claim.Report
	Setups []claim.Setup
	// Calls are every call placed, in the bundle's order (claim.SortCalls).
	Calls              []claim.Call
	StartedAt, EndedAt time.Time
}

func (c *ClaimConfig) defaults() error {
	if c.Claim == nil {
		return errors.New("no claim")
	}
	if c.TimeScale == 0 {
		c.TimeScale = DefaultClaimTimeScale
	}
	if c.Step == 0 {
		c.Step = DefaultClaimStep
	}
	if c.Hold == 0 {
		c.Hold = DefaultClaimHold
	}
	if c.Confidence == 0 {
		c.Confidence = judge.DefaultConfidence
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.TimeScale < 1 || math.IsInf(c.TimeScale, 0) || c.Step < 0 || c.Hold <= 0 || c.Agents < 0 || c.Trunks < 0 {
		return fmt.Errorf("time scale %g, step %v, hold %v, agents %d, trunks %d: want K >= 1, positive durations and counts",
			c.TimeScale, c.Step, c.Hold, c.Agents, c.Trunks)
	}
	if !(c.Confidence > 0.5 && c.Confidence < 1) {
		return fmt.Errorf("confidence %g: want a level between 50%% and 100%%, e.g. 95%%", c.Confidence)
	}
	return nil
}

// RunClaim ramps each claim line's load in steps, holds the claimed load
// and judges each line from its calls (claim.Judge). The error is about
// the run; failed lines are in the report. When ctx is cancelled, the
// lines measured so far are returned marked interrupted, with no verdict.
func RunClaim(ctx context.Context, cfg ClaimConfig) (*ClaimRun, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	run := &ClaimRun{StartedAt: time.Now().UTC()}
	if cl := cfg.Claim.Capacity; cl != nil {
		s, calls, err := runCapacity(ctx, cfg, cl)
		if err != nil {
			return nil, fmt.Errorf("capacity line: %w", err)
		}
		run.Setups = append(run.Setups, *s)
		run.Calls = append(run.Calls, calls...)
	}
	if cl := cfg.Claim.Service; cl != nil && ctx.Err() == nil {
		s, calls, err := runService(ctx, cfg, cl)
		if err != nil {
			return nil, fmt.Errorf("service line: %w", err)
		}
		run.Setups = append(run.Setups, *s)
		run.Calls = append(run.Calls, calls...)
	}
	run.EndedAt = time.Now().UTC()
	claim.SortCalls(run.Calls)
	run.Report = claim.Judge(cfg.Claim, run.Setups, run.Calls, cfg.Confidence)
	return run, nil
}

// drive runs the ramp at lc.Target: each step holds rate x fraction for
// Step (the last, 100%, for Hold). Each call belongs to the step its
// intended start falls in.
func drive(ctx context.Context, cfg ClaimConfig, s *claim.Setup, rate float64, lc loadgen.Config) ([]claim.Call, error) {
	var total time.Duration
	for i, f := range cfg.Claim.Steps {
		d := cfg.Step
		if i == len(cfg.Claim.Steps)-1 {
			d = cfg.Hold
		}
		if d <= time.Millisecond {
			continue // a step too short to hold: left out
		}
		lc.Stages = append(lc.Stages, loadgen.Stage{Duration: time.Millisecond, Target: rate * f},
			loadgen.Stage{Duration: d - time.Millisecond, Target: rate * f})
		s.Steps = append(s.Steps, claim.StepSetup{Fraction: f, RateCPS: rate * f, FromSeconds: total.Seconds(), ToSeconds: (total + d).Seconds()})
		total += d
	}
	var (
		mu   sync.Mutex
		recs []loadgen.CallRecord
	)
	lc.Mode = loadgen.ModeCall
	lc.Duration = total
	lc.Logger = cfg.Logger
	lc.Seed = cfg.Seed
	lc.OnCall = func(r loadgen.CallRecord) {
		mu.Lock()
		recs = append(recs, r)
		mu.Unlock()
	}
	res, err := loadgen.Run(ctx, lc)
	if err != nil && ctx.Err() == nil {
		return nil, err
	}
	if res == nil {
		return nil, fmt.Errorf("interrupted before the first call: %w", ctx.Err())
	}
	s.StartedAt = res.StartedAt.UTC()
	s.EndedAt = time.Now().UTC()
	s.LateToleranceMs = float64(res.Settings.LateTolerance) / float64(time.Millisecond)
	s.Interrupted = res.Interrupted || ctx.Err() != nil
	mu.Lock()
	defer mu.Unlock()
	calls := make([]claim.Call, 0, len(recs))
	for _, r := range recs {
		c := toCall(s.Line, r)
		c.Step = s.StepOf(c.IntendedStart)
		calls = append(calls, c)
	}
	return calls, nil
}

// toCall converts a load generator's record as its CDR writes it, so that
// a verdict from the calls is the verdict from the CSV.
func toCall(line string, r loadgen.CallRecord) claim.Call {
	return claim.Call{Line: line, Record: r.CDR()}
}

func startEmbedded(ctx context.Context, cfg ClaimConfig, tc sipcenter.Config) (*sipcenter.Server, string, error) {
	tc.Listen = "udp:127.0.0.1:0"
	tc.Trunks = cfg.Trunks
	tc.Seed = cfg.Seed + 1
	tc.Logger = cfg.Logger
	tc.Shutdown = time.Second
	srv, err := sipcenter.Start(ctx, tc)
	if err != nil {
		return nil, "", fmt.Errorf("starting the embedded target: %w", err)
	}
	return srv, srv.URI("claim"), nil
}

// capacityHold is how long each capacity call is held: (concurrent - 0.5)
// / rate, so that uniform arrivals keep exactly concurrent calls up, with
// half an arrival interval of slack for timing; 2 s without a concurrency
// claim.
func capacityHold(cl *claim.CapacityLine) time.Duration {
	if cl.Concurrent == 0 {
		return 2 * time.Second
	}
	return time.Duration((float64(cl.Concurrent) - 0.5) / cl.CallsPerSecond * float64(time.Second))
}

func runCapacity(ctx context.Context, cfg ClaimConfig, cl *claim.CapacityLine) (*claim.Setup, []claim.Call, error) {
	hold := capacityHold(cl)
	s := &claim.Setup{Line: "capacity", FileLine: cl.Line, Arrivals: "uniform", CallHoldSeconds: hold.Seconds(), TimeScale: 1,
		Target: cfg.Target}
	target := cfg.Target
	if target == "" {
		agents := cfg.Agents
		if agents == 0 {
			agents = max(1, int(math.Ceil(2*cl.CallsPerSecond*hold.Seconds())))
		}
		srv, uri, err := startEmbedded(ctx, cfg, sipcenter.Config{Agents: agents, TimeScale: 1,
			Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
		if err != nil {
			return nil, nil, err
		}
		defer srv.Close() //nolint:errcheck // nothing to report
		s.Target, s.Embedded, s.TargetAgents, s.TargetTrunks = uri, true, agents, cfg.Trunks
		target = uri
	}
	calls, err := drive(ctx, cfg, s, cl.CallsPerSecond, loadgen.Config{Target: target,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: hold}})
	if err != nil {
		return nil, nil, err
	}
	return s, calls, nil
}

func runService(ctx context.Context, cfg ClaimConfig, cl *claim.ServiceLine) (*claim.Setup, []claim.Call, error) {
	k := cfg.TimeScale
	rate := cl.CallsPerHour / 3600 * k
	s := &claim.Setup{Line: "service", FileLine: cl.Line, Arrivals: "poisson", TimeScale: k, Target: cfg.Target}
	target := cfg.Target
	if target == "" {
		agents := cfg.Agents
		if agents == 0 {
			agents = cl.Agents
		}
		if agents == 0 {
			return nil, nil, errors.New("the embedded target needs a headcount: give agents: in the service line, or --agents")
		}
		srv, uri, err := startEmbedded(ctx, cfg, sipcenter.Config{Agents: agents, TimeScale: k, Within: cl.Within(),
			Handle: loadgen.Dist{Kind: loadgen.DistExp, Mean: cl.HandleTime()}})
		if err != nil {
			return nil, nil, err
		}
		defer srv.Close() //nolint:errcheck // nothing to report
		s.Target, s.Embedded, s.TargetAgents, s.TargetTrunks, s.TargetHandleSeconds = uri, true, agents, cfg.Trunks, cl.HandleTimeSeconds
		target = uri
	}
	lc := loadgen.Config{Target: target, Arrivals: "poisson", Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: agentHold}, IOTick: replayIOTick}
	if cl.PatienceSeconds > 0 {
		lc.Patience = loadgen.Dist{Kind: loadgen.DistExp, Mean: time.Duration(float64(cl.Patience()) / k)}
	}
	calls, err := drive(ctx, cfg, s, rate, lc)
	if err != nil {
		return nil, nil, err
	}
	return s, calls, nil
}
