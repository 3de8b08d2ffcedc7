//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// longScenario runs for about a minute (thousands of short replications),
// so that an interrupt after a second finds many replications finished and
// many to go.
const longScenario = `name: long run
horizon: 2d
seed: 7
replications: 5000
queues:
  - name: support
    arrivals: {per_hour: 360}
    handle_time: {mean: 300s, dist: exponential}
    patience: {mean: 120s, dist: exponential}
    target: {service_level: 80%, within: 20s}
groups:
  - name: staff
    agents: 32
    skills: [support]
    cost: {hourly_wage: 20}
variants:
  - name: two more agents
    set: {groups.staff.agents: 34}
`

// TestInterrupt starts each long command as a process, interrupts it
// (SIGINT, or SIGTERM) after about a second and checks the files it left:
// complete, valid JSON marked "interrupted": true with consistent counts,
// report directories that read back, no temporary files.
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs processes")
	}
	bin := sharedBinary(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "long.yaml")
	if err := os.WriteFile(sc, []byte(longScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 200,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	tests := []struct {
		name  string
		args  []string // DIR in an argument is the subtest's directory
		sig   syscall.Signal
		after time.Duration // signal after this long
		code  int           // exit code after the interrupt
		stdio bool          // stdout holds the JSON result
		out   string        // --out directory to check, relative to DIR
		check func(t *testing.T, dir string, res map[string]any)
	}{
		{"simulate", []string{"simulate", sc, "--json", "-q", "--workers", "2", "--out", "DIR/report"}, syscall.SIGINT, time.Second, 1, true, "report", checkSimulate},
		{"compare", []string{"compare", sc, "--json", "-q", "--workers", "2", "--out", "DIR/report"}, syscall.SIGINT, time.Second, 1, true, "report", checkCompare},
		// The hybrid's three strategies on 300 replications take far
		// longer than a second.
		{"optimize", []string{"optimize", "hybrid", "--replications", "300", "--json", "-q", "--out", "DIR/report"}, syscall.SIGINT, time.Second, 1, true, "report", checkOptimize},
		{"sweep", []string{"sweep", sc, "--set", "groups.staff.agents=30..40", "--json", "-q", "--workers", "2", "--out", "DIR/report"}, syscall.SIGTERM, time.Second, 1, true, "report", checkSweep},
		{"load", []string{"load", srv.URI("support"), "--rate", "100", "--duration", "1m", "--hold", "2s", "--grace", "5s", "-q",
			"--json", "DIR/load.json", "--cdr", "DIR/cdr.csv", "--out", "DIR/report"}, syscall.SIGINT, time.Second, 0, false, "report", checkLoad},
		{"verify", []string{"verify", "--scenario", "small-line", "--statistical", "--duration", "30s", "--warmup", "100ms", "--time-scale", "600", "--json", "-q"},
			// verify simulates first (well under a second), then calls.
			syscall.SIGINT, 2500 * time.Millisecond, 1, true, "", checkVerify},
		// Paired (the default with the embedded center): 4 h of two-skills
		// at 720x, about 20 s of calls after a short simulation.
		{"verify paired", []string{"verify", "--scenario", "two-skills", "--json", "-q"},
			syscall.SIGINT, 6 * time.Second, 1, true, "", checkVerifyPaired},
		// 24 calls 2.5 s apart (K = 60), the first at 1.25 s.
		{"audit", []string{"audit", srv.URI("support"), "--from", "08:00", "--to", "09:00", "--per-interval", "15m", "--time-scale", "60",
			"--no-media", "--json", "-q", "--out", "DIR/report"}, syscall.SIGINT, 3 * time.Second, 1, true, "report", checkAudit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DIR", d)
			}
			cmd := exec.CommandContext(ctx, bin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(tt.after)
			sent := time.Now()
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatalf("%s: %v (exited early? stderr: %s)", tt.sig, err, stderr.String())
			}
			err := cmd.Wait()
			took := time.Since(sent)
			code := cmd.ProcessState.ExitCode()
			if code != tt.code {
				t.Fatalf("exit %d (%v), want %d; stderr:\n%s", code, err, tt.code, stderr.String())
			}
			if took > 10*time.Second {
				t.Errorf("stopping took %v after %s", took, tt.sig)
			}
			t.Logf("stopped %v after %s; stderr: %s", took.Round(time.Millisecond), tt.sig, strings.TrimSpace(stderr.String()))
			var res map[string]any
			if tt.stdio {
				res = decodeInterrupted(t, "stdout", stdout.Bytes())
			}
			if tt.out != "" {
				rd := filepath.Join(d, tt.out)
				saved := decodeInterrupted(t, "result.json", readFile(t, filepath.Join(rd, "result.json")))
				if res != nil {
					a, _ := json.Marshal(res)
					b, _ := json.Marshal(saved)
					if !bytes.Equal(a, b) {
						t.Error("result.json differs from the JSON on stdout")
					}
				}
				res = saved
				for _, f := range []string{"report.html", "report.md"} {
					if b := readFile(t, filepath.Join(rd, f)); !bytes.Contains(bytes.ToLower(b), []byte("interrupted")) {
						t.Errorf("%s does not say the run was interrupted", f)
					}
				}
				// The saved result renders again.
				if out, err := exec.Command(bin, "report", filepath.Join(rd, "result.json")).CombinedOutput(); err != nil {
					t.Errorf("callsim report result.json: %v\n%s", err, out)
				}
			}
			tt.check(t, d, res)
			noTempFiles(t, d)
		})
	}
}

