package media

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// Stream is one call's RTP: a UDP socket, a sender driven by a Scheduler,
// and a receiver measuring what arrives (and, for an echo, sending each
// packet back to where it came from).
//
// On Linux a stream has no goroutine of its own: one of its scheduler's
// wheels both sends its packets and reads its socket, and takes each
// datagram's arrival time from the kernel's receive stamp (see the package
// documentation). Elsewhere a reader goroutine per stream receives.
type Stream struct {
	ports *Ports // releases the port on Close; may be nil
	audio *Audio
	sched *Scheduler
	local netip.AddrPort
	// home is the wheel that reads the stream and sends its packets (nil
	// where streams have their own reader: sending then goes to any wheel).
	home *wheel

	remote atomic.Pointer[netip.AddrPort]
	pt     atomic.Uint32
	echo   atomic.Bool

	// Sender state, touched only by the scheduler (under its lock).
	wheel    atomic.Pointer[wheel] // set while sending
	slot     int                   // under the wheel's lock
	ssrc     uint32
	seq      uint16
	ts       uint32
	frame    int
	first    bool
	buf      []byte
	sent     atomic.Uint64
	echoed   atomic.Uint64
	sendErrs atomic.Uint64

	mu        sync.Mutex
	recv      *Receiver
	closed    atomic.Bool
	closeOnce sync.Once
	endedAt   time.Time

	// On a shared socket (Scheduler.Share), under the wheel's lock: the
	// far SSRCs filed for the stream and the remote address it is filed
	// under.
	shared    bool
	farKeys   []uint32
	remoteKey netip.AddrPort

	sock // the socket, as this system's receive path holds it
}

// NewStream wraps a bound UDP socket (the stream owns it from now on) and
// starts receiving on it; sc is the scheduler that will send the stream's
// packets (and, on Linux, reads them). audio (nil: silence) is what the
// stream sends once Send is called; ports, if not nil, gets the socket's
// port back on Close.
func NewStream(conn *net.UDPConn, audio *Audio, ports *Ports, sc *Scheduler) *Stream {
	s := newStreamState(audio, ports, sc)
	s.local = conn.LocalAddr().(*net.UDPAddr).AddrPort()
	s.open(conn)
	return s
}

func newStreamState(audio *Audio, ports *Ports, sc *Scheduler) *Stream {
	if audio == nil {
		audio = Silence()
	}
	return &Stream{ports: ports, audio: audio, sched: sc, recv: NewReceiver(),
		ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32(), first: true, buf: make([]byte, 12+FrameSamples)}
}

// SSRC is the synchronization source the stream sends with (for a=ssrc).
func (s *Stream) SSRC() uint32 { return s.ssrc }

// LocalAddr is the socket's address (for the SDP).
func (s *Stream) LocalAddr() netip.AddrPort { return s.local }

// SetRemote sets where packets go and the payload type they carry.
func (s *Stream) SetRemote(addr netip.AddrPort, codec Codec) {
	s.remote.Store(&addr)
	s.pt.Store(uint32(codec.PT))
	s.remoteChanged(addr)
}

// SetEcho turns echoing of received packets to their source on or off.
func (s *Stream) SetEcho(on bool) {
	if s.echo.Swap(on) != on {
		s.echoChanged(on)
	}
}

// Expect marks the moment audio is expected from the far end (the answer).
func (s *Stream) Expect(t time.Time) {
	s.mu.Lock()
	s.recv.Expect(t)
	s.mu.Unlock()
}

// Send starts sending 50 packets per second through the stream's
// scheduler (until StopSending or Close). SetRemote must have been called.
func (s *Stream) Send() {
	if s.closed.Load() || s.remote.Load() == nil {
		return
	}
	s.sched.add(s)
}

// StopSending stops the sender (the receiver goes on).
func (s *Stream) StopSending() {
	if w := s.wheel.Load(); w != nil {
		w.remove(s)
	}
}

