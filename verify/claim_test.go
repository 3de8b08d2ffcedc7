package verify

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseClaim(t *testing.T) {
	c, err := ParseClaim("c.yaml", []byte(`name: offer
capacity: {calls_per_second: 50, concurrent: 200}
service: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Capacity.CallsPerSecond != 50 || c.Capacity.Concurrent != 200 || c.Capacity.Line != 2 ||
		c.Service.Share != 0.8 || c.Service.AnsweredWithin != 20*time.Second || c.Service.Agents != 25 ||
		c.Service.HandleTime != 3*time.Minute || c.Service.Line != 3 || len(c.Steps) != 3 {
		t.Errorf("claim %+v %+v %+v", c, c.Capacity, c.Service)
	}
	for _, tt := range []struct{ in, want string }{
		{"", "want a mapping"},
		{"name: x\n", "no capacity: or service: line"},
		{"capacity: {concurrent: 5}\n", "c.yaml:1:11: capacity: calls_per_second is required"},
		{"capacity: {calls_per_second: -1}\n", "capacity.calls_per_second"},
		{"capacity: {calls_per_second: 5, cps: 1}\n", `unknown key "cps"`},
		{"service: {answered_within: 20s, share: 180%, calls_per_hour: 3}\n", "service.share"},
		{"service: {answered_within: soon, share: 80%, calls_per_hour: 3}\n", "service.answered_within"},
		{"service: {share: 80%}\n", "are required"},
		{"capacity: {calls_per_second: 5}\nsteps: [50%, 20%]\n", "increasing"},
		{"capacity: 5\n", "want a mapping"},
		{"claims: 5\n", `unknown key "claims"`},
	} {
		if _, err := ParseClaim("c.yaml", []byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseClaim(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// TestClaimPassAndFail: an embedded target with 40 trunks meets a claim of
// 10 calls/s and 20 concurrent calls and 80% within 20 s at 300 calls/h
// with 25 agents; it fails a claim of 80 concurrent calls (twice its
// trunks), and the failure names the capacity line.
func TestClaimPassAndFail(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for about 25 s")
	}
	run := func(src string) *ClaimReport {
		c, err := ParseClaim("claim.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		r, err := RunClaim(ctx, ClaimConfig{Claim: c, Trunks: 40, Step: time.Second, Hold: 4 * time.Second, TimeScale: 120, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range r.Lines {
			t.Logf("%s (line %d) %s: pass %v: %s", l.Line, l.FileLine, l.Claimed, l.Pass, l.Evidence)
		}
		return r
	}
	ok := run("capacity: {calls_per_second: 10, concurrent: 20}\nservice: {answered_within: 20s, share: 80%, calls_per_hour: 300, agents: 25}\n")
	if !ok.Pass || len(ok.Lines) != 2 {
		t.Errorf("a claim the target meets failed: %v", ok.Failed)
	}
	if st := ok.Lines[0].Steps; len(st) != 3 || st[2].MaxConcurrent < 19 || st[0].Attempted == 0 || st[0].Attempted*2 > st[2].Attempted {
		t.Errorf("capacity steps %+v", st)
	}
	bad := run("name: twice the trunks\n\ncapacity: {calls_per_second: 20, concurrent: 80}\n")
	if bad.Pass || len(bad.Failed) != 1 || bad.Failed[0] != "capacity (line 3)" {
		t.Errorf("failed lines %v, want the capacity line (line 3)", bad.Failed)
	}
	if ev := bad.Lines[0].Evidence; !strings.Contains(ev, "503") || !strings.Contains(ev, "FAILED") {
		t.Errorf("evidence %q lacks the 503s", ev)
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
	r, err := RunClaim(ctx, ClaimConfig{Claim: c, Step: time.Second, Hold: 10 * time.Second, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v after the interrupt", took)
	}
	if !r.Interrupted || r.Pass || len(r.Failed) != 0 || len(r.Lines) != 1 {
		t.Fatalf("report %+v, want interrupted, no verdict, the capacity line only", r)
	}
	l := r.Lines[0]
	var placed uint64
	for _, s := range l.Steps {
		placed += s.Attempted
		if s.Completed+s.Abandoned+s.Failed != s.Attempted {
			t.Errorf("step %+v: outcomes do not add up", s)
		}
	}
	if !l.Interrupted || l.Pass || placed == 0 || !strings.Contains(l.Evidence, "no verdict") {
		t.Errorf("line %+v (placed %d)", l, placed)
	}
}
