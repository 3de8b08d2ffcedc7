package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// verifyYAML: 5 agents, 126 calls an hour, 2-minute handle time, 1-minute patience.
const verifyYAML = `name: verify cli
horizon: 200h
seed: 5
replications: 10
queues:
  - name: support
    arrivals: {per_hour: 126}
    handle_time: {mean: 120s, dist: exponential}
    patience: {mean: 60s, dist: exponential}
    target: {service_level: 80%, within: 20s}
groups:
  - name: staff
    agents: 5
    skills: [support]
`

func writeVerifyScenario(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.yaml")
	if err := os.WriteFile(path, []byte(verifyYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runVerify(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), append([]string{"verify"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVerifyUsageErrors(t *testing.T) {
	path := writeVerifyScenario(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no scenario", nil, ExitUsage, "--scenario"},
		{"bad scale", []string{"--scenario", path, "--time-scale", "0"}, ExitUsage, "--time-scale"},
		{"agents with target", []string{"--scenario", path, "--agents", "3", "--target", "sip:x@127.0.0.1"}, ExitUsage, "--agents"},
		{"argument", []string{"extra"}, ExitUsage, "verify"},
		{"unsupported", []string{"--scenario", "two-skills", "--statistical"}, ExitError, "one queue"},
		{"center-set statistical", []string{"--scenario", path, "--statistical", "--center-set", "groups.staff.agents=4"}, ExitUsage, "paired mode"},
		{"center-set syntax", []string{"--scenario", path, "--center-set", "groups.staff.agents"}, ExitUsage, "PATH=VALUE"},
		{"agents paired", []string{"--scenario", path, "--agents", "4"}, ExitUsage, "--center-set groups.NAME.agents"},
		{"center-set bad path", []string{"--scenario", path, "--center-set", "groups.nosuch.agents=4"}, ExitError, "nosuch"},
		{"claim and scenario", []string{"--scenario", path, "--claim", path}, ExitUsage, "not both"},
		{"claim missing", []string{"--claim", "nosuch-claim.yaml"}, ExitError, "--claim: open nosuch-claim.yaml"},
		{"claim not a claim", []string{"--claim", path}, ExitError, `unknown key "horizon"`},
		{"claim trunks with target", []string{"--claim", path, "--trunks", "3", "--target", "sip:x@127.0.0.1"}, ExitUsage, "--trunks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runVerify(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestVerifyCommandConsistent(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for 20 s")
	}
	path := writeVerifyScenario(t)
	code, stdout, stderr := runVerify(t, "--scenario", path, "--statistical", "--time-scale", "300", "--duration", "20s")
	t.Logf("stdout:\n%s", stdout)
	if code != ExitOK {
		t.Fatalf("exit %d, want 0\nstderr:\n%s", code, stderr)
	}
	for _, want := range []string{"service_level", "asa", "abandon_rate", "occupancy", "consistent with the simulation"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func TestVerifyCommandUnderstaffed(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for 20 s")
	}
	path := writeVerifyScenario(t)
	code, stdout, stderr := runVerify(t, "--scenario", path, "--statistical", "--time-scale", "300", "--duration", "20s", "--agents", "3", "--json")
	if code != ExitThreshold {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitThreshold, stdout, stderr)
	}
	var rep struct {
		Consistent   bool     `json:"consistent"`
		Inconsistent []string `json:"inconsistent"`
		TargetAgents int      `json:"target_agents"`
		KPIs         []struct {
			Name     string  `json:"name"`
			Measured float64 `json:"measured"`
		} `json:"kpis"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	t.Logf("inconsistent: %v; stderr: %s", rep.Inconsistent, stderr)
	if rep.Consistent || len(rep.Inconsistent) == 0 || rep.TargetAgents != 3 || len(rep.KPIs) != 4 {
		t.Errorf("report %+v, want inconsistent with 3 agents and 4 KPIs", rep)
	}
	if !strings.Contains(stderr, "not consistent") {
		t.Errorf("stderr %q does not say which KPIs are not consistent", stderr)
	}
}

// TestVerifyPaired: callsim verify --scenario hybrid replays the
// simulation's calls at the embedded center and is consistent, queue by
// queue and group by group; with one in-house agent fewer at the center
// (--center-set) it is not, naming the queue or group and the KPI, exit
// code 99;
// --json carries the verdicts.
func TestVerifyPaired(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for 2 x 20 s")
	}
	code, stdout, stderr := runVerify(t, "--scenario", "hybrid")
	t.Logf("stdout:\n%s", stdout)
	if code != ExitOK || !strings.Contains(stdout, "consistent with the simulation") || !strings.Contains(stdout, "group  vendor") {
		t.Fatalf("exit %d, want 0 with per-queue and per-group verdicts\nstderr:\n%s", code, stderr)
	}
	code, stdout, stderr = runVerify(t, "--scenario", "hybrid", "--center-set", "groups.staff.agents=9", "--json")
	var rep struct {
		Consistent   bool     `json:"consistent"`
		Inconsistent []string `json:"inconsistent"`
		Checks       []struct {
			Scope, Name, KPI string
			Consistent       bool
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	t.Logf("inconsistent: %v", rep.Inconsistent)
	named := false
	for _, c := range rep.Checks {
		if !c.Consistent && c.KPI != "" && strings.Contains(strings.Join(rep.Inconsistent, ","), c.Scope+" "+c.Name+": "+c.KPI) {
			named = true
		}
	}
	if code != ExitThreshold || rep.Consistent || !named {
		t.Errorf("exit %d, %+v: want 99 naming the queue or group and the KPI\nstderr:\n%s", code, rep, stderr)
	}
}
