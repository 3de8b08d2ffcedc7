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

func TestInteropRejectAndNoAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	tests := []struct {
		name     string
		scenario string
		patience loadgen.Dist
		timeout  time.Duration
		want     outcomes
		code     string
	}{
		{"busy 486", "testdata/uas_486.xml", loadgen.Dist{}, 0, outcomes{failed: 40}, "486"},
		{"never answers, patience", "testdata/uas_noanswer.xml", loadgen.Dist{Kind: loadgen.DistConstant, Mean: 500 * time.Millisecond}, 0, outcomes{abandoned: 40}, "487"},
		{"never answers, exp patience", "testdata/uas_noanswer.xml", loadgen.Dist{Kind: loadgen.DistExp, Mean: 300 * time.Millisecond}, 0, outcomes{abandoned: 40}, "487"},
		{"never answers, timeout", "testdata/uas_noanswer.xml", loadgen.Dist{}, 1500 * time.Millisecond, outcomes{timedOut: 40}, "487"},
	}
	for _, tt := range tests {
		for _, tp := range []loadgentest.Transport{loadgentest.UDP, loadgentest.TCP} {
			t.Run(tt.name+"/"+string(tp), func(t *testing.T) {
				t.Parallel()
				uas := loadgentest.StartSIPpUAS(t, tp, tt.scenario)
				r := run(t, loadgen.Config{
					Target:        fmt.Sprintf("sip:service@127.0.0.1:%d;transport=%s", uas.Port, tp),
					Rate:          40,
					MaxCalls:      40,
					Patience:      tt.patience,
					InviteTimeout: tt.timeout,
					Duration:      time.Minute,
				})
				checkOutcomes(t, r, tt.want, uas)
				if r.StatusCodes[tt.code] != 40 {
					t.Errorf("status codes %v, want 40 x %s", r.StatusCodes, tt.code)
				}
				if r.SER != 0 || r.Completed != 0 {
					t.Errorf("ser=%v completed=%d", r.SER, r.Completed)
				}
			})
		}
	}
}

func TestInteropKamailio(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	for _, tp := range []loadgentest.Transport{loadgentest.UDP, loadgentest.TCP} {
		t.Run(string(tp), func(t *testing.T) {
			uas := loadgentest.StartSIPpUAS(t, tp, "testdata/uas_rr.xml")
			proxy := loadgentest.StartKamailio(t, "testdata/kamailio.cfg", tp, uas.Port)
			const n = 100
			r := run(t, loadgen.Config{
				Target:   fmt.Sprintf("sip:service@127.0.0.1:%d;transport=%s", proxy.Port, tp),
				Rate:     50,
				MaxCalls: n,
				Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: 300 * time.Millisecond},
				Duration: time.Minute,
			})
			if r.Completed != n || r.Attempted != n || r.ByeFailures != 0 || r.SCR != 1 {
				t.Errorf("through kamailio: %s bye_failures=%d scr=%v\nkamailio:\n%s\nuas:\n%s",
					summary(r), r.ByeFailures, r.SCR, proxy.Output(), uas.Output())
			}
		})
	}
}
