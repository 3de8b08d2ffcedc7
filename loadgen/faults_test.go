package loadgen_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/internal/netimpair"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/loadgen/loadgentest"
	"github.com/callsim/callsim/sipcenter"
)

// Fault tests: the load generator facing targets and networks that
// misbehave. Each asserts the exact outcome of every call it can predict,
// that attempted = the sum of the outcomes, and that the run ends by its
// bounds.

// faultRun runs cfg, collecting every call record, and checks the
// conservation law and the time bound.
func faultRun(t *testing.T, cfg loadgen.Config, bound time.Duration) (*loadgen.Result, []loadgen.CallRecord) {
	t.Helper()
	var mu sync.Mutex
	var recs []loadgen.CallRecord
	cfg.OnCall = func(r loadgen.CallRecord) {
		mu.Lock()
		recs = append(recs, r)
		mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	r, err := loadgen.Run(ctx, cfg)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("%s in %v; codes %v", faultSummary(r), took.Round(time.Millisecond), r.StatusCodes)
	if sum := r.Completed + r.Failed + r.Abandoned + r.TimedOut + r.TransportErrors; sum != r.Attempted {
		t.Errorf("attempted %d != sum of outcomes %d", r.Attempted, sum)
	}
	if uint64(len(recs)) != r.Attempted {
		t.Errorf("%d call records for %d attempted calls", len(recs), r.Attempted)
	}
	if took > bound {
		t.Errorf("the run took %v, beyond its bound %v", took, bound)
	}
	mu.Lock()
	defer mu.Unlock()
	return r, recs
}

func faultSummary(r *loadgen.Result) string {
	return fmt.Sprintf("attempted=%d completed=%d failed=%d abandoned=%d timed_out=%d transport_errors=%d dropped=%d",
		r.Attempted, r.Completed, r.Failed, r.Abandoned, r.TimedOut, r.TransportErrors, r.Dropped)
}

func wantOutcomes(t *testing.T, r *loadgen.Result, attempted, completed, failed, abandoned, timedOut, transport uint64) {
	t.Helper()
	if r.Attempted != attempted || r.Completed != completed || r.Failed != failed || r.Abandoned != abandoned ||
		r.TimedOut != timedOut || r.TransportErrors != transport {
		t.Errorf("got %s\nwant attempted=%d completed=%d failed=%d abandoned=%d timed_out=%d transport_errors=%d",
			faultSummary(r), attempted, completed, failed, abandoned, timedOut, transport)
	}
}

// fakeUAS is a scripted SIP UAS on UDP: for the n-th new INVITE (by Call-ID,
// from 0) it sends the status codes script(n) returns (none: silence). A 2xx
// carries a Contact pointing back at the fake, which answers BYE with 200
// and absorbs ACK. Retransmitted INVITEs get the same responses again.
type fakeUAS struct {
	conn    *net.UDPConn
	script  func(n int) []int
	invites atomic.Int64
	byes    atomic.Int64
	cancels atomic.Int64
	mu      sync.Mutex
	sent    map[string][]*sip.Response // Call-ID -> responses of its INVITE
}

func startFakeUAS(t *testing.T, script func(n int) []int) *fakeUAS {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	u := &fakeUAS{conn: conn, script: script, sent: map[string][]*sip.Response{}}
	done := make(chan struct{})
	go func() { defer close(done); u.serve() }()
	t.Cleanup(func() { conn.Close(); <-done })
	return u
}

func (u *fakeUAS) uri() string { return "sip:fake@" + u.conn.LocalAddr().String() }

func (u *fakeUAS) serve() {
	buf := make([]byte, 65535)
	for {
		n, from, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		msg, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue
		}
		req, ok := msg.(*sip.Request)
		if !ok || req.CallID() == nil {
			continue
		}
		send := func(res *sip.Response) { _, _ = u.conn.WriteToUDP([]byte(res.String()), from) }
		switch req.Method {
		case sip.INVITE:
			id := req.CallID().Value()
			u.mu.Lock()
			resps, seen := u.sent[id]
			if !seen {
				k := int(u.invites.Add(1) - 1)
				inv := req.Clone()
				inv.To().Params.Add("tag", "fake"+strconv.Itoa(k))
				for _, code := range u.script(k) {
					res := sip.NewResponseFromRequest(inv, code, "", nil)
					if code == sip.StatusServiceUnavailable {
						res.AppendHeader(sip.NewHeader("Retry-After", "1"))
					}
					if code >= 200 && code < 300 {
						res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "fake",
							Host: "127.0.0.1", Port: u.conn.LocalAddr().(*net.UDPAddr).Port}})
					}
					resps = append(resps, res)
				}
				u.sent[id] = resps
			}
			u.mu.Unlock()
			for _, res := range resps {
				send(res)
			}
		case sip.BYE:
			u.byes.Add(1)
			send(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
		case sip.CANCEL:
			// Accept the CANCEL but never end the INVITE: the caller's
			// timeout must.
			u.cancels.Add(1)
			send(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
		}
	}
}

