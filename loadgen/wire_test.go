package loadgen

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// scriptPeer is a scripted UDP peer on loopback for the fast call path: it
// hands every request it receives to onRequest, which answers with raw
// messages, and records the requests by method.
type scriptPeer struct {
	conn *net.UDPConn
	mu   sync.Mutex
	got  map[string][]string // method -> raw requests
}

func startScriptPeer(t *testing.T, onRequest func(p *scriptPeer, m *wireMsg, raw string, from *net.UDPAddr)) *scriptPeer {
	return startScriptPeerOn(t, net.IPv4(127, 0, 0, 1), onRequest)
}

func startScriptPeerOn(t *testing.T, ip net.IP, onRequest func(p *scriptPeer, m *wireMsg, raw string, from *net.UDPAddr)) *scriptPeer {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		if ip.To4() == nil {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	p := &scriptPeer{conn: c, got: map[string][]string{}}
	t.Cleanup(func() { _ = c.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			raw := string(buf[:n])
			var m wireMsg
			if scanMessage([]byte(raw), &m) != nil {
				continue
			}
			key := string(m.method)
			if !m.request {
				key = fmt.Sprintf("%d %s", m.status, m.cseqMethod) // e.g. "200 BYE"
			}
			p.mu.Lock()
			p.got[key] = append(p.got[key], raw)
			p.mu.Unlock()
			if m.request {
				onRequest(p, &m, raw, from)
			}
		}
	}()
	return p
}

func (p *scriptPeer) requests(method string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got[method]...)
}

func (p *scriptPeer) send(to *net.UDPAddr, msg string) { _, _ = p.conn.WriteToUDP([]byte(msg), to) }

func (p *scriptPeer) uri() string { return "sip:svc@" + p.conn.LocalAddr().String() }

// reply builds a response to m with the given status line and extra headers.
func reply(m *wireMsg, status, toTag, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %s\r\n", status)
	for _, v := range m.vias {
		fmt.Fprintf(&b, "Via: %s\r\n", v)
	}
	to := string(m.to)
	if toTag != "" {
		to += ";tag=" + toTag
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n%sContent-Length: 0\r\n\r\n",
		m.from, to, m.callID, m.cseq, m.cseqMethod, extra)
	return b.String()
}

