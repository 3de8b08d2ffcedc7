//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callsim/callsim/cdr"
)

// Bounds every hostile input must respect (acceptance of the reliability
// issue): the process ends within hostileTime, its peak resident memory
// stays under hostileRSS, it never panics, and a refusal is a clear error
// on stderr.
const (
	hostileTime = 5 * time.Second
	hostileRSS  = 256 << 20
	// hostileAS caps the address space of each run (prlimit --as) so that a
	// regression fails the test instead of exhausting the machine; the Go
	// runtime starts well within it.
	hostileAS = 4 << 30
)

// TestHostileInputs runs the callsim binary, as a user would, on the corpus
// in testdata/hostile (expansion bombs, huge and non-finite numbers, merge
// inputs of every kind) and on inputs made at test time (device files, a
// FIFO, standard input that never ends, a 100 MB file), each under a
// memory cap. Every run must end within 5 s below 256 MB of resident
// memory without a panic; a refused input exits non-zero with an error that
// names it (want), an accepted one exits 0. Linux only: device files,
// FIFOs and peak RSS as Linux has them.
func TestHostileInputs(t *testing.T) {
	bin := sharedBinary(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// 100 MB, made at test time (sparse: no disk written).
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 100<<20); err != nil {
		t.Fatal(err)
	}
	cdrFile := filepath.Join(dir, "cdr.csv")
	if err := os.WriteFile(cdrFile, []byte(strings.Join(cdr.Header, ",")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const uri = "sip:support@127.0.0.1:9" // the discard port: nothing answers, and nothing may be called
	h := func(name string) string { return filepath.Join("testdata", "hostile", name) }
	ok0 := h("merge-ok-0.json")
	out := filepath.Join(dir, "out")

	tests := []struct {
		name  string
		args  []string
		stdin string // a file to read standard input from
		want  string // in the output when refused ("": accepted, exit code as below)
		code  int    // the exit code of an accepted input
		json  string // a JSON file an accepted input writes, which must parse
	}{
		// Device files, FIFOs, standard input that never ends, 100 MB.
		{"scenario /dev/zero", []string{"scenarios", "check", "/dev/zero"}, "", "/dev/zero", 0, ""},
		{"scenario /dev/urandom", []string{"simulate", "/dev/urandom"}, "", "/dev/urandom", 0, ""},
		{"scenario from endless stdin", []string{"scenarios", "check", "-"}, "/dev/zero", "1 MB", 0, ""},
		{"scenario FIFO", []string{"scenarios", "check", fifo}, "", "fifo.yaml", 0, ""},
		{"scenario 100 MB", []string{"simulate", big}, "", "big.json", 0, ""},
		{"report /dev/zero", []string{"report", "/dev/zero"}, "", "/dev/zero", 0, ""},
		{"report FIFO", []string{"report", fifo}, "", "fifo.yaml", 0, ""},
		{"report 100 MB", []string{"report", big}, "", "big.json", 0, ""},
		{"merge 100 MB", []string{"report", "merge", ok0, big, "-o", out}, "", "big.json", 0, ""},
		{"merge /dev/zero", []string{"report", "merge", ok0, "/dev/zero", "-o", out}, "", "/dev/zero", 0, ""},
		{"callers /dev/zero", []string{"load", uri, "--callers", "/dev/zero", "--rate", "1", "--max-calls", "1"}, "", "/dev/zero", 0, ""},
		{"callers 100 MB", []string{"load", uri, "--callers", big, "--rate", "1", "--max-calls", "1"}, "", "big.json", 0, ""},
		{"password /dev/urandom", []string{"load", uri, "--password-file", "/dev/urandom", "--rate", "1", "--max-calls", "1"}, "", "/dev/urandom", 0, ""},
		{"billing /dev/zero", []string{"reconcile", "--billing", "/dev/zero", "--cdr", cdrFile}, "", "/dev/zero", 0, ""},
		{"billing FIFO", []string{"reconcile", "--billing", fifo, "--cdr", cdrFile}, "", "fifo.yaml", 0, ""},
		{"billing 100 MB", []string{"reconcile", "--billing", big, "--cdr", cdrFile}, "", "big.json", 0, ""},
		// Every billed call is missing from the (empty) CDR: exit 99, and
		// the amounts' overflow must not break the JSON.
		{"billing amounts overflowing", []string{"reconcile", "--billing", h("billing-overflow.csv"), "--cdr", cdrFile, "--json", filepath.Join(dir, "rec.json")}, "", "", 99, filepath.Join(dir, "rec.json")},
		{"claim /dev/zero", []string{"verify", "--claim", "/dev/zero", "--target", uri}, "", "/dev/zero", 0, ""},
		{"claim 100 MB", []string{"verify", "--claim", big, "--target", uri}, "", "big.json", 0, ""},

		// Expansion bombs.
		{"billion laughs", []string{"scenarios", "check", h("billion-laughs.yaml")}, "", "nodes", 0, ""},
		{"alias bomb in variants", []string{"scenarios", "check", h("alias-bomb.yaml")}, "", "", 0, ""},

		// Huge and non-finite numbers: the same error from check and simulate.
		{"rate 1e308 check", []string{"scenarios", "check", h("rate-1e308.yaml")}, "", "rate-1e308.yaml:7", 0, ""},
		{"rate 1e308 simulate", []string{"simulate", h("rate-1e308.yaml")}, "", "rate-1e308.yaml:7", 0, ""},
		{"rate inf", []string{"simulate", h("rate-inf.yaml")}, "", "rate-inf.yaml:7", 0, ""},
		{"rate NaN", []string{"simulate", h("rate-nan.yaml")}, "", "rate-nan.yaml:7", 0, ""},
		{"agents 1e7", []string{"simulate", h("agents-1e7.yaml")}, "", "agents-1e7.yaml:13", 0, ""},
		{"agents 1e400", []string{"simulate", h("agents-1e400.yaml")}, "", "agents-1e400.yaml:13", 0, ""},
		{"interval 1ns check", []string{"scenarios", "check", h("interval-1ns.yaml")}, "", "interval-1ns.yaml:15", 0, ""},
		{"interval 1ns simulate", []string{"simulate", h("interval-1ns.yaml")}, "", "interval-1ns.yaml:15", 0, ""},
		{"interval 0.5s", []string{"simulate", h("interval-half-second.yaml")}, "", "interval-half-second.yaml:15", 0, ""},
		// 86,400 intervals a day, 200 h of calls: accepted, simulated within
		// the bounds (the text summary; --json writes every interval).
		{"interval 1s simulate", []string{"simulate", h("interval-1s.yaml")}, "", "", 0, ""},
		{"horizon 1e11 days", []string{"simulate", h("horizon-huge.yaml")}, "", "horizon-huge.yaml:2", 0, ""},
		{"forecast 1e9 calls", []string{"simulate", h("forecast-1e9.yaml")}, "", "forecast-1e9.yaml:7", 0, ""},
		{"forecast NaN and Inf", []string{"simulate", h("forecast-nonfinite.yaml")}, "", "forecast-nonfinite", 0, ""},
		{"claim 1e308 calls/s", []string{"verify", "--claim", h("claim-cps-1e308.yaml"), "--target", uri}, "", "claim-cps-1e308.yaml:1", 0, ""},
		{"claim 1e7 agents", []string{"verify", "--claim", h("claim-agents-1e7.yaml"), "--target", uri}, "", "claim-agents-1e7.yaml:1", 0, ""},
		{"claim inf", []string{"verify", "--claim", h("claim-inf.yaml"), "--target", uri}, "", "claim-inf.yaml:1", 0, ""},

		// Merge inputs of every kind.
		{"merge ok", []string{"report", "merge", ok0, h("merge-ok-1.json"), "-o", out}, "", "", 0, out},
		{"merge series second -5", []string{"report", "merge", ok0, h("merge-series-negative.json"), "-o", out}, "", "second -5", 0, ""},
		{"merge series second 1e12", []string{"report", "merge", ok0, h("merge-series-1e12.json"), "-o", out}, "", "merge-series-1e12.json", 0, ""},
		{"merge count 1e15", []string{"report", "merge", ok0, h("merge-count-1e15.json"), "-o", out}, "", "merge-count-1e15.json", 0, ""},
		{"merge count -1", []string{"report", "merge", ok0, h("merge-count-negative.json"), "-o", out}, "", "segments.count -1", 0, ""},
		{"merge starts a year apart", []string{"report", "merge", ok0, h("merge-start-year-apart.json"), "-o", out}, "", "--start-at", 0, ""},
		{"merge starts an hour apart", []string{"report", "merge", ok0, h("merge-start-hour-apart.json"), "-o", out}, "", "--start-at", 0, ""},
		{"merge wall 1e308", []string{"report", "merge", ok0, h("merge-wall-1e308.json"), "-o", out}, "", "wall_seconds", 0, ""},
		{"report wall 1e308", []string{"report", h("merge-wall-1e308.json"), "--out", filepath.Join(dir, "rep")}, "", "wall_seconds", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCapped(t, bin, tt.args, tt.stdin)
			if r.timedOut {
				t.Fatalf("still running after %v (killed); stderr:\n%s", hostileTime, tail(r.stderr))
			}
			if r.rss > hostileRSS {
				t.Errorf("peak RSS %d MB, bound %d MB", r.rss>>20, hostileRSS>>20)
			}
			if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "fatal error") {
				t.Fatalf("crashed:\n%.600s\n%s", r.stderr, tail(r.stderr))
			}
			switch {
			case tt.want == "" && r.code != tt.code:
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.code, tail(r.stderr))
			case tt.want == "" && tt.json != "":
				var v any
				if b, err := os.ReadFile(tt.json); err != nil || json.Unmarshal(b, &v) != nil {
					t.Errorf("%s: not JSON (%v)", tt.json, err)
				}
			case tt.want != "" && r.code == 0:
				t.Errorf("exit 0, want a refusal naming %q; stdout:\n%s", tt.want, tail(r.stdout))
			case tt.want != "" && !strings.Contains(r.stderr+r.stdout, tt.want):
				// scenarios check lists the errors on stdout.
				t.Errorf("exit %d; the output does not name %q:\n%s%s", r.code, tt.want, tail(r.stdout), tail(r.stderr))
			}
			t.Logf("exit %d in %v, peak RSS %.1f MB: %s", r.code, r.took.Round(time.Millisecond), float64(r.rss)/(1<<20), firstLine(r.stdout+r.stderr))
		})
	}
}

type cappedRun struct {
	code           int
	stdout, stderr string
	rss            int64
	took           time.Duration
	timedOut       bool
}

// runCapped runs bin under an address-space cap (prlimit, when installed),
// killing it after hostileTime, and returns its peak resident memory.
func runCapped(t *testing.T, bin string, args []string, stdin string) cappedRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileTime)
	defer cancel()
	name, argv := bin, args
	if p, err := exec.LookPath("prlimit"); err == nil {
		name, argv = p, append([]string{"--as=" + itoa(hostileAS), "--", bin}, args...)
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if stdin != "" {
		f, err := os.Open(stdin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	start := time.Now()
	err := cmd.Run()
	r := cappedRun{stdout: so.String(), stderr: se.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("run %v: %v", args, err)
	}
	r.timedOut = ctx.Err() != nil
	if cmd.ProcessState != nil {
		r.rss = peakRSS(cmd.ProcessState)
	}
	return r
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
