package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// run executes callsim in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Execute(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const minimal = `name: single queue
horizon: 200h
seed: 7
replications: 5
queues:
  - name: support
    arrivals: {per_hour: 360}
    handle_time: {mean: 300s, dist: exponential}
    patience: {mean: 120s, dist: exponential}
    target: {service_level: 80%, within: 20s}
groups:
  - name: staff
    agents: 32
    skills: [support]
`

func TestSimulateBadInput(t *testing.T) {
	tests := []struct {
		name    string
		content *string // nil: the file does not exist
		want    []string
	}{
		{"misspelt key", ptr(strings.Replace(minimal, "handle_time", "handel_time", 1)), []string{`:8:`, `handel_time`, `handle_time`}},
		{"negative agents", ptr(strings.Replace(minimal, "agents: 32", "agents: -3", 1)), []string{`:13:`, "agents"}},
		{"missing file", nil, []string{"no-such.yaml"}},
		{"empty file", ptr(""), []string{"empty"}},
		{"not YAML", ptr("{{{ this is : not yaml ]]\n\t- x"), []string{"bad.yaml"}},
		{"binary", ptr("\x00\x01\x02\xff\xfe"), []string{"bad.yaml"}},
		{"SL over 100%", ptr(strings.Replace(minimal, "80%", "120%", 1)), []string{`:10:`, "service_level"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "no-such.yaml")
			if tt.content != nil {
				path = writeFile(t, "bad.yaml", *tt.content)
			}
			code, stdout, stderr := run(t, "simulate", path)
			if code == 0 {
				t.Fatalf("exit code 0, want non-zero; stdout:\n%s", stdout)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Fatalf("panic:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSimulateJSONContract(t *testing.T) {
	path := writeFile(t, "min.yaml", minimal)
	code, stdout, stderr := run(t, "simulate", path, "--json", "--replications", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	kpis, _ := res["kpis"].(map[string]any)
	for _, k := range []string{"offered", "answered", "abandoned", "service_level", "service_level_ci95", "asa_seconds",
		"asa_seconds_ci95", "abandon_rate", "abandon_rate_ci95", "occupancy", "occupancy_ci95"} {
		if _, ok := kpis[k]; !ok {
			t.Errorf("kpis.%s missing", k)
		}
	}
	for _, arr := range []string{"queues", "groups", "intervals"} {
		if a, _ := res[arr].([]any); len(a) == 0 {
			t.Errorf("%s is empty", arr)
		}
	}
	runInfo, _ := res["run"].(map[string]any)
	if runInfo["calls_simulated"].(float64) < 100000 {
		t.Errorf("run.calls_simulated = %v", runInfo["calls_simulated"])
	}
	if _, ok := runInfo["wall_seconds"]; !ok {
		t.Error("run.wall_seconds missing")
	}
}

// TestSimulateDeterministic: the same scenario and seed give byte-identical
// JSON, timing fields aside, whatever the number of workers.
func TestSimulateDeterministic(t *testing.T) {
	path := writeFile(t, "min.yaml", minimal)
	timing := regexp.MustCompile(`"(wall_seconds|calls_per_second|workers)": [0-9.e+-]+`)
	var outs []string
	for _, w := range []string{"1", "2", "2"} {
		code, stdout, stderr := run(t, "simulate", path, "--json", "--workers", w)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		outs = append(outs, timing.ReplaceAllString(stdout, `"$1": X`))
	}
	for i := 1; i < len(outs); i++ {
		if outs[i] != outs[0] {
			t.Fatalf("run %d differs from run 0", i)
		}
	}
	code, other, _ := run(t, "simulate", path, "--json", "--seed", "8")
	if code != 0 || timing.ReplaceAllString(other, `"$1": X`) == outs[0] {
		t.Fatal("a different seed gave the same result")
	}
}

func TestSimulateText(t *testing.T) {
	code, stdout, stderr := run(t, "simulate", "single-queue", "--intervals")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"service level", "ASA", "occupancy", "support", "staff", "23:30"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("summary lacks %q:\n%s", w, stdout)
		}
	}
}

// TestDemo runs the whole demo: the comparison, the theory check and 20 s
// of paired SIP verification of a multi-queue scenario against the embedded
// center, and checks the report.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := run(t, "demo", "--out", dir, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"service level", "exact theory", "Erlang A", "in-house only", "outsourced only",
		"Cheapest variant meeting every service-level target: in-house only", "Over the wire", "two skills", "queue  technical", "group  generalists",
		"simulated   measured", "verdict", "Report written to " + dir,
		"each at the least monthly cost meeting every target", "groups.staff.agents = 15", "Recommendation: in-house only is the cheapest strategy"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("demo output lacks %q:\n%s", w, stdout)
		}
	}
	for _, f := range []string{"report.html", "report.md", "result.json", "verify.json", "optimize/report.html", "optimize/plan-hybrid.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("report: %v", err)
		}
	}
}

// TestDemoCenterSet: the demo's verification fails when its center is one
// specialist short.
func TestDemoCenterSet(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for 20 s")
	}
	code, stdout, stderr := run(t, "demo", "--out", t.TempDir(), "--quiet", "--center-set", "groups.specialists.agents=13")
	if code != 0 || !strings.Contains(stdout, "NOT consistent with the simulation") || !strings.Contains(stdout, "groups.specialists.agents=13") {
		t.Errorf("exit %d, want the verdict NOT consistent in the output:\n%s\n%s", code, stdout, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"simulate"}, {"simulate", "a", "b"}, {"simulate", "--no-such-flag", "x"}, {"simulate", "x", "--replications", "0"}} {
		code, _, stderr := run(t, args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, stderr)
		}
	}
}

// TestCompareHybrid: the example of the sourcing issue, compared: three
// variants with KPIs, costs and confidence intervals, and the cheapest one
// meeting 80/20 named.
func TestCompareHybrid(t *testing.T) {
	code, stdout, stderr := run(t, "compare", "hybrid")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"base", "in-house only", "outsourced only", "service level", "cost per month (EUR)",
		"per resolved contact", "vendor minutes", "±", "Difference from \"base\"", "Cheapest variant meeting every service-level target: in-house only",
		"Optimized (callsim optimize", "groups.staff.agents = 15", "Recommendation: in-house only is the cheapest strategy"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("compare output lacks %q:\n%s", w, stdout)
		}
	}
	code, stdout, _ = run(t, "compare", "hybrid", "--json")
	var res struct {
		Variants []struct {
			Name string
			KPIs map[string]any `json:"kpis"`
			Cost map[string]any `json:"cost"`
		} `json:"variants"`
		Cheapest string `json:"cheapest_meeting_targets"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if len(res.Variants) != 3 || res.Cheapest != "in-house only" {
		t.Fatalf("variants %d, cheapest %q", len(res.Variants), res.Cheapest)
	}
	for _, v := range res.Variants {
		for _, k := range []string{"total", "per_offered_call", "per_handled_call", "per_resolved_contact", "breakdown"} {
			if _, ok := v.Cost[k]; !ok {
				t.Errorf("%s: cost.%s missing", v.Name, k)
			}
		}
		if _, ok := v.KPIs["service_level_ci95"]; !ok {
			t.Errorf("%s: kpis.service_level_ci95 missing", v.Name)
		}
	}
}