var shortHold = loadgen.Dist{Kind: loadgen.DistConstant, Mean: 50 * time.Millisecond}

// TestFaultNeverAnswers: a target that is silent (every call times out,
// none is cancelled since nothing provisional came back, even when the
// callers' patience runs out first), and one that
// rings forever (every caller's patience runs out: CANCEL, which the target
// accepts but never ends the INVITE; the call is abandoned).
func TestFaultNeverAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const n = 10
	t.Run("silent", func(t *testing.T) {
		u := startFakeUAS(t, func(int) []int { return nil })
		r, recs := faultRun(t, loadgen.Config{Target: u.uri(), Rate: 20, MaxCalls: n, Duration: time.Minute,
			InviteTimeout: time.Second, Hold: shortHold}, 20*time.Second)
		wantOutcomes(t, r, n, 0, 0, 0, n, 0)
		if u.invites.Load() != n || u.cancels.Load() != 0 {
			t.Errorf("the target saw %d INVITEs and %d CANCELs, want %d and 0", u.invites.Load(), u.cancels.Load(), n)
		}
		for _, rec := range recs {
			if rec.FinalStatus != 0 || rec.SRD != 0 {
				t.Errorf("call %s: final %d srd %v, want none", rec.CallID, rec.FinalStatus, rec.SRD)
			}
		}
	})
	t.Run("silent, impatient callers", func(t *testing.T) {
		// No provisional response, so no CANCEL may be sent (RFC 3261 9.1):
		// the caller's patience cannot end the call, the timeout does, and
		// the call counts as the target's failure to answer.
		u := startFakeUAS(t, func(int) []int { return nil })
		r, _ := faultRun(t, loadgen.Config{Target: u.uri(), Rate: 20, MaxCalls: n, Duration: time.Minute,
			InviteTimeout: time.Second, Hold: shortHold,
			Patience: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 200 * time.Millisecond}}, 20*time.Second)
		wantOutcomes(t, r, n, 0, 0, 0, n, 0)
		if u.cancels.Load() != 0 {
			t.Errorf("%d CANCELs sent before any provisional response", u.cancels.Load())
		}
	})
	t.Run("rings forever", func(t *testing.T) {
		u := startFakeUAS(t, func(int) []int { return []int{100, 180} })
		r, recs := faultRun(t, loadgen.Config{Target: u.uri(), Rate: 20, MaxCalls: n, Duration: time.Minute,
			InviteTimeout: time.Second, Hold: shortHold,
			Patience: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 300 * time.Millisecond}}, 20*time.Second)
		wantOutcomes(t, r, n, 0, 0, n, 0, 0)
		if u.cancels.Load() != n {
			t.Errorf("the target saw %d CANCELs, want %d", u.cancels.Load(), n)
		}
		for _, rec := range recs {
			if rec.HangupBy != "caller" || rec.SRD <= 0 {
				t.Errorf("call %s: hung up by %q, srd %v; want the caller after a 180", rec.CallID, rec.HangupBy, rec.SRD)
			}
		}
	})
}

