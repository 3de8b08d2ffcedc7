//go:build linux

package media

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/pion/rtp"
	"golang.org/x/sys/unix"
)

const (
	muxBatch   = 16       // datagrams per recvmmsg on a shared socket
	muxBufSize = 65536    // room for one GRO datagram (up to 64 segments)
	muxMaxSegs = 64       // segments per UDP_SEGMENT message (the kernel's UDP_MAX_SEGMENTS)
	muxMaxGSO  = 65000    // bytes per UDP_SEGMENT message
	muxReads   = 64       // recvmmsg calls per visit at most (the rest waits a millisecond)
	muxSockBuf = 32 << 20 // socket buffers: 12,000 calls are 600,000 packets a second, 150,000 a wheel
	muxTomb    = 10 * time.Second
	muxMaxFar  = 8 // far SSRCs a stream takes (early media, answer, re-INVITEs); more are unclaimed
)

// muxStrays is how many unclaimed packets a shared socket remembers, for
// at most a second.
const muxStrays = 256

// stray is an unclaimed packet, remembered.
type stray struct {
	from netip.AddrPort
	at   time.Time
	h    rtp.Header
}

// muxOut is a packet waiting in a shared socket's send queue.
type muxOut struct {
	s      *Stream
	echo   bool
	to     netip.AddrPort
	off, n int
}

// muxGroup is one message of a send: packets [from, from+count) of the
// send order, to one address, all of one size but maybe the last.
type muxGroup struct{ from, count, seg int }

// muxSock is a wheel's shared socket (Scheduler.Share) and the tables that
// tell which stream a datagram is for; all under the wheel's lock.
type muxSock struct {
	fd    int
	v6    bool
	scope uint32
	local netip.AddrPort
	ports *Ports // the port goes back on close; may be nil
	gso   bool   // UDP_SEGMENT works (false once the kernel refused it)

	own    map[uint32]*Stream           // by the streams' own SSRC: what an echo brings back
	far    map[uint32]*Stream           // by the far end's SSRC: announced (SetFarSSRC) or learnt
	byAddr map[netip.AddrPort][]*Stream // by remote address, to learn a far SSRC
	ended  map[uint32]time.Time         // the SSRCs of streams closed lately: their stragglers are no one's
	swept  time.Time
	// unclaimed counts media datagrams that matched no stream.
	unclaimed atomic.Uint64
	// msgs and segs count the messages sent and the packets they carried.
	msgs, segs uint64
	// strays are the last unclaimed packets: early media can arrive before
	// the answer that says where it comes from (remoteChanged claims them).
	strays [muxStrays]stray
	nstray int

	out    []muxOut
	obuf   []byte
	order  []int32
	groups []muxGroup
	smsgs  []mmsghdr
	siovs  []unix.Iovec
	snames []unix.RawSockaddrInet6
	soobs  []byte

	rmsgs  [muxBatch]mmsghdr
	riovs  [muxBatch]unix.Iovec
	rnames [muxBatch]unix.RawSockaddrAny
	roobs  [muxBatch][128]byte
	rbufs  []byte
}

var errQueued = errors.New("media: queued")

// segCmsg is the size of a UDP_SEGMENT control message.
var segCmsg = unix.CmsgSpace(2)

// Share gives each wheel of the scheduler one UDP socket on ip (a port of
// ports, or any port if ports is nil) that all its shared streams
// (NewSharedStream) send and receive on. A datagram is then the stream's
// by its SSRC: its own (an echo of what it sent), the far end's as the SDP
// announced it (a=ssrc, SetFarSSRC), or, failing both, learnt from the
// first packet from the stream's remote address when that address names
// one stream only (a far end with a port per call). Packets are sent in
// one sendmmsg per slot, equal-sized packets to one address as one
// UDP_SEGMENT message, and read with recvmmsg and UDP_GRO: where both ends
// share ports, a syscall and a pass through the kernel's UDP stack carry
// tens of packets instead of one.
func (sc *Scheduler) Share(ip netip.Addr, ports *Ports) error {
	for i, w := range sc.wheels {
		var conn *net.UDPConn
		var err error
		if ports != nil {
			conn, err = ports.Listen(ip)
		} else {
			conn, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
		}
		if err != nil {
			return fmt.Errorf("media: shared RTP socket %d of %d: %w", i+1, len(sc.wheels), err)
		}
		m, err := newMuxSock(conn, ports)
		if err != nil {
			return fmt.Errorf("media: shared RTP socket %d of %d: %w", i+1, len(sc.wheels), err)
		}
		w.mu.Lock()
		if w.mux != nil || w.dead {
			w.mu.Unlock()
			m.close()
			return errors.New("media: the scheduler is closed or already shares its ports")
		}
		w.mux = m
		w.start()
		w.mu.Unlock()
	}
	return nil
}

