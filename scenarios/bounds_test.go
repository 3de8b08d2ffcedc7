package scenarios

import (
	"strings"
	"testing"
)

// TestBounds: every number too large (or too small) to simulate within
// memory and time is an error at its line and column, from Parse, which
// `scenarios check` and every command reading a scenario share.
func TestBounds(t *testing.T) {
	const base = "name: t\nhorizon: 200h\nreplications: 5\nqueues:\n  - name: q\n    arrivals: {per_hour: 360}\n" +
		"    handle_time: 300s\n    patience: 120s\ngroups:\n  - name: g\n    agents: 32\n    skills: [q]\n"
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"rate", "per_hour: 360", "per_hour: 1e308", "t.yaml:6:15: queues[0].arrivals: must average at most 1,000,000 calls an hour, got 1e+308"},
		{"per day", "per_hour: 360", "per_day: 1e12", "queues[0].arrivals: must average at most 1,000,000 calls an hour"},
		{"calls over bound", "per_hour: 360", "per_hour: 900000", "make 180,000,000 calls per replication, more than 100,000,000"},
		{"horizon", "horizon: 200h", "horizon: 10000d", "t.yaml:2:10: horizon: must be at most 87840h0m0s (3660d)"},
		{"interval 1ns", "horizon: 200h", "horizon: 200h\ninterval: 1ns", "t.yaml:3:11: interval: must be at least 1s, got 1ns"},
		{"interval 0.5s", "horizon: 200h", "horizon: 200h\ninterval: 0.5s", "interval: must be at least 1s, got 500ms"},
		{"cells", "replications: 5", "replications: 50\ninterval: 1s", "50 units (replications, or 20 batches of one) x 86,400 intervals a day x 2 queues and groups are 8,640,000 reporting cells, more than 1,000,000"},
		{"horizon intervals", "horizon: 200h", "horizon: 1000d\ninterval: 1s\nreplications: 1", "the horizon 24000h0m0s holds 86,400,000 intervals of 1s, more than 2,000,000"},
		{"agents", "agents: 32", "agents: 10000000", "t.yaml:11:13: groups[0].agents: must be at most 1000000, got 10000000"},
		{"handle time", "handle_time: 300s", "handle_time: 100d", "queues[0].handle_time.mean: must be at most 24h0m0s, got 2400h0m0s"},
		{"patience", "patience: 120s", "patience: {dist: uniform, min: 1s, max: 1000d}", "queues[0].patience.max: must be at most 24h0m0s"},
		{"weekdays", "per_hour: 360}", "per_hour: 360, weekdays: {mon: 1e300}}", "queues[0].arrivals.weekdays.mon: must be at most 100, got 1e+300"},
		{"busyness", "per_hour: 360}", "per_hour: 360, busyness: {cv: 1000%}}", "queues[0].arrivals.busyness.cv: must be at most 200%, got 1000%"},
		{"redial", "patience: 120s", "patience: 120s\n    redial: {probability: 100%, after: 1ns}", "queues[0].redial.after: the mean must be at least 1s, got 1ns"},
		{"redial zero", "patience: 120s", "patience: 120s\n    redial: {probability: 100%, after: 0s}", "queues[0].redial.after.mean: must be positive, got 0s"},
		{"priority", "patience: 120s", "patience: 120s\n    priority: 99999999999", "queues[0].priority: must be between -1000000 and 1000000"},
		{"shift agents", "agents: 32", "shifts: [{start: \"08:00\", length: 8h, agents: 600000}, {start: \"12:00\", length: 8h, agents: 600000}]", "groups[0].shifts: the shifts hold 1200000 agents, more than 1000000"},
		{"total agents", "agents: 32\n    skills: [q]", "agents: 600000\n    skills: [q]\n  - {name: h, agents: 600000, skills: [q]}", "groups: the groups hold 1200000 agents at their peaks, more than 1000000"},
		{"cost", "agents: 32", "agents: 32\n    cost: {hourly_wage: 1e300}", "groups[0].cost.hourly_wage: must be at most 1e+12, got 1e+300"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(base, tc.from, tc.to, 1)
			if src == base {
				t.Fatalf("%q not in the base", tc.from)
			}
			_, err := Parse("t.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
	// At the bounds: accepted.
	ok := strings.Replace(base, "replications: 5", "replications: 5\ninterval: 1s", 1)
	if _, err := Parse("t.yaml", []byte(ok)); err != nil {
		t.Errorf("interval 1s: %v", err)
	}
}
