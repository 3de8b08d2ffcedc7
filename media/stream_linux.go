//go:build linux

package media

import (
	"net"
	"net/netip"
	"time"
	"unsafe"

	"github.com/pion/rtp"
	"golang.org/x/sys/unix"

	"github.com/callsim/callsim/internal/rxstamp"
)

// sock is a stream's socket as its wheel reads it: a descriptor of its own
// (the net package's one is closed at once, so that the runtime's poller
// does not watch it too), read on one of the wheel's 20 slots, or, while
// the stream echoes, in the wheel's epoll set.
type sock struct {
	fd    int    // -1: none (the socket could not be taken over)
	v6    bool   // an AF_INET6 socket
	scope uint32 // its bound address's scope (the interface of a link-local address)
	rslot int    // the slot the stream is read on, -1: none
	idx   int32  // its entry in the wheel's epoll table while echoing, -1: none
}

// rxBatch is how many datagrams one recvmmsg takes from a socket: a stream
// gets one every 20 ms, read once per 20 ms.
const rxBatch = 8

// mmsghdr is struct mmsghdr (Go pads it as C does on every Linux ABI).
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// poller is what a wheel reads, by slot, and the buffers its reads use;
// all under the wheel's lock.
type poller struct {
	dead   bool // the wheel stopped: no new stream is read
	rslots frameSlots

	// The echoing streams: an epoll set (level-triggered EPOLLIN) whose
	// events name an entry of table (Fd) and its generation (Pad), so that
	// an event about a stream gone is skipped. epfd is set by initPoller
	// and closePoller only.
	epfd   int
	table  []*Stream
	gen    []uint32
	free   []int32
	events [256]unix.EpollEvent

	msgs  [rxBatch]mmsghdr
	iovs  [rxBatch]unix.Iovec
	names [rxBatch]unix.RawSockaddrAny
	oobs  [rxBatch][64]byte
	bufs  [rxBatch][1500]byte
	to    unix.RawSockaddrInet6 // the destination of the packet being sent
	h     rtp.Header

	mux *muxSock // the shared socket (Scheduler.Share), nil if none
}

func (w *wheel) initPoller() {
	w.epfd = -1
	if fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC); err == nil {
		w.epfd = fd
	}
	if len(w.oobs[0]) < rxstamp.OOBSize {
		panic("media: receive stamp buffer too small")
	}
	for i := range w.msgs {
		w.iovs[i].Base = &w.bufs[i][0]
		w.iovs[i].SetLen(len(w.bufs[i]))
		m := &w.msgs[i].hdr
		m.Name = (*byte)(unsafe.Pointer(&w.names[i]))
		m.Iov = &w.iovs[i]
		m.SetIovlen(1)
		m.Control = &w.oobs[i][0]
	}
}

// closePoller: under w.mu, the wheel no longer running.
func (w *wheel) closePoller() {
	w.dead = true
	if w.mux != nil {
		w.mux.close()
	}
	if w.epfd >= 0 {
		_ = unix.Close(w.epfd)
		w.epfd = -1
	}
}

// open takes the socket over and has a wheel read it.
func (s *Stream) open(conn *net.UDPConn) {
	s.fd, s.rslot, s.idx = -1, -1, -1
	if rc, err := conn.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) {
			if nfd, err := unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0); err == nil {
				s.fd = nfd
			}
		})
	}
	_ = conn.Close()
	if s.fd < 0 {
		return // sends fail (counted), nothing is received
	}
	_ = unix.SetNonblock(s.fd, true)
	_ = unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	if sa, err := unix.Getsockname(s.fd); err == nil {
		if sa6, ok := sa.(*unix.SockaddrInet6); ok {
			s.v6, s.scope = true, sa6.ZoneId
		}
	}
	s.home = s.sched.next()
	s.home.register(s)
}

// register reads s on the wheel's emptiest slot; a closed scheduler reads
// nothing.
func (w *wheel) register(s *Stream) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead {
		return
	}
	w.addSlot(s)
	w.start()
}

// addSlot reads s on the emptiest slot; under w.mu.
func (w *wheel) addSlot(s *Stream) {
	best := w.rslots.emptiest(0)
	w.rslots[best] = append(w.rslots[best], s)
	s.rslot = best
}

// dropSlot stops reading s on its slot; under w.mu.
func (w *wheel) dropSlot(s *Stream) {
	w.rslots.remove(s.rslot, s)
	s.rslot = -1
}

// watch puts s in the epoll set; under w.mu. False if it cannot.
func (w *wheel) watch(s *Stream) bool {
	if w.epfd < 0 {
		return false
	}
	var idx int32
	if n := len(w.free); n > 0 {
		idx, w.free = w.free[n-1], w.free[:n-1]
	} else {
		idx = int32(len(w.table))
		w.table, w.gen = append(w.table, nil), append(w.gen, 0)
	}
	w.gen[idx]++
	ev := unix.EpollEvent{Events: unix.EPOLLIN}
	ev.Fd, ev.Pad = idx, int32(w.gen[idx])
	if err := unix.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, s.fd, &ev); err != nil {
		w.free = append(w.free, idx)
		return false
	}
	w.table[idx], s.idx = s, idx
	return true
}

