package scenarios

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"20s", 20 * time.Second, true},
		{"5m", 5 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0d", 0, true},
		{"-1d", -24 * time.Hour, true},
		{"300", 300 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{"250ms", 250 * time.Millisecond, true},
		{" 20s ", 20 * time.Second, true},
		{"-5s", -5 * time.Second, true},
		{"", 0, false},
		{"d", 0, false},
		{"-", 0, false},
		{"5 minutes", 0, false},
		{"12h1d", 0, false},
		{"1d-1h", 0, false},
		{"1e3d", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"1000000d", 0, false},
		{"5x", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// parseQueue parses a one-queue scenario whose queue has the given extra
// lines, and returns the queue.
func parseQueue(t *testing.T, top, lines string) (*Scenario, Queue) {
	t.Helper()
	in := "name: t\nhorizon: 10h\n" + top + "queues:\n  - name: q\n" + lines + "groups:\n  - name: g\n    agents: 1\n    skills: [q]\n"
	s, err := Parse("t.yaml", []byte(in))
	if err != nil {
		t.Fatalf("Parse:\n%s\nerror: %v", in, err)
	}
	return s, s.Queues[0]
}

func TestParseValues(t *testing.T) {
	const ht = "    handle_time: 300s\n"
	tests := []struct {
		name  string
		top   string
		lines string
		check func(*Scenario, Queue) bool
	}{
		{"per_hour", "", "    arrivals: {per_hour: 360}\n" + ht, func(s *Scenario, q Queue) bool { return q.Arrivals.Rate == 0.1 }},
		{"per_day", "", "    arrivals: {per_day: 8640}\n" + ht, func(s *Scenario, q Queue) bool { return q.Arrivals.Rate == 0.1 }},
		{"per_interval default 30m", "", "    arrivals: {per_interval: 180}\n" + ht, func(s *Scenario, q Queue) bool { return q.Arrivals.Rate == 0.1 }},
		{"per_interval 15m", "interval: 15m\n", "    arrivals: {per_interval: 90}\n" + ht, func(s *Scenario, q Queue) bool { return q.Arrivals.Rate == 0.1 }},
		{"fractional rate", "", "    arrivals: {per_hour: 0.5}\n" + ht, func(s *Scenario, q Queue) bool { return q.Arrivals.Rate == 0.5/3600 }},
		{"zero rate", "", "    arrivals: {per_hour: 0}\n" + ht, func(s *Scenario, q Queue) bool { return q.Arrivals.Rate == 0 }},
		{"bare duration is exponential", "", "    arrivals: {per_hour: 1}\n    handle_time: 5m\n",
			func(s *Scenario, q Queue) bool {
				return reflect.DeepEqual(q.HandleTime, Dist{Kind: Exponential, Mean: 300})
			}},
		{"bare number is seconds", "", "    arrivals: {per_hour: 1}\n    handle_time: 90\n",
			func(s *Scenario, q Queue) bool { return q.HandleTime.Mean == 90 }},
		{"dist defaults to exponential", "", "    arrivals: {per_hour: 1}\n    handle_time: {mean: 2m}\n",
			func(s *Scenario, q Queue) bool {
				return reflect.DeepEqual(q.HandleTime, Dist{Kind: Exponential, Mean: 120})
			}},
		{"constant", "", "    arrivals: {per_hour: 1}\n" + ht + "    wrap_up: {dist: constant, mean: 0s}\n",
			func(s *Scenario, q Queue) bool { return reflect.DeepEqual(*q.WrapUp, Dist{Kind: Constant}) }},
		{"lognormal", "", "    arrivals: {per_hour: 1}\n    handle_time: {dist: lognormal, mean: 4m, cv: 0.9}\n",
			func(s *Scenario, q Queue) bool {
				return reflect.DeepEqual(q.HandleTime, Dist{Kind: Lognormal, Mean: 240, CV: 0.9})
			}},
		{"gamma integer cv", "", "    arrivals: {per_hour: 1}\n    handle_time: {dist: gamma, mean: 4m, cv: 1}\n",
			func(s *Scenario, q Queue) bool {
				return reflect.DeepEqual(q.HandleTime, Dist{Kind: Gamma, Mean: 240, CV: 1})
			}},
		{"uniform mean", "", "    arrivals: {per_hour: 1}\n    handle_time: {dist: uniform, min: 1m, max: 3m}\n",
			func(s *Scenario, q Queue) bool {
				return reflect.DeepEqual(q.HandleTime, Dist{Kind: Uniform, Min: 60, Max: 180, Mean: 120})
			}},
		{"triangular mean", "", "    arrivals: {per_hour: 1}\n    handle_time: {dist: triangular, min: 0s, mode: 60, max: 120}\n",
			func(s *Scenario, q Queue) bool {
				return reflect.DeepEqual(q.HandleTime, Dist{Kind: Triangular, Mode: 60, Max: 120, Mean: 60})
			}},
		{"empirical mean", "", "    arrivals: {per_hour: 1}\n    handle_time: {dist: empirical, values: [1m, 2m, 360]}\n",
			func(s *Scenario, q Queue) bool {
				return reflect.DeepEqual(q.HandleTime, Dist{Kind: Empirical, Values: []float64{60, 120, 360}, Mean: 180})
			}},
		{"target defaults", "", "    arrivals: {per_hour: 1}\n" + ht,
			func(s *Scenario, q Queue) bool {
				return q.Target == Target{0.8, 20 * time.Second} && q.Patience == nil && q.WrapUp == nil
			}},
		{"partial target", "", "    arrivals: {per_hour: 1}\n" + ht + "    target: {within: 30s}\n",
			func(s *Scenario, q Queue) bool { return q.Target == Target{0.8, 30 * time.Second} }},
		{"fraction service level", "", "    arrivals: {per_hour: 1}\n" + ht + "    target: {service_level: 0.9}\n",
			func(s *Scenario, q Queue) bool { return q.Target.ServiceLevel == 0.9 }},
		{"service level 100%", "", "    arrivals: {per_hour: 1}\n" + ht + "    target: {service_level: 100%}\n",
			func(s *Scenario, q Queue) bool { return q.Target.ServiceLevel == 1 }},
		{"service level 1", "", "    arrivals: {per_hour: 1}\n" + ht + "    target: {service_level: 1}\n",
			func(s *Scenario, q Queue) bool { return q.Target.ServiceLevel == 1 }},
		{"decimal percent", "", "    arrivals: {per_hour: 1}\n" + ht + "    target: {service_level: 92.5%}\n",
			func(s *Scenario, q Queue) bool { return math.Abs(q.Target.ServiceLevel-0.925) < 1e-15 }},
		{"negative priority", "", "    arrivals: {per_hour: 1}\n" + ht + "    priority: -2\n",
			func(s *Scenario, q Queue) bool { return q.Priority == -2 }},
		{"top-level defaults", "", "    arrivals: {per_hour: 1}\n" + ht,
			func(s *Scenario, q Queue) bool {
				return s.WarmUp == 30*time.Minute && s.Interval == 30*time.Minute && s.Seed == 1 && s.Replications == 10
			}},
		{"explicit zero warmup", "warmup: 0\n", "    arrivals: {per_hour: 1}\n" + ht,
			func(s *Scenario, q Queue) bool { return s.WarmUp == 0 }},
		{"huge seed", "seed: 18446744073709551615\n", "    arrivals: {per_hour: 1}\n" + ht,
			func(s *Scenario, q Queue) bool { return s.Seed == math.MaxUint64 }},
		{"hex seed", "seed: 0x10\n", "    arrivals: {per_hour: 1}\n" + ht,
			func(s *Scenario, q Queue) bool { return s.Seed == 16 }},
		{"numeric name", "", "    arrivals: {per_hour: 1}\n" + ht,
			func(s *Scenario, q Queue) bool { return q.Name == "q" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, q := parseQueue(t, tt.top, tt.lines)
			if !tt.check(s, q) {
				t.Errorf("unexpected result: %+v\nqueue %+v", s, q)
			}
		})
	}
}

func TestRouting(t *testing.T) {
	in := `name: r
horizon: 1h
queues:
  - {name: a, arrivals: {per_hour: 1}, handle_time: 1m}
  - {name: b, arrivals: {per_hour: 1}, handle_time: 1m}
  - {name: c, arrivals: {per_hour: 1}, handle_time: 1m}
groups:
  - {name: g1, agents: 1, skills: [a, b]}
  - {name: g2, agents: 1, skills: [c, a]}
  - {name: g3, agents: 1, skills: [b]}
routing:
  - queue: c
    groups: [g2]
  - queue: b
    groups: [g3, {group: g1, after: 1m30s}]
`
	s, err := Parse("r.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{Queue: "a", Groups: []RouteGroup{{Group: "g1"}, {Group: "g2"}}},
		{Queue: "b", Groups: []RouteGroup{{Group: "g3"}, {Group: "g1", After: 90 * time.Second}}},
		{Queue: "c", Groups: []RouteGroup{{Group: "g2"}}},
	}
	if !reflect.DeepEqual(s.Routing, want) {
		t.Errorf("Routing = %+v, want %+v", s.Routing, want)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestMergeKeys(t *testing.T) {
	in := `name: m
horizon: 1h
queues:
  - &base
    name: a
    arrivals: {per_hour: 60}
    handle_time: {dist: lognormal, mean: 3m, cv: 0.5}
    patience: 2m
  - <<: *base
    name: b
    patience: 1m
groups:
  - {name: g, agents: 5, skills: [a, b]}
`
	s, err := Parse("m.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Queues[0], s.Queues[1]
	if b.Name != "b" || !reflect.DeepEqual(b.HandleTime, a.HandleTime) || !reflect.DeepEqual(b.Arrivals, a.Arrivals) || b.Patience.Mean != 60 || a.Patience.Mean != 120 {
		t.Errorf("merge: a = %+v, b = %+v", a, b)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil || s.Source != path || s.Queues[0].Name != "support" {
		t.Fatalf("Load = %+v, %v", s, err)
	}

	missing := filepath.Join(dir, "nope.yaml")
	_, err = Load(missing)
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "does not exist") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an fs.ErrNotExist error naming the path", err)
	}

	if err := os.WriteFile(path, []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":1:1: missing required key") {
		t.Errorf("Load(bad) = %v, want errors prefixed with the path", err)
	}
}

func TestValidateGoScenario(t *testing.T) {
	s := &Scenario{
		Name: "go", Horizon: time.Hour, WarmUp: time.Minute, Interval: time.Hour, Replications: 1,
		Queues: []Queue{{Name: "q", Arrivals: Arrivals{Rate: 1}, HandleTime: Dist{Kind: Uniform, Min: 1, Max: 3, Mean: 2}}},
		Groups: []Group{{Name: "g", Agents: 3, Skills: []string{"q"}}},
	}
	err := s.Validate()
	if err == nil || !strings.Contains(err.Error(), `queues[0]: no route for queue "q"`) {
		t.Errorf("Validate without routes = %v", err)
	}
	s.Routing = []Route{{Queue: "q", Groups: []RouteGroup{{Group: "g"}}}}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	s.Queues[0].HandleTime.Mean = 0
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "queues[0].handle_time.mean: is 0s, want 2s for dist uniform") {
		t.Errorf("Validate with Mean unset = %v", err)
	}
	s.Queues[0].HandleTime = Dist{}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "queues[0].handle_time: dist is not set") {
		t.Errorf("Validate with zero Dist = %v", err)
	}
}

func TestReference(t *testing.T) {
	ref := Reference()
	// Every key of the format appears in the reference.
	for _, key := range []string{"name", "description", "horizon", "warmup", "interval", "seed", "replications",
		"queues", "groups", "routing", "arrivals", "per_hour", "per_day", "per_interval", "handle_time", "wrap_up",
		"patience", "target.service_level", "target.within", "priority", "dist", "mean", "cv", "min", "mode", "max",
		"values", "agents", "skills", "queue", "groups[j].after", "constant", "exponential", "lognormal", "gamma", "uniform",
		"triangular", "empirical"} {
		if !strings.Contains(ref, "`"+key+"`") {
			t.Errorf("REFERENCE.md does not mention `%s`", key)
		}
	}
	for _, k := range distKinds {
		if !strings.Contains(ref, "`"+k+"`") {
			t.Errorf("REFERENCE.md does not mention dist %s", k)
		}
	}
}
