package sipcenter_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// rawCaller is a UDP socket speaking SIP by hand to a center.
type rawCaller struct {
	t    *testing.T
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newRawCaller(t *testing.T, srv *sipcenter.Server, ip net.IP) *rawCaller {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawCaller{t: t, conn: c, to: srv.Addr().(*net.UDPAddr)}
}

// send writes msg, LOCAL replaced by the caller's address and line endings
// made CRLF.
func (r *rawCaller) send(msg string) {
	r.t.Helper()
	msg = crlf(strings.ReplaceAll(msg, "LOCAL", r.conn.LocalAddr().String()))
	if _, err := r.conn.WriteToUDP([]byte(msg), r.to); err != nil {
		r.t.Fatal(err)
	}
}

// final, as await's prefix, matches any final response.
const final = "SIP/2.0 "

// await returns the first response whose status line starts with prefix
// (e.g. "SIP/2.0 200", or final) and whose CSeq line is cseq, or "" after d.
func (r *rawCaller) await(prefix, cseq string, d time.Duration) string {
	buf := make([]byte, 65535)
	deadline := time.Now().Add(d)
	for {
		_ = r.conn.SetReadDeadline(deadline)
		n, _, err := r.conn.ReadFromUDP(buf)
		if err != nil {
			return ""
		}
		m := string(buf[:n])
		if strings.HasPrefix(m, prefix) && strings.Contains(m, "\r\nCSeq: "+cseq+"\r\n") &&
			(prefix != final || !strings.HasPrefix(m, "SIP/2.0 1")) {
			return m
		}
	}
}

// header returns the value of a header of a raw message.
func header(msg, name string) string {
	for _, line := range strings.Split(msg, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// inviteWithSDP is an INVITE offering PCMU at ip:port.
func inviteWithSDP(id, ip string, port int) string {
	sdp := fmt.Sprintf("v=0\no=- 1 1 IN IP4 %[1]s\ns=-\nc=IN IP4 %[1]s\nt=0 0\nm=audio %[2]d RTP/AVP 0\na=rtpmap:0 PCMU/8000\n", ip, port)
	return strings.Replace(request("INVITE", id, ""), "Content-Length: 0\n",
		fmt.Sprintf("Content-Type: application/sdp\nContent-Length: %d\n", len(crlf(sdp))), 1) + sdp
}

// TestGuardMalformedHeaders: a CSeq naming another method, or no Call-ID,
// gets 400 (before it reaches any handler: no call is queued), and a
// re-INVITE within an answered dialog gets 200 with the session's SDP.
func TestGuardMalformedHeaders(t *testing.T) {
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1, NoMedia: true,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	addr := srv.Addr().String()
	tests := []struct{ name, msg, want string }{
		{"INVITE with CSeq BYE", strings.Replace(request("INVITE", "mm-1", ""), "CSeq: 1 INVITE", "CSeq: 1 BYE", 1), "SIP/2.0 400"},
		{"OPTIONS without Call-ID", strings.Replace(request("OPTIONS", "mm-2", ""), "Call-ID: mm-2\n", "", 1), "SIP/2.0 400"},
		{"BYE with CSeq INVITE", strings.Replace(request("BYE", "mm-4", "x"), "CSeq: 1 BYE", "CSeq: 1 INVITE", 1), "SIP/2.0 400"},
		{"OPTIONS with CSeq OPTIONS", request("OPTIONS", "mm-5", ""), "SIP/2.0 200"},
	}
	for _, tt := range tests {
		if got := exchange(t, addr, tt.msg); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: got %q, want %s", tt.name, got, tt.want)
		}
	}
	if st := srv.Stats(); st.Offered != 0 {
		t.Errorf("offered %d, want the malformed INVITE refused before the queue", st.Offered)
	}

	// A call, answered and acknowledged, then re-INVITEd.
	c := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
	c.send(request("INVITE", "reinv-ok", ""))
	ok := c.await("SIP/2.0 200", "1 INVITE", 5*time.Second)
	if ok == "" {
		t.Fatal("no 200 for the INVITE")
	}
	to := header(ok, "To")
	tag := to[strings.Index(to, ";tag=")+5:]
	inDialog := func(method string, seq int) string {
		m := strings.Replace(request(method, "reinv-ok", tag), fmt.Sprintf("CSeq: 1 %s", method), fmt.Sprintf("CSeq: %d %s", seq, method), 1)
		return strings.Replace(m, "branch=z9hG4bK-reinv-ok", fmt.Sprintf("branch=z9hG4bK-reinv-ok-%d-%s", seq, method), 1)
	}
	c.send(inDialog("ACK", 1))
	c.send(inDialog("INVITE", 2))
	re := c.await(final, "2 INVITE", 5*time.Second)
	if !strings.HasPrefix(re, "SIP/2.0 200") || !strings.Contains(re, "\r\n\r\nv=0\r\n") || header(re, "Contact") == "" {
		t.Errorf("re-INVITE within the dialog: got %q, want 200 with the SDP and a Contact", re)
	}
	c.send(inDialog("ACK", 2))
	c.send(inDialog("BYE", 3))
	if got := c.await(final, "3 BYE", 5*time.Second); !strings.HasPrefix(got, "SIP/2.0 200") {
		t.Errorf("BYE after the re-INVITE: %q", got)
	}
	waitFor(t, func() bool { s := srv.Stats(); return s.Completed == 1 })
	if st := srv.Stats(); st.CallerHangups != 1 || st.Answered != 1 {
		t.Errorf("after the re-INVITE and the BYE: %+v", st)
	}
}

// TestGuardQueueExpiry: a caller who waits past MaxWait gets 480 and
// counts as abandoned (and expired); the talking call goes on.
func TestGuardQueueExpiry(t *testing.T) {
	const maxWait = 400 * time.Millisecond
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1, NoMedia: true, MaxWait: maxWait,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	talker := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
	talker.send(request("INVITE", "exp-talk", ""))
	if talker.await("SIP/2.0 200", "1 INVITE", 5*time.Second) == "" {
		t.Fatal("no 200 for the first call")
	}
	waiter := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
	sent := time.Now()
	waiter.send(request("INVITE", "exp-wait", ""))
	if waiter.await("SIP/2.0 180", "1 INVITE", 5*time.Second) == "" {
		t.Fatal("no 180 for the waiting call")
	}
	got := waiter.await(final, "1 INVITE", 30*time.Second)
	waited := time.Since(sent)
	if !strings.HasPrefix(got, "SIP/2.0 480") || waited < maxWait {
		t.Fatalf("the waiting call: %q after %v, want 480 after at least %v", got, waited, maxWait)
	}
	st := srv.Stats()
	if st.Waiting != 0 || st.Abandoned != 1 || st.Talking != 1 || srv.Guard().Expired != 1 {
		t.Errorf("after the expiry: waiting %d abandoned %d talking %d expired %d, want 0, 1, 1, 1",
			st.Waiting, st.Abandoned, st.Talking, srv.Guard().Expired)
	}
	checkConservation(t, st)
}

// rtpCounter counts the datagrams arriving at a UDP socket.
type rtpCounter struct {
	conn *net.UDPConn
	n    atomic.Int64
}

func newRTPCounter(t *testing.T, ip net.IP) *rtpCounter {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		t.Fatal(err)
	}
	r := &rtpCounter{conn: c}
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := c.ReadFromUDP(buf); err != nil {
				return
			}
			r.n.Add(1)
		}
	}()
	t.Cleanup(func() { c.Close() })
	return r
}

