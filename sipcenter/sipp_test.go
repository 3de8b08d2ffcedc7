package sipcenter_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/loadgen/loadgentest"
	"github.com/callsim/callsim/sipcenter"
)

func testLogger() *slog.Logger {
	if os.Getenv("CALLSIM_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// start runs a target on a free loopback port and closes it when the test ends.
func start(t *testing.T, cfg sipcenter.Config) *sipcenter.Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger()
	}
	srv, err := sipcenter.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func port(srv *sipcenter.Server) int {
	_, p, _ := net.SplitHostPort(srv.Addr().String())
	n, _ := strconv.Atoi(p)
	return n
}

// TestSIPpUAC drives "sipp -sn uac" at the target: every call must succeed
// (SIPp exits 0 only then), and the target must count them all. The handle
// time is long, so SIPp's BYE (after -d 500 ms) always ends the calls.
func TestSIPpUAC(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	bin := loadgentest.NeedBinary(t, "sipp")
	for _, tp := range []string{"udp", "tcp"} {
		t.Run(tp, func(t *testing.T) {
			srv := start(t, sipcenter.Config{
				Listen: tp + ":127.0.0.1:0",
				Agents: 60,
				Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour},
			})
			runSippUAC(t, bin, srv, tp, 50)
			st := srv.Stats()
			if st.Offered != 50 || st.Answered != 50 || st.Abandoned != 0 || st.Rejected != 0 || st.CallerHangups != 50 {
				t.Errorf("stats: %+v", st)
			}
			if st.Queue != "support" || st.ServiceLevel != 1 {
				t.Errorf("queue %q, service level %v", st.Queue, st.ServiceLevel)
			}
		})
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runSippUAC runs SIPp's built-in UAC against srv over transport (udp or
// tcp): calls calls to queue "support" at 20 calls/s, each held 500 ms; it
// fails the test unless SIPp exits 0, and waits until the target has seen
// them all end.
func runSippUAC(t *testing.T, bin string, srv *sipcenter.Server, transport string, calls int) {
	t.Helper()
	mode := map[string]string{"udp": "u1", "tcp": "t1"}[transport]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, fmt.Sprintf("127.0.0.1:%d", port(srv)), "-sn", "uac", "-s", "support",
		"-i", "127.0.0.1", "-p", strconv.Itoa(loadgentest.FreePort(t)), "-m", strconv.Itoa(calls), "-r", "20", "-d", "500",
		"-t", mode, "-nostdin", "-trace_err", "-error_file", filepath.Join(dir, "err.log"))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		errLog, _ := os.ReadFile(filepath.Join(dir, "err.log"))
		t.Fatalf("sipp: %v\n%s\nerrors:\n%s", err, tail(string(out)), tail(string(errLog)))
	}
	waitFor(t, func() bool { return srv.Stats().Completed == uint64(calls) })
}
