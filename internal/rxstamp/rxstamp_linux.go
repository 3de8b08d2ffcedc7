package rxstamp

import (
	"net"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OOBSize is the control buffer one datagram's stamp needs.
var OOBSize = unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{})))

// Enable asks the kernel to stamp each datagram with its
// receive time (SO_TIMESTAMPNS); false if it will not.
func Enable(c *net.UDPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return false
	}
	return serr == nil
}

// Time is when a datagram arrived, from its control messages, on the
// clock of now (a time read after it was received, which carries the
// monotonic reading): now less the datagram's age. Without a usable
// stamp, or with one from the future or over a second old (the wall clock
// was set meanwhile), it is now.
func Time(oob []byte, now time.Time) time.Time {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		ln := int(h.Len)
		if ln < unix.SizeofCmsghdr || ln > len(oob) {
			break
		}
		data := oob[unix.CmsgLen(0):ln]
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&data[0]))
			age := now.Sub(time.Unix(int64(ts.Sec), int64(ts.Nsec)))
			if age >= 0 && age < time.Second {
				return now.Add(-age)
			}
			return now
		}
		sp := unix.CmsgSpace(ln - unix.CmsgLen(0))
		if sp > len(oob) {
			break
		}
		oob = oob[sp:]
	}
	return now
}