func (r *rtpCounter) port() int { return r.conn.LocalAddr().(*net.UDPAddr).Port }

// TestGuardAmplification: a waiting caller whose offer points at its own
// address hears early media, for at most EarlyMediaMax; an INVITE whose
// offer points at a third address (a forged victim) sends that address
// nothing.
func TestGuardAmplification(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP media test (2 s)")
	}
	const earlyMax = 600 * time.Millisecond
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1, EarlyMediaMax: earlyMax,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	busy := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
	busy.send(request("INVITE", "amp-busy", "")) // no SDP: takes the agent, no RTP
	if busy.await("SIP/2.0 200", "1 INVITE", 5*time.Second) == "" {
		t.Fatal("no 200 for the call holding the agent")
	}
	// The victim is on another loopback address than the attacker.
	victim := newRTPCounter(t, net.IPv4(127, 0, 0, 2))
	own := newRTPCounter(t, net.IPv4(127, 0, 0, 1))
	attacker := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
	for i := range 20 {
		attacker.send(inviteWithSDP(fmt.Sprintf("amp-%d", i), "127.0.0.2", victim.port()))
	}
	legit := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
	legit.send(inviteWithSDP("amp-legit", "127.0.0.1", own.port()))
	if legit.await("SIP/2.0 183", "1 INVITE", 5*time.Second) == "" {
		t.Fatal("no 183 for the legitimate waiting call")
	}
	waitFor(t, func() bool { return srv.Stats().Waiting == 21 })
	time.Sleep(earlyMax / 2)
	midway := own.n.Load()
	time.Sleep(earlyMax + 400*time.Millisecond) // past EarlyMediaMax, and some more
	atEnd := own.n.Load()
	time.Sleep(500 * time.Millisecond)
	after := own.n.Load()
	if midway == 0 {
		t.Errorf("the caller whose offer points at its own address heard no early media")
	}
	// 50 packets a second for EarlyMediaMax, then silence.
	if limit := int64(earlyMax.Seconds()*50) + 10; atEnd > limit || after != atEnd {
		t.Errorf("early media to the waiting caller: %d packets by the end of EarlyMediaMax (limit %d), %d half a second later, want no more",
			atEnd, limit, after)
	}
	if n := victim.n.Load(); n != 0 {
		t.Errorf("the third address got %d packets from 20 forged offers, want 0", n)
	}
	if g := srv.Guard(); g.EarlyMediaWithheld != 20 {
		t.Errorf("early media withheld from %d calls, want 20", g.EarlyMediaWithheld)
	}
}

