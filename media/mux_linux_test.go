//go:build linux

package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// sharedSched is a scheduler with the given wheels sharing ports on loopback.
func sharedSched(t *testing.T, wheels int) *Scheduler {
	t.Helper()
	sc := NewScheduler(wheels)
	t.Cleanup(sc.Close)
	if err := sc.Share(loopback, nil); err != nil {
		t.Fatal(err)
	}
	return sc
}

func sharedStream(t *testing.T, sc *Scheduler) *Stream {
	t.Helper()
	s, err := sc.NewSharedStream(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ownStream(t *testing.T, ports *Ports, sc *Scheduler, ip netip.Addr) *Stream {
	t.Helper()
	c, err := ports.Listen(ip)
	if err != nil {
		t.Fatal(err)
	}
	return NewStream(c, nil, ports, sc)
}

// TestSharedEcho runs calls between a caller and an echo, either or both
// on shared sockets: every packet a caller sends comes back to it, and the
// echo counts each of them as its own call's.
func TestSharedEcho(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		callerShared, echoShared bool
		announce                 bool // the echo is told the caller's SSRC, as the SDP would
		calls                    int
		v6, noGSO                bool
	}{
		{"caller shared", true, false, false, 12, false, false},
		{"echo shared, ssrc learnt by address", false, true, false, 12, false, false},
		{"both shared, ssrc announced", true, true, true, 12, false, false},
		{"both shared, one call, ssrc learnt", true, true, false, 1, false, false},
		{"both shared, IPv6", true, true, true, 12, true, false},
		{"echo shared, IPv6, ssrc learnt", false, true, false, 12, true, false},
		{"both shared, no UDP_SEGMENT", true, true, true, 12, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ip := loopback
			if tc.v6 {
				ip = netip.IPv6Loopback()
				if c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0))); err != nil {
					t.Skipf("no IPv6 loopback: %v", err)
				} else {
					_ = c.Close()
				}
			}
			ports, err := NewPorts(0, 0)
			if err != nil {
				t.Fatal(err)
			}
			csc, esc := NewScheduler(2), NewScheduler(2)
			defer csc.Close()
			defer esc.Close()
			for _, x := range []struct {
				sc     *Scheduler
				shared bool
			}{{csc, tc.callerShared}, {esc, tc.echoShared}} {
				if !x.shared {
					continue
				}
				if err := x.sc.Share(ip, nil); err != nil {
					t.Fatal(err)
				}
				for _, w := range x.sc.wheels {
					w.mu.Lock()
					w.mux.gso = !tc.noGSO
					w.mu.Unlock()
				}
			}
			var callers, echoes []*Stream
			for range tc.calls {
				var c, e *Stream
				if tc.callerShared {
					c = sharedStream(t, csc)
				} else {
					c = ownStream(t, ports, csc, ip)
				}
				if tc.echoShared {
					e = sharedStream(t, esc)
				} else {
					e = ownStream(t, ports, esc, ip)
				}
				e.SetEcho(true)
				e.SetRemote(c.LocalAddr(), PCMU)
				if tc.announce {
					e.SetFarSSRC(c.SSRC())
				}
				c.SetRemote(e.LocalAddr(), PCMU)
				callers, echoes = append(callers, c), append(echoes, e)
			}
			for _, c := range callers {
				c.Send()
			}
			time.Sleep(300 * time.Millisecond)
			for _, c := range callers {
				c.StopSending()
			}
			settle(t, callers...)
			for i, c := range callers {
				cs, es := c.Close(0), echoes[i].Close(0)
				if cs.Sent < 5 || cs.Received != cs.Sent || cs.Lost != 0 {
					t.Errorf("call %d: caller sent %d, received %d back, lost %d", i, cs.Sent, cs.Received, cs.Lost)
				}
				if es.Received != cs.Sent || es.Sent != cs.Sent {
					t.Errorf("call %d: echo received %d and sent %d of the caller's %d", i, es.Received, es.Sent, cs.Sent)
				}
			}
			if n := csc.Unclaimed() + esc.Unclaimed(); n != 0 {
				t.Errorf("%d datagrams unclaimed", n)
			}
		})
	}
}

// TestSharedAmbiguous: with both ends shared and no SSRC announced, two
// calls from one address cannot be told apart; their packets are counted
// as unclaimed, not given to either call.
func TestSharedAmbiguous(t *testing.T) {
	csc, esc := sharedSched(t, 1), sharedSched(t, 1)
	var callers, echoes []*Stream
	for range 2 {
		c, e := sharedStream(t, csc), sharedStream(t, esc)
		e.SetEcho(true)
		e.SetRemote(c.LocalAddr(), PCMU)
		c.SetRemote(e.LocalAddr(), PCMU)
		callers, echoes = append(callers, c), append(echoes, e)
	}
	for _, c := range callers {
		c.Send()
	}
	time.Sleep(200 * time.Millisecond)
	for _, c := range callers {
		c.StopSending()
	}
	time.Sleep(50 * time.Millisecond)
	var sent uint64
	for i, c := range callers {
		cs, es := c.Close(0), echoes[i].Close(0)
		sent += cs.Sent
		if es.Received != 0 || cs.Received != 0 {
			t.Errorf("call %d: echo received %d, caller %d: packets given to a call they may not be of", i, es.Received, cs.Received)
		}
	}
	if n := esc.Unclaimed(); sent == 0 || n != sent {
		t.Errorf("echo side: %d unclaimed of %d sent", n, sent)
	}
}

