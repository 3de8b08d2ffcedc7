//go:build linux

package loadgen

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// quietUDP is a UDP socket outside Go's network poller, for a reader that
// rests between ticks: a datagram arriving while it rests wakes nothing
// (a socket in the poller wakes the process at every arrival, only to find
// no goroutine waiting). The socket is non-blocking; the reader takes what
// waits with one recvmmsg a tick and writes with sendmmsg.
type quietUDP struct {
	quietFD
	v6    bool
	local *net.UDPAddr

	// Read scratch, used by the one reader goroutine.
	rmu    sync.Mutex
	rhdrs  []unix.Mmsghdr
	riov   []unix.Iovec
	rnames []unix.RawSockaddrAny
	raddrs []net.UDPAddr

	// Write scratch, shared by the writers under wmu.
	wmu   sync.Mutex
	whdrs []unix.Mmsghdr
	wiov  []unix.Iovec
	wname []unix.RawSockaddrInet6 // large enough for either family
}

// quietSockets says whether this system has quiet sockets.
const quietSockets = true

// listenQuietUDP binds a quiet socket on la with buffers of bufSize bytes
// and receive timestamps (SO_TIMESTAMPNS).
func listenQuietUDP(la *net.UDPAddr, bufSize int) (udpSocket, error) {
	v6 := la.IP != nil && la.IP.To4() == nil
	family := unix.AF_INET
	if v6 {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, bufSize)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, bufSize)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("setsockopt SO_TIMESTAMPNS", err)
	}
	var sa unix.Sockaddr
	if v6 {
		s := &unix.SockaddrInet6{Port: la.Port}
		copy(s.Addr[:], la.IP.To16())
		sa = s
	} else {
		s := &unix.SockaddrInet4{Port: la.Port}
		if ip := la.IP.To4(); ip != nil {
			copy(s.Addr[:], ip)
		}
		sa = s
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("getsockname", err)
	}
	q := &quietUDP{quietFD: quietFD{fd: fd}, v6: v6}
	switch s := got.(type) {
	case *unix.SockaddrInet4:
		q.local = &net.UDPAddr{IP: net.IP(s.Addr[:]).To16(), Port: s.Port}
	case *unix.SockaddrInet6:
		q.local = &net.UDPAddr{IP: net.IP(s.Addr[:]), Port: s.Port}
	}
	return q, nil
}

func (q *quietUDP) LocalAddr() net.Addr { return q.local }

// Stamps: the socket was made with receive timestamps.
func (q *quietUDP) Stamps() bool { return true }

// quietFD is the descriptor of a quiet socket. System calls use it under
// a read lock, so that Close, which takes the lock for writing, never
// closes it while a call is under way (its number could be given to
// another socket meanwhile).
type quietFD struct {
	mu     sync.RWMutex
	fd     int
	closed bool
}

// use runs f on the descriptor, or fails with net.ErrClosed.
func (d *quietFD) use(f func(fd int) error) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return net.ErrClosed
	}
	return f(d.fd)
}

func (d *quietFD) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return net.ErrClosed
	}
	d.closed = true
	return unix.Close(d.fd)
}

// ReadBatch reads the datagrams waiting, at most len(ms), without waiting
// for one (EAGAIN when none); flags are ignored.
func (q *quietUDP) ReadBatch(ms []ipv4.Message, _ int) (int, error) {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	if len(q.rhdrs) < len(ms) {
		q.rhdrs = make([]unix.Mmsghdr, len(ms))
		q.riov = make([]unix.Iovec, len(ms))
		q.rnames = make([]unix.RawSockaddrAny, len(ms))
		q.raddrs = make([]net.UDPAddr, len(ms))
		for i := range q.raddrs {
			q.raddrs[i].IP = make(net.IP, 16)
		}
	}
	hs := q.rhdrs[:len(ms)]
	for i := range hs {
		b := ms[i].Buffers[0]
		q.riov[i].Base = &b[0]
		q.riov[i].SetLen(len(b))
		h := &hs[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&q.rnames[i]))
		h.Namelen = unix.SizeofSockaddrAny
		h.Iov = &q.riov[i]
		h.SetIovlen(1)
		if len(ms[i].OOB) > 0 {
			h.Control = &ms[i].OOB[0]
			h.SetControllen(len(ms[i].OOB))
		} else {
			h.Control = nil
			h.SetControllen(0)
		}
		h.Flags = 0
		hs[i].Len = 0
	}
	n, err := q.mmsg(unix.SYS_RECVMMSG, hs)
	if err != nil {
		return 0, err
	}
	for i := range hs[:n] {
		ms[i].N = int(hs[i].Len)
		ms[i].NN = int(hs[i].Hdr.Controllen)
		ms[i].Flags = int(hs[i].Hdr.Flags)
		ms[i].Addr = q.sender(i)
	}
	return n, nil
}

