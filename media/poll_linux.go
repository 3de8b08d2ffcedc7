//go:build linux

package media

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/callsim/callsim/internal/rxstamp"
)

// pollBatch is the number of packets one recvmmsg takes from a stream.
const pollBatch = 8

// canPoll: streams can be read by their wheel on this system.
const canPoll = true

// pollScratch is a wheel's buffers for reading its streams, reused for
// each (the wheel visits one stream at a time, under its lock).
type pollScratch struct {
	hdrs [pollBatch]unix.Mmsghdr
	iovs [pollBatch]unix.Iovec
	bufs [pollBatch][1500]byte
	oobs [pollBatch][]byte
}

func newPollScratch() *pollScratch {
	p := &pollScratch{}
	for i := range p.hdrs {
		p.oobs[i] = make([]byte, rxstamp.OOBSize)
		p.iovs[i].Base = &p.bufs[i][0]
		p.iovs[i].SetLen(len(p.bufs[i]))
		p.hdrs[i].Hdr.Iov = &p.iovs[i]
		p.hdrs[i].Hdr.SetIovlen(1)
	}
	return p
}

// drain reads every packet waiting on the stream's socket without
// blocking, each at the arrival time its kernel stamp gives, and reports
// whether the socket still works.
func (s *Stream) drain(p *pollScratch) bool {
	if s.raw == nil {
		return false
	}
	err := s.raw.Read(func(fd uintptr) bool {
		for {
			for i := range p.hdrs {
				h := &p.hdrs[i].Hdr
				if len(p.oobs[i]) > 0 {
					h.Control = &p.oobs[i][0]
					h.SetControllen(len(p.oobs[i]))
				}
				h.Flags = 0
				p.hdrs[i].Len = 0
			}
			n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&p.hdrs[0])), pollBatch, unix.MSG_DONTWAIT, 0, 0)
			if errno != 0 || n == 0 {
				return true // EAGAIN: nothing more waits
			}
			now := time.Now()
			for i := range int(n) {
				h := &p.hdrs[i].Hdr
				at := rxstamp.Time(p.oobs[i][:h.Controllen], now)
				s.packet(p.bufs[i][:p.hdrs[i].Len], at)
			}
			if int(n) < pollBatch {
				return true
			}
		}
	})
	return err == nil
}

// rawConn is the socket's raw descriptor for drain, with receive stamps
// turned on; nil if either is not available.
func (s *Stream) rawConn() syscall.RawConn {
	if !rxstamp.Enable(s.conn) {
		return nil
	}
	rc, err := s.conn.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
