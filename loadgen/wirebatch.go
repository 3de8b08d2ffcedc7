package loadgen

// Batched, quiet socket I/O of the call path. Each UDP socket has one
// reader goroutine that takes every datagram waiting with one recvmmsg
// (golang.org/x/net ReadBatch), handles them in turn, and writes the
// requests they caused (ACKs, BYEs) with one sendmmsg (WriteBatch); a
// TCP or TLS connection's reader does the same with one read and one
// writev. With Config.IOTick > 0 the reader then rests until a tick has
// passed since it woke, so that at moderate rates it wakes once a tick
// for several messages instead of once a message. The open-model
// scheduler likewise starts the calls due once a tick and writes their
// INVITEs in one batch per socket. Nothing is handed to another
// goroutine on the way: the goroutine that reads a response performs the
// call's actions and writes what they send.
//
// A message's arrival time is the kernel's receive timestamp where the
// system gives one (SO_TIMESTAMPNS on Linux), so resting does not bias
// the measured delays; the replies go out up to a tick later. On Linux
// with a tick the UDP socket is a quietUDP, outside Go's network poller:
// a socket in the poller wakes the process at every datagram's arrival,
// even while its reader rests (three times as many context switches at
// 2,000 calls/s).

import (
	"github.com/callsim/callsim/internal/rxstamp"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// readBatch is the number of datagrams one read takes at most.
const readBatch = 32

// batchConn reads and writes several datagrams per system call
// (ipv4.PacketConn or ipv6.PacketConn; their Message types are the same).
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

func newBatchConn(c *net.UDPConn) batchConn {
	if la, ok := c.LocalAddr().(*net.UDPAddr); ok && la.IP.To4() == nil {
		return ipv6.NewPacketConn(c)
	}
	return ipv4.NewPacketConn(c)
}

// udpSocket is a wire endpoint's UDP socket: a net.UDPConn in Go's poller
// (stdUDP), or, on Linux with an I/O tick, a quiet socket outside it
// (quietUDP, quietudp_linux.go).
type udpSocket interface {
	batchConn
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	LocalAddr() net.Addr
	Close() error
	// Stamps enables receive timestamps and says whether datagrams carry them.
	Stamps() bool
}

// stdUDP is a net.UDPConn read and written in batches.
type stdUDP struct {
	c *net.UDPConn
	b batchConn
}

func newStdUDP(c *net.UDPConn) *stdUDP { return &stdUDP{c: c, b: newBatchConn(c)} }

func (s *stdUDP) ReadBatch(ms []ipv4.Message, flags int) (int, error) {
	return s.b.ReadBatch(ms, flags)
}
func (s *stdUDP) WriteBatch(ms []ipv4.Message, flags int) (int, error) {
	return s.b.WriteBatch(ms, flags)
}
func (s *stdUDP) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	return s.c.WriteToUDPAddrPort(b, addr)
}
func (s *stdUDP) LocalAddr() net.Addr { return s.c.LocalAddr() }
func (s *stdUDP) Close() error        { return s.c.Close() }
func (s *stdUDP) Stamps() bool        { return rxstamp.Enable(s.c) }

// sendQueue collects the messages one goroutine sends to the target while
// it handles a batch, to write them at once with flush. It belongs to that
// goroutine; a call uses it only while that goroutine holds the call.
type sendQueue struct {
	ep    *wireEP
	bufs  [][]byte
	calls []*wcall // the call of each message, nil if its loss is not an input
	msgs  []ipv4.Message
}

func (q *sendQueue) add(c *wcall, b []byte, failIsInput bool) {
	if !failIsInput {
		c = nil
	}
	q.bufs = append(q.bufs, b)
	q.calls = append(q.calls, c)
}

