package segment

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Segment
		wantErr string
	}{
		{"0/4", Segment{0, 4}, ""},
		{" 3/4 ", Segment{3, 4}, ""},
		{"0/1", Segment{0, 1}, ""},
		{"4/4", Segment{}, "index must be 0 to 3"},
		{"-1/4", Segment{}, "index must be 0 to 3"},
		{"1/0", Segment{}, "number of segments"},
		{"1", Segment{}, "INDEX/COUNT"},
		{"a/b", Segment{}, "whole numbers"},
		{"", Segment{}, "INDEX/COUNT"},
	} {
		got, err := Parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := func(v string, ok bool) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k != IndexEnv {
				t.Fatalf("looked up %s", k)
			}
			return v, ok
		}
	}
	if s, err := FromEnv(4, env("2", true)); err != nil || s != (Segment{2, 4}) {
		t.Errorf("FromEnv = %v, %v", s, err)
	}
	for _, tc := range []struct {
		v    string
		ok   bool
		want string
	}{{"", false, "not set"}, {"x", true, "whole number"}, {"4", true, "index must be 0 to 3"}} {
		if _, err := FromEnv(4, env(tc.v, tc.ok)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromEnv(%q) error %v, want %q", tc.v, err, tc.want)
		}
	}
}

func TestShareAddsUp(t *testing.T) {
	for _, total := range []uint64{0, 1, 3, 7, 1000, 1001} {
		for n := 1; n <= 7; n++ {
			var sum, owned uint64
			for i := range n {
				s := Segment{i, n}
				sum += s.Share(total)
				var own uint64
				for k := range total {
					if s.Owns(k) {
						own++
						if s.Global(own-1) != k {
							t.Fatalf("segment %v: item %d is global %d, want %d", s, own-1, s.Global(own-1), k)
						}
					}
				}
				if own != s.Share(total) {
					t.Fatalf("segment %v of %d owns %d, share %d", s, total, own, s.Share(total))
				}
				owned += own
			}
			if sum != total || owned != total {
				t.Fatalf("%d items in %d segments: shares add to %d, owned %d", total, n, sum, owned)
			}
		}
	}
}

func TestSeed(t *testing.T) {
	if (Segment{}).Seed(7) != 7 || (Segment{0, 1}).Seed(7) != 7 {
		t.Error("the whole run must keep its seed")
	}
	seen := map[uint64]bool{7: true}
	for i := range 16 {
		s := Segment{i, 16}.Seed(7)
		if seen[s] {
			t.Fatalf("segment %d repeats a seed", i)
		}
		seen[s] = true
	}
}

func TestStartAt(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if got, err := ParseStartAt("+10s", now); err != nil || !got.Equal(now.Add(10*time.Second)) {
		t.Errorf("+10s = %v, %v", got, err)
	}
	if got, err := ParseStartAt("2026-11-23T14:00:00Z", now); err != nil || got.Hour() != 14 {
		t.Errorf("RFC 3339 = %v, %v", got, err)
	}
	for _, bad := range []string{"+x", "+-3s", "tomorrow", "14:00"} {
		if _, err := ParseStartAt(bad, now); err == nil {
			t.Errorf("ParseStartAt(%q) accepted", bad)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	err := WaitUntil(ctx, time.Now().Add(time.Hour))
	if !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Errorf("WaitUntil on cancel: %v after %v", err, time.Since(start))
	}
	if err := WaitUntil(context.Background(), time.Now().Add(-time.Second)); err != nil {
		t.Errorf("past start: %v", err)
	}
	start = time.Now()
	if err := WaitUntil(context.Background(), start.Add(50*time.Millisecond)); err != nil || time.Since(start) < 50*time.Millisecond {
		t.Errorf("WaitUntil returned %v after %v", err, time.Since(start))
	}
}
