package target

import (
	"fmt"
	"net/netip"
	"runtime"

	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/media"
)

// callMedia is the RTP side of one call at the target: early media while
// the caller waits, then an echo of the caller's RTP.
type callMedia struct {
	stream *media.Stream
	answer []byte // the SDP answer, in the 183 and the 200
}

// setupMedia starts the media of the target (nil with NoMedia).
func (s *Server) setupMedia() error {
	if s.cfg.NoMedia {
		return nil
	}
	var err error
	if s.ports, err = media.NewPorts(s.cfg.RTPPortMin, s.cfg.RTPPortMax); err != nil {
		return fmt.Errorf("target RTP ports: %w", err)
	}
	if s.early, err = media.ParseAudio(s.cfg.EarlyMedia); err != nil {
		return fmt.Errorf("target early media: %w", err)
	}
	if s.mediaIP, err = netip.ParseAddr(s.host); err != nil {
		return fmt.Errorf("target media address %q: %w", s.host, err)
	}
	s.mediaIP = s.mediaIP.Unmap()
	s.sched = media.NewScheduler(runtime.GOMAXPROCS(0))
	return nil
}

// offerMedia negotiates an INVITE's offer. It returns nil media (and no
// error) when the call goes without RTP: media off, no SDP, or an offer of
// the discard port 9 (a caller that wants no media, like callsim load
// --no-media). An unusable offer is an error, to be answered 488.
func (s *Server) offerMedia(req *sip.Request) (*callMedia, error) {
	if s.ports == nil || len(req.Body()) == 0 {
		return nil, nil
	}
	d, err := media.ParseSDP(req.Body())
	if err != nil {
		return nil, err
	}
	if d.Port == 9 {
		return nil, nil
	}
	conn, err := s.ports.Listen(s.mediaIP)
	if err != nil {
		return nil, err
	}
	st := media.NewStream(conn, s.early, s.ports)
	ans, n, err := media.Answer(req.Body(), s.mediaIP, int(st.LocalAddr().Port()), uint64(st.LocalAddr().Port()))
	if err != nil {
		st.Close(0)
		return nil, err
	}
	st.SetRemote(n.Remote, n.Codec)
	return &callMedia{stream: st, answer: ans}, nil
}

// startEarly plays the early media while the caller waits.
func (m *callMedia) startEarly(sc *media.Scheduler) {
	if m != nil {
		m.stream.Send(sc)
	}
}

// answered stops the early media and echoes the caller's RTP back.
func (m *callMedia) answered() {
	if m != nil {
		m.stream.StopSending()
		m.stream.SetEcho(true)
	}
}

func (m *callMedia) close() {
	if m != nil {
		m.stream.Close(0)
	}
}
