package sipcenter

import (
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
)

func newTestCall(id string) *call {
	return &call{id: id, arrived: time.Now(), assigned: make(chan *agent, 1)}
}

// TestHeadcountFalls: when the headcount drops below the busy agents, they
// leave one by one as their calls end, without taking waiting callers; when
// it rises again, an agent comes on duty and takes the oldest caller.
func TestHeadcountFalls(t *testing.T) {
	now := time.Now()
	a, err := newACD(Config{Agents: 2, TimeScale: 1, Within: time.Second, Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Second}}, now)
	if err != nil {
		t.Fatal(err)
	}
	c1, c2, c3 := newTestCall("1"), newTestCall("2"), newTestCall("3")
	for _, c := range []*call{c1, c2, c3} {
		if got := a.admit(c, now); got != admitted {
			t.Fatalf("admit %s: %v", c.id, got)
		}
	}
	if c1.agent == nil || c2.agent == nil || !c3.waiting {
		t.Fatalf("two calls served and one waiting: %v %v %v", c1.agent, c2.agent, c3.waiting)
	}
	a.answer(c1, now)
	a.answer(c2, now)
	a.setStaff(0, 0) // everyone goes home after the current call
	if on := a.core.OnDuty(0); on != 0 {
		t.Fatalf("on duty %d (less those leaving), want 0", on)
	}
	a.finish(c1, false, now.Add(time.Second))
	if !c3.waiting || c3.agent != nil {
		t.Fatalf("after the first call: caller 3 waiting %v, agent %v", c3.waiting, c3.agent)
	}
	a.setStaff(0, 1) // one stays after all: the leaving agent is kept
	if on := a.core.OnDuty(0); on != 1 {
		t.Fatalf("on duty %d, want 1", on)
	}
	a.finish(c2, false, now.Add(2*time.Second))
	if c3.waiting || c3.agent == nil {
		t.Fatalf("caller 3 not served by the agent who stayed")
	}
	a.setStaff(0, 2)
	if on, idle := a.core.OnDuty(0), a.core.Idle(0); on != 2 || idle != 1 {
		t.Fatalf("on duty %d idle %d, want 2 and 1", on, idle)
	}
	if st := a.stats(now.Add(2 * time.Second)); st.Agents != 2 || st.Groups[0].StaffedAgentSeconds <= 0 {
		t.Errorf("stats: %+v", st.Groups)
	}
}
