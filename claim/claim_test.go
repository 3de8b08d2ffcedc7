package claim

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/cdr"
	"github.com/callsim/callsim/judge"
)

func TestParse(t *testing.T) {
	c, err := Parse("c.yaml", []byte(`name: offer
capacity: {calls_per_second: 50, concurrent: 200, answered: 99.9%, setup_delay: {percentile: 95%, within: 500ms}}
service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Capacity.CallsPerSecond != 50 || c.Capacity.Concurrent != 200 || c.Capacity.Line != 2 || c.Capacity.Answered != 0.999 ||
		c.Capacity.SetupDelay == nil || c.Capacity.SetupDelay.Percentile != 0.95 || c.Capacity.SetupDelay.WithinMs != 500 ||
		c.Service.Share != 0.8 || c.Service.Within() != 20*time.Second || c.Service.Agents != 25 ||
		c.Service.HandleTime() != 3*time.Minute || c.Service.Line != 3 || len(c.Steps) != 3 {
		t.Errorf("claim %+v %+v %+v", c, c.Capacity, c.Service)
	}
	if d, _ := Parse("d.yaml", []byte("capacity: {calls_per_second: 5}\n")); d.Capacity.Answered != DefaultAnswered {
		t.Errorf("default answered share %v", d.Capacity.Answered)
	}
	for _, tt := range []struct{ in, want string }{
		{"", "want a mapping"},
		{"name: x\n", "no capacity: or service: line"},
		{"capacity: {concurrent: 5}\n", "c.yaml:1:11: capacity: calls_per_second is required"},
		{"capacity: {calls_per_second: -1}\n", "capacity.calls_per_second"},
		{"capacity: {calls_per_second: 5, cps: 1}\n", `unknown key "cps"`},
		{"capacity: {calls_per_second: 5, concurrent: 2.5}\n", "whole number"},
		{"capacity: {calls_per_second: 5, answered: 120%}\n", "capacity.answered"},
		{"capacity: {calls_per_second: 5, setup_delay: {percentile: 95%}}\n", "percentile and within are required"},
		{"capacity: {calls_per_second: 5, setup_delay: {percentile: 100%, within: 1s}}\n", "capacity.setup_delay.percentile"},
		{"capacity: {calls_per_second: 5, setup_delay: {p: 95%}}\n", `unknown key "p"`},
		{"capacity: {calls_per_second: 5}\ncapacity: {calls_per_second: 6}\n", "c.yaml:2:1: capacity: given twice"},
		{"service: {answered_within: 20s, share: 180%, calls_per_hour: 3}\n", "service.share"},
		{"service: {answered_within: soon, share: 80%, calls_per_hour: 3}\n", "service.answered_within"},
		{"service: {answered_within: 20s, share: 80%, calls_per_hour: 3, agents: 2.5}\n", "whole number"},
		{"service: {share: 80%}\n", "are required"},
		{"capacity: {calls_per_second: 5}\nsteps: [50%, 20%]\n", "increasing"},
		{"capacity: 5\n", "want a mapping"},
		{"claims: 5\n", `unknown key "claims"`},
	} {
		if _, err := Parse("c.yaml", []byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// start is the synthetic runs' start.
var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// rampSetup is a one-step ramp of hold seconds at rate calls/s.
func rampSetup(line string, rate, hold float64) Setup {
	return Setup{Line: line, FileLine: 2, StartedAt: start, EndedAt: start.Add(secs(hold + 5)),
		Steps: []StepSetup{{Fraction: 1, RateCPS: rate, FromSeconds: 0, ToSeconds: hold}}, TimeScale: 1, LateToleranceMs: 10}
}

// uniformCalls places n calls at rate calls/s, the i-th shaped by f.
func uniformCalls(line string, n int, rate float64, f func(i int, c *Call)) []Call {
	out := make([]Call, n)
	for i := range out {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		out[i] = Call{Line: line, Step: 1, Record: cdr.Record{CallID: line + "-" + strconv.Itoa(i), IntendedStart: at,
			ActualStart: at.Add(time.Millisecond), Outcome: Completed, HangupBy: "caller"}}
		f(i, &out[i])
	}
	return out
}

// TestServiceVerdicts: the three outcomes of a service line ("80% within
// 20 s" at time scale 120, so 20 s is 166.67 ms of wall time), each on calls
// whose successes are spread evenly so that the batch means find no
// inflation and the bounds are the exact binomial ones:
//   - 540 of 600 within (90%): the 95% lower bound 87.6% >= 80%: PASS;
//   - 594 of 1000 (59.4%, a 15-agent center): upper bound 62% < 80%: FAIL;
//   - 162 of 200 (81%): bounds 76.0% to 85.4% hold 80%: INCONCLUSIVE, and
//     the calls it asks for decide exactly (one fewer would not).
func TestServiceVerdicts(t *testing.T) {
	cl, err := Parse("claim.yaml", []byte("service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		k, n int
		want judge.Outcome
	}{{540, 600, judge.Pass}, {594, 1000, judge.Fail}, {162, 200, judge.Inconclusive}} {
		rate := 300.0 / 3600 * 120 // 10 calls/s wall
		s := rampSetup("service", rate, float64(tt.n)/rate)
		s.Arrivals, s.TimeScale, s.Embedded, s.TargetAgents = "poisson", 120, true, 15
		ok := spread(tt.k, tt.n)
		calls := uniformCalls("service", tt.n, rate, func(i int, c *Call) {
			c.AnswerDelayMs, c.DurationMs, c.HangupBy = 100, 1500, "callee" // 12 s of claim time
			if !ok[i] {
				c.AnswerDelayMs = 400 // 48 s
			}
		})
		rep := Judge(cl, []Setup{s}, calls, 0.95)
		l := rep.Lines[0]
		ch := l.Checks[0]
		lo, hi := judge.Bounds(float64(tt.k), float64(tt.n), 0.95)
		if l.Outcome != tt.want || rep.Outcome != tt.want || ch.Proportion.VIF != 1 ||
			math.Abs(ch.Proportion.Lower-lo) > 1e-12 || math.Abs(ch.Proportion.Upper-hi) > 1e-12 {
			t.Errorf("%d of %d: %s (check %+v), want %s with bounds [%v, %v]", tt.k, tt.n, l.Outcome, ch, tt.want, lo, hi)
		}
		if l.Steps[0].ServiceLevel != float64(tt.k)/float64(tt.n) || l.Steps[0].Placed != tt.n {
			t.Errorf("step %+v", l.Steps[0])
		}
		// The claim's 25 agents are not restated as the test's: the note
		// says the target had 15.
		if strings.Contains(l.Claimed, "agents") || len(l.Notes) == 0 || !strings.Contains(l.Notes[0], "embedded center had 15") {
			t.Errorf("claimed %q, notes %q", l.Claimed, l.Notes)
		}
		switch tt.want {
		case judge.Inconclusive:
			share := float64(tt.k) / float64(tt.n)
			dec := func(N int) bool {
				lo, hi := judge.Bounds(share*float64(N), float64(N), 0.95)
				return lo >= 0.8 || hi < 0.8
			}
			N := tt.n + ch.MoreCalls
			if ch.MoreCalls <= 0 || !dec(N) || dec(N-1) || math.Abs(ch.MoreWallSeconds-float64(ch.MoreCalls)/rate) > 1e-9 ||
				math.Abs(ch.MoreClaimSeconds-120*ch.MoreWallSeconds) > 1e-6 || !strings.Contains(ch.Reason, "more calls") {
				t.Errorf("inconclusive: more calls %d (%v s wall, %v s claim): %s", ch.MoreCalls, ch.MoreWallSeconds, ch.MoreClaimSeconds, ch.Reason)
			}
			if len(rep.Inconclusive) != 1 || rep.Inconclusive[0] != "service (line 2)" {
				t.Errorf("inconclusive lines %v", rep.Inconclusive)
			}
		case judge.Fail:
			if len(rep.Failed) != 1 || rep.Failed[0] != "service (line 2)" || rep.Pass {
				t.Errorf("failed lines %v", rep.Failed)
			}
		}
	}
}

// spread returns n outcomes with k successes spread evenly.
func spread(k, n int) []bool {
	ok := make([]bool, n)
	for i := range k {
		ok[i*n/k] = true
	}
	return ok
}

// TestCapacityVerdicts: the three outcomes of a capacity line of 10
// calls/s and 20 concurrent calls, each call held (20 - 0.5) / 10 = 1.95 s.
// With no refusal, n calls give a 95% lower bound of 0.05^(1/n) on the
// answered share, which reaches the default 99% from n = 299; so 400 calls.
//   - every call answered 10 ms after its start and held 1.95 s: 20 up at
//     once, 400 of 400 answered, the setup delays within the claim: PASS;
//   - every 10th call refused (503): at most 18 up, 360 of 400 answered:
//     FAIL, and the concurrency fails because calls were refused;
//   - the far end hangs up after 0.995 s: 10 up at once, none refused:
//     the answered share passes (ended early still counts as held) and the
//     concurrency is INCONCLUSIVE, naming the early hang-ups.
func TestCapacityVerdicts(t *testing.T) {
	cl, err := Parse("claim.yaml", []byte("capacity: {calls_per_second: 10, concurrent: 20, setup_delay: {percentile: 95%, within: 50ms}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := rampSetup("capacity", 10, 40)
	s.Arrivals, s.CallHoldSeconds = "uniform", 1.95
	mk := func(f func(i int, c *Call)) []Call {
		return uniformCalls("capacity", 400, 10, func(i int, c *Call) {
			c.SRDMs, c.AnswerDelayMs, c.DurationMs = 5, 10, 1950
			f(i, c)
		})
	}
	pass := Judge(cl, []Setup{s}, mk(func(int, *Call) {}), 0.95).Lines[0]
	refused := Judge(cl, []Setup{s}, mk(func(i int, c *Call) {
		if i%10 == 9 {
			c.Outcome, c.FinalStatus, c.SRDMs, c.AnswerDelayMs, c.DurationMs, c.HangupBy = Failed, 503, 0, 0, 0, ""
		}
	}), 0.95).Lines[0]
	early := Judge(cl, []Setup{s}, mk(func(i int, c *Call) { c.DurationMs, c.HangupBy = 995, "callee" }), 0.95).Lines[0]
	check := func(l LineResult, name string) Check {
		for _, c := range l.Checks {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no %q check in %+v", name, l.Checks)
		return Check{}
	}
	if pass.Outcome != judge.Pass || pass.Steps[0].MaxUp != 20 || check(pass, "calls answered").Proportion.Successes != 400 {
		t.Errorf("pass: %s, max up %d: %s", pass.Outcome, pass.Steps[0].MaxUp, pass.Summary)
	}
	if c := check(pass, "setup delay p95"); c.Outcome != judge.Pass || c.Quantile.Upper != 5 {
		t.Errorf("setup delay: %+v", c)
	}
	if refused.Outcome != judge.Fail || check(refused, "calls answered").Outcome != judge.Fail ||
		check(refused, "concurrent calls").Outcome != judge.Fail || refused.Steps[0].Refusals["503"] != 40 ||
		!strings.Contains(check(refused, "concurrent calls").Reason, "503 x40") {
		t.Errorf("refused: %s: %s", refused.Outcome, refused.Summary)
	}
	// A call never set up counts as beyond the setup-delay claim: 10%
	// refused calls make p95 "never", FAIL.
	if c := check(refused, "setup delay p95"); c.Outcome != judge.Fail {
		t.Errorf("setup delay with refusals: %+v", c)
	}
	con := check(early, "concurrent calls")
	if early.Outcome != judge.Inconclusive || check(early, "calls answered").Outcome != judge.Pass || con.Outcome != judge.Inconclusive ||
		early.Steps[0].MaxUp != 10 || early.Steps[0].EndedEarly != 400 || !strings.Contains(con.Reason, "the far end ended 400") ||
		!strings.Contains(con.Reason, "refused none") {
		t.Errorf("early: %s, max up %d: %s", early.Outcome, early.Steps[0].MaxUp, con.Reason)
	}
	// 150 calls (a 15 s hold) with none refused cannot show 99%: INCONCLUSIVE,
	// asking for the 149 more that make 299.
	short := mk(func(int, *Call) {})[:150]
	s.Steps[0].ToSeconds = 15
	c := check(Judge(cl, []Setup{s}, short, 0.95).Lines[0], "calls answered")
	if c.Outcome != judge.Inconclusive || c.MoreCalls != 149 {
		t.Errorf("150 calls: %s, more calls %d: %s", c.Outcome, c.MoreCalls, c.Reason)
	}
}

// TestOfferedLoad: a generator that fell behind makes the line
// INCONCLUSIVE (the claimed load was not offered), never FAIL: it is not
// the platform's doing.
func TestOfferedLoad(t *testing.T) {
	cl, _ := Parse("claim.yaml", []byte("capacity: {calls_per_second: 10}\n"))
	s := rampSetup("capacity", 10, 40)
	s.CallHoldSeconds = 2
	calls := uniformCalls("capacity", 400, 8, func(i int, c *Call) { // placed at 8/s, not 10
		c.SRDMs, c.AnswerDelayMs, c.DurationMs = 5, 10, 2000
		c.ActualStart = c.IntendedStart
	})
	l := Judge(cl, []Setup{s}, calls, 0.95).Lines[0]
	if l.Outcome != judge.Inconclusive || l.Checks[0].Name != "offered load" || l.Checks[0].Outcome != judge.Inconclusive {
		t.Errorf("%s: %+v", l.Outcome, l.Checks[0])
	}
}
