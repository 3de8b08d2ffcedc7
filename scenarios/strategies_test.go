package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const strategiesBase = `name: t
horizon: 2d
queues:
  - name: tech
    arrivals: {per_hour: 120}
    handle_time: 6m
    patience: 2m
  - name: billing
    arrivals: {per_hour: 60}
    handle_time: 4m
groups:
  - name: staff
    agents: 10
    skills: [tech, billing]
  - name: vendor
    sourcing: outsourced
    agents: 8
    skills: [tech]
    hours: {from: "20:00", to: "08:00"}
    cost: {per_handled_minute: 0.5}
routing:
  - queue: tech
    groups: [staff, {group: vendor, after: 30s}]
optimize: {every_interval: true, replications: 4, check_replications: 6}
strategies:
  - name: in-house
    description: our own team
    set: {groups.vendor.agents: 0}
    decide:
      groups.staff.agents: 5..40
  - name: hybrid
    decide:
      groups.staff.agents_by_interval: {min: 1, max: 30}
      groups.vendor.hours: {from: ["18:00", "20:00"], to: ["06:00", "08:00"]}
      routing.tech.groups.vendor.after: {min: 0s, max: 40s, step: 20s}
      groups.vendor.skills: {any_of: [tech, billing]}
  - name: shifts
    decide:
      groups.staff.shifts: {starts: {from: "06:00", to: "10:00", every: 1h}, lengths: [8h, 4h], days: [[weekdays], weekend], break: {length: 30m, from: 6h}, max: 50}
      groups.vendor.agents: {max: 20}
`

func TestStrategiesParse(t *testing.T) {
	s, err := Parse("s.yaml", []byte(strategiesBase))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.StrategyNames(); !reflect.DeepEqual(got, []string{"in-house", "hybrid", "shifts"}) {
		t.Fatalf("strategies %v", got)
	}
	if o := s.Optimize; !o.EveryInterval || o.Replications != 4 || o.CheckReplications != 6 {
		t.Errorf("optimize %+v", o)
	}
	in := s.StrategyByName("in-house")
	if in.Description != "our own team" || in.Scenario.Groups[1].Agents != 0 || s.Groups[1].Agents != 8 {
		t.Errorf("set not applied to the strategy alone: %+v", in.Scenario.Groups)
	}
	if len(in.Scenario.Strategies) != 0 || len(in.Scenario.Variants) != 0 {
		t.Error("a strategy's scenario has strategies or variants")
	}
	want := Decision{Path: "groups.staff.agents", Kind: DecideAgents, Group: "staff", Min: 5, Max: 40, Line: 30, Col: 7}
	if !reflect.DeepEqual(in.Decisions, []Decision{want}) {
		t.Errorf("decision %+v, want %+v", in.Decisions, want)
	}
	h := s.StrategyByName("hybrid").Decisions
	if len(h) != 4 {
		t.Fatalf("%d decisions", len(h))
	}
	if h[0].Kind != DecideAgentsByInterval || h[0].Min != 1 || h[0].Max != 30 {
		t.Errorf("agents_by_interval %+v", h[0])
	}
	if h[1].Kind != DecideHours || len(h[1].Windows) != 4 || h[1].Windows[0].From != 18*time.Hour || h[1].Windows[0].To != 6*time.Hour {
		t.Errorf("hours %+v", h[1])
	}
	if h[2].Kind != DecideAfter || h[2].Queue != "tech" || h[2].Group != "vendor" ||
		!reflect.DeepEqual(h[2].Delays, []time.Duration{0, 20 * time.Second, 40 * time.Second}) {
		t.Errorf("after %+v", h[2])
	}
	if h[3].Kind != DecideSkills || !reflect.DeepEqual(h[3].Queues, []string{"tech", "billing"}) {
		t.Errorf("skills %+v", h[3])
	}
	sh := s.StrategyByName("shifts").Decisions[0]
	c := sh.Shifts
	if sh.Kind != DecideShifts || sh.Max != 50 || len(c.Starts) != 5 || c.Starts[4] != 10*time.Hour || len(c.Lengths) != 2 || len(c.Days) != 2 ||
		c.Days[1] != [7]bool{5: true, 6: true} || c.Break == nil || c.Break.Length != 30*time.Minute {
		t.Errorf("shifts %+v %+v", sh, c)
	}
	if b := c.BreakFor(8 * time.Hour); b == nil || b.After != 4*time.Hour || b.Length != 30*time.Minute {
		t.Errorf("break of an 8h shift %+v", b)
	}
	if b := c.BreakFor(4 * time.Hour); b != nil {
		t.Errorf("a 4h shift gets a break %+v", b)
	}
	if g := s.Groups[1]; g.Hours == nil || g.Hours.From != 20*time.Hour || g.Hours.To != 8*time.Hour || g.Hours.String() != "20:00-08:00" {
		t.Errorf("hours %+v", g.Hours)
	}
}

