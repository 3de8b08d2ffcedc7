package audit

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/judge"
	"github.com/callsim/callsim/loadresult"
)

// TestSummarize: the figures of two planted intervals against exact
// values: Clopper-Pearson bounds in closed form (x = n: lower =
// (alpha/2)^(1/n)) and from tables (1 of 6 at 95%: 0.0042 to 0.6412),
// nearest-rank percentiles with unanswered calls slowest, and the verdicts.
func TestSummarize(t *testing.T) {
	s := Settings{CallsPerInterval: 6, IntervalSeconds: 1800, From: "08:00", To: "09:00", FromSeconds: 8 * 3600,
		WithinSeconds: 20, Confidence: 0.95, Claim: 0.8}
	t0 := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	var calls []Call
	add := func(iv int, outcome loadresult.Outcome, delay float64) {
		c := Call{CallID: string(rune('a' + len(calls))), Interval: iv, Outcome: string(outcome),
			IntendedStart: t0.Add(time.Duration(len(calls)) * time.Minute)}
		if delay > 0 {
			c.Answered, c.AnswerDelaySeconds, c.Within, c.DurationSeconds, c.ReachedAgent = true, delay, delay <= 20, 30, true
		}
		calls = append(calls, c)
	}
	for _, d := range []float64{1, 2, 3, 4, 5, 6} {
		add(0, loadresult.OutcomeCompleted, d)
	}
	add(1, loadresult.OutcomeCompleted, 2)
	add(1, loadresult.OutcomeCompleted, 40)
	add(1, loadresult.OutcomeCompleted, 60)
	add(1, loadresult.OutcomeAbandoned, 0)
	add(1, loadresult.OutcomeAbandoned, 0)
	add(1, loadresult.OutcomeFailed, 0)
	// Given out of order: Summarize sorts by intended start.
	calls[0], calls[11] = calls[11], calls[0]
	rep := Summarize(s, calls)
	if len(rep.Intervals) != 2 || rep.Intervals[0].Label != "08:00-08:30" || rep.Intervals[1].Label != "08:30-09:00" {
		t.Fatalf("intervals %+v", rep.Intervals)
	}
	a, b, day := rep.Intervals[0], rep.Intervals[1], rep.Day
	near := func(name string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.5f, want %.5f", name, got, want)
		}
	}
	near("interval 1 service level", a.ServiceLevel, 1, 0)
	near("interval 1 lower", a.ServiceLevelLower, math.Pow(0.025, 1.0/6), 1e-9)
	near("interval 1 upper", a.ServiceLevelUpper, 1, 0)
	near("interval 1 p50", a.AnswerDelay.P50, 3, 0)
	near("interval 1 p90", a.AnswerDelay.P90, 6, 0)
	near("interval 1 ASA", a.ASASeconds, 3.5, 1e-12)
	near("interval 2 service level", b.ServiceLevel, 1.0/6, 1e-12)
	near("interval 2 lower", b.ServiceLevelLower, 0.0042, 5e-5)
	near("interval 2 upper", b.ServiceLevelUpper, 0.6412, 5e-5)
	near("interval 2 p50", b.AnswerDelay.P50, 60, 0)
	near("interval 2 p90 (not answered)", b.AnswerDelay.P90, -1, 0)
	near("interval 2 ASA", b.ASASeconds, 34, 1e-12)
	if b.Answered != 3 || b.Within != 1 || b.Abandoned != 2 || b.Refused != 1 || b.ReachedAgent != 3 {
		t.Errorf("interval 2 counts %+v", b)
	}
	// One-sided 95%: 6 of 6 gives a lower bound of 0.05^(1/6) = 0.607 < 0.8
	// (INCONCLUSIVE); 1 of 6 an upper bound of 0.58 < 0.8 (FAIL).
	if a.Verdict == nil || a.Verdict.Outcome != judge.Inconclusive || a.Verdict.CallsNeeded <= 6 {
		t.Errorf("interval 1 verdict %+v", a.Verdict)
	}
	if b.Verdict == nil || b.Verdict.Outcome != judge.Fail {
		t.Errorf("interval 2 verdict %+v", b.Verdict)
	}
	if day.Calls != 12 || day.Within != 7 || rep.Calls[0].CallID != "a" {
		t.Errorf("day %+v, first call %q", day, rep.Calls[0].CallID)
	}
	near("day lower", day.ServiceLevelLower, 0.2767, 5e-5) // 7 of 12, Clopper-Pearson 95%
	near("day upper", day.ServiceLevelUpper, 0.8483, 5e-5)

	var buf bytes.Buffer
	if err := WriteCalls(&buf, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 13 || strings.Join(rows[0], ",") != strings.Join(CallsHeader, ",") || rows[12][2] != "08:30-09:00" {
		t.Errorf("calls CSV: %v %v", rows, err)
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Target: "sip:q@127.0.0.1:5060", From: 8 * time.Hour, To: 20 * time.Hour, TimeScale: 720}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"partial interval", func(c *Config) { c.To = 20*time.Hour + 10*time.Minute }, "not a whole number of 30m0s intervals (e.g. end it at 20:00)"},
		{"reversed window", func(c *Config) { c.From, c.To = 20*time.Hour, 8*time.Hour }, "window 20:00-08:00"},
		{"beyond the day", func(c *Config) { c.To = 25 * time.Hour }, "00:00 to 24:00"},
		{"patience below threshold", func(c *Config) { c.Patience = 10 * time.Second }, "shorter than the threshold"},
		{"too fast", func(c *Config) { c.TimeScale = 1e6 }, "lower --time-scale"},
		{"no target", func(c *Config) { c.Target = "" }, "no target URI"},
		{"calls", func(c *Config) { c.CallsPerInterval = -1 }, "calls per interval -1"},
		{"short interval", func(c *Config) { c.Interval = 10 * time.Second }, "interval 10s"},
		{"confidence", func(c *Config) { c.Confidence = 1 }, "confidence 1"},
		{"claim", func(c *Config) { c.Claim = 1.5 }, "claimed service level 1.5"},
		{"too many", func(c *Config) { c.Interval, c.CallsPerInterval = time.Minute, 1000 }, "at most 100000"},
	} {
		c := ok
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"08:00", 8 * time.Hour, false}, {"8:30", 8*time.Hour + 30*time.Minute, false}, {"24:00", Day, false},
		{"00:00", 0, false}, {"24:01", 0, true}, {"08:60", 0, true}, {"8h", 0, true}, {"08:00:00", 0, true}, {"", 0, true},
	} {
		got, err := ParseClock(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseClock(%q) = %v, %v", tc.in, got, err)
		}
	}
	if Clock(Day) != "24:00" || Clock(8*time.Hour+30*time.Minute) != "08:30" {
		t.Error("Clock")
	}
}

// TestReadCenterLog: the columns are found by name, bad values are named
// with their line, and a transferred call keeps its first line.
func TestReadCenterLog(t *testing.T) {
	good := "queue,call_id,outcome,wait_seconds,within,arrived_seconds\nq,a,answered,3.5,true,28800\nq,b,abandoned,60,false,28900\nr,a,answered,1,true,29000\n"
	m, err := ReadCenterLog(strings.NewReader(good))
	if err != nil || len(m) != 2 || m["a"].WaitSeconds != 3.5 || !m["a"].Answered() || m["b"].Answered() || m["b"].ArrivedSeconds != 28900 {
		t.Fatalf("%v %+v", err, m)
	}
	for _, tc := range []struct{ in, want string }{
		{"call_id,outcome,wait_seconds\n", `no "within" column`},
		{"call_id,outcome,wait_seconds,within\na,answered,-1,true\n", "line 2: wait_seconds"},
		{"call_id,outcome,wait_seconds,within\na,answered,1,yes\n", "line 2: within"},
		{"call_id,outcome,wait_seconds,within\n,answered,1,true\n", "line 2: empty call_id"},
	} {
		if _, err := ReadCenterLog(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}