func newMuxSock(conn *net.UDPConn, ports *Ports) (*muxSock, error) {
	m := &muxSock{fd: -1, ports: ports, gso: true, local: conn.LocalAddr().(*net.UDPAddr).AddrPort(),
		own: map[uint32]*Stream{}, far: map[uint32]*Stream{}, byAddr: map[netip.AddrPort][]*Stream{},
		ended: map[uint32]time.Time{}, rbufs: make([]byte, muxBatch*muxBufSize)}
	rc, err := conn.SyscallConn()
	if err == nil {
		err = rc.Control(func(fd uintptr) {
			m.fd, err = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
		})
	}
	_ = conn.Close()
	if err != nil || m.fd < 0 {
		if ports != nil {
			ports.release(int(m.local.Port()))
		}
		return nil, fmt.Errorf("taking the socket over: %w", err)
	}
	_ = unix.SetNonblock(m.fd, true)
	_ = unix.SetsockoptInt(m.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	_ = unix.SetsockoptInt(m.fd, unix.SOL_UDP, unix.UDP_GRO, 1)
	for _, o := range [][2]int{{unix.SO_RCVBUFFORCE, unix.SO_RCVBUF}, {unix.SO_SNDBUFFORCE, unix.SO_SNDBUF}} {
		if unix.SetsockoptInt(m.fd, unix.SOL_SOCKET, o[0], muxSockBuf) != nil {
			_ = unix.SetsockoptInt(m.fd, unix.SOL_SOCKET, o[1], muxSockBuf)
		}
	}
	if sa, err := unix.Getsockname(m.fd); err == nil {
		if sa6, ok := sa.(*unix.SockaddrInet6); ok {
			m.v6, m.scope = true, sa6.ZoneId
		}
	}
	for i := range m.rmsgs {
		m.riovs[i].Base = &m.rbufs[i*muxBufSize]
		m.riovs[i].SetLen(muxBufSize)
		h := &m.rmsgs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&m.rnames[i]))
		h.Iov = &m.riovs[i]
		h.SetIovlen(1)
		h.Control = &m.roobs[i][0]
	}
	return m, nil
}

// close closes the socket and returns its port; under the wheel's lock.
func (m *muxSock) close() {
	if m.fd >= 0 {
		if m.ports != nil {
			m.ports.release(int(m.local.Port()))
		}
		_ = unix.Close(m.fd)
		m.fd = -1
	}
}

// NewSharedStream is a stream on a shared socket of the scheduler (see
// Share): its LocalAddr is its wheel's socket, its SSRC one that no other
// stream of the wheel has. audio is as for NewStream.
func (sc *Scheduler) NewSharedStream(audio *Audio) (*Stream, error) {
	w := sc.next()
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.mux
	if m == nil {
		return nil, errors.New("media: the scheduler shares no sockets (Share first)")
	}
	if w.dead || m.fd < 0 {
		return nil, fmt.Errorf("media: shared stream: %w", net.ErrClosed)
	}
	s := newStreamState(audio, nil, sc)
	s.local, s.home, s.shared = m.local, w, true
	s.fd, s.rslot, s.idx = -1, -1, -1
	for {
		_, gone := m.ended[s.ssrc]
		if s.ssrc != 0 && m.own[s.ssrc] == nil && m.far[s.ssrc] == nil && !gone {
			break
		}
		s.ssrc = rand.Uint32()
	}
	m.own[s.ssrc] = s
	return s, nil
}

// SetFarSSRC tells a shared stream the SSRC the far end announced in its
// SDP (a=ssrc): its packets are then this stream's whatever port they come
// from. Streams with a socket of their own ignore it.
func (s *Stream) SetFarSSRC(ssrc uint32) {
	if !s.shared || ssrc == 0 {
		return
	}
	w := s.home
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.closed.Load() || w.mux.far[ssrc] == s || len(s.farKeys) >= muxMaxFar {
		return
	}
	w.mux.far[ssrc] = s
	s.farKeys = append(s.farKeys, ssrc)
}

// Unclaimed is the number of media datagrams the scheduler's shared
// sockets received for no stream: neither an SSRC it knows nor one it
// could learn, nor that of a stream closed in the last 10 s.
func (sc *Scheduler) Unclaimed() uint64 {
	var n uint64
	for _, w := range sc.wheels {
		w.mu.Lock()
		if w.mux != nil {
			n += w.mux.unclaimed.Load()
		}
		w.mu.Unlock()
	}
	return n
}

