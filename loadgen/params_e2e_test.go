package loadgen_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
)

// seqOf reads the call's sequence number from its Call-ID (PREFIX-SEQ@callsim).
func seqOf(t *testing.T, callID string) uint64 {
	t.Helper()
	s := strings.TrimSuffix(callID, "@callsim")
	n, err := strconv.ParseUint(s[strings.LastIndexByte(s, '-')+1:], 10, 64)
	if err != nil {
		t.Fatalf("Call-ID %q: %v", callID, err)
	}
	return n
}

// TestCallersEndToEnd places calls whose caller, callee, display name and
// digest credentials come from a CSV, row by row, at a UAS that checks the
// digest of each caller against its own password.
func TestCallersEndToEnd(t *testing.T) {
	callers, err := loadgen.LoadCallers(context.Background(), "testdata/callers/agents.csv")
	if err != nil {
		t.Fatal(err)
	}
	uas := startTestUAS(t, "udp", nil, map[string]string{"agent001": "pw-001", "agent002": "pw-002", "agent003": "pw-003"})
	const n = 9
	r := run(t, loadgen.Config{
		Target:   fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port),
		Rate:     50,
		MaxCalls: n,
		Duration: time.Minute,
		Callers:  callers,
		Password: "not-this-one",
	})
	if r.Completed != n || r.StatusCodes["200"] != n || r.Responses["401"] != n {
		t.Fatalf("want %d calls completed after a 401 each: %s", n, summary(r))
	}
	calls := uas.Calls()
	if len(calls) != n || len(uas.bad) != 0 {
		t.Fatalf("UAS saw %d answered calls, %d bad digests", len(calls), len(uas.bad))
	}
	for id, got := range calls {
		row := callers.Row(seqOf(t, id))
		want := seen{ruri: row[1], from: row[0], to: row[1], display: row[2], authUser: row[0]}
		if got != want {
			t.Errorf("call %s: got %+v, want %+v", id, got, want)
		}
	}
}

// TestTemplatesEndToEnd: the caller and the callee follow the call's
// sequence number.
func TestTemplatesEndToEnd(t *testing.T) {
	uas := startTestUAS(t, "tcp", nil, nil)
	const n = 6
	r := run(t, loadgen.Config{
		Target:   fmt.Sprintf("sip:service@127.0.0.1:%d;transport=tcp", uas.Port),
		Rate:     50,
		MaxCalls: n,
		Duration: time.Minute,
		From:     "caller[call_number]",
		To:       "sip:[seq%2+1000]@pbx.invalid",
		Display:  "Test [seq]",
	})
	if r.Completed != n {
		t.Fatalf("want %d completed: %s", n, summary(r))
	}
	calls := uas.Calls()
	if len(calls) != n {
		t.Fatalf("UAS saw %d calls", len(calls))
	}
	for id, got := range calls {
		s := seqOf(t, id)
		want := seen{ruri: strconv.FormatUint(s%2+1000, 10), from: fmt.Sprintf("caller%d", s+1), display: fmt.Sprintf("Test %d", s)}
		want.to = want.ruri
		if got != want {
			t.Errorf("call %s: got %+v, want %+v", id, got, want)
		}
	}
}

// TestTLS calls a UAS with a self-signed certificate made here: trusted via
// TLSCA or with TLSInsecure every call completes; with neither, the
// handshake fails and every call is a transport error.
func TestTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	serverConf, caFile := selfSigned(t)
	tests := []struct {
		name     string
		insecure bool
		ca       string
		want     func(r *loadgen.Result) bool
	}{
		{"private CA", false, caFile, func(r *loadgen.Result) bool { return r.Completed == r.Attempted && r.SCR == 1 }},
		{"insecure", true, "", func(r *loadgen.Result) bool { return r.Completed == r.Attempted }},
		{"untrusted", false, "", func(r *loadgen.Result) bool { return r.TransportErrors == r.Attempted }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uas := startTestUAS(t, "tls", serverConf, nil)
			const n = 40
			r := run(t, loadgen.Config{
				Target:      fmt.Sprintf("sips:service@127.0.0.1:%d", uas.Port),
				Rate:        100,
				MaxCalls:    n,
				Duration:    time.Minute,
				Hold:        loadgen.Dist{Kind: loadgen.DistConstant, Mean: 50 * time.Millisecond},
				TLSInsecure: tt.insecure,
				TLSCA:       tt.ca,
				Logger:      testLogger(t),
			})
			if r.Attempted != n || !tt.want(r) {
				t.Fatalf("%s", summary(r))
			}
			if r.Completed == n && len(uas.Calls()) != n {
				t.Errorf("UAS answered %d calls, want %d", len(uas.Calls()), n)
			}
		})
	}
	cfg := loadgen.Config{Target: "sips:a@127.0.0.1", Rate: 1, MaxCalls: 1, TLSCA: serverConf.ServerName + "/missing.pem"}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "TLS CA file") {
		t.Errorf("missing CA file: got %v", err)
	}
}

// TestSockets: calls are spread evenly over the local sockets (UDP) or
// connections (TCP), and every call still completes.
func TestSockets(t *testing.T) {
	for _, c := range []struct {
		tp      string
		sockets int
	}{{"udp", 1}, {"udp", 3}, {"tcp", 2}} {
		t.Run(fmt.Sprintf("%s/%d", c.tp, c.sockets), func(t *testing.T) {
			uas := startTestUAS(t, c.tp, nil, nil)
			n := 4 * c.sockets
			r := run(t, loadgen.Config{
				Target:   fmt.Sprintf("sip:service@127.0.0.1:%d;transport=%s", uas.Port, c.tp),
				Rate:     100,
				MaxCalls: uint64(n),
				Duration: time.Minute,
				Sockets:  c.sockets,
			})
			if r.Completed != uint64(n) || r.SCR != 1 {
				t.Fatalf("want %d completed: %s", n, summary(r))
			}
			src := uas.Sources()
			if len(src) != c.sockets {
				t.Fatalf("calls came from %d sources, want %d: %v", len(src), c.sockets, src)
			}
			for a, k := range src {
				if k != 4 {
					t.Errorf("source %s placed %d calls, want 4 (round robin)", a, k)
				}
			}
			// Every socket is closed when Run returns: no reader is left.
			var left int
			for i := 0; i < 50; i++ {
				if left, _ = goroutinesIn("loadgen.(*engine).addEndpoint"); left == 0 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if left != 0 {
				t.Errorf("%d socket readers left after Run", left)
			}
		})
	}
}
