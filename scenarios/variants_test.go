package scenarios

import (
	"strings"
	"testing"
)

func TestVariants(t *testing.T) {
	s, err := LoadBuiltin("hybrid")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Variants) != 2 {
		t.Fatalf("%d variants", len(s.Variants))
	}
	in, out := s.Variants[0].Scenario, s.Variants[1].Scenario
	if in.Groups[0].Agents != 18 || in.Groups[1].Agents != 0 || out.Groups[0].Agents != 0 || out.Groups[1].Agents != 18 {
		t.Errorf("overrides not applied: %+v %+v", in.Groups, out.Groups)
	}
	if s.Groups[0].Agents != 10 || s.Groups[1].Agents != 8 {
		t.Errorf("base changed: %+v", s.Groups)
	}
	g := s.Groups[1]
	if g.Sourcing != Outsourced || g.HandleTimeFactor["tech"] != 1.15 || g.Resolution["tech"] != 0.7 || g.Cost.PerHandledMinute != 0.55 || g.Cost.SetupFee != 15000 {
		t.Errorf("vendor group %+v", g)
	}
	if c := s.Groups[0].Cost; c.HourlyWage != 22 || c.Overhead != 0.35 || c.SupervisorRatio != 15 {
		t.Errorf("staff cost %+v", c)
	}
	if len(in.Variants) != 0 {
		t.Error("a variant has variants")
	}
	w, err := s.With(map[string]string{"queues.tech.arrivals.per_hour": "240", "groups.staff.cost.hourly_wage": "30"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Queues[0].Arrivals.Rate != 240.0/3600 || w.Groups[0].Cost.HourlyWage != 30 {
		t.Errorf("With: rate %g wage %g", w.Queues[0].Arrivals.Rate, w.Groups[0].Cost.HourlyWage)
	}
}

func TestSourcingErrors(t *testing.T) {
	src, _ := BuiltinSource("hybrid")
	base := string(src)
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown sourcing", "sourcing: outsourced", "sourcing: outsorced", []string{"outsorced", `did you mean "outsourced"`}},
		{"in-house cost on vendor", "cost: {setup_fee: 15000", "cost: {hourly_wage: 9, setup_fee: 15000", []string{"hourly_wage is an in-house cost", "vendor"}},
		{"resolution of a non-skill", "resolution: {tech: 0.9}", "resolution: {tehc: 0.9}", []string{`"tehc" is not a skill`}},
		{"resolution over 100%", "resolution: {tech: 0.9}", "resolution: {tech: 190%}", []string{"resolution.tech"}},
		{"factor not positive", "handle_time_factor: {tech: 1.15}", "handle_time_factor: {tech: 0}", []string{"must be > 0"}},
		{"variant path to nothing", "groups.vendor.agents: 0, groups.staff", "groups.vendr.agents: 0, groups.staff", []string{`no item "vendr"`, "in-house only"}},
		{"variant with bad value", "groups.staff.agents: 0,", "groups.staff.agents: -4,", []string{"outsourced only", "groups[0].agents", "must be >= 0"}},
		{"variant key typo", "set: {groups.vendor.agents: 0", "set: {groups.vendor.agnets: 0", []string{"in-house only", `unknown key "agnets"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.from) {
				t.Fatalf("built-in lacks %q", tt.from)
			}
			_, err := Parse("hybrid.yaml", []byte(strings.Replace(base, tt.from, tt.to, 1)))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.Contains(err.Error(), "hybrid.yaml:") {
				t.Errorf("error has no position:\n%v", err)
			}
		})
	}
}

func TestOutcomeKeys(t *testing.T) {
	src := `name: tiers
horizon: 2d
queues:
  - name: tier1
    arrivals: {per_hour: 100}
    handle_time: 5m
    patience: 2m
    redial: {probability: 40%, after: 15m}
    self_service: 20%
    transfer_to: expert
  - name: expert
    arrivals: {per_hour: 0}
    handle_time: 10m
groups:
  - name: vendor
    agents: 10
    skills: [tier1]
    transfer: {tier1: 25%}
  - name: specialists
    agents: 5
    skills: [expert]
`
	s, err := Parse("tiers.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	q := s.Queues[0]
	if q.Redial.Probability != 0.4 || q.Redial.After.Mean != 900 || q.SelfService != 0.2 || q.TransferTo != "expert" || s.Groups[0].Transfer["tier1"] != 0.25 {
		t.Errorf("parsed %+v / %+v", q, s.Groups[0])
	}
	for _, bad := range []struct{ from, to, want string }{
		{"transfer_to: expert", "transfer_to: exprt", `unknown queue "exprt"`},
		{"transfer_to: expert", "transfer_to: tier1", "cannot transfer to itself"},
		{"    transfer_to: expert\n", "", "has no transfer_to"},
		{"self_service: 20%", "self_service: 120%", "self_service"},
	} {
		_, err := Parse("tiers.yaml", []byte(strings.Replace(src, bad.from, bad.to, 1)))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s -> %s: error %v, want %q", bad.from, bad.to, err, bad.want)
		}
	}
}

func TestStaffingKeys(t *testing.T) {
	src := `name: shifts
horizon: 7d
interval: 1h
queues:
  - name: q
    arrivals: {per_day: 1000, profile: [0,0,0,0,0,0,0,1,2,3,3,3,3,3,3,3,2,2,1,1,0,0,0,0], weekdays: {sat: 0.5, sun: 0}, busyness: {cv: 10%}}
    handle_time: 4m
    open: {from: "07:00", to: "20:00", days: [weekdays, sat]}
groups:
  - name: day
    shifts:
      - {start: "07:00", length: 8h, days: [weekdays], agents: 12, breaks: [{after: 4h, length: 30m}]}
      - {start: "12:00", length: 8h, days: [mon, tue, wed, thu, fri, sat], agents: 10}
    shrinkage: 30%
    outages: [{start: 2d10h, length: 4h}]
    skills: [q]
  - name: evening
    agents_by_interval: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,4,2,0,0,0]
    skills: [q]
`
	s, err := Parse("shifts.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Queues[0].Arrivals
	if len(a.Profile) != 24 || a.Weekdays[5] != 0.5 || a.Weekdays[6] != 0 || a.Weekdays[0] != 1 || a.Busyness != 0.1 {
		t.Errorf("arrivals %+v", a)
	}
	if o := s.Queues[0].Open; o == nil || o.From.Hours() != 7 || o.To.Hours() != 20 || !o.Days[5] || o.Days[6] {
		t.Errorf("open %+v", o)
	}
	g := s.Groups[0]
	if len(g.Shifts) != 2 || g.Shifts[0].Agents != 12 || !g.Shifts[0].Days[4] || g.Shifts[0].Days[5] || g.Shifts[0].Breaks[0].Length.Minutes() != 30 ||
		g.Shrinkage != 0.3 || len(g.Outages) != 1 || g.Outages[0].Start.Hours() != 58 {
		t.Errorf("group %+v", g)
	}
	for _, bad := range []struct{ from, to, want string }{
		{`start: "07:00", length: 8h`, `start: "7h61", length: 8h`, "not a time of day"},
		{"days: [weekdays], agents", "days: [weekdys], agents", `did you mean "weekdays"`},
		{"shrinkage: 30%", "shrinkage: 100%", "below 100%"},
		{"    agents_by_interval: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,4,4,4,2,0,0,0]\n", "    agents_by_interval: [1, 2]\n", "has 2 counts"},
		{"    shrinkage: 30%\n", "    shrinkage: 30%\n    agents: 3\n", "give one of agents, shifts or agents_by_interval"},
		{"{after: 4h, length: 30m}", "{after: 7h50m, length: 30m}", "within its shift"},
		{"profile: [0,0,", "profile: [0,", "the profile has 23 weights"},
	} {
		_, err := Parse("shifts.yaml", []byte(strings.Replace(src, bad.from, bad.to, 1)))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q -> %q: error %v, want %q", bad.from, bad.to, err, bad.want)
		}
	}
}