// unwatch takes s out of the epoll set before anything closes its socket;
// under w.mu, so that no event about it is being handled, and a later
// event about its entry (already fetched) finds the entry free or of
// another generation.
func (w *wheel) unwatch(s *Stream) {
	if w.epfd >= 0 {
		_ = unix.EpollCtl(w.epfd, unix.EPOLL_CTL_DEL, s.fd, nil)
	}
	w.table[s.idx] = nil
	w.free = append(w.free, s.idx)
	s.idx = -1
}

// echoChanged moves s to the epoll set while it echoes, so that each
// datagram goes back within a millisecond of its arrival (read on its slot,
// it would leave at the slot's phase, and the jitter the far end measures
// would not be the network's), and back to a slot when it stops.
func (s *Stream) echoChanged(on bool) {
	w := s.home
	if w == nil || s.shared {
		return // a shared stream is read with the others, echoing or not
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.closed.Load() || w.dead {
		return
	}
	switch {
	case on && s.rslot >= 0:
		w.dropSlot(s)
		if !w.watch(s) {
			w.addSlot(s)
		}
	case !on && s.idx >= 0:
		w.unwatch(s)
		w.addSlot(s)
	}
}

// shut takes the stream off its wheel (out of its send and read slots,
// under the wheel's lock, so that no read or send of the wheel is under
// way and none comes after), reading what arrived since the last visit
// first; then it closes the socket, after release.
func (s *Stream) shut(release func()) {
	if s.shared {
		s.shutShared()
		release()
		return
	}
	if w := s.home; w != nil {
		w.mu.Lock()
		if s.wheel.Load() == w {
			w.removeLocked(s) // a Send racing with Close
		}
		if s.rslot >= 0 || s.idx >= 0 {
			w.read(s)
		}
		if s.rslot >= 0 {
			w.dropSlot(s)
		}
		if s.idx >= 0 {
			w.unwatch(s)
		}
		w.mu.Unlock()
	}
	release()
	if s.fd >= 0 {
		_ = unix.Close(s.fd)
	}
}

// readSlot reads the streams of slot k; under w.mu.
func (w *wheel) readSlot(k int) {
	for _, s := range w.rslots[k] {
		w.read(s)
	}
}

// readEchoes reads every echoing stream that has datagrams: one recvmmsg
// each (level-triggered: what is left is read on the next visit).
func (w *wheel) readEchoes() {
	if w.epfd < 0 {
		return
	}
	for {
		n, err := unix.EpollWait(w.epfd, w.events[:], 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return
		}
		w.mu.Lock()
		for _, ev := range w.events[:n] {
			idx := ev.Fd
			if idx < 0 || int(idx) >= len(w.table) {
				continue
			}
			if s := w.table[idx]; s != nil && w.gen[idx] == uint32(ev.Pad) {
				w.read(s)
			}
		}
		w.mu.Unlock()
		if n < len(w.events) {
			return
		}
	}
}

// read takes up to rxBatch datagrams from s, echoes and records them;
// under w.mu.
func (w *wheel) read(s *Stream) {
	for i := range w.msgs {
		m := &w.msgs[i].hdr
		m.Namelen = unix.SizeofSockaddrAny
		m.SetControllen(len(w.oobs[i]))
		m.Flags = 0
	}
	r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&w.msgs[0])),
		uintptr(len(w.msgs)), unix.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return
	}
	now := time.Now()
	echo := s.echo.Load()
	for i := range int(r) {
		m := &w.msgs[i]
		pkt := w.bufs[i][:m.n]
		if !isMedia(pkt, &w.h) {
			continue
		}
		if echo {
			if sendto(s.fd, pkt, unsafe.Pointer(&w.names[i]), m.hdr.Namelen) == nil {
				s.echoed.Add(1)
			}
		}
		s.record(&w.h, rxstamp.Time(w.oobs[i][:m.hdr.Controllen], now))
	}
}

// write sends p to to from s's socket (a shared stream queues it: sent by
// the wheel's next flush, errQueued); by the wheel, under its lock.
func (s *Stream) write(p []byte, to netip.AddrPort) error {
	if s.shared {
		return s.home.mux.queue(s, false, p, to)
	}
	if s.fd < 0 {
		return net.ErrClosed
	}
	sa, salen, err := rawSockaddr(&s.home.to, to, s.v6, s.scope)
	if err != nil {
		return err
	}
	return sendto(s.fd, p, sa, salen)
}

func sendto(fd int, p []byte, sa unsafe.Pointer, salen uint32) error {
	_, _, errno := unix.Syscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)),
		0, uintptr(sa), uintptr(salen))
	if errno != 0 {
		return errno
	}
	return nil
}