// sendNext sends the next packet; called by the scheduler only.
func (s *Stream) sendNext() {
	remote := s.remote.Load()
	if remote == nil {
		return
	}
	pt := uint8(s.pt.Load())
	h := rtp.Header{Version: 2, Marker: s.first, PayloadType: pt, SequenceNumber: s.seq, Timestamp: s.ts, SSRC: s.ssrc}
	n, err := h.MarshalTo(s.buf)
	if err == nil {
		n += copy(s.buf[n:], s.audio.Frame(s.frame, pt))
		err = s.write(s.buf[:n], *remote)
	}
	switch {
	case err == errQueued: // counted once sent
	case err != nil:
		s.sendErrs.Add(1)
	default:
		s.sent.Add(1)
	}
	s.first = false
	s.seq++
	s.ts += FrameSamples
	s.frame++
}

// isMedia parses a received datagram: true for an RTP packet carrying media
// (version 2, not RTCP multiplexed on the port as RFC 5761 allows).
func isMedia(pkt []byte, h *rtp.Header) bool {
	if len(pkt) < 12 || pkt[0]>>6 != 2 {
		return false // not RTP
	}
	if _, err := h.Unmarshal(pkt); err != nil {
		return false
	}
	return h.PayloadType < 72 || h.PayloadType > 76
}

// record counts a received media packet that arrived at t.
func (s *Stream) record(h *rtp.Header, t time.Time) {
	s.mu.Lock()
	s.recv.Packet(h.SequenceNumber, h.Timestamp, h.SSRC, t)
	s.mu.Unlock()
}

// Stats returns the figures so far, the stream still running.
func (s *Stream) Stats(networkDelayMs float64) Stats {
	s.mu.Lock()
	end := s.endedAt
	if end.IsZero() {
		end = time.Now()
	}
	st := s.recv.Stats(end, networkDelayMs)
	s.mu.Unlock()
	st.Sent = s.sent.Load() + s.echoed.Load()
	return st
}

// Close stops sending and receiving, closes the socket (returning its port)
// and returns the stream's figures; networkDelayMs is the one-way network
// delay assumed by the MOS estimate. Later calls return the same figures.
func (s *Stream) Close(networkDelayMs float64) Stats {
	s.closeOnce.Do(func() {
		s.closed.Store(true) // before StopSending: a racing Send then adds nothing
		s.StopSending()
		s.mu.Lock()
		s.endedAt = time.Now()
		s.mu.Unlock()
		// The port goes back to the range before the socket closes: once
		// closed, another program (a load generator on the same host) may
		// bind it and offer it, and the allocator must not still call it
		// ours (the center refuses offers naming its own ports). Listen
		// skips a port it cannot bind yet.
		s.shut(func() {
			if s.ports != nil {
				s.ports.release(int(s.local.Port()))
			}
		})
	})
	return s.Stats(networkDelayMs)
}

// Scheduler sends the packets of many streams: each stream has one of 20
// one-millisecond slots of the 20 ms frame, and each of the scheduler's
// wheels (one goroutine each) visits its slots in turn. On Linux each wheel
// also reads its streams' sockets (see Stream).
type Scheduler struct {
	wheels []*wheel
	rr     atomic.Uint64
}

type wheel struct {
	mu      sync.Mutex
	slots   frameSlots
	rr      int
	count   int
	started bool
	quit    chan struct{}
	done    chan struct{}
	// Late counts slot visits more than a frame behind schedule.
	late atomic.Uint64

	poller // the sockets this wheel reads, where wheels read
}

// NewScheduler makes a scheduler with the given number of wheels (at
// least 1), one goroutine each. Two per core is the rule: where the wheels
// read their streams too, a wheel whose thread is preempted by another
// process holds up its streams' sends and reads, and more, smaller wheels
// let the other cores go on (3,000 echoed calls on two shared cores: 82% of
// the packets sent with one wheel per core, 88-96% with two). Its
// goroutines start with the first stream.
func NewScheduler(workers int) *Scheduler {
	sc := &Scheduler{}
	for range max(workers, 1) {
		w := &wheel{quit: make(chan struct{}), done: make(chan struct{})}
		w.initPoller()
		sc.wheels = append(sc.wheels, w)
	}
	return sc
}

