package scenarios

import (
	"strings"
	"testing"
	"time"
)

// TestContractKeys reads every contract key of testdata/contracts.yaml and
// checks the values and defaults the simulator is given.
func TestContractKeys(t *testing.T) {
	s, err := Load("testdata/contracts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Queues[0].Client != "" || !s.Queues[0].Ours() || s.Queues[2].Client != "Acme Corp" || s.Queues[2].Ours() {
		t.Errorf("clients %q %q", s.Queues[0].Client, s.Queues[2].Client)
	}
	g := &s.Groups[0]
	c := &g.Cost
	if g.Priority != ByPrice || c.PerResolvedContact != 0.5 || c.MinimumMinutes != 200000 || c.MinimumCalls != 30000 {
		t.Errorf("group %+v", g)
	}
	if k := c.Committed; k == nil || k.Hours != 4000 || k.Per != PerWeek || k.Price != 18 || k.AbovePrice() != 24 {
		t.Errorf("committed hours %+v", k)
	}
	a := c.SLA
	if a == nil || a.Per != SLAPerDay || a.ServiceLevel != 0.85 || a.Within != 30*time.Second || strings.Join(a.Queues, ",") != "our line,escalations" ||
		a.MinCalls != 50 || a.PenaltyPerPoint != 200 || a.PenaltyPerMiss != 500 || a.BonusPerPoint != 50 || a.BonusPerMet != 100 ||
		a.CapShare != 0.12 || a.CapAmount != 0 || a.Hours == nil || a.Hours.From != 8*time.Hour || a.Hours.Days[5] {
		t.Errorf("sla %+v", a)
	}
	// by_queue overrides what it names and inherits the rest.
	if x := c.Terms("escalations"); x != (VolumeTerms{PerHandledMinute: 0.9, BillWrapUp: false, PerCall: 0, PerResolvedContact: 2}) {
		t.Errorf("escalations terms %+v", x)
	}
	if x := c.Terms("other client"); x != (VolumeTerms{PerHandledMinute: 0.8, BillWrapUp: true, PerCall: 0.05, PerResolvedContact: 0.5}) {
		t.Errorf("other client's terms %+v", x)
	}
	if x := c.Terms("our line"); x != (VolumeTerms{PerHandledMinute: 0.55, BillWrapUp: true, PerCall: 0.05, PerResolvedContact: 0.5}) {
		t.Errorf("our terms %+v", x)
	}
	// Per minute of agent time: our line 0.55 a minute of its 5.5 billed
	// minutes, 0.05 a call and 0.5 for 75% resolved, over 5.5 minutes of
	// work; escalations 0.9 and 2 over 12 minutes; the other client 0.8,
	// 0.05 and 0.5 (all resolved) over 5.
	rates := map[string]float64{
		"our line":     (0.55*5.5 + 0.05 + 0.5*0.75) / 5.5,
		"escalations":  (0.9*12 + 2) / 12,
		"other client": (0.8*5 + 0.05 + 0.5) / 5,
	}
	prio := map[string]int{"our line": 0, "other client": 1, "escalations": 2}
	for q, want := range rates {
		if got := s.PriceRate(g, q); !sameRate(got, want) {
			t.Errorf("%s: %g a minute of agent time, want %g", q, got, want)
		}
		if got := s.ServePriority(g, q); got != prio[q] {
			t.Errorf("%s: priority %d, want %d", q, got, prio[q])
		}
	}
}

// TestSLADefaults: an agreement left bare covers the group's queues of
// ours with their target, every interval, each with a call.
func TestSLADefaults(t *testing.T) {
	src := `name: sla
horizon: 2d
queues:
  - {name: a, arrivals: {per_hour: 10}, handle_time: 5m, target: {service_level: 90%, within: 15s}}
  - {name: b, arrivals: {per_hour: 10}, handle_time: 5m, target: {service_level: 90%, within: 15s}}
  - {name: c, client: other, arrivals: {per_hour: 10}, handle_time: 5m}
groups:
  - name: v
    sourcing: outsourced
    agents: 5
    skills: [a, b, c]
    cost: {sla: {penalty_per_miss: 10}, committed_hours: {hours: 100, price: 20}}
`
	s, err := Parse("sla.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Groups[0].Cost.SLA
	if a.Per != SLAPerInterval || a.ServiceLevel != 0.9 || a.Within != 15*time.Second || strings.Join(a.Queues, ",") != "a,b" || a.MinCalls != 1 || a.Hours != nil {
		t.Errorf("defaults %+v", a)
	}
	if k := s.Groups[0].Cost.Committed; k.Per != PerMonth || k.AbovePrice() != 20 {
		t.Errorf("commitment defaults %+v", k)
	}
	if s.Groups[0].Priority != "" { // "" is ByQueue
		t.Errorf("priority %q", s.Groups[0].Priority)
	}
	// A variant changes a price by its path.
	src += "variants:\n  - name: dearer\n    set: {groups.v.cost.by_queue: {a: {per_handled_minute: 0.9}}, groups.v.priority: by_price}\n"
	s, err = Parse("sla.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	v := s.Variants[0].Scenario.Groups[0]
	if v.Priority != ByPrice || v.Cost.Terms("a").PerHandledMinute != 0.9 || v.Cost.Terms("b").PerHandledMinute != 0 {
		t.Errorf("variant %+v", v)
	}
}

// TestCloneContracts: a clone's contract terms can be changed without
// changing the original's.
func TestCloneContracts(t *testing.T) {
	s, err := Load("testdata/contracts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := s.Clone()
	cc := &c.Groups[0].Cost
	cc.SLA.PenaltyPerMiss, cc.SLA.Queues[0], cc.SLA.Hours.From = 1, "x", 0
	*cc.Committed.Above = 1
	*cc.ByQueue["escalations"].PerHandledMinute = 1
	o := &s.Groups[0].Cost
	if o.SLA.PenaltyPerMiss != 500 || o.SLA.Queues[0] != "our line" || o.SLA.Hours.From != 8*time.Hour || o.Committed.AbovePrice() != 24 ||
		o.Terms("escalations").PerHandledMinute != 0.9 {
		t.Errorf("changing the clone changed the original: %+v %+v", o.SLA, o.Committed)
	}
}
