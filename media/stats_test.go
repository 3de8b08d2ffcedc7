package media

import (
	"math"
	"testing"
	"time"
)

type pkt struct {
	seq  uint16
	ts   uint32
	ssrc uint32
	at   time.Duration // arrival after the epoch
}

func feed(r *Receiver, epoch time.Time, ps []pkt) {
	for _, p := range ps {
		r.Packet(p.seq, p.ts, p.ssrc, epoch.Add(p.at))
	}
}

// regular: n packets from seq0, 20 ms apart, arriving on time, minus drop.
func regular(seq0 uint16, n int, drop map[int]bool) []pkt {
	var ps []pkt
	for i := 0; i < n; i++ {
		if drop[i] {
			continue
		}
		ps = append(ps, pkt{seq: seq0 + uint16(i), ts: uint32(1000 + 160*i), ssrc: 1, at: time.Duration(i) * 20 * time.Millisecond})
	}
	return ps
}

func TestReceiverLoss(t *testing.T) {
	tests := []struct {
		name               string
		ps                 []pkt
		expected, lost, rx uint64
	}{
		{"clean", regular(100, 50, nil), 50, 0, 50},
		{"two lost in the middle", regular(100, 50, map[int]bool{10: true, 11: true}), 50, 2, 48},
		// The last packets lost are not seen as lost (RFC 3550 counts up to the highest received).
		{"tail lost", regular(100, 50, map[int]bool{48: true, 49: true}), 48, 0, 48},
		{"wrap", regular(65530, 20, map[int]bool{7: true}), 20, 1, 19},
		{"duplicate", append(regular(1, 10, nil), pkt{seq: 5, ts: 1000 + 160*4, ssrc: 1, at: 200 * time.Millisecond}), 10, 0, 11},
		{"reordered", []pkt{{1, 0, 1, 0}, {3, 320, 1, 40 * time.Millisecond}, {2, 160, 1, 41 * time.Millisecond}, {4, 480, 1, 60 * time.Millisecond}}, 4, 0, 4},
		{"two sources (early media, then echo)", append(regular(100, 10, nil), pkt{seq: 5000, ts: 0, ssrc: 2, at: time.Second}, pkt{seq: 5002, ts: 320, ssrc: 2, at: time.Second + 40*time.Millisecond}), 13, 1, 12},
		{"restart of numbering", append(regular(100, 10, nil), pkt{seq: 40000, ts: 1000 + 160*10, ssrc: 1, at: 200 * time.Millisecond}, pkt{seq: 40001, ts: 1000 + 160*11, ssrc: 1, at: 220 * time.Millisecond}), 12, 0, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReceiver()
			feed(r, r.epoch, tt.ps)
			s := r.Stats(time.Time{}, 0)
			if s.Expected != tt.expected || s.Lost != tt.lost || s.Received != tt.rx {
				t.Errorf("expected/lost/received = %d/%d/%d, want %d/%d/%d", s.Expected, s.Lost, s.Received, tt.expected, tt.lost, tt.rx)
			}
			if want := float64(tt.lost) / float64(tt.expected) * 100; math.Abs(s.LossPct-want) > 1e-9 {
				t.Errorf("loss %.3f%%, want %.3f%%", s.LossPct, want)
			}
		})
	}
}

func TestReceiverJitter(t *testing.T) {
	// On-time packets: no jitter.
	r := NewReceiver()
	feed(r, r.epoch, regular(1, 100, nil))
	if s := r.Stats(time.Time{}, 0); s.JitterMs != 0 {
		t.Errorf("jitter of a regular stream %.4f ms", s.JitterMs)
	}

	// Hand computed: arrivals at 0, 25, 40, 60 ms for packets 20 ms apart.
	// D = +5 ms, -5 ms, 0 ms = 40, 40, 0 timestamp units.
	// J1 = 40/16 = 2.5; J2 = 2.5 + (40-2.5)/16 = 4.84375;
	// J3 = 4.84375 + (0-4.84375)/16 = 4.541015625 units = 0.5676 ms.
	r = NewReceiver()
	feed(r, r.epoch, []pkt{{1, 0, 7, 0}, {2, 160, 7, 25 * time.Millisecond}, {3, 320, 7, 40 * time.Millisecond}, {4, 480, 7, 60 * time.Millisecond}})
	want := 4.541015625 / 8
	if s := r.Stats(time.Time{}, 0); math.Abs(s.JitterMs-want) > 1e-9 {
		t.Errorf("jitter %.6f ms, want %.6f", s.JitterMs, want)
	}

	// Alternating +-d around the schedule converges to about 2d
	// (|D| = 2d every packet, J -> 2d).
	r = NewReceiver()
	var ps []pkt
	for i := 0; i < 2000; i++ {
		at := time.Duration(i)*20*time.Millisecond + 5*time.Millisecond
		if i%2 == 1 {
			at -= 10 * time.Millisecond
		}
		ps = append(ps, pkt{uint16(i), uint32(160 * i), 3, at})
	}
	feed(r, r.epoch, ps)
	if s := r.Stats(time.Time{}, 0); math.Abs(s.JitterMs-10) > 0.01 {
		t.Errorf("jitter %.4f ms, want 10", s.JitterMs)
	}
}

func TestReceiverGapAndMOS(t *testing.T) {
	r := NewReceiver()
	r.Expect(r.epoch)
	feed(r, r.epoch, regular(1, 50, map[int]bool{20: true, 21: true, 22: true}))
	end := r.epoch.Add(49*20*time.Millisecond + 20*time.Millisecond)
	s := r.Stats(end, 0)
	if s.MaxGap != 80*time.Millisecond {
		t.Errorf("max gap %v, want 80ms", s.MaxGap)
	}
	if s.MOS <= 3 || s.MOS >= 4.41 {
		t.Errorf("MOS %.3f with 6%% loss", s.MOS)
	}

	// Nothing received: the gap is the whole expected period, no MOS.
	r = NewReceiver()
	r.Expect(r.epoch)
	s = r.Stats(r.epoch.Add(3*time.Second), 0)
	if s.ReceivedExpected != 0 || s.MaxGap != 3*time.Second || s.MOS != 0 {
		t.Errorf("no audio: %+v", s)
	}
}
