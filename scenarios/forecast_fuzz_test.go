package scenarios

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzParseForecast: ParseForecast never panics; an error names the file,
// and a forecast it accepts has one finite, non-negative rate per interval
// of the week for every queue.
func FuzzParseForecast(f *testing.F) {
	if data, err := os.ReadFile("testdata/forecast.csv"); err == nil {
		f.Add(data, uint8(1))
	}
	for _, s := range []string{
		"interval_start,queue,calls\n08:00,support,10\n08:30,support,12\n",
		"start,calls\nmon 08:00,5\ntue 23:45,1.5\n",
		"datetime,split,offered\n2026-11-23 08:00,a,3\n2026-11-30 08:00,a,5\n2026-11-23T08:00:00Z,b,1\n",
		"\ufeffInterval,Skill,Volume\n00:00,x,0\n",
		"interval_start,queue,calls\n08:00,q,Inf\n",
		"interval_start,queue,calls\n08:00,q,1e308\n08:00,q,1e308\n",
		"interval_start,queue,calls\n08:00,q,NaN\n",
		"interval_start,queue,calls\n08:10,q,1\n",
		"interval_start,queue,calls\n\"08:00,q,1\n",
		"calls\n1\n", "", "\n\n", "a,b\n",
	} {
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(0))
	}
	intervals := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 7 * time.Minute, 0}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		interval := intervals[int(which)%len(intervals)]
		fc, err := ParseForecast("f.csv", bytes.NewReader(data), interval)
		if err != nil {
			if fc != nil {
				t.Fatalf("a forecast and an error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		perWeek := 7 * int(24*time.Hour/interval)
		if len(fc) == 0 {
			t.Fatal("no error and no queue")
		}
		for q, rates := range fc {
			if len(rates) != perWeek {
				t.Fatalf("queue %q: %d rates, want %d", q, len(rates), perWeek)
			}
			for i, r := range rates {
				if !(r >= 0) || math.IsInf(r, 0) {
					t.Fatalf("queue %q interval %d: rate %v from\n%s", q, i, r, data)
				}
			}
		}
	})
}
