package sipcenter_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// Flood bounds, stated in the README, for the process (generator and
// target together): the live heap at its peak, and its growth from the
// middle of the flood to its end (a heap growing with the number of calls
// would double in that time; a bounded one holds the transactions of the
// last few seconds only).
const (
	floodPeakHeapBound    = 256 << 20
	floodLateGrowthFactor = 1.5
	floodLateGrowthSlack  = 8 << 20
)

// liveHeap is the heap in use by live objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // a second cycle empties the sync.Pool victim caches
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestFlood: 20 trunks, 200 INVITEs a second (10x the trunks) for 20 s,
// with garbage, truncated and oversized datagrams mixed in. Calls beyond
// capacity get 503 with Retry-After; every call within capacity is answered
// and ends normally; the heap and the goroutines stay bounded and come back
// down; the target answers OPTIONS afterwards.
func TestFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP flood test (20 s)")
	}
	const (
		trunks   = 20
		rate     = 10 * trunks
		duration = 20 * time.Second
	)
	// SIP keeps finished transactions for 64 x T1 or 32 s (Timers D, H and
	// L: 32 s by default) to absorb retransmissions, so the heap grows for that long
	// and then stays flat. T1 = 100 ms makes that 6.4 s, so the flood's
	// 20 s show the plateau.
	t1, t2, t4, timerD := sip.T1, sip.T2, sip.T4, sip.Timer_D
	sip.SetTimers(100*time.Millisecond, 400*time.Millisecond, 500*time.Millisecond)
	sip.Timer_D = 64 * sip.T1                                             // SetTimers leaves it at 32 s
	t.Cleanup(func() { sip.SetTimers(t1, t2, t4); sip.Timer_D = timerD }) // after the server's Close
	goroutinesBefore := runtime.NumGoroutine()
	heapBefore := liveHeap()
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: trunks, Trunks: trunks,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	addr := srv.Addr().(*net.UDPAddr)

	// Sample the heap and goroutines during the flood, and the live heap
	// at 40% and 95% of it.
	var peakHeap, midHeap, lateHeap atomic.Uint64
	var peakG atomic.Int64
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		tk := time.NewTicker(250 * time.Millisecond)
		defer tk.Stop()
		t0 := time.Now()
		for {
			select {
			case <-stopSampling:
				return
			case <-tk.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peakHeap.Load() {
					peakHeap.Store(m.HeapAlloc)
				}
				if g := int64(runtime.NumGoroutine()); g > peakG.Load() {
					peakG.Store(g)
				}
				el := time.Since(t0)
				if midHeap.Load() == 0 && el > duration*4/10 {
					midHeap.Store(liveHeap())
				}
				if lateHeap.Load() == 0 && el > duration*95/100 {
					lateHeap.Store(liveHeap())
				}
			}
		}
	}()

	// Abuse alongside the flood: malformed and oversized datagrams, and
	// probes checking that a 503 carries Retry-After.
	var junkSent atomic.Int64
	var retryAfterSeen, probes503, probes200 atomic.Int64
	abuseDone := make(chan struct{})
	go func() {
		defer close(abuseDone)
		junk, err := net.ListenUDP("udp", &net.UDPAddr{IP: addr.IP})
		if err != nil {
			t.Error(err)
			return
		}
		defer junk.Close()
		rng := rand.New(rand.NewPCG(1, 2))
		big := make([]byte, 65507)
		for i := range big {
			big[i] = 'A' + byte(i%26)
		}
		copy(big, crlf(strings.Replace(request("INVITE", "oversized", ""), "Contact: <sip:tester@LOCAL>\n", "", 1)))
		// Without a Contact: should one parse, it is refused (400) rather
		// than left half-open.
		inv := []byte(crlf(strings.ReplaceAll(strings.Replace(request("INVITE", "truncated", ""), "Contact: <sip:tester@LOCAL>\n", "", 1),
			"LOCAL", junk.LocalAddr().String())))
		deadline := time.Now().Add(duration - time.Second)
		for i := 0; time.Now().Before(deadline); i++ {
			var msg []byte
			switch i % 5 {
			case 0:
				msg = make([]byte, 1+rng.IntN(1400))
				for j := range msg {
					msg[j] = byte(rng.UintN(256))
				}
			case 1:
				msg = big
			case 2:
				msg = inv[:rng.IntN(len(inv))]
			case 3:
				msg = []byte(strings.Replace(string(inv), "Content-Length: 0", "Content-Length: 1000000", 1))
			case 4:
				id := fmt.Sprintf("probe-%d", i)
				switch code, ra := probeInvite(junk, addr, id); code {
				case 503:
					probes503.Add(1)
					if ra {
						retryAfterSeen.Add(1)
					}
				case 200:
					probes200.Add(1)
				default:
					t.Errorf("probe INVITE %s: status %d", id, code)
				}
				continue
			}
			if _, err := junk.WriteToUDP(msg, addr); err == nil {
				junkSent.Add(1)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()

	var mu sync.Mutex
	bad := map[string]int{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	r, err := loadgen.Run(ctx, loadgen.Config{Target: srv.URI("flood"), Rate: rate, Duration: duration,
		InviteTimeout: 10 * time.Second, Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 300 * time.Millisecond},
		OnCall: func(c loadgen.CallRecord) {
			ok := (c.Outcome == loadgen.OutcomeCompleted && c.FinalStatus == 200 && c.HangupBy == "caller") ||
				(c.Outcome == loadgen.OutcomeFailed && c.FinalStatus == 503)
			if !ok {
				mu.Lock()
				bad[fmt.Sprintf("%s/%d/%s", c.Outcome, c.FinalStatus, c.HangupBy)]++
				mu.Unlock()
			}
		}})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	<-abuseDone
	close(stopSampling)
	sampler.Wait()
	waitFor(t, func() bool { s := srv.Stats(); return s.Talking == 0 && s.Waiting == 0 })
	st := srv.Stats()

	// Still serving after the flood.
	if got := exchange(t, addr.String(), request("OPTIONS", "after-flood", "")); !strings.HasPrefix(got, "SIP/2.0 200") {
		t.Errorf("OPTIONS after the flood: %q", got)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	checkGoroutines(t, goroutinesBefore)
	heapAfter := liveHeap()

	t.Logf("load in %v: %s", took.Round(time.Millisecond), loadSummary(r))
	t.Logf("target: offered %d answered %d rejected %d completed %d caller hangups %d", st.Offered, st.Answered, st.Rejected, st.Completed, st.CallerHangups)
	t.Logf("abuse: %d junk datagrams; probe INVITEs: %d refused with 503 (%d with Retry-After), %d answered",
		junkSent.Load(), probes503.Load(), retryAfterSeen.Load(), probes200.Load())
	mb := func(b uint64) float64 { return float64(b) / (1 << 20) }
	t.Logf("live heap: %.1f MB before, %.1f MB at 40%% of the flood, %.1f MB at 95%%, peak %.1f MB, %.1f MB after; goroutines: %d before, peak %d, back to %d",
		mb(heapBefore), mb(midHeap.Load()), mb(lateHeap.Load()), mb(peakHeap.Load()), mb(heapAfter), goroutinesBefore, peakG.Load(), runtime.NumGoroutine())

	want := uint64(rate * duration / time.Second)
	if r.Attempted != want || r.Completed+r.Failed != want || r.Dropped != 0 {
		t.Errorf("want %d calls, each completed or refused: %s", want, loadSummary(r))
	}
	if len(bad) > 0 {
		t.Errorf("calls ending otherwise than 200 and the caller's BYE, or 503: %v", bad)
	}
	// The target's counts match the generator's and the probes', exactly.
	if r.StatusCodes["503"] != r.Failed || st.Rejected != r.Failed+uint64(probes503.Load()) ||
		st.Answered != r.Completed+uint64(probes200.Load()) || st.Offered != st.Answered {
		t.Errorf("503s %d, failed %d, probes refused %d and answered %d; target offered %d rejected %d answered %d; generator completed %d",
			r.StatusCodes["503"], r.Failed, probes503.Load(), probes200.Load(), st.Offered, st.Rejected, st.Answered, r.Completed)
	}
	// 60 erlangs offered to 20 trunks: most calls are refused, and the
	// trunks carry close to their capacity (20 / 0.3 s = 66 calls/s).
	if r.Failed < want/2 || float64(r.Completed) < 0.5*float64(trunks)/0.3*duration.Seconds() {
		t.Errorf("completed %d, refused %d: want the trunks busy and most calls refused", r.Completed, r.Failed)
	}
	if probes503.Load() == 0 || retryAfterSeen.Load() != probes503.Load() {
		t.Errorf("%d probe INVITEs refused with 503, %d of them with Retry-After", probes503.Load(), retryAfterSeen.Load())
	}
	if junkSent.Load() < 100 {
		t.Errorf("only %d junk datagrams sent", junkSent.Load())
	}
	checkConservation(t, st)
	if peakHeap.Load() > floodPeakHeapBound {
		t.Errorf("peak heap %.1f MB, bound %d MB", mb(peakHeap.Load()), floodPeakHeapBound>>20)
	}
	if mid, late := midHeap.Load(), lateHeap.Load(); mid == 0 || late == 0 ||
		float64(late) > floodLateGrowthFactor*float64(mid)+floodLateGrowthSlack {
		t.Errorf("live heap %.1f MB at 40%% of the flood, %.1f MB at 95%%: it grows with the calls", mb(mid), mb(late))
	}
	if heapAfter > peakHeap.Load() {
		t.Errorf("live heap after the flood %.1f MB above its peak %.1f MB", mb(heapAfter), mb(peakHeap.Load()))
	}
}

// probeInvite sends one INVITE from conn and returns the first final status
// and whether it had a Retry-After. It acknowledges the final response and
// hangs up at once after a 2xx.
func probeInvite(conn *net.UDPConn, to *net.UDPAddr, id string) (int, bool) {
	msg := crlf(strings.ReplaceAll(request("INVITE", id, ""), "LOCAL", conn.LocalAddr().String()))
	if _, err := conn.WriteToUDP([]byte(msg), to); err != nil {
		return 0, false
	}
	buf := make([]byte, 65535)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_ = conn.SetReadDeadline(deadline)
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			return 0, false
		}
		m, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue
		}
		res, ok := m.(*sip.Response)
		if !ok || res.CallID() == nil || res.CallID().Value() != id || res.StatusCode < 200 {
			continue
		}
		inDialog := func(method string, seq int, branch string) {
			m := fmt.Sprintf("%[1]s sip:support@%[2]s SIP/2.0\r\nVia: SIP/2.0/UDP %[3]s;branch=z9hG4bK-%[7]s\r\nFrom: <sip:tester@127.0.0.1>;tag=abc\r\nTo: %[5]s\r\nCall-ID: %[4]s\r\nCSeq: %[6]d %[1]s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
				method, to, conn.LocalAddr(), id, res.To().Value(), seq, branch)
			_, _ = conn.WriteToUDP([]byte(m), to)
		}
		if res.StatusCode >= 300 {
			inDialog("ACK", 1, id) // part of the INVITE transaction: its branch
		} else {
			inDialog("ACK", 1, id+"-ack")
			inDialog("BYE", 2, id+"-bye")
		}
		return res.StatusCode, res.GetHeader("Retry-After") != nil
	}
}