// sender is the address of the i-th datagram read, in a reused UDPAddr.
func (q *quietUDP) sender(i int) *net.UDPAddr {
	a := &q.raddrs[i]
	a.IP = a.IP[:16]
	switch q.rnames[i].Addr.Family {
	case unix.AF_INET:
		s := (*unix.RawSockaddrInet4)(unsafe.Pointer(&q.rnames[i]))
		copy(a.IP, net.IPv4(s.Addr[0], s.Addr[1], s.Addr[2], s.Addr[3]))
		a.Port = int(ntohs(s.Port))
	case unix.AF_INET6:
		s := (*unix.RawSockaddrInet6)(unsafe.Pointer(&q.rnames[i]))
		copy(a.IP, s.Addr[:])
		a.Port = int(ntohs(s.Port))
	default:
		a.IP, a.Port = a.IP[:0], 0
	}
	return a
}

// WriteBatch writes the messages (each to its Addr, a *net.UDPAddr) with
// as few sendmmsg calls as the kernel takes; flags are ignored. A full
// send buffer is waited for, at most 100 ms.
func (q *quietUDP) WriteBatch(ms []ipv4.Message, _ int) (int, error) {
	q.wmu.Lock()
	defer q.wmu.Unlock()
	if len(q.whdrs) < len(ms) {
		q.whdrs = make([]unix.Mmsghdr, len(ms))
		q.wiov = make([]unix.Iovec, len(ms))
		q.wname = make([]unix.RawSockaddrInet6, len(ms))
	}
	hs := q.whdrs[:len(ms)]
	for i := range hs {
		ua, ok := ms[i].Addr.(*net.UDPAddr)
		if !ok {
			return 0, fmt.Errorf("write to %v: not a UDP address", ms[i].Addr)
		}
		nl, err := q.sockaddr(&q.wname[i], ua.AddrPort())
		if err != nil {
			return 0, err
		}
		b := ms[i].Buffers[0]
		q.wiov[i].Base = &b[0]
		q.wiov[i].SetLen(len(b))
		h := &hs[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&q.wname[i]))
		h.Namelen = nl
		h.Iov = &q.wiov[i]
		h.SetIovlen(1)
		h.Control = nil
		h.SetControllen(0)
		hs[i].Len = 0
	}
	return q.mmsg(unix.SYS_SENDMMSG, hs)
}

// WriteToUDPAddrPort writes one datagram to addr.
func (q *quietUDP) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	ms := []ipv4.Message{{Buffers: [][]byte{b}, Addr: net.UDPAddrFromAddrPort(addr)}}
	if _, err := q.WriteBatch(ms, 0); err != nil {
		return 0, err
	}
	return len(b), nil
}

// sockaddr writes addr into sa for this socket's family and returns its
// length.
func (q *quietUDP) sockaddr(sa *unix.RawSockaddrInet6, addr netip.AddrPort) (uint32, error) {
	ip := addr.Addr()
	if q.v6 {
		*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Port: htons(addr.Port()), Addr: ip.As16()}
		return unix.SizeofSockaddrInet6, nil
	}
	ip = ip.Unmap()
	if !ip.Is4() {
		return 0, fmt.Errorf("write to %v from an IPv4 socket", addr)
	}
	s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
	*s4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Port: htons(addr.Port()), Addr: ip.As4()}
	return unix.SizeofSockaddrInet4, nil
}

// mmsg runs recvmmsg or sendmmsg on hs: the number of messages done, or
// the error (syscall.EAGAIN when a read finds nothing).
func (q *quietUDP) mmsg(trap uintptr, hs []unix.Mmsghdr) (int, error) {
	if len(hs) == 0 {
		return 0, nil
	}
	var done int
	err := q.use(func(fd int) error {
		for waited := 0; ; {
			// A raw system call: the socket never blocks, so the runtime
			// need not know; with Syscall6 a batch taking over 20 us
			// (loopback delivery to the far end is done in the call) made
			// the runtime's monitor hand the processor to another thread
			// and spin, about two thousand more wake-ups a second at 2,000
			// calls/s.
			n, _, errno := unix.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&hs[0])), uintptr(len(hs)), 0, 0, 0)
			switch {
			case errno == 0:
				done = int(n)
				return nil
			case errno == unix.EINTR:
				continue
			case errno == unix.EAGAIN && trap == unix.SYS_SENDMMSG && waited < 10:
				// The send buffer is full: wait until it drains (10 ms at a time).
				waited++
				_, _ = unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}, 10)
				continue
			}
			name := "recvmmsg"
			if trap == unix.SYS_SENDMMSG {
				name = "sendmmsg"
			}
			return os.NewSyscallError(name, errno)
		}
	})
	return done, err
}

// htons is port in network byte order, as a sockaddr's Port field holds it.
func htons(port uint16) uint16 {
	var v uint16
	b := (*[2]byte)(unsafe.Pointer(&v))
	b[0], b[1] = byte(port>>8), byte(port)
	return v
}

// ntohs reads a sockaddr's Port field.
func ntohs(v uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&v))
	return uint16(b[0])<<8 | uint16(b[1])
}
