package media

import (
	"time"
)

// Stats are the media figures of one stream, as its receiver measured them.
type Stats struct {
	Sent     uint64 // RTP packets sent
	Received uint64 // RTP packets received (duplicates included)
	// ReceivedExpected counts those received once audio was expected
	// (after the answer; the rest is early media).
	ReceivedExpected uint64
	Expected         uint64 // RFC 3550 A.3, summed over the sources received
	Lost             uint64 // Expected - Received, not below 0
	// LossPct = Lost / Expected x 100 (0 when nothing was expected).
	LossPct float64
	// JitterMs is the RFC 3550 A.8 interarrival jitter at the end of the
	// stream, in milliseconds; MaxJitterMs its highest value.
	JitterMs    float64
	MaxJitterMs float64
	// MaxGap is the longest time without a packet while audio was expected.
	MaxGap time.Duration
	// R and MOS: the E-model estimate (zero when nothing was received).
	R, MOS float64
}

// source is the sequence state of one SSRC (RFC 3550 A.1, without the
// probation of a new source: callsim counts every packet).
type source struct {
	ssrc     uint32
	baseSeq  uint32
	maxSeq   uint16
	cycles   uint32
	received uint64
	// doneExpected counts the packets expected before a restart of the
	// sequence numbering.
	doneExpected uint64
}

func (s *source) extMax() uint32 { return s.cycles + uint32(s.maxSeq) }

// update follows a sequence number; a jump of more than 3000 is taken as
// a restart of the sequence (A.1's MAX_DROPOUT) and rebased.
func (s *source) update(seq uint16) {
	const maxDropout, maxMisorder = 3000, 100
	udelta := seq - s.maxSeq
	switch {
	case udelta < maxDropout:
		if seq < s.maxSeq {
			s.cycles += 1 << 16
		}
		s.maxSeq = seq
	case udelta <= 1<<16-maxMisorder:
		// A very large jump: the source restarted its numbering. Count
		// what was expected so far as a finished run and start again.
		s.doneExpected = s.expected()
		s.baseSeq, s.maxSeq, s.cycles = uint32(seq), seq, 0
	default:
		// Duplicate or reordered packet: no change of the highest number.
	}
	s.received++
}

func (s *source) expected() uint64 { return s.doneExpected + uint64(s.extMax()-s.baseSeq) + 1 }

// Receiver accumulates RFC 3550 receive statistics. It is not safe for
// concurrent use.
type Receiver struct {
	sources []source
	cur     int // index of the source of the last packet, -1 none

	// Jitter (A.8), in timestamp units (1/8000 s), and the transit of the
	// previous packet of the current source.
	jitter, maxJitter float64
	transit           int64
	haveTransit       bool
	epoch             time.Time

	expectFrom time.Time // when audio became expected (zero: not yet)
	lastArr    time.Time
	maxGap     time.Duration
	received   uint64
	recvExp    uint64
}

// NewReceiver starts a receiver; arrival times are measured from now.
func NewReceiver() *Receiver { return &Receiver{cur: -1, epoch: time.Now()} }

// Expect marks the moment from which audio is expected (the answer):
// the longest gap is measured from then.
func (r *Receiver) Expect(t time.Time) {
	if r.expectFrom.IsZero() {
		r.expectFrom = t
	}
}

// Packet records one RTP packet with its sequence number, RTP timestamp,
// SSRC and arrival time.
func (r *Receiver) Packet(seq uint16, ts uint32, ssrc uint32, arrival time.Time) {
	r.received++
	if !r.expectFrom.IsZero() && !arrival.Before(r.expectFrom) {
		r.recvExp++
	}
	if !r.expectFrom.IsZero() {
		from := r.lastArr
		if from.Before(r.expectFrom) {
			from = r.expectFrom
		}
		if g := arrival.Sub(from); g > r.maxGap {
			r.maxGap = g
		}
	}
	r.lastArr = arrival

	i := -1
	for k := range r.sources {
		if r.sources[k].ssrc == ssrc {
			i = k
			break
		}
	}
	if i < 0 {
		r.sources = append(r.sources, source{ssrc: ssrc, baseSeq: uint32(seq), maxSeq: seq, received: 0})
		i = len(r.sources) - 1
		r.sources[i].received++
	} else {
		r.sources[i].update(seq)
	}
	// Jitter: only between consecutive packets of one source.
	arrTS := int64(arrival.Sub(r.epoch) * ClockRate / time.Second)
	transit := arrTS - int64(ts)
	if r.cur == i && r.haveTransit {
		d := transit - r.transit
		if d < 0 {
			d = -d
		}
		// A transit step of more than 10 s is a timestamp jump, not jitter.
		if d < 10*ClockRate {
			r.jitter += (float64(d) - r.jitter) / 16
			if r.jitter > r.maxJitter {
				r.maxJitter = r.jitter
			}
		}
	}
	r.transit, r.haveTransit, r.cur = transit, true, i
}

// Stats returns the figures so far; end closes the last gap (the end of
// the stream; zero: no closing gap). networkDelayMs feeds the E-model.
func (r *Receiver) Stats(end time.Time, networkDelayMs float64) Stats {
	s := Stats{Received: r.received, ReceivedExpected: r.recvExp, MaxGap: r.maxGap}
	for _, src := range r.sources {
		s.Expected += src.expected()
	}
	if s.Expected > s.Received {
		s.Lost = s.Expected - s.Received
	}
	if s.Expected > 0 {
		s.LossPct = float64(s.Lost) / float64(s.Expected) * 100
	}
	s.JitterMs = r.jitter / ClockRate * 1000
	s.MaxJitterMs = r.maxJitter / ClockRate * 1000
	if !r.expectFrom.IsZero() && !end.IsZero() {
		from := r.lastArr
		if from.Before(r.expectFrom) {
			from = r.expectFrom
		}
		if g := end.Sub(from); g > s.MaxGap {
			s.MaxGap = g
		}
	}
	if s.Received > 0 {
		s.R, s.MOS = EstimateMOS(s.LossPct, s.JitterMs, networkDelayMs)
	}
	return s
}
