package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/claim"
	"github.com/callsim/callsim/judge"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sipcenter"
)

func runClaimSrc(t *testing.T, src string, cfg ClaimConfig) *ClaimRun {
	t.Helper()
	c, err := ParseClaim("claim.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg.Claim = c
	r, err := RunClaim(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range r.Report.Lines {
		for _, ch := range l.Checks {
			t.Logf("%s (line %d) %s: %s: %s (%s)", l.Line, l.FileLine, ch.Name, ch.Outcome, ch.Measured, ch.Reason)
		}
	}
	return r
}

// TestClaimPassAndFail, over loopback against embedded targets:
//   - 50 calls/s with 20 concurrent (each call held 0.39 s) for 6 s is 300
//     calls, enough for the 95% lower bound of "none refused" to reach 99%
//     (0.05^(1/300) = 99.0%); 80% within 20 s at 300 calls/h with the
//     claim's 25 agents (15 erlangs) is met by nearly every call: PASS;
//   - 20 calls/s with 80 concurrent at a target of 40 trunks: 503s, FAIL,
//     naming the capacity line (line 3).
//
// About 25 s: a PASS of the capacity line needs its 300 calls. The most
// calls up at once is 20 when every call ends on time; on a loaded machine
// a hang-up can lag behind the next call's answer, so up to 23 are allowed.
func TestClaimPassAndFail(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for about 25 s")
	}
	ok := runClaimSrc(t, "capacity: {calls_per_second: 50, concurrent: 20}\nservice: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25}\n",
		ClaimConfig{Trunks: 40, Step: 500 * time.Millisecond, Hold: 6 * time.Second, Seed: 5})
	if rep := ok.Report; rep.Outcome != judge.Pass || len(rep.Lines) != 2 {
		t.Errorf("a claim the target meets: %s, failed %v, inconclusive %v", rep.Outcome, rep.Failed, rep.Inconclusive)
	}
	if st := ok.Report.Lines[0].Steps; len(st) != 3 || st[2].MaxUp < 20 || st[2].MaxUp > 23 || st[0].Placed == 0 || st[0].Placed*2 > st[2].Placed {
		t.Errorf("capacity steps %+v", st)
	}
	// Every call is in the evidence, in its step.
	if n := len(ok.Calls); n < 300 {
		t.Errorf("%d calls in the evidence", n)
	}
	for _, c := range ok.Calls {
		if s := setupOf(ok.Setups, c.Line); s.StepOf(c.IntendedStart) != c.Step {
			t.Errorf("call %s in step %d", c.CallID, c.Step)
		}
	}
	bad := runClaimSrc(t, "name: twice the trunks\n\ncapacity: {calls_per_second: 20, concurrent: 80}\n",
		ClaimConfig{Trunks: 40, Step: 500 * time.Millisecond, Hold: 2 * time.Second, Seed: 5})
	if rep := bad.Report; rep.Outcome != judge.Fail || len(rep.Failed) != 1 || rep.Failed[0] != "capacity (line 3)" {
		t.Errorf("%s, failed lines %v, want the capacity line (line 3)", rep.Outcome, rep.Failed)
	}
	if st := bad.Report.Lines[0].Steps[2]; st.Refusals["503"] == 0 {
		t.Errorf("no 503 counted: %+v", st)
	}
}

func setupOf(ss []claim.Setup, line string) *claim.Setup {
	for i := range ss {
		if ss[i].Line == line {
			return &ss[i]
		}
	}
	return nil
}

// TestClaimShortStaffed: the claim of 80% within 20 s at 300 calls/h with
// 25 agents, checked against a center of 15 (15 erlangs on 15 agents: the
// queue never settles) is FAIL, and the report says the target had 15
// agents, never "with 25 agents" as if that had been tested. The ramp and
// hold are the defaults' --step 3s and the issue's --hold 10s (about 20 s
// with the queue's drain): with a 6 s hold the same center is only
// INCONCLUSIVE (71.7% of 60 calls, whose batch means show an inflation that
// leaves about 10 effective calls), as an honest verdict must be.
func TestClaimShortStaffed(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for about 12 s")
	}
	r := runClaimSrc(t, "service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25}\n",
		ClaimConfig{Agents: 15, Step: 3 * time.Second, Hold: 10 * time.Second})
	l := r.Report.Lines[0]
	if l.Outcome != judge.Fail || strings.Contains(l.Claimed, "25 agents") || len(l.Notes) == 0 || !strings.Contains(l.Notes[0], "had 15") {
		t.Errorf("%s: claimed %q, notes %q; want FAIL with the 15 agents noted", l.Outcome, l.Claimed, l.Notes)
	}
}