// TestGuardSelfRTP: an offer pointing at the center's own SIP port, or at
// an RTP port it holds for another call, gets 488 and no packet is sent.
func TestGuardSelfRTP(t *testing.T) {
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	sink := newRTPCounter(t, net.IPv4(127, 0, 0, 1))
	first := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
	first.send(inviteWithSDP("self-first", "127.0.0.1", sink.port()))
	ok := first.await("SIP/2.0 200", "1 INVITE", 5*time.Second)
	if ok == "" {
		t.Fatal("no 200 for the first call")
	}
	var rtpPort int
	for _, line := range strings.Split(ok, "\r\n") {
		if strings.HasPrefix(line, "m=audio ") {
			_, _ = fmt.Sscanf(line, "m=audio %d", &rtpPort)
		}
	}
	if rtpPort == 0 {
		t.Fatalf("no RTP port in the answer: %q", ok)
	}
	tests := []struct {
		name string
		port int
	}{
		{"the center's SIP port", srv.Addr().(*net.UDPAddr).Port},
		{"an RTP port of the center", rtpPort},
	}
	for i, tt := range tests {
		c := newRawCaller(t, srv, net.IPv4(127, 0, 0, 1))
		c.send(inviteWithSDP(fmt.Sprintf("self-%d", i), "127.0.0.1", tt.port))
		if got := c.await(final, "1 INVITE", 5*time.Second); !strings.HasPrefix(got, "SIP/2.0 488") {
			t.Errorf("%s: got %q, want 488", tt.name, got)
		}
	}
	if g := srv.Guard(); g.MediaRefused != 2 {
		t.Errorf("media refused %d times, want 2", g.MediaRefused)
	}
	if st := srv.Stats(); st.Offered != 1 {
		t.Errorf("offered %d, want only the first call", st.Offered)
	}
}

