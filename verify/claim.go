package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sipcenter"
)

// Claim is a vendor's statement of what its platform does, read from YAML by
// ParseClaim:
//
//	name: Acme hosted contact center, offer 2026-11      # optional
//	capacity: {calls_per_second: 50, concurrent: 200}
//	service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25,
//	          handle_time: 3m, patience: 2m}
//	steps: [25%, 50%, 100%]                               # optional, the ramp
//
// Each line is optional, at least one is given. capacity: calls_per_second
// (required) and concurrent calls (optional; held calls last concurrent /
// calls_per_second seconds, else 2 s). service: the share of calls answered
// within answered_within at calls_per_hour with agents agents; handle_time
// (default 3m) and patience (exponential mean; default: callers wait) are
// scenario time, played time-scaled.
type Claim struct {
	Name     string         `json:"name,omitempty"`
	Source   string         `json:"source,omitempty"`
	Capacity *CapacityClaim `json:"capacity,omitempty"`
	Service  *ServiceClaim  `json:"service,omitempty"`
	Steps    []float64      `json:"steps"`
}

// CapacityClaim is the claim's capacity line.
type CapacityClaim struct {
	Line           int     `json:"line"`
	CallsPerSecond float64 `json:"calls_per_second"`
	Concurrent     int     `json:"concurrent,omitempty"`
}

// ServiceClaim is the claim's service line.
type ServiceClaim struct {
	Line           int           `json:"line"`
	AnsweredWithin time.Duration `json:"answered_within"`
	Share          float64       `json:"share"`
	CallsPerHour   float64       `json:"calls_per_hour"`
	Agents         int           `json:"agents,omitempty"`
	HandleTime     time.Duration `json:"handle_time"`
	Patience       time.Duration `json:"patience,omitempty"`
}

// DefaultSteps is the ramp: a quarter, half, then the claimed load.
var DefaultSteps = []float64{0.25, 0.5, 1}

// ParseClaim reads a claim (see Claim); errors name file, line and column.
func ParseClaim(name string, data []byte) (*Claim, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: want a mapping with capacity: and/or service: lines (see callsim verify --help)", name)
	}
	at := func(n *yaml.Node, f string, a ...any) error {
		return fmt.Errorf("%s:%d:%d: %s", name, n.Line, n.Column, fmt.Sprintf(f, a...))
	}
	c := &Claim{Source: name}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "name":
			c.Name = v.Value
		case "steps":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return nil, at(v, "steps: want a list of load fractions, e.g. [25%%, 50%%, 100%%]")
			}
			for _, s := range v.Content {
				f, err := parseShare(s.Value)
				if err != nil || f <= 0 || f > 1 {
					return nil, at(s, "steps: %q: want a fraction of the claimed load in (0, 100%%]", s.Value)
				}
				c.Steps = append(c.Steps, f)
			}
			if !sort.Float64sAreSorted(c.Steps) || c.Steps[len(c.Steps)-1] != 1 {
				return nil, at(v, "steps: want increasing fractions ending at 100%%")
			}
		case "capacity", "service":
			fields, err := mapping(v, k.Value, at)
			if err != nil {
				return nil, err
			}
			if k.Value == "capacity" {
				cc := &CapacityClaim{Line: k.Line}
				for key, n := range fields {
					switch key {
					case "calls_per_second":
						cc.CallsPerSecond, err = positiveUpTo(n.Value, loadgen.MaxRate)
					case "concurrent":
						var f float64
						f, err = positiveUpTo(n.Value, loadgen.MaxConcurrency)
						cc.Concurrent = int(f)
						if err == nil && f != math.Trunc(f) {
							err = errors.New("want a whole number")
						}
					default:
						return nil, at(n, "capacity: unknown key %q (want calls_per_second, concurrent)", key)
					}
					if err != nil {
						return nil, at(n, "capacity.%s: %q: %v", key, n.Value, err)
					}
				}
				if cc.CallsPerSecond == 0 {
					return nil, at(v, "capacity: calls_per_second is required")
				}
				c.Capacity = cc
				continue
			}
			sc := &ServiceClaim{Line: k.Line, HandleTime: 3 * time.Minute}
			for key, n := range fields {
				switch key {
				case "answered_within":
					sc.AnsweredWithin, err = durUpTo(n.Value, scenarios.MaxCallLength)
				case "share":
					sc.Share, err = parseShare(n.Value)
					if err == nil && (sc.Share <= 0 || sc.Share > 1) {
						err = errors.New("want a share in (0, 100%]")
					}
				case "calls_per_hour":
					sc.CallsPerHour, err = positiveUpTo(n.Value, scenarios.MaxRatePerHour)
				case "agents":
					var f float64
					f, err = positiveUpTo(n.Value, scenarios.MaxAgents)
					sc.Agents = int(f)
				case "handle_time":
					sc.HandleTime, err = durUpTo(n.Value, scenarios.MaxCallLength)
				case "patience":
					sc.Patience, err = durUpTo(n.Value, scenarios.MaxCallLength)
				default:
					return nil, at(n, "service: unknown key %q (want answered_within, share, calls_per_hour, agents, handle_time, patience)", key)
				}
				if err != nil {
					return nil, at(n, "service.%s: %q: %v", key, n.Value, err)
				}
			}
			if sc.AnsweredWithin == 0 || sc.Share == 0 || sc.CallsPerHour == 0 {
				return nil, at(v, "service: answered_within, share and calls_per_hour are required")
			}
			c.Service = sc
		default:
			return nil, at(k, "unknown key %q (want name, capacity, service, steps)", k.Value)
		}
	}
	if c.Capacity == nil && c.Service == nil {
		return nil, fmt.Errorf("%s: no capacity: or service: line to check", name)
	}
	if c.Steps == nil {
		c.Steps = DefaultSteps
	}
	return c, nil
}

