package scenarios

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseForecast(t *testing.T) {
	const half = 1800.0
	tests := []struct {
		name, csv string
		queue     string
		slot      int // interval of the week, 30-minute intervals
		rate      float64
		err       string
	}{
		{"time of day every day", "start,calls\n08:00,90\n", "", 16, 90 / half, ""},
		{"time of day on sunday", "start,calls\n08:00,90\n", "", 6*48 + 16, 90 / half, ""},
		{"weekday", "interval_start,queue,calls\ntue 09:30,q,45\n", "q", 48 + 19, 45 / half, ""},
		{"dates averaged over weeks", "interval_start,queue,offered\n2026-11-23 08:00,q,100\n2026-11-30 08:00,q,140\n", "q", 16, 120 / half, ""},
		{"unmentioned interval", "start,calls\n08:00,90\n", "", 17, 0, ""},
		{"BOM and spaces", "\ufeffInterval_Start, Calls\n08:00, 30\n", "", 16, 30 / half, ""},
		{"no calls column", "start,queue\n08:00,q\n", "", 0, 0, "no calls column"},
		{"bad number", "start,calls\n08:00,lots\n", "", 0, 0, ":2: calls must be a number"},
		{"negative", "start,calls\n08:00,-4\n", "", 0, 0, "calls must be a number >= 0"},
		{"bad time", "start,calls\n25:00,4\n", "", 0, 0, ":2: cannot read the time"},
		{"bad day", "start,calls\nfunday 08:00,4\n", "", 0, 0, `unknown day "funday"`},
		{"off the grid", "start,calls\n08:10,4\n", "", 0, 0, "does not start a 30m0s interval"},
		{"empty", "", "", 0, 0, "empty forecast file"},
		{"header only", "start,calls\n", "", 0, 0, "no rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseForecast("f.csv", strings.NewReader(tt.csv), 30*time.Minute)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f[tt.queue][tt.slot]; math.Abs(got-tt.rate) > 1e-12 {
				t.Errorf("rate %g, want %g", got, tt.rate)
			}
		})
	}
}

func TestForecastInScenario(t *testing.T) {
	s, err := Load("testdata/forecast.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sales, support := s.Queues[0].Arrivals, s.Queues[1].Arrivals
	if sales.WeekRates[16] != 120/1800.0 || sales.WeekRates[17] != 150/1800.0 || support.WeekRates[16] != 60/1800.0 {
		t.Errorf("rates %g %g %g", sales.WeekRates[16], sales.WeekRates[17], support.WeekRates[16])
	}
	if want := (120 + 150) / 1800.0 / (7 * 48); math.Abs(sales.Rate-want) > 1e-15 {
		t.Errorf("average rate %g, want %g", sales.Rate, want)
	}
	bad := strings.Replace(string(mustRead(t, "testdata/forecast.yaml")), "name: support", "name: suport", 1)
	if _, err := Parse("testdata/forecast.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), `no rows for queue "suport"`) {
		t.Errorf("unknown queue: %v", err)
	}
	missing := strings.Replace(string(mustRead(t, "testdata/forecast.yaml")), "forecast: forecast.csv}\n    handle_time: 4m\n  - name: support", "forecast: nope.csv}\n    handle_time: 4m\n  - name: support", 1)
	if _, err := Parse("testdata/forecast.yaml", []byte(missing)); err == nil || !strings.Contains(err.Error(), "cannot read the forecast") {
		t.Errorf("missing file: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
