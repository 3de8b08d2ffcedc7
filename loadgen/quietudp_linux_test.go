//go:build linux

package loadgen

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/callsim/callsim/internal/rxstamp"
	"golang.org/x/net/ipv4"
)

// TestQuietUDP: a quiet socket reads what waits without waiting (EAGAIN
// when nothing does), gives each datagram its sender and a receive stamp,
// writes batches to several addresses, and fails with net.ErrClosed after
// Close; over IPv4 and IPv6.
func TestQuietUDP(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			s, err := listenQuietUDP(&net.UDPAddr{IP: net.ParseIP(host)}, 1<<20)
			if err != nil {
				t.Skipf("no %s: %v", host, err)
			}
			defer s.Close()
			ms := make([]ipv4.Message, 8)
			for i := range ms {
				ms[i].Buffers = [][]byte{make([]byte, 1500)}
				ms[i].OOB = make([]byte, rxstamp.OOBSize)
			}
			if n, err := s.ReadBatch(ms, 0); n != 0 || !wouldBlock(err) {
				t.Fatalf("empty socket: n=%d err=%v, want EAGAIN", n, err)
			}
			peerA, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(host)})
			if err != nil {
				t.Fatal(err)
			}
			defer peerA.Close()
			peerB, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(host)})
			if err != nil {
				t.Fatal(err)
			}
			defer peerB.Close()
			self := s.LocalAddr().(*net.UDPAddr)
			if self.Port == 0 {
				t.Fatalf("local address %v has no port", self)
			}
			before := time.Now()
			for _, p := range []*net.UDPConn{peerA, peerB, peerA} {
				if _, err := p.WriteToUDP([]byte("from "+p.LocalAddr().String()), self); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			for deadline := time.Now().Add(2 * time.Second); n < 3 && time.Now().Before(deadline); {
				k, err := s.ReadBatch(ms[n:], 0)
				if err != nil && !wouldBlock(err) {
					t.Fatal(err)
				}
				// Keep each sender's address before the next read reuses it.
				for i := n; i < n+k; i++ {
					a := *ms[i].Addr.(*net.UDPAddr)
					a.IP = append(net.IP(nil), a.IP...)
					ms[i].Addr = &a
				}
				n += k
				time.Sleep(time.Millisecond)
			}
			if n != 3 {
				t.Fatalf("read %d datagrams, want 3", n)
			}
			for i, want := range []*net.UDPConn{peerA, peerB, peerA} {
				got := addrPortOf(ms[i].Addr)
				w := want.LocalAddr().(*net.UDPAddr).AddrPort()
				if got != netip.AddrPortFrom(w.Addr().Unmap(), w.Port()) {
					t.Errorf("datagram %d from %v, want %v", i, got, w)
				}
				if string(ms[i].Buffers[0][:ms[i].N]) != "from "+want.LocalAddr().String() {
					t.Errorf("datagram %d: %q", i, ms[i].Buffers[0][:ms[i].N])
				}
				now := time.Now()
				if at := rxstamp.Time(ms[i].OOB[:ms[i].NN], now); at.Equal(now) || at.Before(before) {
					t.Errorf("datagram %d: no receive stamp (NN=%d)", i, ms[i].NN)
				}
			}
			out := []ipv4.Message{
				{Buffers: [][]byte{[]byte("to A")}, Addr: peerA.LocalAddr()},
				{Buffers: [][]byte{[]byte("to B")}, Addr: peerB.LocalAddr()},
			}
			if k, err := s.WriteBatch(out, 0); k != 2 || err != nil {
				t.Fatalf("WriteBatch: %d, %v", k, err)
			}
			if _, err := s.WriteToUDPAddrPort([]byte("again A"), peerA.LocalAddr().(*net.UDPAddr).AddrPort()); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			for _, c := range []struct {
				p    *net.UDPConn
				want string
			}{{peerA, "to A"}, {peerB, "to B"}, {peerA, "again A"}} {
				_ = c.p.SetReadDeadline(time.Now().Add(2 * time.Second))
				k, from, err := c.p.ReadFromUDPAddrPort(buf)
				if err != nil || string(buf[:k]) != c.want || from.Port() != uint16(self.Port) {
					t.Errorf("peer got %q from %v (%v), want %q from port %d", buf[:k], from, err, c.want, self.Port)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReadBatch(ms, 0); !errors.Is(err, net.ErrClosed) {
				t.Errorf("read after close: %v, want net.ErrClosed", err)
			}
			if _, err := s.WriteBatch(out, 0); !errors.Is(err, net.ErrClosed) {
				t.Errorf("write after close: %v, want net.ErrClosed", err)
			}
			if err := s.Close(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("second close: %v", err)
			}
		})
	}
}
