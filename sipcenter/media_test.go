package sipcenter_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/internal/netimpair"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/media"
	"github.com/callsim/callsim/sipcenter"
)

// TestMediaEndToEnd: callsim load against the embedded target on loopback
// with RTP. One agent and three callers at once: the two who wait hear
// early media (183), and every answered call gets its RTP echoed back.
func TestMediaEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	for _, tc := range []struct {
		name                 string
		callerMux, targetMux bool
	}{
		{"a port per call", false, false},
		{"caller shares ports", true, false},
		{"target shares ports", false, true},
		{"both share ports", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) { mediaEndToEnd(t, tc.callerMux, tc.targetMux) })
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	var r *loadgen.Result
	// --no-media on both sides: 180 and no RTP.
	srv2, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1, NoMedia: true,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	r = runLoad(t, loadgen.Config{Target: srv2.URI("support"), Rate: 10, MaxCalls: 2, Duration: time.Minute, NoMedia: true})
	if r.Completed != 2 || r.Media != nil || r.Responses["183"] != 0 {
		t.Errorf("no media: %s media %+v responses %v", loadSummary(r), r.Media, r.Responses)
	}
	srv2.Close()
	if st := srv2.Stats(); st.Media != nil {
		t.Errorf("target --no-media reports media %+v", st.Media)
	}

	// --no-media on the caller only (it offers the discard port): the
	// target answers without RTP and counts no media call, no missing audio.
	srv3, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv3.Close()
	r = runLoad(t, loadgen.Config{Target: srv3.URI("support"), Rate: 10, MaxCalls: 2, Duration: time.Minute, NoMedia: true})
	srv3.Close()
	if st := srv3.Stats(); r.Completed != 2 || st.Answered != 2 || st.Media == nil || *st.Media != (sipcenter.MediaStats{}) {
		t.Errorf("caller --no-media: %s, target answered %d, media %+v; want 2 calls and no media counted", loadSummary(r), st.Answered, st.Media)
	}
}

// mediaEndToEnd is TestMediaEndToEnd's call with RTP, each side with a
// port per call or shared ports (--rtp-mux).
func mediaEndToEnd(t *testing.T, callerMux, targetMux bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1, RTPMux: targetMux,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var recs []loadgen.CallRecord
	r := runLoad(t, loadgen.Config{Target: srv.URI("support"), Concurrency: 3, MaxCalls: 3, Duration: time.Minute,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Second}, Audio: "tone", RTPMux: callerMux,
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
		if m.Received > m.ReceivedExpected {
			early++ // packets before the answer: early media
		}
		// The echo of the last packets may still be on the way at the hang-up.
		if m.Sent < 25 || m.ReceivedExpected < m.Sent*9/10 || m.LossPct > 1 || m.MOS <= 4.0 {
			t.Errorf("call %s: %+v (scheduler late %d)", c.CallID, *m, r.Media.SchedulerLate)
		}
	}
	if early < 2 {
		for _, c := range recs {
			t.Logf("call %s: answer delay %v, media %+v", c.CallID, c.AnswerDelay, *c.Media)
		}
		t.Errorf("%d calls heard early media, want the 2 that waited", early)
	}
	if r.Media == nil || r.Media.OneWayAudio != 0 || r.Media.NoAudio != 0 || r.Media.Calls != 3 {
		t.Errorf("media summary %+v", r.Media)
	}
	// The target's side: the callers' streams it echoed, counted once the
	// calls have ended (Close waits for them).
	srv.Close()
	if tm := srv.Stats().Media; tm == nil || tm.Calls != 3 || tm.NoAudio != 0 || tm.PacketsReceived < 3*25 ||
		tm.PacketsExpected < tm.PacketsReceived*9/10 || tm.LossPct > 1 || tm.MaxLossPct > 5 ||
		tm.PacketsSent < tm.PacketsReceived || tm.JitterMs < 0 || tm.JitterMs > 20 || tm.MaxJitterMs < tm.JitterMs {
		t.Errorf("target media %+v, want 3 calls with the callers' packets, loss ~0", tm)
	} else {
		t.Logf("target media %+v", *tm)
	}
	if r.Media.Unclaimed != 0 {
		t.Errorf("caller: %d RTP datagrams for no call", r.Media.Unclaimed)
	}

}