// remoteChanged files a shared stream under its new remote address.
func (s *Stream) remoteChanged(addr netip.AddrPort) {
	if !s.shared {
		return
	}
	w := s.home
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.closed.Load() {
		return
	}
	m := w.mux
	m.unfile(s)
	s.remoteKey = unmapped(addr)
	m.byAddr[s.remoteKey] = append(m.byAddr[s.remoteKey], s)
	// Packets that came from there before are the stream's if it is now
	// the one that talks to that address.
	now := time.Now()
	for i := range m.strays {
		p := &m.strays[i]
		if p.from != s.remoteKey || now.Sub(p.at) > time.Second {
			continue
		}
		if t := m.far[p.h.SSRC]; t == s || (t == nil && m.learn(p.h.SSRC, p.from) == s) {
			s.record(&p.h, p.at)
			m.unclaimed.Add(^uint64(0))
		}
		p.from = netip.AddrPort{}
	}
}

func unmapped(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// unfile takes s out of byAddr.
func (m *muxSock) unfile(s *Stream) {
	if !s.remoteKey.IsValid() {
		return
	}
	l := m.byAddr[s.remoteKey]
	if i := slices.Index(l, s); i >= 0 {
		l = slices.Delete(l, i, i+1)
	}
	if len(l) == 0 {
		delete(m.byAddr, s.remoteKey)
	} else {
		m.byAddr[s.remoteKey] = l
	}
	s.remoteKey = netip.AddrPort{}
}

// shutShared takes a shared stream off its wheel: what arrived for it so
// far is read first, and its SSRCs are remembered as ended for a while.
func (s *Stream) shutShared() {
	w := s.home
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.wheel.Load() == w {
		w.removeLocked(s)
	}
	m := w.mux
	if !w.dead {
		w.readMux()
		m.flush()
	}
	now := time.Now()
	if m.own[s.ssrc] == s {
		delete(m.own, s.ssrc)
	}
	m.ended[s.ssrc] = now
	for _, k := range s.farKeys {
		if m.far[k] == s {
			delete(m.far, k)
		}
		m.ended[k] = now
	}
	m.unfile(s)
}

// queue puts a packet in the send queue (sent by the next flush, under
// the same hold of the wheel's lock).
func (m *muxSock) queue(s *Stream, echo bool, p []byte, to netip.AddrPort) error {
	off := len(m.obuf)
	m.obuf = append(m.obuf, p...)
	m.out = append(m.out, muxOut{s: s, echo: echo, to: unmapped(to), off: off, n: len(p)})
	return errQueued
}

// flushMux sends the shared socket's queue, if the wheel has one; under
// the wheel's lock.
func (w *wheel) flushMux() {
	if w.mux != nil {
		w.mux.flush()
	}
}

// pollMux reads the shared socket and sends the echoes.
func (w *wheel) pollMux() {
	if w.mux == nil { // set once, before the wheel runs
		return
	}
	w.mu.Lock()
	w.readMux()
	w.mux.flush()
	w.mu.Unlock()
}

// flush sends the queue: packets to one address next to each other, in
// messages of up to 64 equal-sized segments (UDP_SEGMENT), in as few
// sendmmsg calls as the kernel takes.
func (m *muxSock) flush() {
	if len(m.out) == 0 {
		return
	}
	defer func() {
		clear(m.out) // drop the stream pointers
		m.out, m.obuf = m.out[:0], m.obuf[:0]
	}()
	if m.fd < 0 {
		for i := range m.out {
			m.out[i].s.sendErrs.Add(1)
		}
		return
	}
	m.order = m.order[:0]
	for i := range m.out {
		m.order = append(m.order, int32(i))
	}
	slices.SortStableFunc(m.order, func(a, b int32) int { return m.out[a].to.Compare(m.out[b].to) })
	for from := 0; from < len(m.order); {
		from = m.send(from)
	}
}

// send sends the packets of the order from from on, returning where to go
// on: the end, or the packet at which the kernel refused UDP_SEGMENT (sent
// again one by one).
func (m *muxSock) send(from int) int {
	m.groups = m.groups[:0]
	for i := from; i < len(m.order); {
		p := &m.out[m.order[i]]
		g := muxGroup{from: i, count: 1, seg: p.n}
		for m.gso && i+g.count < len(m.order) && g.count < muxMaxSegs {
			q := &m.out[m.order[i+g.count]]
			if q.to != p.to || q.n > g.seg || (g.count+1)*g.seg > muxMaxGSO {
				break
			}
			g.count++
			if q.n < g.seg {
				break // a shorter segment ends the message
			}
		}
		m.groups = append(m.groups, g)
		i += g.count
	}
	n := len(m.groups)
	m.smsgs = slices.Grow(m.smsgs[:0], n)[:n]
	m.snames = slices.Grow(m.snames[:0], n)[:n]
	m.siovs = slices.Grow(m.siovs[:0], len(m.order)-from)[:len(m.order)-from]
	m.soobs = slices.Grow(m.soobs[:0], n*segCmsg)[:n*segCmsg]
	for gi, g := range m.groups {
		h := &m.smsgs[gi].hdr
		*h = unix.Msghdr{}
		for j := range g.count {
			p := &m.out[m.order[g.from+j]]
			iov := &m.siovs[g.from-from+j]
			iov.Base = &m.obuf[p.off]
			iov.SetLen(p.n)
		}
		h.Iov = &m.siovs[g.from-from]
		h.SetIovlen(g.count)
		sa, salen, err := rawSockaddr(&m.snames[gi], m.out[m.order[g.from]].to, m.v6, m.scope)
		if err == nil {
			h.Name, h.Namelen = (*byte)(sa), salen
		}
		if g.count > 1 {
			oob := m.soobs[gi*segCmsg : (gi+1)*segCmsg]
			clear(oob)
			c := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
			c.Level, c.Type = unix.SOL_UDP, unix.UDP_SEGMENT
			c.SetLen(unix.CmsgLen(2))
			*(*uint16)(unsafe.Pointer(&oob[unix.CmsgLen(0)])) = uint16(g.seg)
			h.Control = &oob[0]
			h.SetControllen(segCmsg)
		}
	}
	for i := 0; i < n; {
		r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(m.fd), uintptr(unsafe.Pointer(&m.smsgs[i])),
			uintptr(n-i), 0, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			g := m.groups[i]
			if g.count > 1 && (errno == unix.EIO || errno == unix.EINVAL || errno == unix.EOPNOTSUPP) {
				m.gso = false
				return g.from // again, one packet a message
			}
			m.count(g, false)
			i++
			continue
		}
		for _, g := range m.groups[i : i+int(r)] {
			m.count(g, true)
			m.msgs++
			m.segs += uint64(g.count)
		}
		i += int(r)
	}
	return len(m.order)
}