func mapping(v *yaml.Node, key string, at func(*yaml.Node, string, ...any) error) (map[string]*yaml.Node, error) {
	if v.Kind != yaml.MappingNode {
		return nil, at(v, "%s: want a mapping, e.g. {calls_per_second: 50, concurrent: 200}", key)
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		out[v.Content[i].Value] = v.Content[i+1]
	}
	return out, nil
}

func positive(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0, errors.New("want a positive number")
	}
	return f, nil
}

func parseShare(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	if strings.HasSuffix(s, "%") {
		s, div = strings.TrimSpace(strings.TrimSuffix(s, "%")), 100
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New(`want a share: "80%" or 0.8`)
	}
	return f / div, nil
}

func parseDur(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive duration such as 20s or 3m")
	}
	return d, nil
}

// ClaimConfig describes one check of a claim.
type ClaimConfig struct {
	Claim *Claim
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
	// Z and Inflation widen the service share's lower bound as in Run.
	Z, Inflation float64
	Seed         uint64
	Logger       *slog.Logger
}

// StepResult is what one ramp step measured.
type StepResult struct {
	Fraction      float64        `json:"fraction"`
	Rate          float64        `json:"rate_cps"` // offered, wall
	Attempted     uint64         `json:"attempted"`
	Completed     uint64         `json:"completed"` // answered
	Abandoned     uint64         `json:"abandoned"`
	Failed        uint64         `json:"failed"` // failed, timed out, transport errors
	AchievedCPS   float64        `json:"achieved_cps"`
	MaxConcurrent int            `json:"max_concurrent"`
	ServiceLevel  float64        `json:"service_level,omitempty"` // service line: within / attempted
	StatusCodes   map[int]uint64 `json:"status_codes"`
}

// LineResult is the verdict on one claim line.
type LineResult struct {
	Line     string       `json:"line"` // "capacity" or "service"
	FileLine int          `json:"file_line"`
	Claimed  string       `json:"claimed"`
	Pass     bool         `json:"pass"`
	Evidence string       `json:"evidence"`
	Steps    []StepResult `json:"steps"`
	Target   string       `json:"target"`
	// Interrupted: the run was stopped before the line's last step ended;
	// Steps hold what was measured, and there is no verdict (Pass false).
	Interrupted bool `json:"interrupted,omitempty"`
}