// Late is the number of slot visits that ran more than 20 ms behind.
func (sc *Scheduler) Late() uint64 {
	var n uint64
	for _, w := range sc.wheels {
		n += w.late.Load()
	}
	return n
}

// next is the wheel for a new stream, in turn.
func (sc *Scheduler) next() *wheel {
	return sc.wheels[int(sc.rr.Add(1)%uint64(len(sc.wheels)))]
}

func (sc *Scheduler) add(s *Stream) {
	w := s.home
	if w == nil {
		w = sc.next()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.wheel.Load() != nil || s.closed.Load() {
		return // already sending, or closed
	}
	select {
	case <-w.quit:
		return // closed
	default:
	}
	// The emptiest slot keeps the packets spread over the frame.
	best := w.slots.emptiest(w.rr)
	w.rr++
	s.slot = best
	s.wheel.Store(w)
	w.slots[best] = append(w.slots[best], s)
	w.count++
	w.start()
}

// start runs the wheel's goroutine if it is not running yet; under w.mu.
func (w *wheel) start() {
	if !w.started {
		w.started = true
		go w.run()
	}
}

func (w *wheel) remove(s *Stream) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.wheel.Load() == w {
		w.removeLocked(s)
	}
}

// removeLocked takes s out of its slot; under w.mu, s sending on w.
func (w *wheel) removeLocked(s *Stream) {
	if w.slots.remove(s.slot, s) {
		w.count--
	}
	s.wheel.Store(nil)
}

// frameSlots are the streams of the 20 one-millisecond slots of a frame.
type frameSlots [FrameMs][]*Stream

// emptiest is the slot with the fewest streams, the first of them in turn
// from slot from.
func (fs *frameSlots) emptiest(from int) int {
	best := from % FrameMs
	for i := range FrameMs {
		if k := (from + i) % FrameMs; len(fs[k]) < len(fs[best]) {
			best = k
		}
	}
	return best
}

// remove takes s out of slot k (the last stream takes its place); false
// if s was not there.
func (fs *frameSlots) remove(k int, s *Stream) bool {
	sl := fs[k]
	for i, x := range sl {
		if x == s {
			sl[i] = sl[len(sl)-1]
			sl[len(sl)-1] = nil
			fs[k] = sl[:len(sl)-1]
			return true
		}
	}
	return false
}

// Close stops the scheduler's goroutines: streams stop sending (and, where
// wheels read, receiving).
func (sc *Scheduler) Close() {
	for _, w := range sc.wheels {
		w.mu.Lock()
		select {
		case <-w.quit:
		default:
			close(w.quit)
		}
		started := w.started
		w.mu.Unlock()
		if started {
			<-w.done
		} else {
			w.mu.Lock()
			w.closePoller()
			w.mu.Unlock()
		}
	}
}

// run visits the slots once a millisecond: on each slot it reads what
// arrived for the streams read on that slot and sends the slot's packets,
// then it reads the echoing streams that have datagrams.
func (w *wheel) run() {
	defer close(w.done)
	defer func() {
		w.mu.Lock()
		w.closePoller()
		w.mu.Unlock()
	}()
	start := time.Now()
	var k int64 // slot visits done
	timer := time.NewTimer(time.Millisecond)
	defer timer.Stop()
	for {
		due := int64(time.Since(start) / time.Millisecond)
		if due-k > FrameMs {
			w.late.Add(uint64(due - k - FrameMs))
		}
		for ; k <= due; k++ {
			w.mu.Lock()
			w.readSlot(int(k % FrameMs))
			for _, s := range w.slots[k%FrameMs] {
				s.sendNext()
			}
			w.flushMux()
			w.mu.Unlock()
			if k == due {
				w.readEchoes()
				w.pollMux()
			}
		}
		timer.Reset(time.Until(start.Add(time.Duration(k) * time.Millisecond)))
		select {
		case <-w.quit:
			return
		case <-timer.C:
		}
	}
}
