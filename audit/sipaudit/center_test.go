package sipaudit_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/audit"
	"github.com/callsim/callsim/audit/sipaudit"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sipcenter"
)

// dayScenario is a center with an intraday staffing profile: 15-minute
// intervals, from 08:00 on 8, 2, 8 and 3 agents (nobody otherwise), for a
// queue of 80 calls an hour of 3 minutes (4 Erlangs): the 2- and 3-agent
// intervals are overloaded, the 8-agent ones are not.
func dayScenario(t *testing.T) *scenarios.Scenario {
	t.Helper()
	counts := make([]string, 96)
	for i := range counts {
		counts[i] = "0"
	}
	for i, n := range []string{"8", "2", "8", "3"} {
		counts[32+i] = n
	}
	src := fmt.Sprintf(`name: audited day
horizon: 1d
interval: 15m
queues:
  - name: support
    arrivals: {per_hour: 80}
    handle_time: {mean: 3m, dist: exponential}
    patience: {mean: 2m, dist: exponential}
    target: {service_level: 80%%, within: 20s}
groups:
  - name: vendor
    agents_by_interval: [%s]
    skills: [support]
`, strings.Join(counts, ", "))
	sc, err := scenarios.Parse("day.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestAuditAgreesWithCenter is the audit against the embedded center
// playing an intraday profile (the acceptance of the buyer's audit): 6
// test calls in each 15-minute interval of 08:00-09:00 at a time scale of
// 300 (12 s of wall time), among the center's own traffic (Poisson, 80
// calls an hour, exponential patience of 2 minutes). Per interval, the
// service level the audit measures is the one the center reports for the
// same calls (its call log, matched by Call-ID), but for calls within the
// tolerance of the threshold; every audit call is listed, answered alike,
// and waited within the tolerance of the audit's delay. The intervals
// differ (8 agents against 2), so the agreement is not that of a flat
// line. A center that reports shorter waits than its callers had is
// caught.
func TestAuditAgreesWithCenter(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const scale = 300
	from := 8 * time.Hour
	epoch := time.Now()
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: dayScenario(t),
		TimeScale: scale, ClockStart: from, NoMedia: true, CallLog: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The center's own traffic, apart from the audit.
	var wg sync.WaitGroup
	wg.Add(1)
	var bg *loadgen.Result
	var bgErr error
	go func() {
		defer wg.Done()
		bg, bgErr = loadgen.Run(ctx, loadgen.Config{Target: srv.URI("support"), Rate: 80.0 / 3600 * scale, Arrivals: "poisson",
			Duration: time.Hour / scale, NoMedia: true, Seed: 11, StartAt: epoch,
			Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour / scale * 2},
			Patience: loadgen.Dist{Kind: loadgen.DistExp, Mean: 2 * time.Minute / scale}})
	}()
	rep, err := sipaudit.Run(ctx, audit.Config{Target: srv.URI("support"), CallsPerInterval: 6, Interval: 15 * time.Minute,
		From: from, To: 9 * time.Hour, Epoch: epoch, TimeScale: scale, NoMedia: true, Claim: 0.8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if bgErr != nil {
		t.Fatal(bgErr)
	}
	_ = srv.Close()
	log, dropped := srv.CallLog()
	var buf bytes.Buffer
	if err := sipcenter.WriteCallLog(&buf, log); err != nil {
		t.Fatal(err)
	}
	center, err := audit.ReadCenterLog(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("background: %d calls, %d answered; center log %d entries (%d dropped)", bg.Attempted, bg.Completed, len(log), dropped)

	if rep.Day.Calls != 24 || rep.NotPlaced != 0 || len(rep.Intervals) != 4 {
		t.Fatalf("audit placed %d calls (%d not placed) in %d intervals; want 24 in 4", rep.Day.Calls, rep.NotPlaced, len(rep.Intervals))
	}
	tol := 25 * time.Millisecond * scale // wall time of a loaded machine, in scenario time
	cmp := audit.CompareCenter(rep, center, tol)
	lo, hi := 1.0, 0.0
	for i, iv := range cmp.Intervals {
		f := rep.Intervals[i]
		t.Logf("%s: audit SL %.2f [%.2f, %.2f] (%d/%d), center %.2f (%d/%d), answered %d/%d, p50 %.1fs p90 %.1fs, max delay diff %.2fs, verdict %s",
			iv.Label, iv.AuditServiceLevel, f.ServiceLevelLower, f.ServiceLevelUpper, iv.AuditWithin, iv.Calls,
			iv.CenterServiceLevel, iv.CenterWithin, iv.Listed, iv.AuditAnswered, iv.CenterAnswered,
			f.AnswerDelay.P50, f.AnswerDelay.P90, iv.MaxDelayDiffSeconds, f.Verdict.Outcome)
		if f.Calls != 6 || iv.Listed != 6 {
			t.Errorf("%s: %d calls, %d listed by the center; want 6", iv.Label, f.Calls, iv.Listed)
		}
		excused := 0
		for _, d := range cmp.Disagreements {
			if d.Interval == i && d.What == "within" && d.Signalling {
				excused++
			}
		}
		if diff := iv.AuditWithin - iv.CenterWithin; diff > excused || -diff > excused {
			t.Errorf("%s: audit %d within, center %d, with %d calls near the threshold", iv.Label, iv.AuditWithin, iv.CenterWithin, excused)
		}
		lo, hi = min(lo, iv.AuditServiceLevel), max(hi, iv.AuditServiceLevel)
	}
	for _, d := range cmp.Disagreements {
		t.Logf("disagreement: %+v", d)
	}
	if !cmp.Agrees {
		t.Errorf("audit and center disagree: %+v", cmp.Disagreements)
	}
	if hi-lo < 0.5 {
		t.Errorf("service level %.2f to %.2f across the intervals: the profile (8, 2, 8, 3 agents) should show", lo, hi)
	}

	// A center that starts its clock late on every call (a wait shortened
	// by 15 s) is caught, even where the within flags still agree.
	shifted := map[string]audit.CenterCall{}
	for id, c := range center {
		if c.Answered() {
			c.WaitSeconds = max(0, c.WaitSeconds-15)
			c.Within = c.WaitSeconds <= 20
		}
		shifted[id] = c
	}
	bad := audit.CompareCenter(rep, shifted, tol)
	waits := 0
	for _, d := range bad.Disagreements {
		if d.What == "wait" {
			waits++
		}
	}
	if bad.Agrees || waits == 0 {
		t.Errorf("a center reporting waits 15 s short: agrees %v, %d wait disagreements", bad.Agrees, waits)
	}
}
