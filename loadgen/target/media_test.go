package target_test

import (
	"context"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/loadgen/target"
)

// TestMediaEndToEnd: callsim load against the embedded target on loopback
// with RTP. One agent and three callers at once: the two who wait hear
// early media (183), and every answered call gets its RTP echoed back.
func TestMediaEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := target.Start(ctx, target.Config{Listen: "udp:127.0.0.1:0", Agents: 1,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var recs []loadgen.CallRecord
	r := runLoad(t, loadgen.Config{Target: srv.URI("support"), Concurrency: 3, MaxCalls: 3, Duration: time.Minute,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Second}, Audio: "tone",
		OnCall: func(c loadgen.CallRecord) { recs = append(recs, c) }})
	if r.Completed != 3 || r.Responses["183"] < 2 { // a 183 just before the 200 may be passed over by the transaction
		t.Fatalf("%s responses %v", loadSummary(r), r.Responses)
	}
	early := 0
	for _, c := range recs {
		m := c.Media
		if m == nil {
			t.Fatalf("call %s: no media figures", c.CallID)
		}
		if m.Received > m.ReceivedExpected+5 {
			early++
		}
		if m.Sent < 35 || m.ReceivedExpected+5 < m.Sent || m.LossPct > 1 || m.MOS <= 4.0 {
			t.Errorf("call %s: %+v", c.CallID, *m)
		}
	}
	if early < 2 {
		t.Errorf("%d calls heard early media, want the 2 that waited", early)
	}
	if r.Media == nil || r.Media.OneWayAudio != 0 || r.Media.NoAudio != 0 || r.Media.Calls != 3 {
		t.Errorf("media summary %+v", r.Media)
	}

	// --no-media on both sides: 180 and no RTP.
	srv2, err := target.Start(ctx, target.Config{Listen: "udp:127.0.0.1:0", Agents: 1, NoMedia: true,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	r = runLoad(t, loadgen.Config{Target: srv2.URI("support"), Rate: 10, MaxCalls: 2, Duration: time.Minute, NoMedia: true})
	if r.Completed != 2 || r.Media != nil || r.Responses["183"] != 0 {
		t.Errorf("no media: %s media %+v responses %v", loadSummary(r), r.Media, r.Responses)
	}
}
