package loadgen_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/loadgen"
)

// startSipgoUAS serves OPTIONS (200) and INVITE (200, then waits for BYE)
// on a UDP socket of 127.0.0.1 with sipgo's Server.
func startSipgoUAS(t *testing.T) int {
	t.Helper()
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeUDP(pc) }()
	t.Cleanup(func() { srv.Close(); ua.Close(); pc.Close() })
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func goroutinesIn(fn string) (int, string) {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
	n := 0
	for _, block := range strings.Split(buf.String(), "\n\n") {
		if strings.Contains(block, fn) {
			var c int
			fmt.Sscanf(block, "%d @", &c)
			n += c
		}
	}
	return n, buf.String()
}

// TestSipgoIssue349 checks that the pinned sipgo does not park a goroutine
// per answered UDP request for the transaction's lifetime (32 s): sipgo issue
// 349, where Server.handleRequest blocked in ServerTx.TerminateGracefully.
// It drives 2000 OPTIONS at a sipgo server and counts goroutines right after.
func TestSipgoIssue349(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	port := startSipgoUAS(t)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := loadgen.Run(ctx, loadgen.Config{
		Target:   fmt.Sprintf("sip:ping@127.0.0.1:%d", port),
		Mode:     loadgen.ModeOptions,
		Rate:     1000,
		MaxCalls: 2000,
		Duration: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Completed != 2000 || r.StatusCodes["200"] != 2000 {
		t.Fatalf("OPTIONS run: %s", summary(r))
	}
	// Server transactions stay alive for Timer J (32 s) by design; what must
	// not stay is a goroutine per transaction. Allow a second to settle.
	var parked, after int
	var dump string
	for i := 0; i < 20; i++ {
		time.Sleep(100 * time.Millisecond)
		parked, dump = goroutinesIn("TerminateGracefully")
		after = runtime.NumGoroutine()
		if parked == 0 && after < before+100 {
			break
		}
	}
	t.Logf("goroutines: %d before, %d after 2000 requests; %d parked in TerminateGracefully", before, after, parked)
	if parked > 0 || after > before+100 {
		if len(dump) > 3000 {
			dump = dump[:3000]
		}
		t.Errorf("goroutine build-up after load (sipgo issue 349): %d parked, %d -> %d\n%s", parked, before, after, dump)
	}
}
