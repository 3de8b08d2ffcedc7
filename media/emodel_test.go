package media

import (
	"math"
	"testing"
)

func TestEModelReference(t *testing.T) {
	// ITU-T G.107: with every default (T = 0 apart from the default
	// delays, no loss) R = 93.2 and the MOS 4.41.
	tests := []struct {
		name   string
		m      EModel
		r, mos float64
		rTol   float64
		mosTol float64
	}{
		{"defaults", EModel{Bpl: BplG711PLC}, 93.2, 4.41, 0.05, 0.005},
		// Ie,eff = 95 x 1 / (1 + 25.1) = 3.64 less than the default.
		{"1% loss with PLC", EModel{Bpl: BplG711PLC, Ppl: 1}, 93.2 - 95.0/26.1, 0, 0.05, -1},
		// Without PLC, 1% loss costs 95 / 5.3 = 17.9.
		{"1% loss without PLC", EModel{Bpl: BplG711NoPLC, Ppl: 1}, 93.2 - 95.0/5.3, 0, 0.05, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.m.R()
			if math.Abs(r-tt.r) > tt.rTol {
				t.Errorf("R = %.3f, want %.3f", r, tt.r)
			}
			if tt.mosTol >= 0 {
				if mos := tt.m.MOS(); math.Abs(mos-tt.mos) > tt.mosTol {
					t.Errorf("MOS = %.3f, want %.2f", mos, tt.mos)
				}
			}
		})
	}
}

func TestEModelMonotone(t *testing.T) {
	prev := math.Inf(1)
	for _, loss := range []float64{0, 0.5, 1, 2, 5, 10, 20} {
		_, mos := EstimateMOS(loss, 1, 0)
		if mos >= prev {
			t.Errorf("MOS %.3f at %.1f%% loss is not below %.3f", mos, loss, prev)
		}
		prev = mos
	}
	prev = math.Inf(1)
	for _, delay := range []float64{0, 100, 200, 300, 400} {
		_, mos := EstimateMOS(0, 0, delay)
		if mos >= prev {
			t.Errorf("MOS %.3f at %.0f ms is not below %.3f", mos, delay, prev)
		}
		prev = mos
	}
	// A clean loopback call (60 ms assumed delay) stays above 4.3.
	if _, mos := EstimateMOS(0, 0.1, 0); mos < 4.3 {
		t.Errorf("clean call MOS %.3f", mos)
	}
	// G.107 known points: R = 50 gives MOS 2.58, R = 70 gives 3.60.
	for _, c := range []struct{ r, mos float64 }{{50, 2.58}, {70, 3.60}, {80, 4.02}, {0, 1}, {100, 4.5}} {
		if got := MOSFromR(c.r); math.Abs(got-c.mos) > 0.01 {
			t.Errorf("MOSFromR(%v) = %.3f, want %.2f", c.r, got, c.mos)
		}
	}
}
