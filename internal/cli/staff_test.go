package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStaffJSON(t *testing.T) {
	code, out, errs := run(t, "staff", "single-queue", "--shrinkage", "30%", "--replications", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var p struct {
		Verified     bool `json:"verified"`
		CheckAllMeet bool `json:"check_all_meet"`
		Queues       []struct {
			Shrinkage float64 `json:"shrinkage"`
			Intervals []struct {
				Analytic  int `json:"analytic_agents"`
				Verified  int `json:"verified_agents"`
				Scheduled int `json:"scheduled_agents"`
			} `json:"intervals"`
		} `json:"queues"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if !p.Verified || len(p.Queues) != 1 || p.Queues[0].Shrinkage != 0.3 || len(p.Queues[0].Intervals) != 48 {
		t.Fatalf("plan = %+v", p)
	}
	for _, ip := range p.Queues[0].Intervals {
		if ip.Analytic != 32 || ip.Verified < 32 || ip.Scheduled < 46 {
			t.Fatalf("interval %+v", ip)
		}
	}
}

func TestStaffText(t *testing.T) {
	code, out, errs := run(t, "staff", "two-skills", "--analytic")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Queue billing", "Queue technical", "Erlang agents", "09:30"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestStaffBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"shrinkage", []string{"staff", "single-queue", "--shrinkage", "120%"}, ExitUsage, "--shrinkage"},
		{"shrinkage text", []string{"staff", "single-queue", "--shrinkage", "lots"}, ExitUsage, "--shrinkage"},
		{"criterion", []string{"staff", "single-queue", "--criterion", "median"}, ExitUsage, "--criterion"},
		{"rounds", []string{"staff", "single-queue", "--rounds", "0"}, ExitUsage, "--rounds"},
		{"multi-skill", []string{"staff", "two-skills"}, ExitError, "--analytic"},
		{"no file", []string{"staff", "no-such.yaml"}, ExitError, "no-such.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, tt.code, tt.want)
			}
		})
	}
}

func TestStaffShifts(t *testing.T) {
	code, out, errs := run(t, "staff", "single-queue", "--analytic", "--shifts", "--shift-lengths", "8h", "--shift-break", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// 32 agents around the clock in 8h shifts: 96 agents, 768 paid hours, optimal.
	for _, want := range []string{"shifts:", `{start: "00:00", length: 8h`, "Paid 768.0 agent hours a day (96 agents)", "lower bound 768.0, gap 0.0%"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, _, errs = run(t, "staff", "single-queue", "--analytic", "--shifts", "--shift-lengths", "8x")
	if code != ExitUsage || !strings.Contains(errs, "--shift-lengths") {
		t.Errorf("bad length: exit %d, %s", code, errs)
	}
}