// TestFaultHalf503: a target that answers 503 (with Retry-After) to every
// other call and 200 to the others: exactly half fail, half complete.
func TestFaultHalf503(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const n = 20
	u := startFakeUAS(t, func(k int) []int {
		if k%2 == 1 {
			return []int{100, 503}
		}
		return []int{100, 180, 200}
	})
	r, recs := faultRun(t, loadgen.Config{Target: u.uri(), Rate: 20, MaxCalls: n, Duration: time.Minute,
		InviteTimeout: 5 * time.Second, Hold: shortHold}, 20*time.Second)
	wantOutcomes(t, r, n, n/2, n/2, 0, 0, 0)
	if r.StatusCodes["503"] != n/2 || r.StatusCodes["200"] != n/2 {
		t.Errorf("status codes %v, want 10 x 503 and 10 x 200", r.StatusCodes)
	}
	if u.byes.Load() != n/2 {
		t.Errorf("%d BYEs for %d answered calls", u.byes.Load(), n/2)
	}
	for _, rec := range recs {
		if (rec.Outcome == loadgen.OutcomeFailed) != (rec.FinalStatus == 503) {
			t.Errorf("call %s: %s with final status %d", rec.CallID, rec.Outcome, rec.FinalStatus)
		}
	}
}

// window is a period of wall time.
type window struct{ from, to time.Time }

// TestFaultTargetDiesAndComesBack: the embedded target behind a relay that
// turns into a black hole for 2.5 s mid-run (the target "dies") and then
// forwards again. Calls whose INVITE and every retransmission fell in the
// hole time out; calls well before or after it complete; calls near its
// edges may go either way but still end in exactly one outcome.
func TestFaultTargetDiesAndComesBack(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 20,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	relay, err := netimpair.New(context.Background(), netimpair.Config{Upstream: srv.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })

	const (
		rate     = 10
		duration = 5 * time.Second
		timeout  = 800 * time.Millisecond
		margin   = 500 * time.Millisecond // generous: a busy machine answers late
	)
	var hole window
	holeSet := make(chan struct{})
	go func() {
		defer close(holeSet)
		time.Sleep(1200 * time.Millisecond)
		hole.from = time.Now()
		relay.SetBlackHole(true)
		time.Sleep(2500 * time.Millisecond)
		relay.SetBlackHole(false)
		hole.to = time.Now()
	}()
	r, recs := faultRun(t, loadgen.Config{Target: "sip:support@" + relay.Addr().String(), Rate: rate,
		Duration: duration, InviteTimeout: timeout, Hold: shortHold}, duration+timeout+10*time.Second)
	<-holeSet
	var sureLost, sureDone uint64
	for _, rec := range recs {
		start := rec.ActualStart
		switch {
		case start.After(hole.from.Add(margin)) && start.Add(timeout).Before(hole.to.Add(-margin)):
			sureLost++
			if rec.Outcome != loadgen.OutcomeTimedOut {
				t.Errorf("call %d started %v into the hole, ended %s", rec.Seq, start.Sub(hole.from), rec.Outcome)
			}
		case start.Add(margin).Before(hole.from) || start.After(hole.to.Add(margin)):
			sureDone++
			if rec.Outcome != loadgen.OutcomeCompleted {
				t.Errorf("call %d started %v from the hole's start, ended %s (final %d)", rec.Seq, start.Sub(hole.from), rec.Outcome, rec.FinalStatus)
			}
		default:
			if rec.Outcome != loadgen.OutcomeCompleted && rec.Outcome != loadgen.OutcomeTimedOut {
				t.Errorf("call %d at the hole's edge ended %s", rec.Seq, rec.Outcome)
			}
		}
	}
	t.Logf("hole %v; %d calls surely lost, %d surely through; relay %+v", hole.to.Sub(hole.from).Round(time.Millisecond), sureLost, sureDone, relay.Stats())
	if r.Attempted != rate*uint64(duration/time.Second) || r.Completed+r.TimedOut != r.Attempted {
		t.Errorf("want %d calls, each completed or timed out: %s", rate*int(duration/time.Second), faultSummary(r))
	}
	if sureLost < 5 || sureDone < 10 {
		t.Errorf("only %d calls surely in the hole and %d surely outside (a very busy machine?)", sureLost, sureDone)
	}
	if relay.Stats().Up.BlackHoled == 0 {
		t.Error("the relay black-holed nothing")
	}
	// The target answered every completed call (and perhaps some whose
	// answer fell into the hole).
	if st := srv.Stats(); st.Answered < r.Completed {
		t.Errorf("the target answered %d calls, the load generator completed %d", st.Answered, r.Completed)
	}
}

