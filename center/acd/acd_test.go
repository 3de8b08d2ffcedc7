package acd_test

import (
	"testing"
	"time"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/acd"
	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/scenarios"
)

// twoQueues: "vip" (priority 1) and "std" served by "front" (2 agents);
// "std" overflows to "back" (1 agent) after 30 s.
func twoQueues(t *testing.T) (*acd.ACD[int], *kpi.Tally) {
	t.Helper()
	exp := scenarios.Dist{Kind: scenarios.Exponential, Mean: 60}
	sc := &scenarios.Scenario{Name: "t", Horizon: time.Hour, Interval: 30 * time.Minute, Replications: 1,
		Queues: []scenarios.Queue{{Name: "vip", HandleTime: exp, Priority: 1}, {Name: "std", HandleTime: exp}},
		Groups: []scenarios.Group{{Name: "front", Agents: 2}, {Name: "back", Agents: 1}},
		Routing: []scenarios.Route{
			{Queue: "vip", Groups: []scenarios.RouteGroup{{Group: "front"}}},
			{Queue: "std", Groups: []scenarios.RouteGroup{{Group: "front"}, {Group: "back", After: 30 * time.Second}}},
		}}
	c, err := center.Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	l := kpi.NewLayout(0, 3600, 1800, 1)
	tally := kpi.NewTally(&l, 2, 2)
	var a acd.ACD[int]
	a.Init(c, &tally)
	for g := range c.Groups {
		a.SetStaff(g, c.Groups[g].Changes[0].Avail, 0, func(ci, ag int32) { t.Fatalf("nobody waits yet") })
	}
	return &a, &tally
}

func TestRouting(t *testing.T) {
	a, tally := twoQueues(t)
	const vip, std = 0, 1
	// Two std calls take both front agents (longest idle first: agent 0).
	_, ag0 := a.Arrive(std, 1, 0, 0)
	_, ag1 := a.Arrive(std, 2, 0, 1)
	if ag0 != 0 || ag1 != 1 {
		t.Fatalf("agents %d %d, want 0 1", ag0, ag1)
	}
	// A third std call waits: back is only eligible after 30 s.
	c3, ag := a.Arrive(std, 3, 0, 2)
	if ag != -1 || a.QueueLength(std) != 1 {
		t.Fatalf("third call: agent %d, queue %d", ag, a.QueueLength(std))
	}
	// A vip call waits too.
	c4, _ := a.Arrive(vip, 4, 0, 3)
	// At 33 s the std call reaches the back group, whose agent (2) takes it.
	if got := a.Eligible(c3, a.Calls[c3].Gen, 1, 33); got != 2 {
		t.Fatalf("eligible: agent %d, want 2", got)
	}
	a.Free(c3)
	// A freed front agent takes the vip call (priority), though std calls
	// are older.
	c5, _ := a.Arrive(std, 5, 0, 4)
	if got := a.Done(0, 40); got != c4 {
		t.Fatalf("done: call %d, want the vip call %d", got, c4)
	}
	a.Free(c4)
	// The std caller abandons; a second abandonment of it is stale.
	if !a.Abandon(c5, a.Calls[c5].Gen, 41) || a.Abandon(c5, a.Calls[c5].Gen, 42) {
		t.Fatal("abandon")
	}
	a.Free(c5)
	if got := a.Done(1, 50); got != -1 || a.Idle(0) != 1 {
		t.Fatalf("done with nobody waiting: call %d, idle %d", got, a.Idle(0))
	}
	// Staff falls to 0: the idle front agent leaves at once, the busy one
	// after its call.
	a.SetStaff(0, 0, 60, nil)
	if a.Idle(0) != 0 || a.OnDuty(0) != 0 {
		t.Fatalf("after SetStaff(0): idle %d on duty %d", a.Idle(0), a.OnDuty(0))
	}
	if got := a.Done(0, 70); got != -1 || a.Idle(0) != 0 {
		t.Fatalf("the busy agent left: call %d idle %d", got, a.Idle(0))
	}
	// Queue length integral: std waited [3, 33] and [5, 41]; vip [4, 40].
	if q := tally.Queue(0, std); q.Area != 30+36 || q.MaxLen != 1 {
		t.Errorf("std area %g max %g, want 66 and 1", q.Area, q.MaxLen)
	}
	if q := tally.Queue(0, vip); q.Area != 36 {
		t.Errorf("vip area %g, want 36", q.Area)
	}
	if tally.MaxTotal[0] != 2 {
		t.Errorf("max total %g, want 2", tally.MaxTotal[0])
	}
	// Busy: agent 0 [1, 40] and [40, 70], agent 1 [2, 50].
	if g := tally.Group(0, 0); g.Busy != 69+48 {
		t.Errorf("front busy %g, want 117", g.Busy)
	}
}

// TestOffDutyOrder: going off duty, the longest-idle agents leave first;
// coming back, they take calls again.
func TestOffDutyOrder(t *testing.T) {
	a, _ := twoQueues(t)
	// Agents 0 and 1 idle since 0; agent 0 serves a call, so agent 1 is
	// now the longest idle.
	ci, ag := a.Arrive(0, 1, 0, 0)
	if ag != 0 {
		t.Fatalf("agent %d", ag)
	}
	a.Free(ci)
	a.Done(0, 2)
	a.SetStaff(0, 1, 3, nil) // one leaves: agent 1
	if _, ag := a.Arrive(0, 4, 0, 0); ag != 0 {
		t.Errorf("the agent left on duty is %d, want 0", ag)
	}
}