func wireRun(t *testing.T, cfg Config) *Result {
	t.Helper()
	cfg.NoMedia = true
	if cfg.Duration == 0 {
		cfg.Duration = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	return r
}

func header(raw, name string) []string {
	var out []string
	for _, l := range strings.Split(raw, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// TestWireRetransmissions: a lost INVITE is sent again (Timer A), a
// retransmitted 2xx is ACKed again, and the dialog's route set and remote
// target are used for ACK and BYE.
func TestWireRetransmissions(t *testing.T) {
	const n = 3
	var mu sync.Mutex
	seenInvite := map[string]int{}
	p := startScriptPeer(t, func(p *scriptPeer, m *wireMsg, raw string, from *net.UDPAddr) {
		switch string(m.method) {
		case "INVITE":
			mu.Lock()
			seenInvite[string(m.callID)]++
			k := seenInvite[string(m.callID)]
			mu.Unlock()
			if k == 1 {
				return // lost: the caller must send it again
			}
			ok := reply(m, "200 OK", "uas1", "Contact: <sip:uas@127.0.0.1:1;transport=udp>\r\n"+
				"Record-Route: <sip:p1.example.net;lr>\r\nRecord-Route: <sip:p2.example.net;lr>\r\n")
			p.send(from, ok)
			time.AfterFunc(20*time.Millisecond, func() { p.send(from, ok) }) // a retransmitted 2xx
		case "BYE":
			p.send(from, reply(m, "200 OK", "", ""))
		}
	})
	r := wireRun(t, Config{Target: p.uri(), Rate: 10, MaxCalls: n, Hold: Dist{Kind: DistConstant, Mean: 300 * time.Millisecond}, Sockets: 1})
	if r.Completed != n || r.ByeFailures != 0 {
		t.Fatalf("completed %d of %d, bye failures %d", r.Completed, n, r.ByeFailures)
	}
	if got := len(p.requests("INVITE")); got != 2*n {
		t.Errorf("%d INVITEs, want %d (each sent again once)", got, 2*n)
	}
	acks := p.requests("ACK")
	if len(acks) != 2*n {
		t.Errorf("%d ACKs, want %d (the retransmitted 2xx ACKed again)", len(acks), 2*n)
	}
	if r.Retransmissions < n {
		t.Errorf("retransmissions %d, want >= %d", r.Retransmissions, n)
	}
	for _, raw := range append(acks[:1], p.requests("BYE")...) {
		line := raw[:strings.Index(raw, "\r\n")]
		if !strings.Contains(line, " sip:uas@127.0.0.1:1;transport=udp SIP/2.0") {
			t.Errorf("request line %q: want the Contact of the 2xx as Request-URI", line)
		}
		if got := header(raw, "Route"); len(got) != 2 || got[0] != "<sip:p2.example.net;lr>" || got[1] != "<sip:p1.example.net;lr>" {
			t.Errorf("Route headers %q: want the Record-Route reversed", got)
		}
	}
}

// TestWireRefusalAndRemoteBye: a 486 (sent twice) is ACKed each time with
// the INVITE's branch; a BYE from the far end gets 200 and completes the call.
func TestWireRefusalAndRemoteBye(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	p := startScriptPeer(t, func(p *scriptPeer, m *wireMsg, raw string, from *net.UDPAddr) {
		if string(m.method) != "INVITE" {
			return
		}
		mu.Lock()
		calls++
		k := calls
		mu.Unlock()
		if k <= 2 {
			// The first two calls are refused; the run lasts until the
			// others' BYE, long after the retransmitted 486.
			busy := reply(m, "486 Busy Here", "b", "")
			p.send(from, busy)
			time.AfterFunc(20*time.Millisecond, func() { p.send(from, busy) })
			return
		}
		p.send(from, reply(m, "200 OK", "a", "Contact: <sip:uas@"+p.conn.LocalAddr().String()+">\r\n"))
		// Hang up from the far end.
		bye := fmt.Sprintf("BYE sip:callsim@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKfar%d\r\n"+
			"From: %s;tag=a\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
			from, p.conn.LocalAddr(), k, m.to, m.from, m.callID)
		time.AfterFunc(400*time.Millisecond, func() { p.send(from, bye) })
	})
	r := wireRun(t, Config{Target: p.uri(), Rate: 10, MaxCalls: 4, Hold: Dist{Kind: DistConstant, Mean: 5 * time.Second}, Sockets: 1})
	if r.Failed != 2 || r.Completed != 2 || r.RemoteHangups != 2 || r.StatusCodes["486"] != 2 {
		t.Fatalf("got failed=%d completed=%d remote hangups=%d codes=%v; want 2, 2, 2, 486 x2", r.Failed, r.Completed, r.RemoteHangups, r.StatusCodes)
	}
	acks := p.requests("ACK")
	busyAcks := 0
	for _, a := range acks {
		if strings.Contains(header(a, "To")[0], "tag=b") {
			busyAcks++
		}
	}
	if busyAcks != 4 {
		t.Errorf("%d ACKs of the 486, want 4 (each 486 ACKed, the retransmission too)", busyAcks)
	}
	// The last 200 left just before the run ended: give the peer's
	// reader a moment to take it.
	for deadline := time.Now().Add(2 * time.Second); len(p.requests("200 BYE")) < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := len(p.requests("200 BYE")); got != 2 {
		t.Errorf("the caller answered %d BYEs with 200, want 2", got)
	}
	if got := len(p.requests("BYE")); got != 0 {
		t.Errorf("the caller sent %d BYE; the far end hung up first", got)
	}
}

// TestWireIPv6: a target on [::1] (the URI host keeps its brackets).
func TestWireIPv6(t *testing.T) {
	p := startScriptPeerOn(t, net.IPv6loopback, func(p *scriptPeer, m *wireMsg, raw string, from *net.UDPAddr) {
		switch string(m.method) {
		case "INVITE":
			p.send(from, reply(m, "200 OK", "v6", "Contact: <sip:uas@"+p.conn.LocalAddr().String()+">\r\n"))
		case "BYE":
			p.send(from, reply(m, "200 OK", "", ""))
		}
	})
	r := wireRun(t, Config{Target: p.uri(), Rate: 20, MaxCalls: 5, Sockets: 1})
	if r.Completed != 5 {
		t.Errorf("completed %d of 5 over IPv6", r.Completed)
	}
	for _, inv := range p.requests("INVITE") {
		if via := header(inv, "Via"); len(via) != 1 || !strings.Contains(via[0], "[::1]:") {
			t.Errorf("Via %q: want the [::1] address", via)
		}
	}
}

// TestWireMuxOfferAgain: with --rtp-mux an INVITE sent again carries the
// same offer as the first, a=ssrc included: a far end that shares its RTP
// ports and answers the second knows the call's packets by it.
func TestWireMuxOfferAgain(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	p := startScriptPeer(t, func(p *scriptPeer, m *wireMsg, raw string, from *net.UDPAddr) {
		if string(m.method) != "INVITE" {
			return
		}
		mu.Lock()
		seen[string(m.callID)]++
		k := seen[string(m.callID)]
		mu.Unlock()
		if k > 1 {
			p.send(from, reply(m, "486 Busy Here", "uas1", ""))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Run(ctx, Config{Target: p.uri(), Rate: 10, MaxCalls: 2, Duration: 20 * time.Second, RTPMux: true,
		Sockets: 1}); err != nil {
		t.Fatal(err)
	}
	byCall := map[string][]string{}
	for _, raw := range p.requests("INVITE") {
		id := header(raw, "Call-ID")[0]
		byCall[id] = append(byCall[id], raw[strings.Index(raw, "\r\n\r\n")+4:])
	}
	if len(byCall) != 2 {
		t.Fatalf("INVITEs of %d calls, want 2", len(byCall))
	}
	for id, bodies := range byCall {
		if len(bodies) < 2 || !strings.Contains(bodies[0], "\r\na=ssrc:") {
			t.Fatalf("call %s: %d INVITEs, first offer:\n%s", id, len(bodies), bodies[0])
		}
		for _, b := range bodies[1:] {
			if b != bodies[0] {
				t.Errorf("call %s: offer sent again differs:\n%s\nfirst:\n%s", id, b, bodies[0])
			}
		}
	}
}