// count counts the packets of g as sent or failed.
func (m *muxSock) count(g muxGroup, ok bool) {
	for j := range g.count {
		p := &m.out[m.order[g.from+j]]
		switch {
		case !ok:
			p.s.sendErrs.Add(1)
		case p.echo:
			p.s.echoed.Add(1)
		default:
			p.s.sent.Add(1)
		}
	}
}

// readMux reads what the shared socket has and hands each packet to its
// stream; under the wheel's lock.
func (w *wheel) readMux() {
	m := w.mux
	if m == nil || m.fd < 0 {
		return
	}
	for range muxReads {
		for i := range m.rmsgs {
			h := &m.rmsgs[i].hdr
			h.Namelen = unix.SizeofSockaddrAny
			h.SetControllen(len(m.roobs[i]))
			h.Flags = 0
		}
		r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(m.fd), uintptr(unsafe.Pointer(&m.rmsgs[0])),
			muxBatch, unix.MSG_DONTWAIT, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 || r == 0 {
			break
		}
		now := time.Now()
		for i := range int(r) {
			h := &m.rmsgs[i]
			buf := m.rbufs[i*muxBufSize : i*muxBufSize+int(h.n)]
			at, seg := muxCmsgs(m.roobs[i][:h.hdr.Controllen], now)
			from := rawAddrPort(&m.rnames[i])
			if seg <= 0 {
				seg = len(buf)
			}
			for len(buf) > 0 {
				k := min(seg, len(buf))
				w.dispatch(buf[:k], from, at)
				buf = buf[k:]
			}
		}
		if int(r) < muxBatch {
			break
		}
	}
	if now := time.Now(); now.Sub(m.swept) > time.Second {
		m.swept = now
		for k, t := range m.ended {
			if now.Sub(t) > muxTomb {
				delete(m.ended, k)
			}
		}
	}
}