// flush writes the queued messages. A message that cannot be written is,
// for the INVITE, CANCEL or BYE, the call's "send failed" input (as when
// it is written at once); an ACK or a retransmission is lost as on the
// wire.
func (q *sendQueue) flush() {
	if len(q.bufs) == 0 {
		return
	}
	sent := 0
	var err error
	if q.ep.udp != nil {
		sent, err = q.writeUDP()
	} else {
		err = q.ep.sendStream(q.bufs)
		if err == nil {
			sent = len(q.bufs)
		}
	}
	if err != nil {
		q.ep.e.log.Debug("requests not sent", "count", len(q.bufs)-sent, "error", err)
		for _, c := range q.calls[sent:] {
			if c != nil {
				c.event(inSendFailed)
			}
		}
	}
	clear(q.bufs)
	clear(q.calls)
	q.bufs, q.calls = q.bufs[:0], q.calls[:0]
}

// writeUDP writes the queue with as few sendmmsg calls as the kernel
// takes, and falls back to one write per message after an error.
func (q *sendQueue) writeUDP() (int, error) {
	ep := q.ep
	if cap(q.msgs) < len(q.bufs) {
		q.msgs = make([]ipv4.Message, len(q.bufs), 2*len(q.bufs))
	}
	ms := q.msgs[:len(q.bufs)]
	for i, b := range q.bufs {
		if ms[i].Buffers == nil {
			ms[i].Buffers = make([][]byte, 1)
		}
		ms[i].Buffers[0] = b
		ms[i].Addr = ep.raddrUDP
	}
	sent := 0
	for sent < len(ms) {
		n, err := ep.udp.WriteBatch(ms[sent:], 0)
		if err != nil || n <= 0 {
			// One at a time, to tell which message failed.
			if _, err := ep.udp.WriteToUDPAddrPort(q.bufs[sent], ep.raddr); err != nil {
				return sent, err
			}
			n = 1
		}
		sent += n
	}
	for i := range ms {
		ms[i].Buffers[0] = nil
	}
	return sent, nil
}

// rest sleeps until the tick after woke, unless the tick is off or the
// last read filled its batch (more is waiting). Ticks fall on multiples
// of the tick on the wall clock, the same for every goroutine, so that
// the readers and the scheduler wake together.
func rest(tick time.Duration, woke time.Time, full bool) {
	if tick <= 0 || full {
		return
	}
	if d := time.Until(nextTick(woke, tick)); d > 0 {
		time.Sleep(d)
	}
}

// tickCeil is the first multiple of tick at or after t (t if tick <= 0).
func tickCeil(t time.Time, tick time.Duration) time.Time {
	if tick <= 0 || t.Truncate(tick).Equal(t) {
		return t
	}
	return nextTick(t, tick)
}

// nextTick is the first multiple of tick after t (t if tick <= 0).
func nextTick(t time.Time, tick time.Duration) time.Time {
	if tick <= 0 {
		return t
	}
	return t.Truncate(tick).Add(tick)
}

// readUDP is the socket's reader: it reads what waits, handles it, writes
// the replies, rests.
func (ep *wireEP) readUDP() {
	ms := make([]ipv4.Message, readBatch)
	for i := range ms {
		ms[i].Buffers = [][]byte{make([]byte, 65535)}
		ms[i].OOB = make([]byte, rxstamp.OOBSize)
	}
	stamps := ep.udp.Stamps()
	q := &sendQueue{ep: ep}
	tick := ep.e.cfg.IOTick
	var m wireMsg
	// With a tick the reader never waits for the socket: it takes what
	// is there (MSG_DONTWAIT) and rests until the next tick, so that a
	// tick costs one wake-up of the process, shared with the scheduler's,
	// instead of one to rest and one more for the next datagram.
	flags := 0
	if tick > 0 {
		flags = dontWait
	}
	for {
		n, err := ep.udp.ReadBatch(ms, flags)
		if err != nil {
			if isClosed(err) {
				return
			}
			if flags != 0 && wouldBlock(err) {
				rest(tick, time.Now(), false)
			}
			continue
		}
		woke := time.Now()
		for i := range ms[:n] {
			msg := &ms[i]
			from := addrPortOf(msg.Addr)
			at := woke
			if stamps {
				at = rxstamp.Time(msg.OOB[:msg.NN], woke)
			}
			ep.handle(msg.Buffers[0][:msg.N], &m, from, at, q)
		}
		q.flush()
		rest(tick, woke, n == len(ms))
	}
}
