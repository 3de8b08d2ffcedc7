package scenarios

import (
	"strings"
	"testing"
	"time"
)

// TestOpenAllDay: from equal to to at midnight is open all day on its days
// (never a queue silently closed); equal times of day other than midnight
// are an error naming the place; from 24:00 is 00:00.
func TestOpenAllDay(t *testing.T) {
	src := func(open string) []byte {
		return []byte(`name: open
horizon: 7d
queues:
  - name: q
    arrivals: {per_hour: 10}
    handle_time: 3m
    open: ` + open + `
groups:
  - {name: g, agents: 2, skills: [q]}
`)
	}
	for _, tt := range []struct {
		open     string
		from, to time.Duration
	}{
		{`{from: "00:00", to: "00:00"}`, 0, 24 * time.Hour},
		{`{from: "00:00", to: "24:00", days: [weekdays]}`, 0, 24 * time.Hour},
		{`{from: "24:00", to: "00:00"}`, 0, 24 * time.Hour},
		{`{from: "24:00", to: "24:00"}`, 0, 24 * time.Hour},
		{`{from: "24:00", to: "08:00"}`, 0, 8 * time.Hour},
		{`{from: "20:00", to: "08:00"}`, 20 * time.Hour, 8 * time.Hour},
	} {
		s, err := Parse("open.yaml", src(tt.open))
		if err != nil {
			t.Errorf("%s: %v", tt.open, err)
			continue
		}
		if o := s.Queues[0].Open; o == nil || o.From != tt.from || o.To != tt.to {
			t.Errorf("%s: open %+v, want from %v to %v", tt.open, o, tt.from, tt.to)
		}
	}
	_, err := Parse("open.yaml", src(`{from: "08:00", to: "08:00"}`))
	if err == nil || !strings.Contains(err.Error(), "open.yaml:7:11") || !strings.Contains(err.Error(), "same time of day (08:00)") ||
		!strings.Contains(err.Error(), `to: "24:00"`) {
		t.Errorf("from = to = 08:00: %v", err)
	}
}
