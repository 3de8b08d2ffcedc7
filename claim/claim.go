package claim

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Claim is a vendor's statement of what its platform does, read from YAML
// by Parse:
//
//	name: Acme hosted contact center, offer 2026-11      # optional
//	capacity: {calls_per_second: 50, concurrent: 200, answered: 99%,
//	           setup_delay: {percentile: 95%, within: 500ms}}
//	service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25,
//	          handle_time: 3m, patience: 2m}
//	steps: [25%, 50%, 100%]                               # optional, the ramp
//
// Each line is optional, at least one is given. Durations in the JSON are
// seconds or milliseconds, named so.
type Claim struct {
	Name     string        `json:"name,omitempty"`
	Source   string        `json:"source,omitempty"`
	Capacity *CapacityLine `json:"capacity,omitempty"`
	Service  *ServiceLine  `json:"service,omitempty"`
	Steps    []float64     `json:"steps"`
}

// CapacityLine is the claim's capacity line: the platform takes
// CallsPerSecond and holds Concurrent calls at once (optional), accepting
// at least the share Answered of the calls (default 99%, a grade of
// service of 1% as in Erlang B trunk planning); optionally with setup or
// answer delays within a percentile.
type CapacityLine struct {
	Line           int         `json:"line"`
	CallsPerSecond float64     `json:"calls_per_second"`
	Concurrent     int         `json:"concurrent,omitempty"`
	Answered       float64     `json:"answered_share"`
	SetupDelay     *Percentile `json:"setup_delay,omitempty"`
	AnswerDelay    *Percentile `json:"answer_delay,omitempty"`
}

// DefaultAnswered is the share of calls a capacity line must accept unless
// it says otherwise.
const DefaultAnswered = 0.99

// Percentile is a claimed delay percentile: a share Percentile of the calls
// within WithinMs.
type Percentile struct {
	Percentile float64 `json:"percentile"`
	WithinMs   float64 `json:"within_ms"`
}

// ServiceLine is the claim's service line: the share Share of the calls
// answered within AnsweredWithinSeconds at CallsPerHour with Agents agents;
// HandleTimeSeconds (default 180) and PatienceSeconds (exponential mean;
// 0: callers wait) are scenario time, played time-scaled.
type ServiceLine struct {
	Line                  int     `json:"line"`
	AnsweredWithinSeconds float64 `json:"answered_within_seconds"`
	Share                 float64 `json:"share"`
	CallsPerHour          float64 `json:"calls_per_hour"`
	Agents                int     `json:"agents,omitempty"`
	HandleTimeSeconds     float64 `json:"handle_time_seconds"`
	PatienceSeconds       float64 `json:"patience_seconds,omitempty"`
}

// Within is the service threshold as a duration.
func (s *ServiceLine) Within() time.Duration { return secs(s.AnsweredWithinSeconds) }

// HandleTime is the claimed handle time.
func (s *ServiceLine) HandleTime() time.Duration { return secs(s.HandleTimeSeconds) }

// Patience is the callers' mean patience (0: they wait).
func (s *ServiceLine) Patience() time.Duration { return secs(s.PatienceSeconds) }

func secs(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// Bounds of a claim: it is driven at its load, so a capacity or a
// headcount beyond what the load generator and the embedded center can
// play is refused where it is read (the load generator's MaxRate and
// MaxConcurrency, the scenarios' MaxRatePerHour, MaxAgents and
// MaxCallLength; verify checks that they agree).
const (
	MaxCallsPerSecond = 100_000
	MaxConcurrent     = 1_000_000
	MaxCallsPerHour   = 1_000_000
	MaxAgents         = 1_000_000
	MaxCallLength     = 24 * time.Hour
)

// DefaultSteps is the ramp: a quarter, half, then the claimed load.
var DefaultSteps = []float64{0.25, 0.5, 1}

// Parse reads a claim (see Claim); errors name file, line and column.
func Parse(name string, data []byte) (*Claim, error) {
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
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, at(k, "%s: given twice", k.Value)
		}
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "name":
			c.Name = v.Value
		case "steps":
			c.Steps, err = parseSteps(v, at)
		case "capacity":
			c.Capacity, err = parseCapacity(k, v, at)
		case "service":
			c.Service, err = parseService(k, v, at)
		default:
			return nil, at(k, "unknown key %q (want name, capacity, service, steps)", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	if c.Capacity == nil && c.Service == nil {
		return nil, fmt.Errorf("%s: no capacity: or service: line to check", name)
	}
	if c.Steps == nil {
		c.Steps = append([]float64(nil), DefaultSteps...)
	}
	return c, nil
}

type atFunc func(*yaml.Node, string, ...any) error

func parseSteps(v *yaml.Node, at atFunc) ([]float64, error) {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		return nil, at(v, "steps: want a list of load fractions, e.g. [25%%, 50%%, 100%%]")
	}
	var out []float64
	for _, s := range v.Content {
		f, err := parseShare(s.Value)
		if err != nil || f <= 0 || f > 1 {
			return nil, at(s, "steps: %q: want a fraction of the claimed load in (0, 100%%]", s.Value)
		}
		out = append(out, f)
	}
	if !sort.Float64sAreSorted(out) || out[len(out)-1] != 1 {
		return nil, at(v, "steps: want increasing fractions ending at 100%%")
	}
	return out, nil
}