// TestSharedSegments: packets of one slot to one address leave as one
// UDP_SEGMENT message, and the receiving end splits it into its packets.
func TestSharedSegments(t *testing.T) {
	csc, esc := sharedSched(t, 1), sharedSched(t, 1)
	const calls = 40 // two per slot
	var callers, echoes []*Stream
	for range calls {
		c, e := sharedStream(t, csc), sharedStream(t, esc)
		e.SetRemote(c.LocalAddr(), PCMU)
		e.SetFarSSRC(c.SSRC())
		c.SetRemote(e.LocalAddr(), PCMU)
		callers, echoes = append(callers, c), append(echoes, e)
	}
	// Queue one packet of every call and send them in one flush.
	w := csc.wheels[0]
	w.mu.Lock()
	for _, c := range callers {
		c.sendNext()
	}
	w.mux.flush()
	msgs, segs := w.mux.msgs, w.mux.segs
	w.mu.Unlock()
	if msgs != 1 || segs != calls {
		t.Errorf("%d packets left in %d messages, want %d in 1", segs, msgs, calls)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, e := range echoes {
		for e.Stats(0).Received == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if st := e.Close(0); st.Received != 1 {
			t.Errorf("echo side received %d packets of its call, want 1", st.Received)
		}
	}
	for _, c := range callers {
		if st := c.Close(0); st.Sent != 1 {
			t.Errorf("caller counted %d packets sent, want 1", st.Sent)
		}
	}
}

// TestSharedClosedStream: a closed shared stream leaves its wheel's tables,
// and packets still on their way to it are nobody's, not unclaimed.
func TestSharedClosedStream(t *testing.T) {
	csc, esc := sharedSched(t, 1), sharedSched(t, 1)
	c, e := sharedStream(t, csc), sharedStream(t, esc)
	e.SetEcho(true)
	e.SetRemote(c.LocalAddr(), PCMU)
	e.SetFarSSRC(c.SSRC())
	c.SetRemote(e.LocalAddr(), PCMU)
	c.Send()
	time.Sleep(100 * time.Millisecond)
	c.Close(0) // still sending, echoes on their way
	time.Sleep(100 * time.Millisecond)
	w := csc.wheels[0]
	w.mu.Lock()
	own, byAddr := len(w.mux.own), len(w.mux.byAddr)
	w.mu.Unlock()
	if own != 0 || byAddr != 0 {
		t.Errorf("closed stream still filed: %d by SSRC, %d by address", own, byAddr)
	}
	if n := csc.Unclaimed(); n != 0 {
		t.Errorf("%d stragglers counted as unclaimed", n)
	}
	if st := e.Close(0); st.Received == 0 {
		t.Error("echo received nothing")
	}
	if _, err := csc.NewSharedStream(nil); err != nil {
		t.Fatal(err)
	}
	csc.Close()
	if _, err := csc.NewSharedStream(nil); err == nil {
		t.Error("a closed scheduler made a shared stream")
	}
}

// TestSharedEarlyStrays: packets that reach a shared stream before it
// knows where they come from (early media racing the 183) are counted as
// unclaimed, then claimed once SetRemote names their source.
func TestSharedEarlyStrays(t *testing.T) {
	ports, err := NewPorts(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	csc, esc := sharedSched(t, 1), NewScheduler(1)
	defer esc.Close()
	c, e := sharedStream(t, csc), ownStream(t, ports, esc, loopback)
	e.SetRemote(c.LocalAddr(), PCMU)
	e.Send()
	deadline := time.Now().Add(5 * time.Second)
	for csc.Unclaimed() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	e.StopSending()
	if n := csc.Unclaimed(); n < 3 {
		t.Fatalf("%d unclaimed before the remote is known, want some", n)
	}
	c.SetRemote(e.LocalAddr(), PCMU)
	time.Sleep(20 * time.Millisecond)
	es, cs := e.Close(0), c.Close(0)
	if n := csc.Unclaimed(); n != 0 || cs.Received != es.Sent {
		t.Errorf("after SetRemote: %d unclaimed, caller received %d of %d", n, cs.Received, es.Sent)
	}
}

// TestSharedSSRCBound: a far end that changes SSRC at every packet gets
// muxMaxFar of them filed for its call; the rest are unclaimed, so the
// tables do not grow with what it sends.
func TestSharedSSRCBound(t *testing.T) {
	sc := sharedSched(t, 1)
	s := sharedStream(t, sc)
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	s.SetRemote(peer.LocalAddr().(*net.UDPAddr).AddrPort(), PCMU)
	const n = 50
	for i := range n {
		h := rtp.Header{Version: 2, PayloadType: PTPCMU, SequenceNumber: uint16(i), SSRC: uint32(1000 + i)}
		pkt, err := (&rtp.Packet{Header: h, Payload: make([]byte, FrameSamples)}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peer.WriteToUDPAddrPort(pkt, s.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats(0).Received+sc.Unclaimed() < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	w := sc.wheels[0]
	w.mu.Lock()
	far := len(w.mux.far)
	w.mu.Unlock()
	if got, un := s.Stats(0).Received, sc.Unclaimed(); got != muxMaxFar || un != n-muxMaxFar || far != muxMaxFar {
		t.Errorf("received %d, unclaimed %d, %d far SSRCs filed; want %d, %d, %d", got, un, far, muxMaxFar, n-muxMaxFar, muxMaxFar)
	}
}