// TestSecondInterrupt: a second SIGINT ends a command that is still
// winding down (here a load test hanging up long calls within a long
// grace) at once, leaving no result file, whole or half.
func TestSecondInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs processes")
	}
	bin := sharedBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A peer that never answers: every call waits for a response until the
	// grace ends.
	hole, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, _, err := hole.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	uri := fmt.Sprintf("sip:support@%s", hole.LocalAddr())
	d := t.TempDir()
	jsonPath := filepath.Join(d, "load.json")
	cmd := exec.CommandContext(ctx, bin, "load", uri, "--rate", "20", "--duration", "1m", "--timeout", "1m",
		"--grace", "30s", "-q", "--json", jsonPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatalf("second SIGINT: %v (exited already? stderr: %s)", err, stderr.String())
	}
	cmd.Wait()
	if took := time.Since(sent); took > 5*time.Second {
		t.Errorf("the second SIGINT took %v to end the process (grace 30s)", took)
	}
	// Killed by SIGINT; or, when the test runs with SIGINT ignored (a
	// background job), which callsim cannot undo, exit status 130.
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !(ws.Signaled() && ws.Signal() == syscall.SIGINT || ws.ExitStatus() == 130) {
		t.Errorf("process state %v, want killed by SIGINT (or exit status 130)", cmd.ProcessState)
	}
	if _, err := os.Stat(jsonPath); err == nil {
		t.Error("a result file was written although the run was cut short")
	}
	noTempFiles(t, d)
}