// TestFaultLossAndReordering: 10% loss each way, up to 30 ms of jitter
// (reordering) and 10% duplication between the load generator and the
// target. SIP's retransmissions over UDP carry every call through; the
// target answered exactly the calls the generator completed, and any call
// that did not complete is counted as timed out.
func TestFaultLossAndReordering(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 40,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	im := netimpair.Impairment{Loss: 0.1, Duplicate: 0.1, Delay: 2 * time.Millisecond, Jitter: 30 * time.Millisecond}
	relay, err := netimpair.New(context.Background(), netimpair.Config{Upstream: srv.Addr().String(), Up: im, Down: im, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	const n = 30
	r, _ := faultRun(t, loadgen.Config{Target: "sip:support@" + relay.Addr().String(), Rate: 15, MaxCalls: n,
		Duration: time.Minute, InviteTimeout: 10 * time.Second, Hold: shortHold}, 40*time.Second)
	s := relay.Stats()
	t.Logf("relay %+v; retransmissions counted %d", s, r.Retransmissions)
	if r.Attempted != n || r.Completed+r.TimedOut != n || r.Failed+r.Abandoned+r.TransportErrors != 0 {
		t.Errorf("want %d calls, each completed or timed out: %s", n, faultSummary(r))
	}
	if r.Completed < n-2 {
		t.Errorf("only %d of %d calls completed despite retransmissions", r.Completed, n)
	}
	if s.Up.Dropped+s.Down.Dropped == 0 || s.Up.Duplicated+s.Down.Duplicated == 0 {
		t.Errorf("the relay impaired nothing: %+v", s)
	}
	if st := srv.Stats(); st.Answered != r.Completed {
		t.Errorf("the target answered %d calls, the load generator completed %d", st.Answered, r.Completed)
	}
}

// resetProxy forwards TCP connections to upstream until reset, which closes
// the listener and every connection with a RST (SO_LINGER 0).
type resetProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []*net.TCPConn
	wg    sync.WaitGroup
}

func startResetProxy(t *testing.T, upstream string) *resetProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &resetProxy{ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c.(*net.TCPConn), u.(*net.TCPConn))
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); _, _ = io.Copy(u, c); u.(*net.TCPConn).CloseWrite() }()
			go func() { defer p.wg.Done(); _, _ = io.Copy(c, u); c.(*net.TCPConn).CloseWrite() }()
		}
	}()
	t.Cleanup(func() { p.reset(); p.wg.Wait() })
	return p
}

func (p *resetProxy) reset() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.SetLinger(0)
		_ = c.Close()
	}
	p.conns = nil
}

// TestFaultTCPReset: calls over TCP through a proxy whose connections are
// reset (RST) and whose listener closes mid-run. Calls before the reset
// complete; calls after it cannot connect and are transport errors at
// once; nothing hangs.
func TestFaultTCPReset(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "tcp:127.0.0.1:0", Agents: 40,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	proxy := startResetProxy(t, srv.Addr().String())
	const (
		rate     = 10
		duration = 3 * time.Second
		margin   = 500 * time.Millisecond // generous: a busy machine answers late
	)
	var resetAt time.Time
	resetDone := make(chan struct{})
	go func() {
		defer close(resetDone)
		time.Sleep(1200 * time.Millisecond)
		resetAt = time.Now()
		proxy.reset()
	}()
	r, recs := faultRun(t, loadgen.Config{Target: "sip:support@" + proxy.ln.Addr().String() + ";transport=tcp", Rate: rate,
		Duration: duration, InviteTimeout: 2 * time.Second, Hold: shortHold, Grace: 2 * time.Second}, duration+15*time.Second)
	<-resetDone
	var before, after uint64
	for _, rec := range recs {
		switch {
		case rec.ActualStart.Add(margin).Before(resetAt):
			before++
			if rec.Outcome != loadgen.OutcomeCompleted {
				t.Errorf("call %d started %v before the reset ended %s", rec.Seq, resetAt.Sub(rec.ActualStart), rec.Outcome)
			}
		case rec.ActualStart.After(resetAt.Add(margin)):
			after++
			if rec.Outcome != loadgen.OutcomeTransportError {
				t.Errorf("call %d started %v after the reset ended %s", rec.Seq, rec.ActualStart.Sub(resetAt), rec.Outcome)
			}
		}
	}
	t.Logf("%d calls surely before the reset, %d surely after", before, after)
	if r.Attempted != rate*uint64(duration/time.Second) {
		t.Errorf("attempted %d, want %d", r.Attempted, rate*int(duration/time.Second))
	}
	if before < 5 || after < 5 || r.TransportErrors < after {
		t.Errorf("%d calls before the reset, %d after, %d transport errors", before, after, r.TransportErrors)
	}
}

