package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hybridShort is the built-in hybrid over a shorter horizon with fewer
// replications: quick, and still a real optimization.
const hybridShort = `name: hybrid short
horizon: 2d
interval: 30m
seed: 3
replications: 4
queues:
  - name: tech
    arrivals: {per_hour: 120}
    handle_time: {mean: 6m, dist: lognormal, cv: 0.8}
    patience: {mean: 2m, dist: exponential}
    target: {service_level: 80%, within: 20s}
groups:
  - name: staff
    agents: 10
    skills: [tech]
    resolution: {tech: 0.9}
    cost: {hourly_wage: 22, overhead: 35%, supervisor_ratio: 15, supervisor_hourly_wage: 35}
  - name: vendor
    sourcing: outsourced
    agents: 8
    skills: [tech]
    handle_time_factor: {tech: 1.15}
    resolution: {tech: 0.7}
    cost: {setup_fee: 15000, per_handled_minute: 0.55}
routing:
  - queue: tech
    groups: [staff, {group: vendor, after: 30s}]
strategies:
  - name: in-house only
    set: {groups.vendor.agents: 0}
    decide: {groups.staff.agents: 1..40}
  - name: hybrid
    decide: {groups.staff.agents: 1..30, groups.vendor.agents: 1..30}
  - name: too small
    set: {groups.vendor.agents: 0}
    decide: {groups.staff.agents: 1..5}
`

// TestOptimizeJSON checks the JSON contract of callsim optimize --json and
// that a strategy whose bounds cannot meet the target is reported as
// infeasible within the bounds, not as an error.
func TestOptimizeJSON(t *testing.T) {
	f := writeFile(t, "h.yaml", hybridShort)
	code, stdout, stderr := run(t, "optimize", f, "--json", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		Strategies []struct {
			Name         string                     `json:"name"`
			Status       string                     `json:"status"`
			MeetsTargets *bool                      `json:"meets_targets"`
			Cost         map[string]any             `json:"cost"`
			Decisions    map[string]json.RawMessage `json:"decisions"`
			KPIs         map[string]any             `json:"kpis"`
			LowerBound   json.RawMessage            `json:"lower_bound"`
		} `json:"strategies"`
		Best *string `json:"best"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(out.Strategies) != 3 || out.Best == nil || *out.Best == "" {
		t.Fatalf("want 3 strategies and a best, got %s", stdout)
	}
	for _, s := range out.Strategies {
		if s.MeetsTargets == nil || s.Cost["total"] == nil || s.KPIs["service_level"] == nil || s.LowerBound == nil {
			t.Errorf("%s: missing meets_targets, cost.total, kpis.service_level or lower_bound", s.Name)
		}
		if _, ok := s.Decisions["groups.staff.agents"]; !ok {
			t.Errorf("%s: no decision groups.staff.agents: %v", s.Name, s.Decisions)
		}
	}
	if s := out.Strategies[2]; s.Status != "infeasible" || *s.MeetsTargets || string(s.Decisions["groups.staff.agents"]) != "5" {
		t.Errorf("too small: status %s, meets %v, decisions %s; want infeasible at the bound 5", s.Status, *s.MeetsTargets, s.Decisions["groups.staff.agents"])
	}
	if *out.Best == "too small" {
		t.Errorf("an infeasible strategy is best")
	}

	code, stdout, stderr = run(t, "optimize", f, "--strategy", "too small")
	if code != 0 || !strings.Contains(stdout, "infeasible within the bounds") || !strings.Contains(stdout, "no strategy meets its targets") {
		t.Errorf("exit %d, text:\n%s%s", code, stdout, stderr)
	}
}

// TestOptimizeBadInput: reversed bounds and a decision on a group that
// does not exist are errors naming the place; a scenario without
// strategies says how to add them.
func TestOptimizeBadInput(t *testing.T) {
	cases := []struct{ name, from, to, want string }{
		{"reversed", "groups.staff.agents: 1..40}", "groups.staff.agents: 40..1}", "bounds reversed: min 40 is above max 1"},
		{"no such group", "decide: {groups.staff.agents: 1..40}", "decide: {groups.stafff.agents: 1..40}", `no group "stafff"`},
		{"no such path", "decide: {groups.staff.agents: 1..40}", "decide: {groups.staff.seats: 1..40}", "cannot decide groups.staff.seats"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(hybridShort, tc.from, tc.to, 1)
			if src == hybridShort {
				t.Fatal("replacement not found")
			}
			code, _, stderr := run(t, "optimize", writeFile(t, "bad.yaml", src), "-q")
			if code == 0 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "bad.yaml:") {
				t.Errorf("exit %d, stderr %q; want an error with %q and the file's position", code, stderr, tc.want)
			}
		})
	}
	code, _, stderr := run(t, "optimize", "single-queue", "-q")
	if code == 0 || !strings.Contains(stderr, "no strategies") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestOptimizeOut: --out writes the report, the plan CSV and each
// strategy's plan as a scenario file; simulating a plan file gives the
// cost the search measured for it (same seed, same replications).
func TestOptimizeOut(t *testing.T) {
	f := writeFile(t, "h.yaml", hybridShort)
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t, "optimize", f, "--json", "-q", "--strategy", "in-house only", "--strategy", "hybrid", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Strategies []struct {
			Name       string         `json:"name"`
			SearchCost float64        `json:"search_cost"`
			Repaired   bool           `json:"repaired"`
			Decisions  map[string]any `json:"decisions"`
		} `json:"strategies"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"report.html", "result.json", "plan.csv", "plan-in-house-only.yaml", "plan-hybrid.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	for _, want := range []string{"Cost against service level", "Agents per interval: hybrid", "Erlang requirement", "Targets on the check"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	plan, _ := os.ReadFile(filepath.Join(dir, "plan.csv"))
	if !strings.Contains(string(plan), "hybrid,") || !strings.Contains(string(plan), "groups.vendor.agents") {
		t.Errorf("plan.csv:\n%s", plan)
	}
	for i, file := range []string{"plan-in-house-only.yaml", "plan-hybrid.yaml"} {
		s := res.Strategies[i]
		code, out, stderr := run(t, "simulate", filepath.Join(dir, file), "--json", "-q")
		if code != 0 {
			t.Fatalf("simulate %s: exit %d: %s", file, code, stderr)
		}
		var sim struct {
			Cost struct {
				Total float64 `json:"total"`
			} `json:"cost"`
		}
		if err := json.Unmarshal([]byte(out), &sim); err != nil {
			t.Fatal(err)
		}
		if !s.Repaired && math.Abs(sim.Cost.Total-s.SearchCost) > 1e-6*s.SearchCost {
			t.Errorf("%s: simulate gives %.2f, the search measured %.2f for %v", file, sim.Cost.Total, s.SearchCost, s.Decisions)
		}
	}
}