// TestClaimFarEndHangsUp: agents that end every call after 1 s, against a
// claim of 5 calls/s and 10 concurrent (calls held 1.9 s): nothing is
// refused, so the capacity line is not FAIL; at most about 6 calls are up
// at once, so the concurrency is INCONCLUSIVE, saying the far end ended
// the calls early. The calls answered count as held.
func TestClaimFarEndHangsUp(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for about 6 s")
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 40,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Second}, Shutdown: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := runClaimSrc(t, "capacity: {calls_per_second: 5, concurrent: 10}\n",
		ClaimConfig{Target: srv.URI("claim"), Step: time.Second, Hold: 4 * time.Second})
	l := r.Report.Lines[0]
	var con, held *claim.Check
	for i := range l.Checks {
		switch l.Checks[i].Name {
		case "concurrent calls":
			con = &l.Checks[i]
		case "calls answered":
			held = &l.Checks[i]
		}
	}
	st := l.Steps[2]
	if l.Outcome != judge.Inconclusive || con == nil || con.Outcome != judge.Inconclusive || !strings.Contains(con.Reason, "far end ended") ||
		held == nil || held.Outcome == judge.Fail || held.Proportion.Successes != held.Proportion.Calls || st.Refused != 0 || st.EndedEarly != st.Answered {
		t.Errorf("%s: %+v; step %+v", l.Outcome, con, st)
	}
}

// TestClaimInterrupted: a claim check stopped during its ramp returns what
// it measured, marked interrupted, with no verdict and without the lines it
// never reached.
func TestClaimInterrupted(t *testing.T) {
	c, err := ParseClaim("claim.yaml", []byte("capacity: {calls_per_second: 10, concurrent: 10}\n"+
		"service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	run, err := RunClaim(ctx, ClaimConfig{Claim: c, Step: time.Second, Hold: 10 * time.Second, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v after the interrupt", took)
	}
	r := run.Report
	if !r.Interrupted || r.Pass || r.Outcome != "" || len(r.Failed) != 0 || len(r.Lines) != 1 {
		t.Fatalf("report %+v, want interrupted, no verdict, the capacity line only", r)
	}
	l := r.Lines[0]
	placed := 0
	for _, s := range l.Steps {
		placed += s.Placed
		if s.Answered+s.Abandoned+s.Refused != s.Placed {
			t.Errorf("step %+v: outcomes do not add up", s)
		}
	}
	if !l.Setup.Interrupted || l.Outcome != "" || placed == 0 || !strings.Contains(l.Summary, "no verdict") || len(run.Calls) != placed {
		t.Errorf("line %+v (placed %d, calls %d)", l, placed, len(run.Calls))
	}
}

// TestClaimBounds: the claim's bounds are those of the load generator and
// the scenarios it is played with.
func TestClaimBounds(t *testing.T) {
	if claim.MaxCallsPerSecond != loadgen.MaxRate || claim.MaxConcurrent != loadgen.MaxConcurrency ||
		claim.MaxCallsPerHour != scenarios.MaxRatePerHour || claim.MaxAgents != scenarios.MaxAgents || claim.MaxCallLength != scenarios.MaxCallLength {
		t.Errorf("claim bounds differ from loadgen's and scenarios'")
	}
	if _, err := ParseClaim("c.yaml", []byte("capacity: {calls_per_second: 200000}\n")); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("a rate beyond the generator's: %v", err)
	}
}
