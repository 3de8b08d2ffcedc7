package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen/loadgentest"
	"github.com/callsim/callsim/sipcenter"
)

func execLoad(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := Execute(ctx, append([]string{"load"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestLoadUsageErrors(t *testing.T) {
	badCSV := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(badCSV, []byte("user,to\nalice,1000\nbob\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no uri", []string{"--rate", "1", "--max-calls", "1"}, "one target URI"},
		{"no bound", []string{"sip:a@127.0.0.1", "--rate", "1"}, "--duration and/or --max-calls"},
		{"no model", []string{"sip:a@127.0.0.1", "--max-calls", "1"}, "no workload"},
		{"bad threshold", []string{"sip:a@127.0.0.1", "--rate", "1", "--max-calls", "1", "--threshold", "ser>>1"}, `threshold "ser>>1"`},
		{"bad hold", []string{"sip:a@127.0.0.1", "--rate", "1", "--max-calls", "1", "--hold", "exp:soon"}, "--hold"},
		{"bad stages", []string{"sip:a@127.0.0.1", "--stages", "10s", "--max-calls", "1"}, "--stages"},
		{"bad uri", []string{"http://example.com", "--rate", "1", "--max-calls", "1"}, "sip:"},
		{"bad callers", []string{"sip:a@127.0.0.1", "--rate", "1", "--max-calls", "1", "--callers", badCSV}, "bad.csv:3: 1 fields, the header has 2"},
		{"no callers file", []string{"sip:a@127.0.0.1", "--rate", "1", "--max-calls", "1", "--callers", "/nonexistent.csv"}, "--callers"},
		{"bad template", []string{"sip:a@127.0.0.1", "--rate", "1", "--max-calls", "1", "--to", "[seq%0]"}, "modulus"},
		{"no tls ca", []string{"sips:a@127.0.0.1", "--rate", "1", "--max-calls", "1", "--tls-ca", "/nonexistent.pem"}, "TLS CA file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execLoad(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr, ExitUsage, tt.want)
			}
		})
	}
}

// TestLoad2000Calls is the acceptance run: 2000 calls at 200/s against
// "sipp -sn uas", all completed, achieved rate within 1%.
func TestLoad2000Calls(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "")
	dir := t.TempDir()
	jsonPath, cdrPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "cdr.csv")
	t.Setenv(passwordEnv, "not-printed-anywhere")
	code, stdout, stderr := execLoad(t, fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port),
		"--rate", "200", "--max-calls", "2000", "--hold", "1s", "--json", jsonPath, "--cdr", cdrPath,
		"--threshold", "ser>=100", "--threshold", "achieved_cps>=198",
		"--no-media") // signalling acceptance: this UAS does not echo RTP (media is tested against sipp -rtp_echo)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nsipp:\n%s", code, stdout, stderr, uas.Output())
	}
	for _, out := range []string{stdout, stderr} {
		if strings.Contains(out, "not-printed-anywhere") {
			t.Fatal("password printed")
		}
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("not-printed-anywhere")) {
		t.Fatal("password in the result file")
	}
	var r struct {
		Attempted, Completed, Failed, Abandoned, TimedOut uint64
		TransportErrors                                   uint64 `json:"transport_errors"`
		SER                                               float64
		AchievedCPS                                       float64                         `json:"achieved_cps"`
		SRD                                               struct{ P50, P99, Max float64 } `json:"srd_ms"`
		Interrupted                                       bool
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("completed %d, SER %v, achieved %.3f cps, SRD p50 %.2f p99 %.2f max %.2f ms", r.Completed, r.SER, r.AchievedCPS, r.SRD.P50, r.SRD.P99, r.SRD.Max)
	if r.Attempted != 2000 || r.Completed != 2000 || r.Failed+r.Abandoned+r.TimedOut+r.TransportErrors != 0 || r.SER != 1 || r.Interrupted {
		t.Errorf("result %+v", r)
	}
	if math.Abs(r.AchievedCPS-200) > 2 {
		t.Errorf("achieved %.3f cps, want 200 within 1%%", r.AchievedCPS)
	}
	if r.SRD.P50 <= 0 || r.SRD.P50 > r.SRD.P99 || r.SRD.P99 > r.SRD.Max || r.SRD.P99 > 1000 {
		t.Errorf("SRD percentiles not sane: %+v", r.SRD)
	}
	f, err := os.Open(cdrPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2001 || strings.Join(rows[0], ",") != "call_id,intended_start,actual_start,srd_ms,answer_delay_ms,duration_ms,final_status,outcome,hangup_by,packets_sent,packets_received,loss_pct,jitter_ms,max_gap_ms,mos,from,to" {
		t.Errorf("CDR: %d rows, header %v", len(rows), rows[0])
	}
	for _, row := range rows[1:] {
		if row[7] != "completed" || row[6] != "200" || row[8] != "caller" || row[15] != "callsim" ||
			!strings.HasPrefix(row[16], "sip:service@127.0.0.1:") {
			t.Fatalf("CDR row %v", row)
		}
	}
	if !strings.Contains(stdout, "completed 2000") || !strings.Contains(stdout, "PASS  ser>=100") {
		t.Errorf("summary:\n%s", stdout)
	}
}

// TestLoadCallersPasswordNotWritten: a callers file's password column is
// used, never printed nor written to the JSON or the CDR.
func TestLoadCallersPasswordNotWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "")
	dir := t.TempDir()
	csvPath, jsonPath, cdrPath := filepath.Join(dir, "callers.csv"), filepath.Join(dir, "r.json"), filepath.Join(dir, "cdr.csv")
	if err := os.WriteFile(csvPath, []byte("user,to,password\nalice,1000,Xyzzy-secret-1\nbob,1001,Xyzzy-secret-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := execLoad(t, fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port), "--rate", "20", "--max-calls", "4",
		"--callers", csvPath, "--json", jsonPath, "--cdr", cdrPath, "--progress")
	if code != 0 || !strings.Contains(stdout, "completed 4") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	js, _ := os.ReadFile(jsonPath)
	cdr, _ := os.ReadFile(cdrPath)
	for name, text := range map[string]string{"stdout": stdout, "stderr": stderr, "json": string(js), "cdr": string(cdr)} {
		if strings.Contains(text, "Xyzzy-secret") {
			t.Errorf("%s shows a password", name)
		}
	}
	if !strings.Contains(string(js), `"callers_file"`) {
		t.Errorf("JSON settings do not name the callers file")
	}
	// The CDR names each call's caller and Request-URI, row by row.
	rows, err := csv.NewReader(strings.NewReader(string(cdr))).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("CDR: %d rows, %v", len(rows), err)
	}
	seen := map[string]int{}
	for _, row := range rows[1:] {
		from, to := row[len(row)-2], row[len(row)-1]
		want := map[string]string{"alice": "sip:1000@127.0.0.1:", "bob": "sip:1001@127.0.0.1:"}[from]
		if want == "" || !strings.HasPrefix(to, want) {
			t.Errorf("CDR row from %q to %q, want alice to 1000 or bob to 1001", from, to)
		}
		seen[from]++
	}
	if seen["alice"] != 2 || seen["bob"] != 2 {
		t.Errorf("CDR callers %v, want alice and bob twice each", seen)
	}
}

