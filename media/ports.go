package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// Default RTP port range (the range most SIP devices use).
const (
	DefaultPortMin = 16384
	DefaultPortMax = 32767
)

// Ports hands out even UDP ports of a range for RTP (the odd port above
// is left for RTCP, which callsim neither sends nor reads).
type Ports struct {
	mu       sync.Mutex
	min, max int
	next     int
	used     map[int]bool
}

// ParsePortRange reads "16384-32767".
func ParsePortRange(s string) (int, int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("RTP port range %q: want MIN-MAX, e.g. 16384-32767", s)
	}
	if lo < 1024 || hi > 65535 || hi-lo < 1 {
		return 0, 0, fmt.Errorf("RTP port range %q: want 1024 <= MIN < MAX <= 65535", s)
	}
	return lo, hi, nil
}

// NewPorts allocates from [lo, hi].
func NewPorts(lo, hi int) (*Ports, error) {
	if lo <= 0 && hi <= 0 {
		lo, hi = DefaultPortMin, DefaultPortMax
	}
	if lo < 1 || hi > 65535 || hi <= lo {
		return nil, fmt.Errorf("RTP port range %d-%d: want 1 <= MIN < MAX <= 65535", lo, hi)
	}
	lo += lo % 2
	return &Ports{min: lo, max: hi, next: lo, used: map[int]bool{}}, nil
}

// Range describes the range, e.g. "16384-32767".
func (p *Ports) Range() string { return fmt.Sprintf("%d-%d", p.min, p.max) }

// ErrNoPort is wrapped by Listen when every port of the range is taken.
var ErrNoPort = errors.New("no free RTP port")

// Listen binds a UDP socket on ip at the next free even port of the range,
// skipping ports taken by this allocator or by other programs.
func (p *Ports) Listen(ip netip.Addr) (*net.UDPConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := (p.max - p.min) / 2
	for range n + 1 {
		port := p.next
		p.next += 2
		if p.next > p.max {
			p.next = p.min
		}
		if p.used[port] {
			continue
		}
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if err != nil {
			continue // taken by another program
		}
		p.used[port] = true
		return c, nil
	}
	return nil, fmt.Errorf("%w in %s on %s (%d in use by callsim): widen the range (--rtp-ports) or lower the concurrency", ErrNoPort, p.Range(), ip, len(p.used))
}

// Release returns the port of c to the range (Stream.Close calls it just
// before closing c; Listen skips a port still bound).
func (p *Ports) Release(c *net.UDPConn) { p.release(c.LocalAddr().(*net.UDPAddr).Port) }

func (p *Ports) release(port int) {
	p.mu.Lock()
	delete(p.used, port)
	p.mu.Unlock()
}

// InUse is the number of ports handed out and not released.
func (p *Ports) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.used)
}

// Holds says whether port is handed out by p and not released.
func (p *Ports) Holds(port int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.used[port]
}
