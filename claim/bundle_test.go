package claim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bundle writes the evidence of a synthetic service check (162 of 200
// within: INCONCLUSIVE) into a new directory.
func bundle(t *testing.T) (string, string) {
	t.Helper()
	src := []byte("# Acme's offer\nservice: {answered_within: 20s, share: 80%, calls_per_hour: 300}\n")
	cl, err := Parse("acme.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	s := rampSetup("service", 10, 20)
	s.Arrivals, s.TimeScale = "poisson", 120
	ok := spread(162, 200)
	calls := uniformCalls("service", 200, 10, func(i int, c *Call) {
		c.SRDMs, c.AnswerDelayMs, c.DurationMs, c.HangupBy = 2.5, 100.125, 1500, "callee"
		if !ok[i] {
			c.AnswerDelayMs = 400
		}
	})
	rep := Judge(cl, []Setup{s}, calls, 0.95)
	dir := filepath.Join(t.TempDir(), "evidence")
	digest, err := WriteBundle(dir, &Bundle{
		Run: Run{Version: "test", CommandLine: []string{"callsim", "verify", "--claim", "acme.yaml", "--out", dir}, ClaimFile: "acme.yaml",
			Seed: 7, StartedAt: start, EndedAt: start.Add(25 * time.Second), Confidence: 0.95, StepSeconds: 3, HoldSeconds: 20, Setups: []Setup{s}},
		Claim: src, Calls: calls, Report: rep, HTML: []byte("<html>report</html>\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir, digest
}

func problems(r *CheckResult) string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.String())
	}
	return strings.Join(out, "\n")
}

// TestBundleIntact: a bundle as written is intact, its verdicts reproduce
// from the calls alone, and its digest is the manifest's SHA-256.
func TestBundleIntact(t *testing.T) {
	dir, digest := bundle(t)
	r, err := CheckBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Intact || !r.Reproduced || len(r.Problems) != 0 || r.Digest != digest || r.Report.Outcome != "INCONCLUSIVE" {
		t.Fatalf("intact %v reproduced %v digest %s (%s):\n%s", r.Intact, r.Reproduced, r.Digest, digest, problems(r))
	}
	for _, f := range append(bundleFiles, FileManifest) {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// Durations in the JSON are seconds or milliseconds, named so: no
	// nanoseconds anywhere.
	for _, f := range []string{FileRun, FileVerdicts} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if bytes.Contains(b, []byte("000000000")) {
			t.Errorf("%s holds a nanosecond-like number", f)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, FileClaim)); !strings.HasPrefix(string(b), "# Acme's offer") {
		t.Errorf("the claim is not kept as given: %q", b)
	}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rehash sets the manifest's hash of name to the file's, as a forger would.
func rehash(t *testing.T, dir, name string) {
	t.Helper()
	m, _ := os.ReadFile(filepath.Join(dir, FileManifest))
	b, _ := os.ReadFile(filepath.Join(dir, name))
	sum := sha256.Sum256(b)
	lines := strings.Split(string(m), "\n")
	for i, l := range lines {
		if strings.Contains(l, `"name": "`+name+`"`) {
			lines[i+1] = strings.Split(lines[i+1], ":")[0] + ": " + strconv.Itoa(len(b)) + ","
			lines[i+2] = strings.Split(lines[i+2], ":")[0] + `: "` + hex.EncodeToString(sum[:]) + `"`
		}
	}
	if err := os.WriteFile(filepath.Join(dir, FileManifest), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBundleTampered: every edit is caught and the file named: a CDR line
// changed (its hash no longer matches, and the verdicts no longer
// reproduce), a hash changed, a CDR line changed with its hash forged to
// match (the verdicts, histograms and series computed from the calls
// differ from those stored), a file removed or added.
func TestBundleTampered(t *testing.T) {
	for _, tt := range []struct {
		name       string
		tamper     func(t *testing.T, dir string)
		intact     bool
		reproduced bool
		want       []string
	}{
		{"cdr line edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, FileCalls), ",400.000,", ",100.000,") // a late answer made quick
		}, false, false, []string{"calls.csv: SHA-256", "verdicts.json:", "histograms.json:"}},
		{"hash edited", func(t *testing.T, dir string) {
			m, _ := os.ReadFile(filepath.Join(dir, FileManifest))
			i := bytes.Index(m, []byte(`"sha256": "`)) + len(`"sha256": "`)
			m[i] = map[bool]byte{true: '1', false: '0'}[m[i] == '0']
			os.WriteFile(filepath.Join(dir, FileManifest), m, 0o644)
		}, false, true, []string{"claim.yaml: SHA-256"}},
		{"cdr line edited, hash forged", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, FileCalls), ",400.000,", ",100.000,")
			rehash(t, dir, FileCalls)
		}, true, false, []string{"verdicts.json: service (line 2), service level: 162 of 200", "histograms.json: service step 1 answer_delay_ms"}},
		{"verdict edited, hash forged", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, FileVerdicts), `"outcome": "INCONCLUSIVE"`, `"outcome": "PASS"`)
			rehash(t, dir, FileVerdicts)
		}, true, false, []string{"verdicts.json: service (line 2), service level:", "(PASS), the calls give"}},
		{"step moved", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, FileCalls), "service,1,service-5,", "service,2,service-5,")
			rehash(t, dir, FileCalls)
		}, true, false, []string{"calls.csv: line 7: call service-5 is in step 2"}},
		{"file removed", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, FileSeries)) }, false, true, []string{"series.csv: cannot be read"}},
		{"file added", func(t *testing.T, dir string) { os.WriteFile(filepath.Join(dir, "extra.csv"), []byte("x"), 0o644) },
			false, true, []string{"extra.csv: is not part of the bundle"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, digest := bundle(t)
			tt.tamper(t, dir)
			r, err := CheckBundle(dir)
			if err != nil {
				t.Fatal(err)
			}
			got := problems(r)
			if r.Intact != tt.intact || r.Reproduced != tt.reproduced {
				t.Errorf("intact %v reproduced %v, want %v %v:\n%s", r.Intact, r.Reproduced, tt.intact, tt.reproduced, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems lack %q:\n%s", w, got)
				}
			}
			if strings.Contains(tt.name, "forged") && r.Digest == digest {
				t.Errorf("a forged manifest keeps the bundle's digest")
			}
		})
	}
	if _, err := CheckBundle(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no evidence bundle") {
		t.Errorf("empty directory: %v", err)
	}
}