func TestLoadThresholdExit99(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "../../loadgen/testdata/uas_486.xml")
	code, stdout, stderr := execLoad(t, fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port),
		"--rate", "50", "--max-calls", "20", "--threshold", "ser>=100", "--threshold", "failed<=20")
	if code != ExitThreshold {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitThreshold, stdout, stderr)
	}
	if !strings.Contains(stdout, "FAIL  ser>=100: 0% (FAILED, short by 100%)") || !strings.Contains(stdout, "PASS  failed<=20") {
		t.Errorf("summary does not say which threshold failed and by how much:\n%s", stdout)
	}
	if !strings.Contains(stderr, "1 of 2 thresholds failed") || !strings.Contains(stdout, "486 x20") {
		t.Errorf("stderr %q, stdout:\n%s", stderr, stdout)
	}
}

func TestLoadInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "")
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := Execute(ctx, []string{"load", fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port), "--rate", "50",
		"--duration", "1m", "--hold", "30s", "--grace", "5s", "--json", jsonPath}, strings.NewReader(""), &stdout, &stderr)
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("interrupted run took %v", el)
	}
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var r struct {
		Attempted, Completed, Abandoned uint64
		Interrupted                     bool
		ByeFailures                     uint64 `json:"bye_failures"`
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	// About 75 calls started in 1.5 s; those answered are hung up with BYE on
	// interrupt, a call still being set up is cancelled (abandoned).
	if !r.Interrupted || r.Attempted < 40 || r.Attempted > 110 || r.Completed+r.Abandoned != r.Attempted || r.Abandoned > 3 || r.ByeFailures != 0 {
		t.Errorf("interrupted result %+v\n%s", r, stdout.String())
	}
}

// TestLoadStagesAlone: --stages without --duration or --max-calls is
// bounded by the stages' total length (it used to be refused): a ramp from
// 0 to 20 calls/s over 0.5 s and 0.5 s at 20 calls/s is exactly 15 calls
// (uniform arrivals: the integral of the rate), and the run's duration is
// the stages' 1 s.
func TestLoadStagesAlone(t *testing.T) {
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 50, NoMedia: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "r.json")
	start := time.Now()
	code, stdout, stderr := execLoad(t, srv.URI("q"), "--stages", "500ms:20,500ms:20", "--no-media", "--json", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %v", took)
	}
	var r struct {
		Attempted uint64 `json:"attempted"`
		Settings  struct {
			Duration time.Duration `json:"duration"`
		} `json:"settings"`
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Attempted != 15 || r.Settings.Duration != time.Second {
		t.Errorf("attempted %d, duration %v; want 15 calls over 1s", r.Attempted, r.Settings.Duration)
	}
}
