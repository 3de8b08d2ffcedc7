package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestSweepJSON(t *testing.T) {
	code, out, errs := run(t, "sweep", "single-queue", "--set", "groups.staff.agents=30..34:2",
		"--with", "horizon=50h", "--with", "replications=3", "--with", "groups.staff.cost.hourly_wage=20", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Points []struct {
			Set          []string `json:"set"`
			ServiceLevel float64  `json:"service_level"`
			CostPerMonth float64  `json:"cost_per_month"`
			MeetsTargets bool     `json:"meets_targets"`
		} `json:"points"`
		Cheapest int `json:"cheapest"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 3 || r.Points[2].Set[0] != "34" {
		t.Fatalf("points = %+v", r.Points)
	}
	if !(r.Points[0].ServiceLevel < r.Points[2].ServiceLevel) || r.Points[0].CostPerMonth <= 0 {
		t.Errorf("points = %+v", r.Points)
	}
}

func TestSweepTextTwoAxes(t *testing.T) {
	code, out, errs := run(t, "sweep", "single-queue", "--set", "groups.staff.agents=31,33",
		"--set", "queues.support.arrivals.per_hour=300,360", "--with", "horizon=30h", "--replications", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"groups.staff.agents", "queues.support.arrivals.per_hour", "service level", "cost/call"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !cheapestVerdict.MatchString(out) {
		t.Errorf("output lacks the verdict on the cheapest point:\n%s", out)
	}
}

// cheapestVerdict matches a sweep's verdict on its cheapest point: named
// when its margin is significant, else tied within noise.
var cheapestVerdict = regexp.MustCompile(`(Cheapest point|No point is the cheapest) meeting every target`)

func TestSweepBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no set", []string{"sweep", "single-queue"}, "--set"},
		{"three sets", []string{"sweep", "single-queue", "--set", "a=1", "--set", "b=1", "--set", "c=1"}, "one or two"},
		{"no equals", []string{"sweep", "single-queue", "--set", "groups.staff.agents"}, "path=value"},
		{"bad range", []string{"sweep", "single-queue", "--set", "groups.staff.agents=40..30"}, "below"},
		{"unknown item", []string{"sweep", "single-queue", "--set", "groups.nope.agents=1,2"}, `"nope"`},
		{"unknown key", []string{"sweep", "single-queue", "--set", "groups.staff.agentz=1,2"}, "agentz"},
		{"bad with", []string{"sweep", "single-queue", "--set", "groups.staff.agents=1", "--with", "seed"}, "--with"},
		{"bad value", []string{"sweep", "single-queue", "--set", "groups.staff.agents=x,y"}, "agents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errs, tt.want)
			}
		})
	}
}