// TestHalfOpenDialogs: callers whose INVITE is answered but who never send
// the ACK (they vanished) hold their agent and trunk only until the target's
// timers give up: 64 x T1 without an ACK, then the agent's BYE, which times
// out too. T1 is shortened to 20 ms here, so that takes about 2.6 s instead
// of 64 s. Afterwards every agent and trunk is free and a new call is
// answered.
func TestHalfOpenDialogs(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	// The timers are restored by a cleanup registered before the server's:
	// cleanups run last registered first, so the server (and every
	// transaction reading the timers) is closed before they change back.
	t1, t2, t4 := sip.T1, sip.T2, sip.T4
	sip.SetTimers(20*time.Millisecond, 80*time.Millisecond, 100*time.Millisecond)
	t.Cleanup(func() { sip.SetTimers(t1, t2, t4) })

	const agents, trunks, vanished = 1, 3, 3
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: agents, Trunks: trunks,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	addr := srv.Addr().(*net.UDPAddr)
	for i := range vanished {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: addr.IP})
		if err != nil {
			t.Fatal(err)
		}
		msg := crlf(strings.ReplaceAll(request("INVITE", fmt.Sprintf("half-open-%d", i), ""), "LOCAL", c.LocalAddr().String()))
		if _, err := c.WriteToUDP([]byte(msg), addr); err != nil {
			t.Fatal(err)
		}
		c.Close() // the caller vanishes: no ACK, no CANCEL, nobody to receive the BYE
	}
	waitFor(t, func() bool { s := srv.Stats(); return s.Offered == vanished })
	st := srv.Stats()
	if st.Talking != 1 || st.Waiting != vanished-1 {
		t.Fatalf("after the INVITEs: talking %d waiting %d, want 1 and %d", st.Talking, st.Waiting, vanished-1)
	}
	// Every trunk is taken: a new call is refused.
	r := runLoad(t, loadgen.Config{Target: srv.URI("support"), Rate: 10, MaxCalls: 1, Duration: time.Minute,
		InviteTimeout: 5 * time.Second, Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 100 * time.Millisecond}})
	if r.Failed != 1 || r.StatusCodes["503"] != 1 {
		t.Errorf("a call with every trunk held by half-open dialogs: %s", loadSummary(r))
	}
	// Each half-open call in turn gets the agent, is answered, and is
	// cleaned up by the timers.
	deadline := time.Now().Add(30 * time.Second)
	for {
		st = srv.Stats()
		if st.Talking == 0 && st.Waiting == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("half-open dialogs not cleaned up after 30 s: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkConservation(t, st)
	if st.Answered != vanished || st.Completed != vanished || st.AgentHangups != vanished {
		t.Errorf("answered %d completed %d agent hang-ups %d, want %d each", st.Answered, st.Completed, st.AgentHangups, vanished)
	}
	// The agent and the trunks are free again.
	r = runLoad(t, loadgen.Config{Target: srv.URI("support"), Rate: 10, MaxCalls: trunks, Duration: time.Minute,
		InviteTimeout: 5 * time.Second, Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 100 * time.Millisecond}})
	if r.Completed != trunks {
		t.Errorf("after the clean-up: %s, want %d completed", loadSummary(r), trunks)
	}
}
