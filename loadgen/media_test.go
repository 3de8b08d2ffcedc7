package loadgen_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/loadgen/loadgentest"
)

// collectCalls keeps every call's record.
func collectCalls(cfg *loadgen.Config) *[]loadgen.CallRecord {
	var recs []loadgen.CallRecord
	cfg.OnCall = func(r loadgen.CallRecord) { recs = append(recs, r) }
	return &recs
}

func TestMediaSIPpEcho(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	mp := loadgentest.FreePort(t)
	uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "", "-rtp_echo", "-mp", strconv.Itoa(mp))
	const n = 20
	cfg := loadgen.Config{
		Target:   fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port),
		Rate:     10,
		MaxCalls: n,
		Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: 2 * time.Second},
		Duration: time.Minute,
		Audio:    "tone",
	}
	recs := collectCalls(&cfg)
	r := run(t, cfg)
	if r.Completed != n {
		t.Fatalf("want %d completed: %s\n%s", n, summary(r), uas.Output())
	}
	for _, rec := range *recs {
		m := rec.Media
		if m == nil {
			t.Fatalf("call %s has no media figures", rec.CallID)
		}
		// 2 s at 50 packets/s; the echo of the last packets may still be on the
		// way at the hang-up (a few, more on a busy machine).
		if m.Sent < 70 || m.Received < m.Sent*95/100 || m.Received > m.Sent {
			t.Errorf("call %s: sent %d received %d", rec.CallID, m.Sent, m.Received)
		}
		if m.LossPct > 1 || m.MOS <= 4.0 {
			t.Errorf("call %s: loss %.2f%% MOS %.2f jitter %.2f ms", rec.CallID, m.LossPct, m.MOS, m.JitterMs)
		}
	}
	ms := r.Media
	if ms == nil || ms.Calls != n || ms.OneWayAudio != 0 || ms.NoAudio != 0 || ms.MOS.P5 <= 4.0 || ms.BelowMOS != 0 {
		t.Errorf("media summary %+v", ms)
	}
	t.Logf("media: sent %d received %d lost %d, MOS p5 %.2f, jitter p99 %.2f ms, max gap p99 %.1f ms",
		ms.PacketsSent, ms.PacketsReceived, ms.PacketsLost, ms.MOS.P5, ms.JitterMs.P99, ms.MaxGapMs.P99)
}
