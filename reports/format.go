package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Pct formats a fraction as a percentage with one decimal: 0.8236 -> "82.4%".
func Pct(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

// PctCI formats a fraction and its half-width: "82.4% ±0.9".
func PctCI(f, hw float64) string {
	if hw == 0 {
		return Pct(f)
	}
	return Pct(f) + " ±" + strconv.FormatFloat(100*hw, 'f', 1, 64)
}

// Secs formats seconds with a sensible precision: "6.2 s", "312 s".
func Secs(s float64) string {
	switch {
	case s < 10:
		return strconv.FormatFloat(s, 'f', 1, 64) + " s"
	default:
		return strconv.FormatFloat(s, 'f', 0, 64) + " s"
	}
}

// SecsCI formats seconds and a half-width: "6.2 s ±0.3".
func SecsCI(s, hw float64) string {
	if hw == 0 {
		return Secs(s)
	}
	prec := 1
	if s >= 10 {
		prec = 0
	}
	return Secs(s) + " ±" + strconv.FormatFloat(hw, 'f', prec, 64)
}

// Count formats a (possibly fractional) count with thousands separators:
// 68364 -> "68,364"; counts below 100 keep one decimal.
func Count(f float64) string {
	if math.Abs(f) < 100 && f != math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	s := strconv.FormatInt(int64(math.Round(f)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Duration formats seconds as a compact human duration: 720000 -> "8d8h",
// 90 -> "1m30s", 604800 -> "7d", 120960 -> "1d9h36m".
func Duration(s float64) string {
	if s != math.Trunc(s) || s < 0 {
		return strconv.FormatFloat(s, 'f', 3, 64) + "s"
	}
	if s == 0 {
		return "0s"
	}
	n := int64(s)
	var b strings.Builder
	for _, u := range []struct {
		sec  int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if n >= u.sec {
			fmt.Fprintf(&b, "%d%s", n/u.sec, u.name)
			n %= u.sec
		}
	}
	return b.String()
}

// Rate formats a rate with an SI suffix: 1734000 -> "1.73M".
func Rate(f float64) string {
	switch {
	case f >= 1e6:
		return strconv.FormatFloat(f/1e6, 'f', 2, 64) + "M"
	case f >= 1e3:
		return strconv.FormatFloat(f/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}
