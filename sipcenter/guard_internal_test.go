package sipcenter

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestCountUserPart: arbitrary Request-URI user parts (simple mode answers
// them all) are counted up to maxUserParts distinct names, the rest under
// one entry: the map does not grow with the names an attacker sends.
func TestCountUserPart(t *testing.T) {
	a := &acd{userParts: map[string]uint64{}}
	for i := range 10 * maxUserParts {
		a.countUserPart(fmt.Sprintf("user-%d", i))
		a.countUserPart("support")
	}
	if len(a.userParts) != maxUserParts+1 {
		t.Errorf("%d user parts kept, want %d and %q", len(a.userParts), maxUserParts, otherUserParts)
	}
	if got, want := a.userParts["support"], uint64(10*maxUserParts); got != want {
		t.Errorf("support counted %d times, want %d (a name already kept goes on counting)", got, want)
	}
	if got, want := a.userParts[otherUserParts], uint64(10*maxUserParts-(maxUserParts-1)); got != want {
		t.Errorf("%s: %d, want %d", otherUserParts, got, want)
	}
}

// TestRateLimitedLog: a burst of one message writes logBurst records, and
// the first record after the interval says how many were dropped; other
// messages are limited apart.
func TestRateLimitedLog(t *testing.T) {
	var buf bytes.Buffer
	h := newRateLimited(slog.NewTextHandler(&buf, nil))
	log := slog.New(h).With("component", "test")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	emit := func(at time.Time, msg string) {
		r := slog.NewRecord(at, slog.LevelError, msg, 0)
		if err := log.Handler().Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 1000 {
		emit(t0.Add(time.Duration(i)*time.Millisecond), "failed to parse")
	}
	emit(t0, "other")
	if n := strings.Count(buf.String(), "failed to parse"); n != logBurst {
		t.Errorf("%d records of a burst of 1000 written, want %d", n, logBurst)
	}
	if !strings.Contains(buf.String(), "msg=other") {
		t.Errorf("another message was limited with the first: %s", buf.String())
	}
	emit(t0.Add(logInterval+time.Second), "failed to parse")
	out := buf.String()
	if !strings.Contains(out, "log records dropped") || !strings.Contains(out, fmt.Sprintf("dropped=%d", 1000-logBurst)) {
		t.Errorf("no report of the %d dropped records after the interval:\n%s", 1000-logBurst, out)
	}
}