// TestSecondInterruptInBackground: a process started in the background by
// a non-interactive shell inherits SIGINT ignored; the first SIGINT still
// stops the run, and the second still ends the process at once (restoring
// the inherited handling would ignore it), leaving no temporary file of
// the --cdr being streamed or of --json.
func TestSecondInterruptInBackground(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs processes")
	}
	bin := sharedBinary(t)
	hole, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, _, err := hole.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	// The precondition: the shell starts background jobs with SIGINT
	// ignored (sleep keeps what it inherits; callsim's own handler would
	// hide it).
	probe := exec.Command("sh", "-c", `sleep 2 & echo $!; wait`)
	pout, _ := probe.StdoutPipe()
	if err := probe.Start(); err != nil {
		t.Fatal(err)
	}
	var spid int
	fmt.Fscan(pout, &spid)
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", spid))
	probe.Process.Kill()
	probe.Wait()
	ignoredInt := false
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "SigIgn:"); ok {
			mask, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			ignoredInt = mask&(1<<(int(syscall.SIGINT)-1)) != 0
		}
	}
	if !ignoredInt {
		t.Skipf("this shell does not start background jobs with SIGINT ignored (%q)", status)
	}
	d := t.TempDir()
	// The shell prints the background job's PID and waits for it.
	sh := exec.Command("sh", "-c", `"$0" "$@" & echo $!; wait`, bin, "load", "sip:support@"+hole.LocalAddr().String(),
		"--rate", "20", "--duration", "1m", "--timeout", "1m", "--grace", "30s", "-q",
		"--json", filepath.Join(d, "load.json"), "--cdr", filepath.Join(d, "cdr.csv"))
	out, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	sh.Stderr = &stderr
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer sh.Process.Kill()
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if tmp, _ := filepath.Glob(filepath.Join(d, ".cdr.csv.*.tmp")); len(tmp) != 1 {
		t.Fatalf("the CDR is not being streamed to a temporary file: %v", tmp)
	}
	syscall.Kill(pid, syscall.SIGINT)
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
		t.Fatalf("second SIGINT: %v (stderr: %s)", err, stderr.String())
	}
	done := make(chan error, 1)
	go func() { done <- sh.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the second SIGINT did not end the background process (stderr: %s)", stderr.String())
	}
	if took := time.Since(sent); took > 5*time.Second {
		t.Errorf("the second SIGINT took %v to end the process", took)
	}
	if !strings.Contains(stderr.String(), "interrupt again: stopped at once (1 unfinished result files removed)") {
		t.Errorf("stderr %q", stderr.String())
	}
	noTempFiles(t, d)
	if es, _ := os.ReadDir(d); len(es) != 0 {
		t.Errorf("files left: %v", es)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeInterrupted parses a result and checks that it is marked interrupted.
func decodeInterrupted(t *testing.T, name string, b []byte) map[string]any {
	t.Helper()
	var res map[string]any
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%s is not JSON: %v\n%.500s", name, err, b)
	}
	if res["interrupted"] != true {
		t.Fatalf("%s: interrupted = %v, want true", name, res["interrupted"])
	}
	return res
}

// noTempFiles fails when a temporary file of an atomic write was left.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func num(t *testing.T, m map[string]any, keys ...string) float64 {
	t.Helper()
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: not an object at %q", keys, k)
		}
		v = mm[k]
	}
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v = %v, not a number", keys, v)
	}
	return f
}

// checkKPIs checks that a kpis object adds up: answered + abandoned (and
// those still waiting or turned away) make the offered calls.
func checkKPIs(t *testing.T, what string, k map[string]any) {
	t.Helper()
	off, ans, ab := num(t, k, "offered"), num(t, k, "answered"), num(t, k, "abandoned")
	if off <= 0 || ans+ab > off*(1+1e-9) || ans < 0.5*off {
		t.Errorf("%s: offered %v, answered %v, abandoned %v", what, off, ans, ab)
	}
}

func checkSimulate(t *testing.T, _ string, r map[string]any) {
	reps := num(t, r, "replications")
	if reps < 1 || reps >= 5000 {
		t.Errorf("replications %v: want some, not all of 5000", reps)
	}
	checkKPIs(t, "kpis", r["kpis"].(map[string]any))
	if n := len(r["intervals"].([]any)); n != 48 {
		t.Errorf("%d intervals", n)
	}
}

func checkCompare(t *testing.T, _ string, r map[string]any) {
	vs := r["variants"].([]any)
	if len(vs) < 1 || len(vs) > 2 {
		t.Fatalf("%d variants", len(vs))
	}
	for _, v := range vs {
		checkKPIs(t, "variant kpis", v.(map[string]any)["kpis"].(map[string]any))
	}
}

// checkOptimize: the strategies reached, each interrupted (the best plan
// so far, not checked), none meeting its targets, no best.
func checkOptimize(t *testing.T, _ string, r map[string]any) {
	ss := r["strategies"].([]any)
	if len(ss) < 1 || len(ss) > 3 {
		t.Fatalf("%d strategies", len(ss))
	}
	last := ss[len(ss)-1].(map[string]any)
	if last["status"] != "interrupted" || last["meets_targets"] != false {
		t.Errorf("last strategy: status %v, meets_targets %v", last["status"], last["meets_targets"])
	}
	if r["best"] != "" {
		t.Errorf("best %v after an interrupt", r["best"])
	}
}

func checkSweep(t *testing.T, dir string, r map[string]any) {
	ps := r["points"].([]any)
	if len(ps) > 2 {
		t.Errorf("%d points after a second (each takes many)", len(ps))
	}
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "report", "points.csv")))).ReadAll()
	if err != nil || len(recs) != 1+len(ps) {
		t.Errorf("points.csv: %d records, %v; want %d", len(recs), err, 1+len(ps))
	}
}

