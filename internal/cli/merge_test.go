package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

func TestSegmentFlagErrors(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "")
	base := []string{"load", "sip:a@127.0.0.1", "--rate", "1", "--max-calls", "1"}
	for _, tc := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"index too high", []string{"--segment", "4/4"}, "", "index must be 0 to 3"},
		{"no slash", []string{"--segment", "2"}, "", "INDEX/COUNT"},
		{"both", []string{"--segment", "0/2", "--segments", "2"}, "", "not both"},
		{"no env", []string{"--segments", "4"}, "", "JOB_COMPLETION_INDEX is not set"},
		{"env out of range", []string{"--segments", "4"}, "4", "index must be 0 to 3"},
		{"bad start", []string{"--start-at", "soon"}, "", "--start-at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("JOB_COMPLETION_INDEX", tc.env)
			code, _, stderr := run(t, append(base, tc.args...)...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr, ExitUsage, tc.want)
			}
		})
	}
	code, _, stderr := run(t, "verify", "--scenario", "small-line", "--segment", "0/2")
	if code != ExitUsage || !strings.Contains(stderr, "need --target") {
		t.Errorf("verify segment without target: exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, "verify", "--claim", "claim.yaml", "--segment", "0/2")
	if code != ExitUsage || !strings.Contains(stderr, "do not apply to --claim") {
		t.Errorf("verify --claim with a segment: exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, "sweep", "single-queue", "--set", "groups.staff.agents=30,32", "--segment", "2/2")
	if code != ExitUsage || !strings.Contains(stderr, "index must be 0 to 1") {
		t.Errorf("sweep bad segment: exit %d, %q", code, stderr)
	}
}

// TestSweepSegmentsMergeCLI: a sweep run as 3 segments (one from
// $JOB_COMPLETION_INDEX) and merged prints the unsplit sweep's JSON.
func TestSweepSegmentsMergeCLI(t *testing.T) {
	args := []string{"sweep", "single-queue", "--set", "groups.staff.agents=29..35", "--with", "horizon=20h",
		"--with", "replications=2", "--with", "costs.per_abandoned_call=5", "--json"}
	code, whole, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	dir := t.TempDir()
	var files []string
	for i, seg := range []string{"--segment=0/3", "--segment=1/3", "--segments=3"} {
		t.Setenv("JOB_COMPLETION_INDEX", "2")
		code, out, errs := run(t, append(args, seg, "--start-at", "+10ms")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", seg, code, errs)
		}
		f := filepath.Join(dir, "sweep-"+string(rune('0'+i))+".json")
		if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	code, merged, errs := run(t, append([]string{"report", "merge"}, files[2], files[0], files[1])...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	if merged != whole {
		t.Errorf("merged sweep differs from the unsplit one:\n%s\nwant\n%s", merged, whole)
	}
	// Text summary with -o.
	out := filepath.Join(dir, "merged.json")
	code, text, errs := run(t, append([]string{"report", "merge", "-o", out}, files...)...)
	if b, _ := os.ReadFile(out); code != 0 || string(b) != whole || !cheapestVerdict.MatchString(text) {
		t.Errorf("merge -o: exit %d, %s; %s", code, errs, text)
	}
	code, _, errs = run(t, "report", "merge", files[0], files[0])
	if code == 0 || !strings.Contains(errs, "are both segment 0/3") {
		t.Errorf("duplicate segment: exit %d, %s", code, errs)
	}
}

// TestLoadSegmentsMergeCLI: two load segments against one embedded target,
// merged by "report merge" with thresholds (exit 99 when one fails), and
// refusals naming the files.
func TestLoadSegmentsMergeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 100,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close() //nolint:errcheck // test cleanup
	dir := t.TempDir()
	uri := srv.URI("support")
	common := []string{"load", uri, "--rate", "50", "--max-calls", "31", "--hold", "10s", "--start-at", "+300ms"}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	outs := make([]string, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var so, se bytes.Buffer
			args := append(append([]string(nil), common...), "--segment", []string{"0/2", "1/2"}[i], "--json", filepath.Join(dir, []string{"a.json", "b.json"}[i]))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			codes[i] = Execute(ctx, args, strings.NewReader(""), &so, &se)
			outs[i] = so.String() + se.String()
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Fatalf("segment %d: exit %d: %s", i, c, outs[i])
		}
	}
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	merged := filepath.Join(dir, "merged.json")
	code, stdout, stderr := run(t, "report", "merge", a, b, "-o", merged, "--threshold", "completed==31", "--threshold", "srd_p50<5s")
	if code != 0 || !strings.Contains(stdout, "attempted 31") {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var m loadgen.Result
	data, _ := os.ReadFile(merged)
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Attempted != 31 || m.Completed != 31 || len(m.Segments.Indexes) != 2 || m.SRD.Count != 31 || m.Histograms["srd"] == "" {
		t.Errorf("merged: attempted %d completed %d segments %v srd count %d", m.Attempted, m.Completed, m.Segments, m.SRD.Count)
	}
	code, _, stderr = run(t, "report", "merge", a, b, "--threshold", "attempted>=32")
	if code != ExitThreshold || !strings.Contains(stderr, "attempted>=32") {
		t.Errorf("failing threshold: exit %d, %s", code, stderr)
	}
	code, _, stderr = run(t, "report", "merge", a)
	if code != ExitError || !strings.Contains(stderr, "segments [1] of 2 are missing") {
		t.Errorf("missing segment: exit %d, %s", code, stderr)
	}
	if code, _, stderr = run(t, "report", "merge", a, "--allow-partial"); code != 0 || !strings.Contains(stderr, "warning") {
		t.Errorf("--allow-partial: exit %d, %s", code, stderr)
	}
	// A result of another test: the same file with another target.
	var other map[string]any
	_ = json.Unmarshal(data, &other)
	raw, _ := os.ReadFile(b)
	_ = json.Unmarshal(raw, &other)
	other["settings"].(map[string]any)["target"] = "sip:sales@127.0.0.1:5999"
	other["test_id"] = "0123456789abcdef"
	c := filepath.Join(dir, "c.json")
	ob, _ := json.Marshal(other)
	if err := os.WriteFile(c, ob, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "report", "merge", a, c)
	if code != ExitError || !strings.Contains(stderr, a+" and "+c+" are not segments of the same test") || !strings.Contains(stderr, "sip:sales@127.0.0.1:5999") {
		t.Errorf("other test: exit %d, %s", code, stderr)
	}
	code, _, stderr = run(t, "report", "merge", a, b, filepath.Join(dir, "none.json"))
	if code != ExitError || !strings.Contains(stderr, "none.json") {
		t.Errorf("missing file: exit %d, %s", code, stderr)
	}
}