// TestRelayWithSIPp: the impairing relay between real SIP peers. The load
// generator (rport) calls a SIPp UAS through it with jitter both ways
// (reordering its 180 and 200): SIPp answers to the source address, so its responses cross the
// relay too, and every call completes. A SIPp UAC (no rport in its Via)
// calls the embedded target through it: SIPp sends every request to the
// relay, the target answers straight to SIPp's Via, bypassing the relay.
func TestRelayWithSIPp(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	// No duplication: SIPp's built-in UAS takes a late duplicate INVITE
	// for an unexpected message and drops the call (the generator then
	// counts a BYE failure).
	im := netimpair.Impairment{Jitter: 20 * time.Millisecond}
	t.Run("load to sipp uas", func(t *testing.T) {
		uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "")
		relay, err := netimpair.New(context.Background(), netimpair.Config{Upstream: fmt.Sprintf("127.0.0.1:%d", uas.Port), Up: im, Down: im, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { relay.Close() })
		const n = 20
		r, _ := faultRun(t, loadgen.Config{Target: "sip:service@" + relay.Addr().String(), Rate: 20, MaxCalls: n,
			Duration: time.Minute, InviteTimeout: 10 * time.Second, Hold: shortHold}, 40*time.Second)
		wantOutcomes(t, r, n, n, 0, 0, 0, 0)
		if s := relay.Stats(); s.Down.Forwarded < 2*n || r.ByeFailures != 0 {
			t.Errorf("relay %+v, %d BYE failures: want SIPp's responses through it and every BYE answered", s, r.ByeFailures)
		}
	})
	t.Run("sipp uac to target", func(t *testing.T) {
		loadgentest.NeedBinary(t, "sipp")
		srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 20,
			Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		relay, err := netimpair.New(context.Background(), netimpair.Config{Upstream: srv.Addr().String(), Up: netimpair.Impairment{Jitter: 20 * time.Millisecond}, Seed: 6})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { relay.Close() })
		const n = 20
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := loadgentest.RunSIPpUAC(ctx, loadgentest.UDP, relay.Addr().String(), 20, n, "-s", "support",
			"-p", strconv.Itoa(loadgentest.FreePort(t)), "-d", "200")
		if err != nil {
			t.Fatalf("sipp: %v\n%s", err, out)
		}
		deadline := time.Now().Add(10 * time.Second)
		for srv.Stats().Completed < n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		st := srv.Stats()
		s := relay.Stats()
		t.Logf("target: offered %d answered %d completed %d; relay %+v", st.Offered, st.Answered, st.Completed, s)
		if st.Offered != n || st.Answered != n || st.CallerHangups != n {
			t.Errorf("target: offered %d answered %d caller hangups %d, want %d each", st.Offered, st.Answered, st.CallerHangups, n)
		}
		// INVITE, ACK and BYE of every call went through the relay; the
		// target's responses went straight to SIPp's Via.
		if s.Up.Forwarded < 3*n || s.Down.Received != 0 {
			t.Errorf("relay %+v: want %d requests through it and no responses", s, 3*n)
		}
	})
}
