//go:build !linux

package media

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"
)

// sock is a stream's socket with a reader goroutine of its own.
type sock struct {
	conn     *net.UDPConn
	readDone chan struct{}
}

// poller: wheels only send here.
type poller struct{}

func (w *wheel) initPoller()  {}
func (w *wheel) readSlot(int) {}
func (w *wheel) readEchoes()  {}

func (s *Stream) echoChanged(bool) {}
func (w *wheel) flushMux()         {}
func (w *wheel) pollMux()          {}

func (s *Stream) remoteChanged(netip.AddrPort) {}

var errQueued = errors.New("media: queued")

// Share needs Linux (recvmmsg, sendmmsg, UDP_SEGMENT).
func (sc *Scheduler) Share(netip.Addr, *Ports) error {
	return errors.New("media: shared RTP ports need Linux")
}

// NewSharedStream needs Linux.
func (sc *Scheduler) NewSharedStream(*Audio) (*Stream, error) {
	return nil, errors.New("media: shared RTP ports need Linux")
}

// SetFarSSRC does nothing here (no shared streams).
func (s *Stream) SetFarSSRC(uint32) {}

// Unclaimed is 0 here (no shared sockets).
func (sc *Scheduler) Unclaimed() uint64 { return 0 }
func (w *wheel) closePoller()           {}

func (s *Stream) open(conn *net.UDPConn) {
	s.conn, s.readDone = conn, make(chan struct{})
	go s.read()
}

func (s *Stream) write(p []byte, to netip.AddrPort) error {
	_, err := s.conn.WriteToUDPAddrPort(p, to)
	return err
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
		if !isMedia(buf[:n], &h) {
			continue
		}
		if s.echo.Load() {
			if _, err := s.conn.WriteToUDPAddrPort(buf[:n], from); err == nil {
				s.echoed.Add(1)
			}
		}
		s.record(&h, now)
	}
}

// shut closes the socket after release and waits for the reader.
func (s *Stream) shut(release func()) {
	release()
	_ = s.conn.Close()
	<-s.readDone
}
