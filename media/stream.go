package media

import (
	"errors"
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
type Stream struct {
	conn  *net.UDPConn
	ports *Ports // releases conn's port on Close; may be nil
	audio *Audio

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
	readDone  chan struct{}
	closeOnce sync.Once
	endedAt   time.Time
}

// NewStream wraps a bound UDP socket and starts receiving on it. audio
// (nil: silence) is what the stream sends once Send is called; ports, if
// not nil, gets the socket's port back on Close.
func NewStream(conn *net.UDPConn, audio *Audio, ports *Ports) *Stream {
	if audio == nil {
		audio = Silence()
	}
	s := &Stream{conn: conn, ports: ports, audio: audio, recv: NewReceiver(), readDone: make(chan struct{}),
		ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32(), first: true, buf: make([]byte, 12+FrameSamples)}
	go s.read()
	return s
}

// LocalAddr is the socket's address (for the SDP).
func (s *Stream) LocalAddr() netip.AddrPort { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// SetRemote sets where packets go and the payload type they carry.
func (s *Stream) SetRemote(addr netip.AddrPort, codec Codec) {
	s.remote.Store(&addr)
	s.pt.Store(uint32(codec.PT))
}

// SetEcho turns echoing of received packets to their source on or off.
func (s *Stream) SetEcho(on bool) { s.echo.Store(on) }

// Expect marks the moment audio is expected from the far end (the answer).
func (s *Stream) Expect(t time.Time) {
	s.mu.Lock()
	s.recv.Expect(t)
	s.mu.Unlock()
}

// Send starts sending 50 packets per second through sc (until StopSending
// or Close). SetRemote must have been called.
func (s *Stream) Send(sc *Scheduler) {
	if s.closed.Load() || s.remote.Load() == nil {
		return
	}
	sc.add(s)
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
		_, err = s.conn.WriteToUDPAddrPort(s.buf[:n], *remote)
	}
	if err != nil {
		s.sendErrs.Add(1)
	} else {
		s.sent.Add(1)
	}
	s.first = false
	s.seq++
	s.ts += FrameSamples
	s.frame++
}

func (s *Stream) read() {
	defer close(s.readDone)
	buf := make([]byte, 1500)
	var h rtp.Header
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		now := time.Now()
		if err != nil {
			if s.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if n < 12 || buf[0]>>6 != 2 {
			continue // not RTP
		}
		if _, err := h.Unmarshal(buf[:n]); err != nil {
			continue
		}
		if h.PayloadType >= 72 && h.PayloadType <= 76 {
			continue // RTCP multiplexed on the port (RFC 5761)
		}
		if s.echo.Load() {
			if _, err := s.conn.WriteToUDPAddrPort(buf[:n], from); err == nil {
				s.echoed.Add(1)
			}
		}
		s.mu.Lock()
		s.recv.Packet(h.SequenceNumber, h.Timestamp, h.SSRC, now)
		s.mu.Unlock()
	}
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
		s.StopSending()
		s.mu.Lock()
		s.endedAt = time.Now()
		s.mu.Unlock()
		s.closed.Store(true)
		// The port goes back to the range before the socket closes: once
		// closed, another program (a load generator on the same host) may
		// bind it and offer it, and the allocator must not still call it
		// ours (the center refuses offers naming its own ports). Listen
		// skips a port it cannot bind yet.
		if s.ports != nil {
			s.ports.Release(s.conn)
		}
		_ = s.conn.Close()
		<-s.readDone
	})
	return s.Stats(networkDelayMs)
}

// Scheduler sends the packets of many streams: each stream has one of 20
// one-millisecond slots of the 20 ms frame, and each of the scheduler's
// wheels (one goroutine each) visits its slots in turn.
type Scheduler struct {
	wheels []*wheel
	rr     atomic.Uint64
}

type wheel struct {
	mu      sync.Mutex
	slots   [FrameMs][]*Stream
	rr      int
	count   int
	started bool
	quit    chan struct{}
	done    chan struct{}
	// Late counts slot visits more than a frame behind schedule.
	late atomic.Uint64
}

// NewScheduler makes a scheduler with the given number of sending
// goroutines (at least 1). Its goroutines start with the first stream.
func NewScheduler(workers int) *Scheduler {
	sc := &Scheduler{}
	for range max(workers, 1) {
		sc.wheels = append(sc.wheels, &wheel{quit: make(chan struct{}), done: make(chan struct{})})
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

func (sc *Scheduler) add(s *Stream) {
	w := sc.wheels[int(sc.rr.Add(1)%uint64(len(sc.wheels)))]
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.wheel.Load() != nil {
		return // already sending
	}
	select {
	case <-w.quit:
		return // closed
	default:
	}
	// The emptiest slot keeps the packets spread over the frame.
	best := w.rr % FrameMs
	for i := range FrameMs {
		k := (w.rr + i) % FrameMs
		if len(w.slots[k]) < len(w.slots[best]) {
			best = k
		}
	}
	w.rr++
	s.slot = best
	s.wheel.Store(w)
	w.slots[best] = append(w.slots[best], s)
	w.count++
	if !w.started {
		w.started = true
		go w.run()
	}
}

func (w *wheel) remove(s *Stream) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.wheel.Load() != w {
		return
	}
	sl := w.slots[s.slot]
	for i, x := range sl {
		if x == s {
			sl[i] = sl[len(sl)-1]
			sl[len(sl)-1] = nil
			w.slots[s.slot] = sl[:len(sl)-1]
			w.count--
			break
		}
	}
	s.wheel.Store(nil)
}

// Close stops the scheduler's goroutines; streams stop sending.
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
		}
	}
}

func (w *wheel) run() {
	defer close(w.done)
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
			for _, s := range w.slots[k%FrameMs] {
				s.sendNext()
			}
			w.mu.Unlock()
		}
		timer.Reset(time.Until(start.Add(time.Duration(k) * time.Millisecond)))
		select {
		case <-w.quit:
			return
		case <-timer.C:
		}
	}
}