// closedWithin reports whether the center closes c within d (a read ends
// with EOF or a reset), reading and discarding whatever it sends.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, os.ErrDeadlineExceeded)
}

// TestGuardTCP: over TCP, a connection that sends nothing, one that
// trickles a header, one that sends a header past the buffer cap and one
// past the connection limit are closed; a call whose connection is quiet
// for longer than the idle timeout is not cut; the center still answers.
func TestGuardTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP TCP test (3 s)")
	}
	const idle = 300 * time.Millisecond
	srv := start(t, sipcenter.Config{Listen: "tcp:127.0.0.1:0", Agents: 2, NoMedia: true,
		TCPIdle: idle, TCPHeaderTimeout: idle, TCPBuffer: 2048, MaxConns: 3,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
	addr := srv.Addr().String()
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("idle", func(t *testing.T) {
		c := dial()
		if !closedWithin(c, 10*idle) {
			t.Errorf("a silent connection still open after %v (idle timeout %v)", 10*idle, idle)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		c := dial()
		done := make(chan bool, 1)
		go func() { done <- closedWithin(c, 20*idle) }()
		msg := []byte(crlf(request("OPTIONS", "slow", "")))
		for i := 0; i < len(msg)-4; i++ {
			if _, err := c.Write(msg[i : i+1]); err != nil {
				break // closed
			}
			time.Sleep(idle / 5)
			if i > 40 {
				break
			}
		}
		if !<-done {
			t.Errorf("a connection trickling a header a byte each %v still open after %v (header timeout %v)", idle/5, 20*idle, idle)
		}
	})
	t.Run("buffer cap", func(t *testing.T) {
		c := dial()
		_, _ = c.Write([]byte("OPTIONS sip:support@127.0.0.1 SIP/2.0\r\nX-Long: " + strings.Repeat("a", 4096)))
		if !closedWithin(c, idle/2) {
			t.Errorf("a connection past the buffer cap without a blank line still open")
		}
	})
	t.Run("connection limit", func(t *testing.T) {
		a, b, c := dial(), dial(), dial()
		d := dial()
		if !closedWithin(d, idle/2) {
			t.Errorf("a fourth connection with a limit of 3 still open")
		}
		for _, x := range []net.Conn{a, b, c} {
			x.Close()
		}
	})
	time.Sleep(idle) // the center sees the closed connections go
	t.Run("quiet call", func(t *testing.T) {
		// The call lasts 4 idle timeouts with no message on its connection.
		r := runLoad(t, loadgen.Config{Target: srv.URI("support"), Rate: 10, MaxCalls: 2, Duration: time.Minute,
			InviteTimeout: 5 * time.Second, Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 4 * idle}})
		if r.Completed != 2 {
			t.Errorf("calls quiet for longer than the idle timeout: %s, want 2 completed", loadSummary(r))
		}
	})
	if g := srv.Guard(); g.ConnsRefused != 1 || g.ConnsClosed < 3 {
		t.Errorf("guard: %+v, want 1 connection refused and at least 3 closed", g)
	}
	// Still serving.
	c := dial()
	opt := strings.ReplaceAll(strings.ReplaceAll(request("OPTIONS", "after", ""), "SIP/2.0/UDP", "SIP/2.0/TCP"), "LOCAL", c.LocalAddr().String())
	if _, err := c.Write([]byte(crlf(opt))); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := io.ReadAtLeast(c, buf, 12)
	if !bytes.HasPrefix(buf[:n], []byte("SIP/2.0 200")) {
		t.Errorf("OPTIONS over TCP afterwards: %q", buf[:n])
	}
}