// ClaimReport is the outcome of a claim check.
type ClaimReport struct {
	Claim  *Claim       `json:"claim"`
	Lines  []LineResult `json:"lines"`
	Pass   bool         `json:"pass"`
	Failed []string     `json:"failed"`
	// Interrupted: the check was stopped (Ctrl-C, SIGTERM); the lines hold
	// what was measured until then, lines not reached are absent, and
	// there is no verdict (Pass false, Failed empty).
	Interrupted bool `json:"interrupted"`
}

func (c *ClaimConfig) defaults() error {
	if c.Claim == nil {
		return errors.New("no claim")
	}
	if c.TimeScale == 0 {
		c.TimeScale = 120
	}
	if c.Step == 0 {
		c.Step = 3 * time.Second
	}
	if c.Hold == 0 {
		c.Hold = 15 * time.Second
	}
	if c.Z == 0 {
		c.Z = DefaultZ
	}
	if c.Inflation == 0 {
		c.Inflation = DefaultInflation
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.TimeScale < 1 || c.Step < 0 || c.Hold <= 0 || c.Agents < 0 || c.Trunks < 0 {
		return fmt.Errorf("time scale %g, step %v, hold %v, agents %d, trunks %d: want K >= 1, positive durations and counts",
			c.TimeScale, c.Step, c.Hold, c.Agents, c.Trunks)
	}
	return nil
}

// RunClaim ramps each claim line's load in steps, holds the claimed load
// and gives a verdict per line. The error is about the run; failed lines
// are in the report.
func RunClaim(ctx context.Context, cfg ClaimConfig) (*ClaimReport, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	rep := &ClaimReport{Claim: cfg.Claim, Pass: true, Failed: []string{}}
	if cl := cfg.Claim.Capacity; cl != nil {
		lr, err := runCapacity(ctx, cfg, cl)
		if err != nil {
			return nil, fmt.Errorf("capacity line: %w", err)
		}
		rep.Lines = append(rep.Lines, *lr)
	}
	if cl := cfg.Claim.Service; cl != nil && ctx.Err() == nil {
		lr, err := runService(ctx, cfg, cl)
		if err != nil {
			return nil, fmt.Errorf("service line: %w", err)
		}
		rep.Lines = append(rep.Lines, *lr)
	}
	if ctx.Err() != nil {
		rep.Interrupted, rep.Pass = true, false
		for i := range rep.Lines {
			rep.Lines[i].Interrupted = true
			rep.Lines[i].Pass = false
			rep.Lines[i].Evidence = "interrupted before the claimed load was held: no verdict; " + rep.Lines[i].Evidence
		}
		return rep, nil
	}
	for _, l := range rep.Lines {
		if !l.Pass {
			rep.Pass = false
			rep.Failed = append(rep.Failed, fmt.Sprintf("%s (line %d)", l.Line, l.FileLine))
		}
	}
	return rep, nil
}

// drive runs the ramp at lc.Target: each step holds rate x fraction for
// Step (the last, 100%, for Hold); the records are split by step. The calls'
// intended start times place them in a step.
func drive(ctx context.Context, cfg ClaimConfig, rate float64, lc loadgen.Config) ([]StepResult, [][]loadgen.CallRecord, error) {
	steps := cfg.Claim.Steps
	var bounds []time.Duration
	var total time.Duration
	for i, f := range steps {
		d := cfg.Step
		if i == len(steps)-1 {
			d = cfg.Hold
		}
		if d <= time.Millisecond {
			continue
		}
		lc.Stages = append(lc.Stages, loadgen.Stage{Duration: time.Millisecond, Target: rate * f},
			loadgen.Stage{Duration: d - time.Millisecond, Target: rate * f})
		total += d
		bounds = append(bounds, total)
	}
	if len(bounds) < len(steps) {
		steps = steps[len(steps)-len(bounds):]
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
	if err != nil {
		return nil, nil, err
	}
	// An interrupted run still splits what it measured by step (steps not
	// reached stay empty); RunClaim marks the report and gives no verdict.
	mu.Lock()
	defer mu.Unlock()
	out := make([]StepResult, len(steps))
	byStep := make([][]loadgen.CallRecord, len(steps))
	type ev struct {
		t time.Duration
		d int
	}
	var evs []ev
	stepOf := func(off time.Duration) int {
		for i, b := range bounds {
			if off < b {
				return i
			}
		}
		return len(bounds) - 1
	}
	for i, f := range steps {
		out[i] = StepResult{Fraction: f, Rate: rate * f, StatusCodes: map[int]uint64{}}
	}
	for _, r := range recs {
		i := stepOf(r.IntendedStart.Sub(res.StartedAt))
		st := &out[i]
		byStep[i] = append(byStep[i], r)
		st.Attempted++
		if r.FinalStatus > 0 {
			st.StatusCodes[r.FinalStatus]++
		}
		switch r.Outcome {
		case loadgen.OutcomeCompleted:
			st.Completed++
			if r.AnswerDelay > 0 {
				a := r.ActualStart.Add(r.AnswerDelay).Sub(res.StartedAt)
				evs = append(evs, ev{a, 1}, ev{a + r.Duration, -1})
			}
		case loadgen.OutcomeAbandoned:
			st.Abandoned++
		default:
			st.Failed++
		}
	}
	// Answered calls in progress, at its highest within each step.
	sort.Slice(evs, func(a, b int) bool { return evs[a].t < evs[b].t || (evs[a].t == evs[b].t && evs[a].d < evs[b].d) })
	n := 0
	for _, e := range evs {
		n += e.d
		if i := stepOf(e.t); e.t < total {
			out[i].MaxConcurrent = max(out[i].MaxConcurrent, n)
		}
	}
	start := time.Duration(0)
	for i := range out {
		if d := (bounds[i] - start).Seconds(); d > 0 {
			out[i].AchievedCPS = float64(out[i].Attempted) / d
		}
		start = bounds[i]
	}
	return out, byStep, nil
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

func runCapacity(ctx context.Context, cfg ClaimConfig, cl *CapacityClaim) (*LineResult, error) {
	hold := 2 * time.Second
	if cl.Concurrent > 0 {
		hold = time.Duration(float64(cl.Concurrent) / cl.CallsPerSecond * float64(time.Second))
	}
	lr := &LineResult{Line: "capacity", FileLine: cl.Line, Target: cfg.Target,
		Claimed: fmt.Sprintf("%g calls/s", cl.CallsPerSecond)}
	if cl.Concurrent > 0 {
		lr.Claimed += fmt.Sprintf(", %d concurrent", cl.Concurrent)
	}
	if cfg.Target == "" {
		agents := cfg.Agents
		if agents == 0 {
			agents = max(1, int(math.Ceil(2*cl.CallsPerSecond*hold.Seconds())))
		}
		srv, uri, err := startEmbedded(ctx, cfg, sipcenter.Config{Agents: agents, TimeScale: 1,
			Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
		if err != nil {
			return nil, err
		}
		defer srv.Close() //nolint:errcheck // nothing to report
		lr.Target = fmt.Sprintf("embedded target, %d agents, %s, %s", agents, trunkText(cfg.Trunks), uri)
		cfg.Target = uri
	}
	steps, _, err := drive(ctx, cfg, cl.CallsPerSecond, loadgen.Config{Target: cfg.Target,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: hold}})
	if err != nil {
		return nil, err
	}
	lr.Steps = steps
	last := steps[len(steps)-1]
	answered := 0.0
	if last.Attempted > 0 {
		answered = float64(last.Completed) / float64(last.Attempted)
	}
	var why []string
	if answered < 0.99 {
		why = append(why, fmt.Sprintf("only %.1f%% answered (want 99%%)", answered*100))
	}
	if last.AchievedCPS < 0.95*cl.CallsPerSecond {
		why = append(why, fmt.Sprintf("%.1f calls/s placed and taken (want 95%% of %g)", last.AchievedCPS, cl.CallsPerSecond))
	}
	if cl.Concurrent > 0 && float64(last.MaxConcurrent) < 0.95*float64(cl.Concurrent) {
		why = append(why, fmt.Sprintf("at most %d calls up at once (want 95%% of %d)", last.MaxConcurrent, cl.Concurrent))
	}
	lr.Pass = len(why) == 0
	lr.Evidence = fmt.Sprintf("at 100%%: %d calls at %.1f calls/s, %d answered (%.1f%%), max %d concurrent, refusals %s",
		last.Attempted, last.AchievedCPS, last.Completed, answered*100, last.MaxConcurrent, codesText(last.StatusCodes))
	if !lr.Pass {
		lr.Evidence += "; FAILED: " + strings.Join(why, "; ")
	}
	return lr, nil
}

func runService(ctx context.Context, cfg ClaimConfig, cl *ServiceClaim) (*LineResult, error) {
	k := cfg.TimeScale
	rate := cl.CallsPerHour / 3600 * k
	lr := &LineResult{Line: "service", FileLine: cl.Line, Target: cfg.Target,
		Claimed: fmt.Sprintf("%s answered within %v at %g calls/h", pctText(cl.Share), cl.AnsweredWithin, cl.CallsPerHour)}
	if cl.Agents > 0 {
		lr.Claimed += fmt.Sprintf(" with %d agents", cl.Agents)
	}
	if cfg.Target == "" {
		agents := cfg.Agents
		if agents == 0 {
			agents = cl.Agents
		}
		if agents == 0 {
			return nil, errors.New("the embedded target needs a headcount: give agents: in the service line, or --agents")
		}
		srv, uri, err := startEmbedded(ctx, cfg, sipcenter.Config{Agents: agents, TimeScale: k, Within: cl.AnsweredWithin,
			Handle: loadgen.Dist{Kind: loadgen.DistExp, Mean: cl.HandleTime}})
		if err != nil {
			return nil, err
		}
		defer srv.Close() //nolint:errcheck // nothing to report
		lr.Target = fmt.Sprintf("embedded target, %d agents, handle exp:%v, %s, %s", agents, cl.HandleTime, trunkText(cfg.Trunks), uri)
		cfg.Target = uri
	}
	lc := loadgen.Config{Target: cfg.Target, Arrivals: "poisson", Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: agentHold}}
	if cl.Patience > 0 {
		lc.Patience = loadgen.Dist{Kind: loadgen.DistExp, Mean: time.Duration(float64(cl.Patience) / k)}
	}
	steps, recs, err := drive(ctx, cfg, rate, lc)
	if err != nil {
		return nil, err
	}
	var asa float64
	for i := range steps {
		within, answered, wait := 0, 0, 0.0
		for _, r := range recs[i] {
			if r.Outcome == loadgen.OutcomeCompleted && r.AnswerDelay > 0 {
				answered++
				w := r.AnswerDelay.Seconds() * k
				wait += w
				if w <= cl.AnsweredWithin.Seconds() {
					within++
				}
			}
		}
		if steps[i].Attempted > 0 {
			steps[i].ServiceLevel = float64(within) / float64(steps[i].Attempted)
		}
		if answered > 0 {
			asa = wait / float64(answered)
		}
	}
	lr.Steps = steps
	last := steps[len(steps)-1]
	n := float64(last.Attempted)
	lower := cl.Share
	if n > 0 {
		lower = cl.Share - cfg.Z*math.Sqrt(cl.Share*(1-cl.Share)/n)*cfg.Inflation
	}
	lr.Pass = n > 0 && last.ServiceLevel >= lower
	lr.Evidence = fmt.Sprintf("at 100%%: %d calls (time scale %g), %s answered within %v (pass from %s: the claim less %g x SE x %g over %d calls), ASA %.1fs, %d abandoned, refusals %s",
		last.Attempted, k, pctText(last.ServiceLevel), cl.AnsweredWithin, pctText(lower), cfg.Z, cfg.Inflation, last.Attempted,
		asa, last.Abandoned, codesText(last.StatusCodes))
	if !lr.Pass {
		lr.Evidence += fmt.Sprintf("; FAILED: %s < %s", pctText(last.ServiceLevel), pctText(lower))
	}
	return lr, nil
}

func pctText(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

func trunkText(n int) string {
	if n == 0 {
		return "no trunk limit"
	}
	return fmt.Sprintf("%d trunks", n)
}

func codesText(m map[int]uint64) string {
	var parts []string
	for code, n := range m {
		if code >= 300 {
			parts = append(parts, fmt.Sprintf("%d x%d", code, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
