package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callsim/callsim/loadgen/loadgentest"
)

func TestLoadWindowUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--abort-on-fail", "--threshold", "ser>=99"}, "give --window"},
		{[]string{"--window", "10s"}, "at least one --threshold"},
		{[]string{"--window", "1ms", "--threshold", "ser>=99"}, "want at least 100ms"},
	} {
		code, _, stderr := execLoad(t, append([]string{"sip:a@127.0.0.1", "--rate", "1", "--max-calls", "1"}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", tt.args, code, stderr, ExitUsage, tt.want)
		}
	}
}

// TestLoadAbortOnFail: every call is refused (SIPp answers 486); judged
// per 1 s window, the first window fails and the run ends there instead
// of running its 20 s: exit 99, the result marked aborted, every call
// accounted for. A call placed as the first window closes is cancelled;
// SIPp may answer that CANCEL with 200 and never send the INVITE's final
// response (it drops the call), so the call is ended after --grace: the
// run takes at most the window, the grace and scheduling slack, far
// below its 20 s.
func TestLoadAbortOnFail(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "../../loadgen/testdata/uas_486.xml")
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := execLoad(t, fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port), "--no-media",
		"--rate", "20", "--duration", "20s", "--threshold", "ser>=99", "--window", "1s", "--abort-on-fail", "--grace", "1s", "--json", out)
	if code != ExitThreshold {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitThreshold, stdout, stderr)
	}
	if !strings.Contains(stdout, "ABORTED (--abort-on-fail): window 0") || !strings.Contains(stdout, "FAIL  window 0") {
		t.Errorf("stdout:\n%s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Aborted     bool    `json:"aborted"`
		AbortReason string  `json:"abort_reason"`
		Wall        float64 `json:"wall_seconds"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	var counts map[string]any
	_ = json.Unmarshal(b, &counts)
	sum := 0.0
	for _, k := range []string{"completed", "failed", "abandoned", "timed_out", "transport_errors"} {
		sum += counts[k].(float64)
	}
	if !r.Aborted || r.AbortReason == "" || r.Wall > 5 || counts["attempted"].(float64) != sum || sum < 15 {
		t.Errorf("aborted %v (%q) after %.1fs; attempted %v, outcomes %v", r.Aborted, r.AbortReason, r.Wall, counts["attempted"], sum)
	}
}
