package capacity

import (
	"math"
	"testing"
)

// TestShareBounds against exact values: no failure in n calls gives the
// lower bound (1-c)^(1/n) (the rule of three), and a binomial check.
func TestShareBounds(t *testing.T) {
	lo, hi := ShareBounds(299, 299, 0.95)
	if hi != 1 || math.Abs(lo-math.Pow(0.05, 1.0/299)) > 1e-9 || lo < 0.99 {
		t.Errorf("299/299: %v %v", lo, hi)
	}
	if lo, _ := ShareBounds(298, 298, 0.95); lo >= 0.99 {
		t.Errorf("298 calls already show 99%%: %v", lo)
	}
	// k = 0 of 10: upper bound 1 - 0.05^(1/10) = 0.2589.
	if _, hi := ShareBounds(0, 10, 0.95); math.Abs(hi-0.25887) > 1e-4 {
		t.Errorf("0/10 upper %v", hi)
	}
	// 5 of 20 at 95% one-sided: Clopper-Pearson lower 0.1041, upper 0.4556.
	lo, hi = ShareBounds(5, 20, 0.95)
	if math.Abs(lo-0.10406) > 2e-4 || math.Abs(hi-0.45558) > 2e-4 {
		t.Errorf("5/20: %v %v", lo, hi)
	}
}

func TestCallsToShow(t *testing.T) {
	for _, tt := range []struct {
		share float64
		want  uint64
	}{{0.99, 299}, {0.999, 2995}, {0.95, 59}} {
		if got := CallsToShow(Evidence{Basis: Proportion, Share: tt.share, AtLeast: true}, 0.95); got != tt.want {
			t.Errorf("share %v: %d calls, want %d", tt.share, got, tt.want)
		}
	}
}
