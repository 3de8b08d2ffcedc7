package scenarios

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// minimal is the minimal scenario of DESIGN.md, verbatim.
const minimal = `name: single queue
horizon: 200h          # simulated time per replication (Go durations plus d for days)
seed: 7
replications: 5
queues:
  - name: support
    arrivals: {per_hour: 360}
    handle_time: {mean: 300s, dist: exponential}
    patience: {mean: 120s, dist: exponential}   # omitted: callers never abandon
    target: {service_level: 80%, within: 20s}
groups:
  - name: staff
    agents: 32
    skills: [support]
`

func TestParseMinimal(t *testing.T) {
	got, err := Parse("minimal.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	want := &Scenario{
		Name:         "single queue",
		Horizon:      200 * time.Hour,
		WarmUp:       10 * time.Hour,
		Interval:     30 * time.Minute,
		Seed:         7,
		Replications: 5,
		Queues: []Queue{{
			Name:       "support",
			Arrivals:   Arrivals{Rate: 0.1, Weekdays: [7]float64{1, 1, 1, 1, 1, 1, 1}},
			HandleTime: Dist{Kind: Exponential, Mean: 300},
			Patience:   &Dist{Kind: Exponential, Mean: 120},
			Target:     Target{ServiceLevel: 0.8, Within: 20 * time.Second},
			Repeat:     Repeat{Probability: 1, After: Dist{Kind: Exponential, Mean: 86400}},
			Redial:     Repeat{After: Dist{Kind: Exponential, Mean: 600}},
		}},
		Groups:  []Group{{Name: "staff", Agents: 32, Skills: []string{"support"}, Sourcing: InHouse}},
		Routing: []Route{{Queue: "support", Groups: []RouteGroup{{Group: "staff"}}}},
		Costs:   ServiceCosts{Currency: "EUR"},
		Source:  "minimal.yaml",
	}
	got.root = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(minimal) =\n%+v\nwant\n%+v", got, want)
	}
}

func TestBuiltins(t *testing.T) {
	list := Builtin()
	names := map[string]bool{}
	for _, b := range list {
		names[b.Name] = true
		if b.Summary == "" {
			t.Errorf("built-in %s has no summary (first comment line)", b.Name)
		}
		s, err := LoadBuiltin(b.Name)
		if err != nil {
			t.Errorf("LoadBuiltin(%q): %v", b.Name, err)
			continue
		}
		if err := s.Validate(); err != nil {
			t.Errorf("built-in %s does not validate: %v", b.Name, err)
		}
	}
	for _, n := range []string{"single-queue", "two-skills"} {
		if !names[n] {
			t.Errorf("built-in %q missing from Builtin() = %v", n, list)
		}
	}
	// single-queue is the minimal scenario of DESIGN.md, plus comments.
	sq, err := LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Parse("x", []byte(minimal))
	want.Source = ""
	sq.root, want.root = nil, nil
	if !reflect.DeepEqual(sq, want) {
		t.Errorf("single-queue differs from the minimal scenario of DESIGN.md:\n%+v\n%+v", sq, want)
	}
	src, err := BuiltinSource("single-queue")
	if err != nil || !strings.Contains(string(src), "name: single queue") {
		t.Errorf("BuiltinSource(single-queue) = %q, %v", src, err)
	}
	for _, bad := range []string{"nope", "", "../parse.go", "single_queue"} {
		_, err := LoadBuiltin(bad)
		if !errors.Is(err, ErrUnknownBuiltin) || !strings.Contains(err.Error(), "single-queue") || !strings.Contains(err.Error(), "two-skills") {
			t.Errorf("LoadBuiltin(%q) error = %v, want ErrUnknownBuiltin listing the names", bad, err)
		}
	}
}
