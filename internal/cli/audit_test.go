package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

func TestAuditUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no URI", nil, "needs the vendor's number"},
		{"two URIs", []string{"sip:a@127.0.0.1", "sip:b@127.0.0.1"}, "accepts at most 1 arg"},
		{"bad from", []string{"sip:a@127.0.0.1", "--from", "8h"}, "--from: time of day \"8h\""},
		{"partial window", []string{"sip:a@127.0.0.1", "--from", "08:00", "--to", "08:45"}, "not a whole number of 30m0s intervals"},
		{"bad claim", []string{"sip:a@127.0.0.1", "--claim", "120%"}, "--claim \"120%\""},
		{"bad confidence", []string{"sip:a@127.0.0.1", "--confidence", "40%"}, "--confidence"},
		{"result without log", []string{"--result", "x.json"}, "give both"},
		{"too fast", []string{"sip:a@127.0.0.1", "--time-scale", "1000000"}, "lower --time-scale"},
		{"no calls", []string{"sip:a@127.0.0.1", "--audit-calls", "0"}, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Execute(context.Background(), append([]string{"audit"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
			if code != ExitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr.String(), ExitUsage, tc.want)
			}
		})
	}
}

// TestAuditCommand: callsim audit against the embedded center (5 agents,
// no other traffic: every call answered at once; a threshold of 100 ms of
// wall time and a tolerance of 50 ms, for a loaded machine), then the saved audit
// set beside the center's call log (agrees), and beside a log in which
// one answered call is reported abandoned (disagrees, exit 99, the call
// named); callsim report renders the saved audit.
func TestAuditCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 5, TimeScale: 600,
		ClockStart: 8 * time.Hour, NoMedia: true, CallLog: true, Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "audit")
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := Execute(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, stdout, stderr := run("audit", srv.URI("support"), "--from", "08:00", "--to", "09:00", "--per-interval", "15m",
		"--audit-calls", "3", "--time-scale", "600", "--within", "1m", "--patience", "3m", "--no-media", "--claim", "50%", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"4 intervals, 12 calls placed", "day: service level 100.0% within 60s [95% CI 73.5% to 100.0%]",
		"08:45-09:00", "the day PASS", "method: "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"report.html", "report.md", "result.json", "calls.csv"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("--out %s: %v", f, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "calls.csv")); strings.Count(string(b), "\n") != 13 {
		t.Errorf("calls.csv:\n%s", b)
	}

	_ = srv.Close()
	log, _ := srv.CallLog()
	var buf bytes.Buffer
	if err := sipcenter.WriteCallLog(&buf, log); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "center.csv")
	if err := os.WriteFile(good, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run("audit", "--result", filepath.Join(out, "result.json"), "--center-log", good, "--tolerance", "30s", "--json")
	var rep struct {
		Center struct {
			Agrees    bool `json:"agrees"`
			Intervals []struct {
				Listed int `json:"listed"`
			} `json:"intervals"`
		} `json:"center"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); code != 0 || err != nil || !rep.Center.Agrees || len(rep.Center.Intervals) != 4 || rep.Center.Intervals[0].Listed != 3 {
		t.Errorf("--result with the center's log: exit %d, %v, %+v\n%s", code, err, rep, stderr)
	}

	// One answered call reported abandoned by the center.
	lines := strings.Split(buf.String(), "\n")
	victim := strings.SplitN(lines[1], ",", 2)[0]
	lines[1] = strings.Replace(lines[1], ",answered,", ",abandoned,", 1)
	bad := filepath.Join(dir, "center-bad.csv")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run("audit", "--result", filepath.Join(out, "result.json"), "--center-log", bad, "--tolerance", "30s")
	if code != ExitThreshold || !strings.Contains(stdout, "DISAGREES") || !strings.Contains(stdout, victim+" answered: audit: answered") {
		t.Errorf("a misreported call: exit %d\n%s\n%s", code, stdout, stderr)
	}

	code, stdout, stderr = run("report", filepath.Join(out, "result.json"))
	if code != 0 || !strings.Contains(stdout, "callsim audit: ") {
		t.Errorf("report: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