// TestStrategyErrors: bad decisions are reported with their position and a
// hint; none panics.
func TestStrategyErrors(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"bounds reversed", "groups.staff.agents: 5..40", "groups.staff.agents: 40..5", []string{"s.yaml:30:28:", "bounds reversed: min 40 is above max 5", "write 5..40"}},
		{"bounds reversed mapping", "{min: 1, max: 30}", "{min: 31, max: 30}", []string{"s.yaml:33:", "bounds reversed"}},
		{"negative min", "groups.staff.agents: 5..40", "groups.staff.agents: -1..40", []string{"must be >= 0"}},
		{"no max", "{min: 1, max: 30}", "{min: 1}", []string{`missing required key "max"`}},
		{"not a range", "groups.staff.agents: 5..40", "groups.staff.agents: lots", []string{"expected a range of agents", "5..40"}},
		{"unknown group", "groups.staff.agents: 5..40", "groups.staf.agents: 5..40", []string{"s.yaml:30:7:", `no group "staf"`, `did you mean "staff"`}},
		{"undecidable key", "groups.staff.agents: 5..40", "groups.staff.shrinkage: 5..40", []string{"s.yaml:30:7:", "cannot decide groups.staff.shrinkage", "agents_by_interval"}},
		{"undecidable path", "groups.staff.agents: 5..40", "queues.tech.priority: 5..40", []string{"cannot decide queues.tech.priority"}},
		{"route step missing", "routing.tech.groups.vendor.after", "routing.billing.groups.vendor.after", []string{`the route of "billing" has no group "vendor"`}},
		{"route queue missing", "routing.tech.groups.vendor.after", "routing.sales.groups.vendor.after", []string{`no route for queue "sales"`}},
		{"two staffing decisions", "      groups.vendor.agents: {max: 20}", "      groups.staff.agents: {max: 20}", []string{`group "staff" is already decided by groups.staff.shifts`}},
		{"delays reversed", "{min: 0s, max: 40s, step: 20s}", "{min: 50s, max: 40s, step: 20s}", []string{"bounds reversed: min 50s is above max 40s"}},
		{"delay step", "{min: 0s, max: 40s, step: 20s}", "{min: 0s, max: 40s, step: 0s}", []string{"step must be positive"}},
		{"unknown skill", "any_of: [tech, billing]", "any_of: [tech, biling]", []string{`no queue "biling"`, `did you mean "billing"`}},
		{"empty windows", `from: ["18:00", "20:00"], to: ["06:00", "08:00"]`, `from: "06:00", to: "06:00"`, []string{"every window is empty"}},
		{"starts reversed", `{from: "06:00", to: "10:00", every: 1h}`, `{from: "10:00", to: "06:00", every: 1h}`, []string{"bounds reversed: from 10:00 is after to 06:00"}},
		{"shift length", "lengths: [8h, 4h]", "lengths: [8h, 25h]", []string{"at most 24h"}},
		{"shift max", "max: 50}", "max: 0}", []string{"agents on one shift"}},
		{"catalogue key", "lengths: [8h, 4h]", "length: [8h, 4h]", []string{`unknown key "length"`, `missing required key "lengths"`}},
		{"strategy set path", "set: {groups.vendor.agents: 0}", "set: {groups.vendr.agents: 0}", []string{`strategy "in-house"`, `no item "vendr"`}},
		{"strategy set value", "set: {groups.vendor.agents: 0}", "set: {groups.vendor.agents: -3}", []string{`strategy "in-house"`, "must be >= 0"}},
		{"duplicate name", "name: shifts", "name: hybrid", []string{`duplicate strategy name "hybrid"`}},
		{"strategy key", "    description: our own team", "    descripton: our own team", []string{`unknown key "descripton"`, `did you mean "description"`}},
		{"optimize key", "optimize: {every_interval: true", "optimize: {every_intervall: true", []string{`unknown key "every_intervall"`}},
		{"hours with shifts", "      groups.staff.shifts:", "      groups.vendor.shifts:", []string{`group "vendor" has hours`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(strategiesBase, tt.from) {
				t.Fatalf("base lacks %q", tt.from)
			}
			_, err := Parse("s.yaml", []byte(strings.Replace(strategiesBase, tt.from, tt.to, 1)))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestWeekHeadcounts(t *testing.T) {
	base := `name: w
horizon: 2d
interval: 6h
queues: [{name: q, arrivals: {per_hour: 10}, handle_time: 5m}]
groups:
  - name: g
    skills: [q]
    agents_by_interval: COUNTS
`
	s, err := Parse("w.yaml", []byte(strings.Replace(base, "COUNTS", "{weekdays: [1, 2, 3, 4], sat: [0, 1, 1, 0], sun: [0, 0, 1, 0]}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 0, 1, 1, 0, 0, 0, 1, 0}
	if got := s.Groups[0].AgentsByInterval; !reflect.DeepEqual(got, want) {
		t.Errorf("week %v, want %v", got, want)
	}
	for _, tt := range []struct{ counts, want string }{
		{"{weekdays: [1, 2, 3, 4], sat: [0, 1, 1, 0]}", "no counts for sun"},
		{"{weekdays: [1, 2, 3, 4], weekend: [0, 1, 1, 0], sun: [1, 1, 1, 1]}", "sun is already given by weekend"},
		{"{weekdays: [1, 2, 3, 4], weekend: [0, 1, 1]}", "3 counts, but weekdays has 4"},
		{"{weekdays: [1, 2, 3, 4], weekend: [0, 1, 1, 0], sunday: [1]}", `unknown day "sunday"`},
		{"{weekdays: [1, 2, 3], weekend: [0, 1, 1]}", "has 21 counts"},
		{"{weekdays: [1, 2, 3, -1], weekend: [0, 1, 1, 1]}", "must be >= 0"},
	} {
		_, err := Parse("w.yaml", []byte(strings.Replace(base, "COUNTS", tt.counts, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "w.yaml:") {
			t.Errorf("%s: error %v, want %q with a position", tt.counts, err, tt.want)
		}
	}
}

func TestHoursErrors(t *testing.T) {
	base := `name: h
horizon: 2d
queues: [{name: q, arrivals: {per_hour: 10}, handle_time: 5m}]
groups:
  - {name: g, skills: [q], agents: 3, hours: HOURS}
`
	for _, tt := range []struct{ hours, want string }{
		{`{from: "08:00", to: "08:00"}`, "from equals to"},
		{`{from: "08:00"}`, `missing required key "to"`},
		{`{from: "08:00", to: "25:00"}`, "between 00:00 and 24:00"},
		{`{from: "08:00", to: "20:00", days: []}`, "no days given"},
	} {
		_, err := Parse("h.yaml", []byte(strings.Replace(base, "HOURS", tt.hours, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.hours, err, tt.want)
		}
	}
	_, err := Parse("h.yaml", []byte(strings.Replace(base, "agents: 3, hours: HOURS", `hours: {from: "08:00", to: "20:00"}, shifts: [{start: "08:00", length: 8h, agents: 2}]`, 1)))
	if err == nil || !strings.Contains(err.Error(), "hours cannot be combined with shifts") {
		t.Errorf("hours with shifts: %v", err)
	}
}

func TestInHours(t *testing.T) {
	night := &OpenHours{From: 20 * time.Hour, To: 8 * time.Hour, Days: [7]bool{true, true, true, true, true}}
	for _, tt := range []struct {
		t    time.Duration
		want bool
	}{
		{0, false},                       // Monday 00:00: Sunday's night, not a working day
		{21 * time.Hour, true},           // Monday 21:00
		{24*time.Hour + time.Hour, true}, // Tuesday 01:00, Monday's night
		{24*time.Hour + 9*time.Hour, false},
		{5*24*time.Hour + 2*time.Hour, true},   // Saturday 02:00: Friday's night
		{5*24*time.Hour + 21*time.Hour, false}, // Saturday 21:00
	} {
		if got := night.InHours(tt.t.Seconds()); got != tt.want {
			t.Errorf("InHours(%v) = %v", tt.t, got)
		}
	}
	if night.Length() != 12*time.Hour {
		t.Errorf("length %v", night.Length())
	}
}

// TestSetRouteStep: variants' set paths reach a route step by its group,
// whether it is written as a bare name or as {group, after}.
func TestSetRouteStep(t *testing.T) {
	s, err := Parse("s.yaml", []byte(strategiesBase))
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.With(map[string]string{"routing.tech.groups.vendor.after": "10s", "routing.tech.groups.staff.after": "5s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Routing[0].Groups; got[0].Group != "staff" || got[0].After != 5*time.Second || got[1].Group != "vendor" || got[1].After != 10*time.Second {
		t.Errorf("route %+v", got)
	}
	if len(w.Strategies) != 0 {
		t.Error("With kept the strategies")
	}
	if _, err := s.With(map[string]string{"routing.tech.groups.nobody.after": "10s"}); err == nil || !strings.Contains(err.Error(), `no item "nobody"`) {
		t.Errorf("unknown step: %v", err)
	}
}

// TestClone: a clone shares no slice, map or pointer with its original
// (but the scenarios of variants and strategies, and the source YAML), so
// that the optimizer can change a clone freely. A field added to a type
// without being copied by Clone fails here.
func TestClone(t *testing.T) {
	s, err := LoadBuiltin("night-partner")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Parse("s.yaml", []byte(strategiesBase))
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []*Scenario{s, s2} {
		c := sc.Clone()
		if !reflect.DeepEqual(c, sc) {
			t.Fatal("clone differs from the original")
		}
		checkNoAlias(t, "scenario", reflect.ValueOf(sc).Elem(), reflect.ValueOf(c).Elem())
	}
}

func checkNoAlias(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: pointer shared", path)
			return
		}
		checkNoAlias(t, path, a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() == 0 {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: slice shared", path)
			return
		}
		for i := 0; i < a.Len(); i++ {
			checkNoAlias(t, path+"[]", a.Index(i), b.Index(i))
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: map shared", path)
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			switch f.Name {
			case "root", "Scenario": // shared on purpose
				continue
			}
			if !f.IsExported() && f.Type.Kind() != reflect.Struct {
				continue
			}
			checkNoAlias(t, path+"."+f.Name, a.Field(i), b.Field(i))
		}
	}
}