func parseCapacity(k, v *yaml.Node, at atFunc) (*CapacityLine, error) {
	fields, err := mapping(v, "capacity", at)
	if err != nil {
		return nil, err
	}
	cc := &CapacityLine{Line: k.Line, Answered: DefaultAnswered}
	for _, f := range fields {
		key, n := f.key, f.value
		switch key {
		case "calls_per_second":
			cc.CallsPerSecond, err = positiveUpTo(n.Value, MaxCallsPerSecond)
		case "concurrent":
			var x float64
			x, err = positiveUpTo(n.Value, MaxConcurrent)
			cc.Concurrent = int(x)
			if err == nil && x != math.Trunc(x) {
				err = errors.New("want a whole number of calls")
			}
		case "answered":
			cc.Answered, err = parseShare(n.Value)
			if err == nil && (cc.Answered <= 0 || cc.Answered > 1) {
				err = errors.New("want a share in (0, 100%]")
			}
		case "setup_delay", "answer_delay":
			var p *Percentile
			if p, err = parsePercentile(n, "capacity."+key, at); err != nil {
				return nil, err
			}
			if key == "setup_delay" {
				cc.SetupDelay = p
			} else {
				cc.AnswerDelay = p
			}
		default:
			return nil, at(n, "capacity: unknown key %q (want calls_per_second, concurrent, answered, setup_delay, answer_delay)", key)
		}
		if err != nil {
			return nil, at(n, "capacity.%s: %q: %v", key, n.Value, err)
		}
	}
	if cc.CallsPerSecond == 0 {
		return nil, at(v, "capacity: calls_per_second is required")
	}
	return cc, nil
}

func parsePercentile(v *yaml.Node, path string, at atFunc) (*Percentile, error) {
	fields, err := mapping(v, path, at)
	if err != nil {
		return nil, err
	}
	p := &Percentile{}
	for _, f := range fields {
		switch f.key {
		case "percentile":
			p.Percentile, err = parseShare(f.value.Value)
			if err == nil && (p.Percentile <= 0 || p.Percentile >= 1) {
				err = errors.New("want a share in (0, 100%), e.g. 95%")
			}
		case "within":
			var d time.Duration
			d, err = durUpTo(f.value.Value, MaxCallLength)
			p.WithinMs = float64(d) / float64(time.Millisecond)
		default:
			return nil, at(f.value, "%s: unknown key %q (want percentile, within)", path, f.key)
		}
		if err != nil {
			return nil, at(f.value, "%s.%s: %q: %v", path, f.key, f.value.Value, err)
		}
	}
	if p.Percentile == 0 || p.WithinMs == 0 {
		return nil, at(v, "%s: percentile and within are required, e.g. {percentile: 95%%, within: 500ms}", path)
	}
	return p, nil
}

func parseService(k, v *yaml.Node, at atFunc) (*ServiceLine, error) {
	fields, err := mapping(v, "service", at)
	if err != nil {
		return nil, err
	}
	sc := &ServiceLine{Line: k.Line, HandleTimeSeconds: 180}
	for _, f := range fields {
		key, n := f.key, f.value
		var d time.Duration
		switch key {
		case "answered_within":
			d, err = durUpTo(n.Value, MaxCallLength)
			sc.AnsweredWithinSeconds = d.Seconds()
		case "share":
			sc.Share, err = parseShare(n.Value)
			if err == nil && (sc.Share <= 0 || sc.Share > 1) {
				err = errors.New("want a share in (0, 100%]")
			}
		case "calls_per_hour":
			sc.CallsPerHour, err = positiveUpTo(n.Value, MaxCallsPerHour)
		case "agents":
			var x float64
			x, err = positiveUpTo(n.Value, MaxAgents)
			sc.Agents = int(x)
			if err == nil && x != math.Trunc(x) {
				err = errors.New("want a whole number of agents")
			}
		case "handle_time":
			d, err = durUpTo(n.Value, MaxCallLength)
			sc.HandleTimeSeconds = d.Seconds()
		case "patience":
			d, err = durUpTo(n.Value, MaxCallLength)
			sc.PatienceSeconds = d.Seconds()
		default:
			return nil, at(n, "service: unknown key %q (want answered_within, share, calls_per_hour, agents, handle_time, patience)", key)
		}
		if err != nil {
			return nil, at(n, "service.%s: %q: %v", key, n.Value, err)
		}
	}
	if sc.AnsweredWithinSeconds == 0 || sc.Share == 0 || sc.CallsPerHour == 0 {
		return nil, at(v, "service: answered_within, share and calls_per_hour are required")
	}
	return sc, nil
}

type keyValue struct {
	key   string
	value *yaml.Node
}

func mapping(v *yaml.Node, key string, at atFunc) ([]keyValue, error) {
	if v.Kind != yaml.MappingNode {
		return nil, at(v, "%s: want a mapping, e.g. {calls_per_second: 50, concurrent: 200}", key)
	}
	var out []keyValue
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k := v.Content[i].Value
		if seen[k] {
			return nil, at(v.Content[i], "%s.%s: given twice", key, k)
		}
		seen[k] = true
		out = append(out, keyValue{k, v.Content[i+1]})
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
	return math.Round(f/div*1e12) / 1e12, nil // "99.9%" is 0.999, not 0.9990000000000001
}

func parseDur(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive duration such as 20s or 3m")
	}
	return d, nil
}

func positiveUpTo(s string, limit float64) (float64, error) {
	f, err := positive(s)
	if err == nil && f > limit {
		return 0, fmt.Errorf("want at most %g", limit)
	}
	return f, err
}

func durUpTo(s string, limit time.Duration) (time.Duration, error) {
	d, err := parseDur(s)
	if err == nil && d > limit {
		return 0, fmt.Errorf("want at most %v", limit)
	}
	return d, err
}
