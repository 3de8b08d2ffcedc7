package sipcenter

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/media"
)

// callMedia is the RTP side of one call at the target: early media while
// the caller waits, then an echo of the caller's RTP.
type callMedia struct {
	stream *media.Stream
	answer []byte // the SDP answer, in the 183 and the 200
	// talked: the 200 went out, so the caller's audio was due.
	talked bool
	// remote is the offer's media address; noEarly: no early media (the
	// address is not the INVITE's source).
	remote  netip.Addr
	noEarly bool
}

// MediaStats are what the target measured of the callers' RTP it echoed,
// over the answered calls that offered RTP (each call's figures taken by
// the media package's receiver when the call ends). The target's own
// stream (early media, echo) is measured by the callers.
type MediaStats struct {
	// Calls are answered calls with RTP negotiated, ended.
	Calls uint64 `json:"calls"`
	// PacketsReceived counts the callers' packets (duplicates included),
	// PacketsExpected the RFC 3550 A.3 expected count, PacketsLost their
	// difference (not below 0), PacketsSent the early media and echo sent.
	PacketsReceived uint64 `json:"packets_received"`
	PacketsExpected uint64 `json:"packets_expected"`
	PacketsLost     uint64 `json:"packets_lost"`
	PacketsSent     uint64 `json:"packets_sent"`
	// LossPct = PacketsLost / PacketsExpected x 100 over every call;
	// MaxLossPct is the worst call's.
	LossPct    float64 `json:"loss_pct"`
	MaxLossPct float64 `json:"max_loss_pct"`
	// JitterMs is the mean over the calls with audio of each call's RFC 3550
	// A.8 interarrival jitter at its end; MaxJitterMs the highest jitter any
	// call reached.
	JitterMs    float64 `json:"jitter_ms"`
	MaxJitterMs float64 `json:"max_jitter_ms"`
	// NoAudio counts answered calls that offered RTP but from which no
	// packet arrived after the answer (one-way audio: the caller heard the
	// target, the target heard nothing).
	NoAudio uint64 `json:"no_audio"`
	// Unclaimed counts RTP datagrams that reached a shared port (RTPMux)
	// for no call: an SSRC neither announced nor learnt, nor of a call
	// ended in the last 10 s.
	Unclaimed uint64 `json:"unclaimed,omitempty"`
}

// mediaTotals accumulates MediaStats as calls end.
type mediaTotals struct {
	mu        sync.Mutex
	m         MediaStats
	jitterSum float64
	withAudio uint64
}

func (t *mediaTotals) add(st media.Stats) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := &t.m
	m.Calls++
	m.PacketsReceived += st.Received
	m.PacketsExpected += st.Expected
	m.PacketsLost += st.Lost
	m.PacketsSent += st.Sent
	m.MaxLossPct = max(m.MaxLossPct, st.LossPct)
	m.MaxJitterMs = max(m.MaxJitterMs, st.MaxJitterMs)
	if st.ReceivedExpected == 0 {
		m.NoAudio++
	} else {
		t.withAudio++
		t.jitterSum += st.JitterMs
	}
}

func (t *mediaTotals) stats() MediaStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.m
	if m.PacketsExpected > 0 {
		m.LossPct = float64(m.PacketsLost) / float64(m.PacketsExpected) * 100
	}
	if t.withAudio > 0 {
		m.JitterMs = t.jitterSum / float64(t.withAudio)
	}
	return m
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
	// Two wheels per core (see media.NewScheduler).
	s.sched = media.NewScheduler(2 * runtime.GOMAXPROCS(0))
	if s.cfg.RTPMux {
		if err := s.sched.Share(s.mediaIP, s.ports); err != nil {
			s.sched.Close()
			s.sched = nil
			return fmt.Errorf("target shared RTP ports: %w", err)
		}
	}
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
	var st *media.Stream
	sessID := uint64(0)
	if s.cfg.RTPMux {
		if st, err = s.sched.NewSharedStream(s.early); err != nil {
			return nil, err
		}
		sessID = uint64(st.SSRC()) // the port is every call's
	} else {
		conn, err := s.ports.Listen(s.mediaIP)
		if err != nil {
			return nil, err
		}
		st = media.NewStream(conn, s.early, s.ports, s.sched)
		sessID = uint64(st.LocalAddr().Port())
	}
	ans, n, err := media.Answer(req.Body(), s.mediaIP, int(st.LocalAddr().Port()), sessID)
	if err != nil {
		st.Close(0)
		return nil, err
	}
	if s.cfg.RTPMux {
		ans = media.WithSSRC(ans, st.SSRC())
		st.SetFarSSRC(d.SSRC)
	}
	if s.mediaIP.IsLoopback() && !n.Remote.Addr().Unmap().IsLoopback() {
		// A target on loopback cannot reach another address; refuse rather
		// than send RTP that could never arrive.
		st.Close(0)
		return nil, fmt.Errorf("media address %v is not reachable from a target listening on loopback", n.Remote.Addr())
	}
	if s.ownAddr(n.Remote) {
		// RTP into the center's own SIP or RTP socket would loop back into
		// it (and be logged as garbage for every packet).
		st.Close(0)
		s.mediaRefused.Add(1)
		return nil, fmt.Errorf("media address %v is the center's own", n.Remote)
	}
	st.SetRemote(n.Remote, n.Codec)
	return &callMedia{stream: st, answer: ans, remote: n.Remote.Addr()}, nil
}

// startEarly plays the early media while the caller waits, unless it is
// withheld; it says whether it started.
func (m *callMedia) startEarly() bool {
	if m == nil || m.noEarly {
		return false
	}
	m.stream.Send()
	return true
}

// answered stops the early media and echoes the caller's RTP back; the
// caller's audio is expected from now.
func (m *callMedia) answered() {
	if m != nil {
		m.stream.StopSending()
		m.stream.Expect(time.Now())
		m.stream.SetEcho(true)
	}
}

// sentAnswer records that the 200 went out: the call counts in MediaStats.
func (m *callMedia) sentAnswer() {
	if m != nil {
		m.talked = true
	}
}

// closeMedia ends a call's media and adds its figures to the totals when
// the call was answered.
func (s *Server) closeMedia(m *callMedia) {
	if m == nil {
		return
	}
	st := m.stream.Close(0)
	if m.talked {
		s.mediaTotals.add(st)
	}
}