// dispatch hands one datagram to its stream (and echoes it if the stream
// echoes); under the wheel's lock.
func (w *wheel) dispatch(pkt []byte, from netip.AddrPort, at time.Time) {
	if !isMedia(pkt, &w.h) {
		return
	}
	m := w.mux
	ssrc := w.h.SSRC
	s := m.own[ssrc]
	if s == nil {
		if s = m.far[ssrc]; s == nil {
			if _, gone := m.ended[ssrc]; gone {
				return
			}
			if s = m.learn(ssrc, from); s == nil {
				m.unclaimed.Add(1)
				m.strays[m.nstray%muxStrays] = stray{from: from, at: at, h: rtp.Header{
					SequenceNumber: w.h.SequenceNumber, Timestamp: w.h.Timestamp, SSRC: ssrc}}
				m.nstray++
				return
			}
		}
		if s.echo.Load() {
			m.queue(s, true, pkt, from)
		}
	}
	s.record(&w.h, at)
}

// learn finds the stream of a new far SSRC by the address it came from:
// the one stream filed under it, or the one of them with no far SSRC yet.
func (m *muxSock) learn(ssrc uint32, from netip.AddrPort) *Stream {
	l := m.byAddr[from]
	var pick *Stream
	if len(l) == 1 {
		pick = l[0]
	} else {
		for _, s := range l {
			if len(s.farKeys) == 0 {
				if pick != nil {
					return nil // ambiguous
				}
				pick = s
			}
		}
	}
	if pick == nil || len(pick.farKeys) >= muxMaxFar {
		return nil // a far end changing SSRC at every packet must not grow the table
	}
	m.far[ssrc] = pick
	pick.farKeys = append(pick.farKeys, ssrc)
	return pick
}

// muxCmsgs reads a datagram's receive stamp (SO_TIMESTAMPNS) and GRO
// segment size (0: one datagram).
func muxCmsgs(oob []byte, now time.Time) (time.Time, int) {
	at, seg := now, 0
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		ln := int(h.Len)
		if ln < unix.SizeofCmsghdr || ln > len(oob) {
			break
		}
		data := oob[unix.CmsgLen(0):ln]
		switch {
		case h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(data) >= int(unsafe.Sizeof(unix.Timespec{})):
			ts := (*unix.Timespec)(unsafe.Pointer(&data[0]))
			if age := now.Sub(time.Unix(int64(ts.Sec), int64(ts.Nsec))); age >= 0 && age < time.Second {
				at = now.Add(-age)
			}
		case h.Level == unix.SOL_UDP && h.Type == unix.UDP_GRO && len(data) >= 2:
			if len(data) >= 4 {
				seg = int(*(*int32)(unsafe.Pointer(&data[0])))
			} else {
				seg = int(*(*uint16)(unsafe.Pointer(&data[0])))
			}
		}
		sp := unix.CmsgSpace(ln - unix.CmsgLen(0))
		if sp > len(oob) {
			break
		}
		oob = oob[sp:]
	}
	return at, seg
}

// rawAddrPort is the address of a received datagram, IPv4-mapped
// addresses unmapped.
func rawAddrPort(sa *unix.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case unix.AF_INET:
		s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		p := (*[2]byte)(unsafe.Pointer(&s4.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(s4.Addr), uint16(p[0])<<8|uint16(p[1]))
	case unix.AF_INET6:
		s6 := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		p := (*[2]byte)(unsafe.Pointer(&s6.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(s6.Addr).Unmap(), uint16(p[0])<<8|uint16(p[1]))
	}
	return netip.AddrPort{}
}

// rawSockaddr writes to as a socket address for a socket of the given
// family (an IPv6 socket takes IPv4 addresses mapped) into sa.
func rawSockaddr(sa *unix.RawSockaddrInet6, to netip.AddrPort, v6 bool, scope uint32) (unsafe.Pointer, uint32, error) {
	a := to.Addr()
	if v6 {
		*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.As16()}
		if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() {
			sa.Scope_id = scope // a link-local peer is on the socket's own link
		}
		port := (*[2]byte)(unsafe.Pointer(&sa.Port))
		port[0], port[1] = byte(to.Port()>>8), byte(to.Port())
		return unsafe.Pointer(sa), unix.SizeofSockaddrInet6, nil
	}
	if !a.Unmap().Is4() {
		return nil, 0, unix.EAFNOSUPPORT
	}
	sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
	*sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.Unmap().As4()}
	port := (*[2]byte)(unsafe.Pointer(&sa4.Port))
	port[0], port[1] = byte(to.Port()>>8), byte(to.Port())
	return unsafe.Pointer(sa4), unix.SizeofSockaddrInet4, nil
}
