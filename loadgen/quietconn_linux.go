//go:build linux

package loadgen

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// quietConn is a connected TCP socket taken out of Go's network poller,
// for a reader that rests between ticks (as quietUDP): bytes arriving
// while it rests wake nothing. Read never waits (EAGAIN when nothing is
// there); Write and writeBuffers write everything, waiting for room until
// the write deadline.
type quietConn struct {
	quietFD
	local  net.Addr
	remote net.Addr

	dmu      sync.Mutex
	deadline time.Time
}

// quietTCP takes a dialled TCP connection out of the poller: the socket
// is duplicated and the connection closed, which removes it from the
// poller and leaves the socket open through the duplicate.
func quietTCP(c net.Conn) (net.Conn, error) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		_ = tc.Close()
		return nil, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) { fd, derr = unix.Dup(int(s)) }); err != nil {
		_ = tc.Close()
		return nil, err
	}
	_ = tc.Close()
	if derr != nil {
		return nil, os.NewSyscallError("dup", derr)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	return &quietConn{quietFD: quietFD{fd: fd}, local: tc.LocalAddr(), remote: tc.RemoteAddr()}, nil
}

func (q *quietConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var got int
	err := q.use(func(fd int) error {
		for {
			// A raw system call: the socket never blocks, and the runtime
			// need not hand the processor to another thread meanwhile (see
			// quietUDP.mmsg).
			n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			switch {
			case errno == unix.EINTR:
				continue
			case errno != 0:
				return os.NewSyscallError("read", errno)
			case n == 0:
				return io.EOF
			}
			got = int(n)
			return nil
		}
	})
	return got, err
}

func (q *quietConn) Write(b []byte) (int, error) {
	if err := q.writeBuffers([][]byte{b}); err != nil {
		return 0, err
	}
	return len(b), nil
}

// writeBuffers writes bufs with writev, all of them.
func (q *quietConn) writeBuffers(bufs [][]byte) error {
	return q.use(func(fd int) error { return q.writev(fd, bufs) })
}

func (q *quietConn) writev(fd int, bufs [][]byte) error {
	q.dmu.Lock()
	deadline := q.deadline
	q.dmu.Unlock()
	// Skip empty buffers: writev is given what is left.
	left := make([][]byte, 0, len(bufs))
	for _, b := range bufs {
		if len(b) > 0 {
			left = append(left, b)
		}
	}
	var iov []unix.Iovec
	for len(left) > 0 {
		iov = iov[:0]
		for _, b := range left[:min(len(left), 1024)] { // IOV_MAX
			v := unix.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
		r, _, errno := unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
		n, err := int(r), error(nil)
		if errno != 0 {
			n, err = 0, errno
		}
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			wait := 100 * time.Millisecond
			if !deadline.IsZero() {
				if wait = time.Until(deadline); wait <= 0 {
					return os.ErrDeadlineExceeded
				}
			}
			_, _ = unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}, int(min(wait, 100*time.Millisecond)/time.Millisecond)+1)
			continue
		case err != nil:
			return os.NewSyscallError("writev", err)
		}
		for n > 0 {
			if n >= len(left[0]) {
				n -= len(left[0])
				left = left[1:]
			} else {
				left[0] = left[0][n:]
				n = 0
			}
		}
	}
	return nil
}

func (q *quietConn) LocalAddr() net.Addr             { return q.local }
func (q *quietConn) RemoteAddr() net.Addr            { return q.remote }
func (q *quietConn) SetReadDeadline(time.Time) error { return nil } // reads never wait
func (q *quietConn) SetDeadline(t time.Time) error   { return q.SetWriteDeadline(t) }
func (q *quietConn) SetWriteDeadline(t time.Time) error {
	q.dmu.Lock()
	q.deadline = t
	q.dmu.Unlock()
	return nil
}
