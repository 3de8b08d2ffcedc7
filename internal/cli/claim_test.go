package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClaimEvidenceCLI, as a user would: verify --claim --out writes the
// bundle (exit 99: 50 calls cannot prove 99% answered, INCONCLUSIVE with the
// calls needed), verify --check finds it intact and reproduced (exit 0),
// then catches an edited CDR line and an edited hash (exit 99, naming the
// file); callsim report renders the verdicts.json.
func TestClaimEvidenceCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for about 4 s")
	}
	dir := t.TempDir()
	cl := writeFile(t, "acme.yaml", "name: Acme\ncapacity: {calls_per_second: 20, concurrent: 10}\n")
	out := filepath.Join(dir, "evidence")
	code, stdout, stderr := run(t, "verify", "--claim", cl, "--step", "500ms", "--hold", "2500ms", "--confidence", "90%", "--out", out)
	if code != ExitThreshold || !strings.Contains(stdout, "INCONCLUSIVE  calls answered") || !strings.Contains(stdout, "more calls at the claimed load would decide") ||
		!strings.Contains(stdout, "90% confidence") || !strings.Contains(stderr, "SHA-256 of its manifest") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "verify", "--check", out)
	if code != 0 || !strings.Contains(stdout, "intact: every file") || !strings.Contains(stdout, "reproduced:") {
		t.Fatalf("check: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "report", filepath.Join(out, "verdicts.json"))
	if code != 0 || !strings.Contains(stdout, "INCONCLUSIVE  capacity (line 2)") {
		t.Errorf("report verdicts.json: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "report", filepath.Join(out, "verdicts.json"), "--format", "html")
	if code != 0 || !strings.Contains(stdout, "<h2>capacity (line 2): INCONCLUSIVE</h2>") {
		t.Errorf("report --format html: exit %d", code)
	}
	calls := filepath.Join(out, "calls.csv")
	orig, _ := os.ReadFile(calls)
	lines := strings.Split(string(orig), "\n")
	lines[3] = strings.Replace(lines[3], ",completed,", ",failed,", 1)
	os.WriteFile(calls, []byte(strings.Join(lines, "\n")), 0o644)
	code, stdout, stderr = run(t, "verify", "--check", out)
	if code != ExitThreshold || !strings.Contains(stdout, "calls.csv: SHA-256") || !strings.Contains(stderr, "calls.csv") {
		t.Errorf("edited CDR line: exit %d\n%s\n%s", code, stdout, stderr)
	}
	os.WriteFile(calls, orig, 0o644)
	m := filepath.Join(out, "manifest.json")
	mb, _ := os.ReadFile(m)
	i := strings.Index(string(mb), `"name": "series.csv"`)
	j := i + strings.Index(string(mb[i:]), `"sha256": "`) + len(`"sha256": "`)
	mb[j] ^= 1
	os.WriteFile(m, mb, 0o644)
	code, stdout, _ = run(t, "verify", "--check", out)
	if code != ExitThreshold || !strings.Contains(stdout, "series.csv: SHA-256") {
		t.Errorf("edited hash: exit %d\n%s", code, stdout)
	}
	if code, _, stderr = run(t, "verify", "--check", dir); code != ExitError || !strings.Contains(stderr, "no evidence bundle") {
		t.Errorf("no bundle: exit %d %s", code, stderr)
	}
	if code, _, stderr = run(t, "verify", "--claim", cl, "--confidence", "120%"); code != ExitUsage || !strings.Contains(stderr, "--confidence") {
		t.Errorf("bad confidence: exit %d %s", code, stderr)
	}
	if code, _, stderr = run(t, "verify", "--claim", cl, "--out", dir); code != ExitUsage || !strings.Contains(stderr, "not an evidence bundle") {
		t.Errorf("--out into a directory with other files: exit %d %s", code, stderr)
	}
}
