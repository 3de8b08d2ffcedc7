package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

// runScenarios runs "callsim scenarios ARGS..." in-process with stdin.
func runScenarios(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = Execute(context.Background(), append([]string{"scenarios"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestScenariosList(t *testing.T) {
	code, out, errOut := runScenarios(t, "", "list")
	if code != ExitOK || errOut != "" {
		t.Fatalf("list: code %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	list := scenarios.Builtin()
	if len(lines) != len(list) {
		t.Fatalf("list printed %d lines for %d built-ins:\n%s", len(lines), len(list), out)
	}
	col := -1
	for i, b := range list {
		if !strings.HasPrefix(lines[i], b.Name+" ") || !strings.HasSuffix(lines[i], b.Summary) {
			t.Errorf("line %q, want %s and its summary", lines[i], b.Name)
		}
		c := strings.Index(lines[i], b.Summary)
		if col >= 0 && c != col {
			t.Errorf("summaries not aligned:\n%s", out)
		}
		col = c
	}
}

func TestScenariosShow(t *testing.T) {
	code, out, _ := runScenarios(t, "", "show", "single-queue")
	src, _ := scenarios.BuiltinSource("single-queue")
	if code != ExitOK || out != string(src) {
		t.Fatalf("show: code %d, output %q", code, out)
	}
	code, out, errOut := runScenarios(t, "", "show", "singel-queue")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, `unknown built-in scenario "singel-queue" (available: `) ||
		!strings.Contains(errOut, "single-queue, ") || !strings.Contains(errOut, `did you mean "single-queue"?`) {
		t.Errorf("show unknown: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runScenarios(t, "", "show"); code != ExitUsage || !strings.Contains(errOut, "takes 1 argument") {
		t.Errorf("show without NAME: code %d, stderr %q", code, errOut)
	}
}

func TestScenariosInitAndCheck(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	code, out, errOut := runScenarios(t, "", "init", "two-skills")
	if code != ExitOK || !strings.Contains(out, "wrote two-skills.yaml") {
		t.Fatalf("init: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	src, _ := scenarios.BuiltinSource("two-skills")
	if got, err := os.ReadFile("two-skills.yaml"); err != nil || string(got) != string(src) {
		t.Fatalf("init wrote %q, %v", got, err)
	}

	// Never overwrite without --force.
	if err := os.WriteFile("mine.yaml", []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runScenarios(t, "", "init", "single-queue", "mine.yaml")
	if code != ExitError || !strings.Contains(errOut, "mine.yaml already exists; use --force") {
		t.Errorf("init over a file: code %d, stderr %q", code, errOut)
	}
	if got, _ := os.ReadFile("mine.yaml"); string(got) != "keep me" {
		t.Errorf("init overwrote mine.yaml without --force: %q", got)
	}
	if code, _, errOut = runScenarios(t, "", "init", "single-queue", "mine.yaml", "--force"); code != ExitOK {
		t.Errorf("init --force: code %d, stderr %q", code, errOut)
	}
	if got, _ := os.ReadFile("mine.yaml"); !strings.Contains(string(got), "name: single queue") {
		t.Errorf("init --force did not write: %q", got)
	}
	if code, _, _ = runScenarios(t, "", "init", "nope"); code != ExitUsage {
		t.Errorf("init unknown: code %d, want %d", code, ExitUsage)
	}
	if _, err := os.Stat("nope.yaml"); err == nil {
		t.Error("init of an unknown scenario created a file")
	}

	// check: ok files, a broken one, a missing one, stdin.
	bad := "name: x\nhorizon: 1h\nqueues:\n  - name: q\n    arrivals: {per_hour: 1}\n    handel_time: 1m\ngroups:\n  - {name: g, agents: -1, skills: [q]}\n"
	if err := os.WriteFile("bad.yaml", []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runScenarios(t, "", "check", "two-skills.yaml", "mine.yaml")
	if code != ExitOK || out != "two-skills.yaml: ok\nmine.yaml: ok\n" {
		t.Errorf("check ok files: code %d, stdout %q", code, out)
	}
	code, out, errOut = runScenarios(t, "", "check", "two-skills.yaml", "bad.yaml", "missing.yaml")
	for _, want := range []string{
		"two-skills.yaml: ok\n",
		`bad.yaml:4:5: queues[0]: missing required key "handle_time"`,
		`bad.yaml:6:5: queues[0]: unknown key "handel_time" (hint: did you mean "handle_time"?)`,
		`bad.yaml:8:23: groups[0].agents: must be >= 0, got -1`,
		"missing.yaml does not exist",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if code != ExitError || !strings.Contains(errOut, "2 of 3 scenario files have errors") {
		t.Errorf("check with errors: code %d, stderr %q", code, errOut)
	}
	code, out, _ = runScenarios(t, string(src), "check", "-")
	if code != ExitOK || out != "-: ok\n" {
		t.Errorf("check -: code %d, stdout %q", code, out)
	}
	if code, _, _ = runScenarios(t, "", "check"); code != ExitUsage {
		t.Errorf("check without FILE: code %d, want %d", code, ExitUsage)
	}
	if _, err := os.Stat(filepath.Join(dir, "two-skills.yaml")); err != nil {
		t.Error(err)
	}
}

func TestScenariosReferenceAndHelp(t *testing.T) {
	code, out, _ := runScenarios(t, "", "reference")
	if code != ExitOK || out != scenarios.Reference() {
		t.Errorf("reference: code %d", code)
	}
	code, out, _ = runScenarios(t, "", "--help")
	for _, want := range []string{"list", "show", "init", "check", "reference", "callsim scenarios init two-skills my-center.yaml"} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("scenarios --help lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := runScenarios(t, "", "list", "extra"); code != ExitUsage || !strings.Contains(errOut, "takes no arguments") {
		t.Errorf("list extra: code %d, stderr %q", code, errOut)
	}
}