// TestMediaImpaired routes each call's RTP through an impairing relay
// (caller -> target: x% loss and 0-20 ms of uniform jitter; the echo comes
// back unimpaired), so the caller measures the loss and jitter the relay
// made: loss within a binomial tolerance of x, jitter near 20/3 ms (the
// mean |difference| of two uniform delays), and a lower MOS.
func TestMediaImpaired(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 20,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	const x = 0.05
	var (
		mu     sync.Mutex
		relays []*netimpair.Relay
		relErr error
	)
	defer func() {
		for _, r := range relays {
			r.Close()
		}
	}()
	via := func(remote netip.AddrPort) netip.AddrPort {
		mu.Lock()
		defer mu.Unlock()
		r, err := netimpair.New(ctx, netimpair.Config{Upstream: remote.String(), Seed: uint64(len(relays) + 1),
			Up: netimpair.Impairment{Loss: x, Jitter: 20 * time.Millisecond}})
		if err != nil {
			relErr = err
			return remote
		}
		relays = append(relays, r)
		return r.Addr().AddrPort()
	}
	r := runLoad(t, loadgen.Config{Target: srv.URI("support"), Rate: 10, MaxCalls: 10, Duration: time.Minute,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 3 * time.Second}, MediaVia: via})
	if relErr != nil {
		t.Fatal(relErr)
	}
	m := r.Media
	if r.Completed != 10 || m == nil || m.Calls != 10 {
		t.Fatalf("%s media %+v", loadSummary(r), m)
	}
	var dropped uint64
	for _, rl := range relays {
		dropped += rl.Stats().Up.Dropped
	}
	expected := m.PacketsReceived + m.PacketsLost
	loss := float64(m.PacketsLost) / float64(expected)
	sd := math.Sqrt(x * (1 - x) / float64(expected))
	t.Logf("packets sent %d, expected %d, lost %d (%.2f%%, relay dropped %d), binomial sd %.2f%%; jitter p50 %.2f ms; MOS p50 %.2f",
		m.PacketsSent, expected, m.PacketsLost, loss*100, dropped, sd*100, m.JitterMs.P50, m.MOS.P50)
	if math.Abs(loss-x) > 4*sd {
		t.Errorf("loss %.2f%%, want %.0f%% within 4 sd (%.2f%%)", loss*100, x*100, 4*sd*100)
	}
	if m.LossPct.P50 < 1 {
		t.Errorf("median call loss %.2f%%", m.LossPct.P50)
	}
	if m.JitterMs.P50 < 3 || m.JitterMs.P50 > 12 {
		t.Errorf("jitter p50 %.2f ms, want about 6.7", m.JitterMs.P50)
	}
	_, clean := media.EstimateMOS(0, 0, 0)
	if m.MOS.P50 > clean-0.3 || m.MOS.P50 < 3 {
		t.Errorf("MOS p50 %.2f with 5%% loss (clean %.2f)", m.MOS.P50, clean)
	}
}

// TestMediaUnusableOffer: an offer the target cannot answer gets 488 (and
// is not queued); an offer of the discard port 9 is answered without RTP.
func TestMediaUnusableOffer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 2,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 100 * time.Millisecond}, Shutdown: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// Where the silent caller's offer points: the target's RTP lands here.
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	tests := []struct {
		name, sdp, want string
	}{
		{"G.729 only", "v=0\nc=IN IP4 127.0.0.1\nm=audio 4000 RTP/AVP 18\na=rtpmap:18 G729/8000\n", "SIP/2.0 488"},
		{"SRTP", "v=0\nc=IN IP4 127.0.0.1\nm=audio 4000 RTP/SAVP 0\n", "SIP/2.0 488"},
		{"garbage", "hello\n", "SIP/2.0 488"},
		// The target listens on loopback: RTP to another address could not arrive.
		{"off loopback", "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\n", "SIP/2.0 488"},
		{"discard port", "v=0\nc=IN IP4 127.0.0.1\nm=audio 9 RTP/AVP 0\n", "SIP/2.0 200"},
		// Answered with RTP, but the caller sends none: one-way audio.
		{"silent caller", fmt.Sprintf("v=0\nc=IN IP4 127.0.0.1\nm=audio %d RTP/AVP 0\n", sink.LocalAddr().(*net.UDPAddr).Port), "SIP/2.0 200"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sdp := strings.ReplaceAll(tt.sdp, "\n", "\r\n")
			msg := strings.Replace(request("INVITE", fmt.Sprintf("sdp-%d", i), ""), "Content-Length: 0\n",
				fmt.Sprintf("Content-Type: application/sdp\nContent-Length: %d\n", len(sdp)), 1)
			msg += tt.sdp // exchange turns every line ending into CRLF, as counted above
			if got := exchange(t, srv.Addr().String(), msg); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want %s", got, tt.want)
			}
		})
	}
	// Close ends the answered calls (never ACKed) and counts their media.
	srv.Close()
	if st := srv.Stats(); st.Offered != 2 {
		t.Errorf("offered %d, want only the port-9 and the silent caller's calls admitted", st.Offered)
	} else if m := st.Media; m == nil || m.Calls != 1 || m.NoAudio != 1 || m.PacketsReceived != 0 {
		t.Errorf("target media %+v, want the silent caller's call counted with no audio", m)
	}
}
