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
// the measured delays; the replies go out up to a tick later.

import (
	"github.com/callsim/callsim/internal/rxstamp"
	"net"
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
		n, err := ep.batch.WriteBatch(ms[sent:], 0)
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
	stamps := rxstamp.Enable(ep.udp)
	q := &sendQueue{ep: ep}
	tick := ep.e.cfg.IOTick
	var m wireMsg
	for {
		n, err := ep.batch.ReadBatch(ms, 0)
		if err != nil {
			if isClosed(err) {
				return
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