// checkLoad: every attempted call has exactly one outcome, in the JSON,
// the report and the CDR.
func checkLoad(t *testing.T, dir string, r map[string]any) {
	var sum float64
	for _, k := range []string{"completed", "failed", "abandoned", "timed_out", "transport_errors"} {
		sum += num(t, r, k)
	}
	att := num(t, r, "attempted")
	if att < 20 || sum != att {
		t.Errorf("attempted %v, outcomes add up to %v", att, sum)
	}
	if b := readFile(t, filepath.Join(dir, "load.json")); !bytes.Equal(b, readFile(t, filepath.Join(dir, "report", "result.json"))) {
		t.Error("--json file differs from the report's result.json")
	}
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "cdr.csv")))).ReadAll()
	if err != nil || float64(len(recs)-1) != att {
		t.Errorf("CDR: %d records, %v; want %v calls and a header", len(recs), err, att)
	}
}

// checkVerify: the calls measured before the interrupt add up, no verdict.
func checkAudit(t *testing.T, _ string, r map[string]any) {
	day := r["day"].(map[string]any)
	calls, notPlaced := num(t, day, "calls"), num(t, r, "not_placed")
	if calls < 1 || notPlaced < 1 || calls+notPlaced != 24 || len(r["calls"].([]any)) != int(calls) {
		t.Errorf("audit: %v calls placed, %v not placed, %d call records; want 24 in all", calls, notPlaced, len(r["calls"].([]any)))
	}
}

// checkVerifyPaired: an interrupted paired run reports the calls that
// ended before the stop and how many agree, and no verdict.
func checkVerifyPaired(t *testing.T, _ string, r map[string]any) {
	if r["interrupted"] != true || r["consistent"] != false || len(r["checks"].([]any)) != 0 {
		t.Errorf("interrupted %v, consistent %v, checks %v: want interrupted, no verdict", r["interrupted"], r["consistent"], r["checks"])
	}
	placed, agree, unmatched, calls := num(t, r, "placed"), num(t, r, "agree"), num(t, r, "unmatched"), num(t, r, "calls")
	if placed == 0 {
		t.Log("interrupted before any call ended (a busy machine?)")
		return
	}
	if placed >= calls || agree > placed || unmatched > placed || agree == 0 {
		t.Errorf("placed %v of %v legs, agree %v, unmatched %v: want the calls that ended before the stop, most agreeing", placed, calls, agree, unmatched)
	}
	// A call cut at the stop may end at the caller before the center saw
	// it: it is unmatched (the center has no record of it), not offered.
	if cs, ok := r["center_stats"].(map[string]any); !ok || num(t, cs, "offered") < placed-unmatched {
		t.Errorf("center_stats %v: want the center's figures for at least the %v calls that ended less the %v unmatched", r["center_stats"], placed, unmatched)
	}
}

func checkVerify(t *testing.T, _ string, r map[string]any) {
	m := r["measurement"].(map[string]any)
	off, ans, ab, other := num(t, m, "offered"), num(t, m, "answered"), num(t, m, "abandoned"), num(t, m, "other")
	if _, calls := r["load"]; !calls && off == 0 {
		t.Log("interrupted while simulating, before any call (a busy machine?)")
		return
	}
	if off == 0 || ans+ab+other != off {
		t.Errorf("measurement: offered %v != answered %v + abandoned %v + other %v", off, ans, ab, other)
	}
	if r["consistent"] != false || len(r["kpis"].([]any)) != 0 {
		t.Errorf("an interrupted run has a verdict: consistent %v, kpis %v", r["consistent"], r["kpis"])
	}
	l, ok := r["load"].(map[string]any)
	if !ok {
		t.Fatal("no load result: interrupted before the calls?")
	}
	var sum float64
	for _, k := range []string{"completed", "failed", "abandoned", "timed_out", "transport_errors"} {
		sum += num(t, l, k)
	}
	if sum != num(t, l, "attempted") {
		t.Errorf("load: attempted %v, outcomes %v", num(t, l, "attempted"), sum)
	}
}
