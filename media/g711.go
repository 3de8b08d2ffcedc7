package media

// G.711 encoding (ITU-T G.711, the segment algorithm of the reference
// implementation). It is a few lines, so callsim carries it rather than a
// dependency.

// LinearToUlaw encodes one 16-bit linear sample as mu-law (PCMU).
func LinearToUlaw(s int16) byte {
	const bias, clip = 0x84, 32635
	v := int(s)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > clip {
		v = clip
	}
	v += bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}

// LinearToAlaw encodes one 16-bit linear sample as A-law (PCMA).
func LinearToAlaw(s int16) byte {
	v := int(s) >> 3 // 13-bit magnitude
	mask := 0xd5     // sign bit set (positive), even bits inverted
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	var seg int
	for seg = 0; seg < 8; seg++ {
		if v <= (0x1f<<seg)|((1<<seg)-1) {
			break
		}
	}
	if seg >= 8 {
		return byte(0x7f ^ mask)
	}
	aval := seg << 4
	if seg < 2 {
		aval |= (v >> 1) & 0x0f
	} else {
		aval |= (v >> seg) & 0x0f
	}
	return byte(aval ^ mask)
}

// UlawToLinear decodes one mu-law byte.
func UlawToLinear(u byte) int16 {
	u = ^u
	t := (int(u&0x0f) << 3) + 0x84
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// AlawToLinear decodes one A-law byte.
func AlawToLinear(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0f) << 4
	seg := int(a&0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}
