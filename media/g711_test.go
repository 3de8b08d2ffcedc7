package media

import "testing"

func TestG711(t *testing.T) {
	// Known code points: silence and full scale.
	tests := []struct {
		s    int16
		u, a byte
	}{
		{0, 0xff, 0xd5},
		{-1, 0x7f, 0x55},
		{32767, 0x80, 0xaa},
		{-32768, 0x00, 0x2a},
	}
	for _, tt := range tests {
		if got := LinearToUlaw(tt.s); got != tt.u {
			t.Errorf("ulaw(%d) = %#x, want %#x", tt.s, got, tt.u)
		}
		if got := LinearToAlaw(tt.s); got != tt.a {
			t.Errorf("alaw(%d) = %#x, want %#x", tt.s, got, tt.a)
		}
	}
	// Round trip within the quantisation step of each segment (< 1/16 of
	// the magnitude, plus the smallest step).
	for s := -32768; s <= 32767; s += 7 {
		for name, rt := range map[string]func(int16) int16{
			"ulaw": func(v int16) int16 { return UlawToLinear(LinearToUlaw(v)) },
			"alaw": func(v int16) int16 { return AlawToLinear(LinearToAlaw(v)) },
		} {
			got := int(rt(int16(s)))
			diff := got - s
			if diff < 0 {
				diff = -diff
			}
			mag := s
			if mag < 0 {
				mag = -mag
			}
			if diff > mag/16+40 {
				t.Fatalf("%s round trip of %d gave %d", name, s, got)
			}
		}
	}
}
