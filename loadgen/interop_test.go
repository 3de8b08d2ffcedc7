package loadgen_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/loadgen/loadgentest"
)

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("CALLSIM_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func run(t *testing.T, cfg loadgen.Config) *loadgen.Result {
	t.Helper()
	cfg.Logger = testLogger(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := loadgen.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	return r
}

func summary(r *loadgen.Result) string {
	return fmt.Sprintf("attempted=%d completed=%d failed=%d abandoned=%d timed_out=%d transport_errors=%d codes=%v responses=%v late=%d dropped=%d",
		r.Attempted, r.Completed, r.Failed, r.Abandoned, r.TimedOut, r.TransportErrors, r.StatusCodes, r.Responses, r.Late, r.Dropped)
}

// outcomes is the expected count of each outcome.
type outcomes struct {
	completed, failed, abandoned, timedOut, transportErrors uint64
}

func checkOutcomes(t *testing.T, r *loadgen.Result, want outcomes, peer *loadgentest.Peer) {
	t.Helper()
	got := outcomes{r.Completed, r.Failed, r.Abandoned, r.TimedOut, r.TransportErrors}
	if got != want {
		t.Errorf("outcomes: got %+v, want %+v\n%s\npeer output:\n%s", got, want, summary(r), peer.Output())
	}
}

func TestInteropSIPpUAS(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	for _, tp := range []loadgentest.Transport{loadgentest.UDP, loadgentest.TCP} {
		t.Run(string(tp), func(t *testing.T) {
			uas := loadgentest.StartSIPpUAS(t, tp, "")
			const n = 200
			r := run(t, loadgen.Config{
				Target:   fmt.Sprintf("sip:service@127.0.0.1:%d;transport=%s", uas.Port, tp),
				Rate:     100,
				MaxCalls: n,
				Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: 200 * time.Millisecond},
				Duration: time.Minute,
			})
			checkOutcomes(t, r, outcomes{completed: n}, uas)
			if r.Attempted != n || r.StatusCodes["200"] != n || r.SER != 1 || r.SCR != 1 {
				t.Errorf("want %d calls all answered: %s ser=%v scr=%v", n, summary(r), r.SER, r.SCR)
			}
			if r.SRD.Count != n || r.SDD.Count != n || r.SRD.P50 <= 0 || r.SRD.Max > 5000 {
				t.Errorf("delays: srd=%+v sdd=%+v", r.SRD, r.SDD)
			}
			if r.ByeFailures != 0 {
				t.Errorf("bye failures: %d", r.ByeFailures)
			}
		})
	}
}
