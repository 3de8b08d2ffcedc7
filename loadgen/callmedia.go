package loadgen

import (
	"sync"
	"time"

	"github.com/callsim/callsim/media"
)

// callMedia is a call's RTP stream (nil with --no-media) and what it
// measured, shared by both call paths.
type callMedia struct {
	media      *media.Stream
	negotiated bool         // the far end's SDP was usable
	started    bool         // RTP started at the answer
	stats      *media.Stats // the figures, once stopped after a start
	once       sync.Once
}

// takeSDP negotiates the far end's SDP (of a 18x or the 2xx) and points
// the stream at it.
func (m *callMedia) takeSDP(e *engine, body []byte) error {
	if m.media == nil || len(body) == 0 {
		return media.ErrNoSDP
	}
	d, err := media.ParseSDP(body)
	if err != nil {
		return err
	}
	n, err := media.Negotiate(d, media.DefaultOffer)
	if err != nil {
		return err
	}
	remote := n.Remote
	if e.cfg.MediaVia != nil {
		remote = e.cfg.MediaVia(remote)
	}
	m.media.SetRemote(remote, n.Codec)
	m.media.SetFarSSRC(d.SSRC)
	m.negotiated = true
	return nil
}

// startMedia starts RTP at the answer: send for the whole call, and
// measure what comes back from now on.
func (m *callMedia) startMedia(e *engine, body []byte, at time.Time, callID string) {
	if m.media == nil {
		return
	}
	if err := m.takeSDP(e, body); err != nil && !m.negotiated {
		e.col.media.sdpErrors.Add(1)
		e.log.Debug("no usable SDP answer; no RTP sent", "call", callID, "error", err)
	}
	m.started = true
	m.media.Expect(at)
	if m.negotiated {
		m.media.Send()
	}
}

// stopMedia ends the call's RTP (at the hang-up) and keeps its figures if
// media ran; it is safe to call more than once, from any goroutine.
func (m *callMedia) stopMedia(e *engine) {
	if m.media == nil {
		return
	}
	m.once.Do(func() {
		st := m.media.Close(float64(e.cfg.MOSNetworkDelay) / float64(time.Millisecond))
		if m.started {
			m.stats = &st
		}
	})
}

// newStream opens call n's RTP port (with --rtp-mux, a stream on a shared
// port) and returns its stream and SDP offer.
func (e *engine) newStream(n uint64) (*media.Stream, []byte, error) {
	var st *media.Stream
	if e.cfg.RTPMux {
		var err error
		if st, err = e.sched.NewSharedStream(e.audio); err != nil {
			return nil, nil, err
		}
	} else {
		conn, err := e.ports.Listen(e.mediaIP)
		if err != nil {
			return nil, nil, err
		}
		st = media.NewStream(conn, e.audio, e.ports, e.sched)
	}
	return st, e.offerFor(st, n), nil
}

// offerFor is call n's SDP offer for stream st: the same for every INVITE
// of the call (a=ssrc too with --rtp-mux, so that a far end sharing its
// ports knows the call's packets whichever INVITE it answers).
func (e *engine) offerFor(st *media.Stream, n uint64) []byte {
	offer := media.Offer(e.mediaIP, int(st.LocalAddr().Port()), n+1, media.DefaultOffer, "")
	if e.cfg.RTPMux {
		offer = media.WithSSRC(offer, st.SSRC())
	}
	return offer
}
