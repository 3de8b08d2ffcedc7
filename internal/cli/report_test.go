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
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/sipcenter"
)

// simulateJSON runs callsim simulate --json on the minimal scenario and
// saves the result in a file.
func simulateJSON(t *testing.T) string {
	t.Helper()
	code, out, stderr := run(t, "simulate", writeFile(t, "sq.yaml", minimal), "--json", "-q", "--replications", "2")
	if code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, stderr)
	}
	return writeFile(t, "result.json", out)
}

func TestReport(t *testing.T) {
	res := simulateJSON(t)
	code, cmpOut, stderr := run(t, "compare", "hybrid", "--json", "-q")
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	cmp := writeFile(t, "cmp.json", cmpOut)
	other := writeFile(t, "other.json", `{"calls": 3}`)
	broken := writeFile(t, "broken.json", `{"kpis": `)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
		stderr []string
	}{
		{"text", []string{res}, 0, []string{`Scenario "single queue"`, "service level"}, nil},
		{"markdown", []string{res, "--format", "markdown"}, 0, []string{"# single queue: simulation", "| queue |"}, nil},
		{"html", []string{res, "-f", "html"}, 0, []string{"<!DOCTYPE html>", "<svg"}, nil},
		{"compare text", []string{cmp}, 0, []string{"Cheapest variant meeting every service-level target"}, nil},
		{"compare html", []string{cmp, "--format", "html"}, 0, []string{"Cost against service level"}, nil},
		{"load text", []string{loadJSON}, 0, []string{"attempted 36"}, nil},
		{"load markdown", []string{loadJSON, "--format", "markdown"}, 0, []string{"# SIP load test", "| attempted | 36 |"}, nil},
		{"load html", []string{loadJSON, "--format", "html"}, 0, []string{"Calls in progress", "<svg"}, nil},
		{"staff text", []string{staffJSON}, 0, []string{`Staffing plan for "sales day"`, "Shifts for group team"}, nil},
		{"staff markdown", []string{staffJSON, "-f", "markdown"}, 0, []string{"# sales day: staffing plan", "| start | calls |"}, nil},
		{"staff html", []string{staffJSON, "-f", "html"}, 0, []string{"Agents per interval: sales", "<svg"}, nil},
		{"sweep text", []string{sweepJSON}, 0, []string{`Sweep of "single queue"`, "<- cheapest meeting targets"}, nil},
		{"sweep markdown", []string{sweepJSON, "-f", "markdown"}, 0, []string{"# single queue: sweep", "| groups.staff.agents |"}, nil},
		{"sweep html", []string{sweepJSON, "-f", "html"}, 0, []string{"Cost against service level", "<svg"}, nil},
		{"two files", []string{res, cmp, "--format", "markdown"}, 0, []string{"# single queue: simulation", ": comparison"}, nil},
		{"unknown JSON", []string{other}, 1, nil, []string{"other.json", "not a callsim result"}},
		{"broken JSON", []string{broken}, 1, nil, []string{"broken.json"}},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.json")}, 1, nil, []string{"nope.json"}},
		{"bad format", []string{res, "--format", "pdf"}, 2, nil, []string{"--format", "pdf"}},
		{"html of two files", []string{res, cmp, "--format", "html"}, 2, nil, []string{"--out"}},
		{"no file", nil, 2, nil, []string{"report"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"report"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%.2000s", w, stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestReportOut(t *testing.T) {
	res := simulateJSON(t)
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t, "report", res, "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not empty: %s", stdout)
	}
	for _, f := range []string{"report.html", "report.md", "result.json", "intervals.csv", "queues.csv", "groups.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(stderr, dir) {
		t.Errorf("stderr does not say where: %s", stderr)
	}
	// Several files: one subdirectory each.
	code, _, stderr = run(t, "report", res, filepath.Join(dir, "result.json"), "--out", dir+"2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, sub := range []string{"result", "result-2"} {
		if _, err := os.Stat(filepath.Join(dir+"2", sub, "report.html")); err != nil {
			t.Error(err)
		}
	}
	code, _, stderr = run(t, "report", loadJSON, "--out", dir+"3")
	if code != 0 {
		t.Fatalf("load: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"report.html", "series.csv", "delays.csv"} {
		if _, err := os.Stat(filepath.Join(dir+"3", f)); err != nil {
			t.Error(err)
		}
	}
	if code, _, _ := run(t, "report", res, "--out", dir, "--format", "html"); code != 2 {
		t.Errorf("--out with --format: exit %d, want 2", code)
	}
}

// Saved results of callsim load, staff and sweep.
var (
	loadJSON  = filepath.Join("..", "..", "reports", "testdata", "load.json")
	staffJSON = filepath.Join("..", "..", "reports", "testdata", "staff.json")
	sweepJSON = filepath.Join("..", "..", "reports", "testdata", "sweep.json")
)

// timing matches the fields that vary between runs.
var timing = regexp.MustCompile(`(?m)^Simulated .*$|"(wall_seconds|calls_per_second|workers|events)": [0-9.e+-]+`)

func TestOutFlag(t *testing.T) {
	sc := writeFile(t, "sq.yaml", minimal)
	tests := []struct {
		name  string
		args  []string
		files []string
	}{
		{"simulate", []string{"simulate", sc, "-q", "--replications", "2"}, []string{"report.html", "report.md", "result.json", "intervals.csv", "queues.csv", "groups.csv"}},
		{"simulate --json", []string{"simulate", sc, "-q", "--replications", "2", "--json"}, []string{"report.html", "result.json"}},
		{"compare", []string{"compare", "single-queue", "-q"}, []string{"report.html", "report.md", "result.json", "variants.csv", "queues.csv", "groups.csv", "intervals.csv"}},
		{"staff", []string{"staff", "single-queue", "-q", "--replications", "3", "--shifts"}, []string{"report.html", "report.md", "result.json", "staffing.csv"}},
		{"staff --json", []string{"staff", "single-queue", "-q", "--analytic", "--json"}, []string{"report.html", "result.json", "staffing.csv"}},
		{"sweep", []string{"sweep", "single-queue", "-q", "--set", "groups.staff.agents=30..34:2", "--with", "horizon=50h", "--with", "replications=3"}, []string{"report.html", "report.md", "result.json", "points.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, plain, stderr := run(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			dir := filepath.Join(t.TempDir(), "a", "b")
			code, withOut, stderr := run(t, append(tt.args, "--out", dir)...)
			if code != 0 {
				t.Fatalf("with --out: exit %d: %s", code, stderr)
			}
			if timing.ReplaceAllString(plain, "") != timing.ReplaceAllString(withOut, "") {
				t.Errorf("--out changed stdout:\n%s\n--- without:\n%s", withOut, plain)
			}
			if !strings.Contains(stderr, "report written to "+dir) {
				t.Errorf("stderr does not say where the report went: %q", stderr)
			}
			for _, f := range tt.files {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil || len(b) == 0 {
					t.Errorf("%s: %v (%d bytes)", f, err, len(b))
				}
			}
			var v map[string]any
			b, _ := os.ReadFile(filepath.Join(dir, "result.json"))
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("result.json: %v", err)
			}
			// The saved result renders again, to the same report.
			if code, _, stderr := run(t, "report", filepath.Join(dir, "result.json"), "--format", "html"); code != 0 {
				t.Errorf("report of result.json: exit %d: %s", code, stderr)
			}
			again := filepath.Join(t.TempDir(), "again")
			if code, _, stderr := run(t, "report", filepath.Join(dir, "result.json"), "--out", again); code != 0 {
				t.Fatalf("report --out of result.json: exit %d: %s", code, stderr)
			}
			for _, f := range tt.files {
				a, _ := os.ReadFile(filepath.Join(dir, f))
				b, err := os.ReadFile(filepath.Join(again, f))
				if err != nil || string(a) != string(b) {
					t.Errorf("%s from result.json differs from the one the command wrote (%v)", f, err)
				}
			}
		})
	}
}

// TestLoadOut runs a short load test against the embedded target with
// --out and --quiet: the report directory holds every file, its
// result.json is the --json file, and nothing is printed on stderr but
// where the report went.
func TestLoadOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 10,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "load")
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	code := Execute(ctx, []string{"load", srv.URI("support"), "--rate", "50", "--max-calls", "20", "-q",
		"--json", jsonPath, "--out", dir}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := strings.TrimSpace(stderr.String()); got != "report written to "+dir+": report.html, report.md, result.json, series.csv, delays.csv" {
		t.Errorf("stderr: %q", got)
	}
	a, _ := os.ReadFile(jsonPath)
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil || string(a) != string(b) {
		t.Errorf("result.json differs from the --json file (%v)", err)
	}
	s, err := reports.ReadResult(filepath.Join(dir, "result.json"))
	if err != nil || s.Kind != reports.KindLoad || s.Load.Attempted != 20 || s.Load.Completed != 20 {
		t.Fatalf("result.json: %v %+v", err, s)
	}
	if code, _, _ := run(t, "load", srv.URI("support"), "--rate", "1", "--max-calls", "1", "-q", "--progress"); code != ExitUsage {
		t.Errorf("--quiet with --progress: exit %d, want %d", code, ExitUsage)
	}
}
