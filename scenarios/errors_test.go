package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// scenario builds a small valid scenario around a queue body (indented
// under "  - ") and a groups section; tests then break one thing.
func scenario(queue, rest string) string {
	if queue == "" {
		queue = "name: support\n    arrivals: {per_hour: 360}\n    handle_time: 300s"
	}
	if rest == "" {
		rest = "groups:\n  - name: staff\n    agents: 32\n    skills: [support]\n"
	}
	return "name: t\nhorizon: 10h\nqueues:\n  - " + queue + "\n" + rest
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // each must appear in the error text, in this order
		n    int      // number of problems, if > 0
	}{
		{"misspelt key", scenario("name: support\n    arrivals: {per_hour: 360}\n    handel_time: 300s", ""),
			[]string{`t.yaml:4:5: queues[0]: missing required key "handle_time"`,
				`t.yaml:6:5: queues[0]: unknown key "handel_time" (hint: did you mean "handle_time"?)`}, 2},
		{"misspelt top-level key", "name: t\nhorizn: 10h\n", []string{`t.yaml:2:1: unknown key "horizn" (hint: did you mean "horizon"?)`}, 0},
		{"unknown key far from any", "name: t\nhorizon: 1h\nzzzzzzzzzzzz: 1\n", []string{`unknown key "zzzzzzzzzzzz" (hint: valid keys: name, description, horizon`}, 0},
		{"negative agents", scenario("", "groups:\n  - name: staff\n    agents: -3\n    skills: [support]\n"),
			[]string{"t.yaml:9:13: groups[0].agents: must be >= 0, got -3"}, 1},
		{"too many agents", scenario("", "groups:\n  - name: staff\n    agents: 2000000\n    skills: [support]\n"),
			[]string{"groups[0].agents: must be at most 1000000"}, 1},
		{"agents not an integer", scenario("", "groups:\n  - name: staff\n    agents: 2.5\n    skills: [support]\n"),
			[]string{"groups[0].agents: expected an integer, got the number 2.5"}, 1},
		{"agents a string", scenario("", "groups:\n  - name: staff\n    agents: \"32\"\n    skills: [support]\n"),
			[]string{`groups[0].agents: expected an integer, got the string "32"`}, 1},
		{"service level 120%", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 300s\n    target: {service_level: 120%}", ""),
			[]string{"t.yaml:7:29: queues[0].target.service_level: must be between 0% and 100%, got 120%"}, 1},
		{"service level 80 without %", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 300s\n    target: {service_level: 80}", ""),
			[]string{"queues[0].target.service_level: a fraction must be between 0 and 1, got 80 (hint: write 80% or 0.8)"}, 1},
		{"service level negative", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 300s\n    target: {service_level: -0.1}", ""),
			[]string{"must be between 0% and 100%, got -10%"}, 1},
		{"service level word", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 300s\n    target: {service_level: high}", ""),
			[]string{`expected a percentage, got the string "high"`}, 1},
		{"negative mean", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {mean: -5s}", ""),
			[]string{"t.yaml:6:25: queues[0].handle_time.mean: must be positive, got -5s"}, 1},
		{"zero handle time", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 0", ""),
			[]string{"queues[0].handle_time.mean: must be positive, got 0s"}, 1},
		{"zero patience", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 1m\n    patience: {dist: constant, mean: 0s}", ""),
			[]string{"queues[0].patience.mean: must be positive, got 0s"}, 1},
		{"negative wrap-up", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 1m\n    wrap_up: -1s", ""),
			[]string{"queues[0].wrap_up.mean: must be >= 0, got -1s"}, 1},
		{"cv for exponential", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {mean: 1m, cv: 0.5}", ""),
			[]string{"queues[0].handle_time.cv: cv is not used by dist exponential (hint: dist exponential takes mean)"}, 1},
		{"lognormal without cv", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: lognormal, mean: 1m}", ""),
			[]string{"queues[0].handle_time: dist lognormal needs cv"}, 1},
		{"gamma zero cv", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: gamma, mean: 1m, cv: 0}", ""),
			[]string{"queues[0].handle_time.cv: must be positive, got 0"}, 1},
		{"unknown dist", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: lognorml, mean: 1m}", ""),
			[]string{`queues[0].handle_time.dist: unknown distribution "lognorml" (hint: did you mean "lognormal"?)`}, 1},
		{"uniform min > max", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: uniform, min: 2m, max: 1m}", ""),
			[]string{"queues[0].handle_time.max: must be greater than min (2m0s), got 1m0s"}, 1},
		{"uniform with mean", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: uniform, min: 1m, max: 2m, mean: 90s}", ""),
			[]string{"queues[0].handle_time.mean: mean is not used by dist uniform (hint: dist uniform takes min, max)"}, 1},
		{"triangular mode outside", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: triangular, min: 1m, mode: 5m, max: 2m}", ""),
			[]string{"queues[0].handle_time.mode: must be between min (1m0s) and max (2m0s), got 5m0s"}, 1},
		{"triangular missing mode", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: triangular, min: 1m, max: 2m}", ""),
			[]string{"dist triangular needs mode"}, 1},
		{"empirical empty", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: empirical, values: []}", ""),
			[]string{"queues[0].handle_time.values: must list at least one duration"}, 0},
		{"empirical negative", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: empirical, values: [1m, -2s]}", ""),
			[]string{"queues[0].handle_time.values[1]: must be >= 0, got -2s"}, 1},
		{"empirical not a list", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: {dist: empirical, values: 1m}", ""),
			[]string{"queues[0].handle_time.values: expected a list of durations"}, 1},
		{"bad duration", scenario("name: support\n    arrivals: {per_hour: 360}\n    handle_time: 5 minutes", ""),
			[]string{`queues[0].handle_time: invalid duration "5 minutes" (hint: write a duration such as 20s`}, 1},
		{"duration as list", "name: t\nhorizon: [1h]\n", []string{"horizon: expected a duration, got a list"}, 0},
		{"horizon zero", strings.Replace(scenario("", ""), "horizon: 10h", "horizon: 0s", 1), []string{"horizon: must be positive, got 0s"}, 1},
		{"horizon too long", strings.Replace(scenario("", ""), "horizon: 10h", "horizon: 1000000d", 1), []string{`duration "1000000d" is too long`}, 1},
		{"horizon null", strings.Replace(scenario("", ""), "horizon: 10h", "horizon:", 1),
			[]string{"horizon: expected a duration, got no value"}, 1},
		{"warmup too long", strings.Replace(scenario("", ""), "horizon: 10h", "horizon: 10h\nwarmup: 10h", 1),
			[]string{"warmup: must be >= 0 and less than horizon (10h0m0s), got 10h0m0s"}, 1},
		{"interval not dividing a day", strings.Replace(scenario("", ""), "horizon: 10h", "horizon: 10h\ninterval: 7m", 1),
			[]string{"interval: must divide 24h, got 7m0s"}, 1},
		{"replications zero", strings.Replace(scenario("", ""), "horizon: 10h", "horizon: 10h\nreplications: 0", 1),
			[]string{"replications: must be between 1 and 10000, got 0"}, 1},
		{"seed negative", strings.Replace(scenario("", ""), "horizon: 10h", "horizon: 10h\nseed: -1", 1),
			[]string{"seed: expected an integer between 0 and 18446744073709551615, got the number -1"}, 1},
		{"two rates", scenario("name: support\n    arrivals: {per_hour: 360, per_day: 5}\n    handle_time: 300s", ""),
			[]string{"queues[0].arrivals: give only one of per_hour, per_day, per_interval or forecast, got per_hour and per_day"}, 1},
		{"no rate", scenario("name: support\n    arrivals: {}\n    handle_time: 300s", ""),
			[]string{"queues[0].arrivals: give one of per_hour, per_day, per_interval or forecast"}, 1},
		{"negative rate", scenario("name: support\n    arrivals: {per_hour: -1}\n    handle_time: 300s", ""),
			[]string{"t.yaml:5:26: queues[0].arrivals.per_hour: must be >= 0, got -1"}, 1},
		{"rate as string", scenario("name: support\n    arrivals: {per_hour: lots}\n    handle_time: 300s", ""),
			[]string{`queues[0].arrivals.per_hour: expected a number, got the string "lots"`}, 1},
		{"arrivals bare number", scenario("name: support\n    arrivals: 360\n    handle_time: 300s", ""),
			[]string{"queues[0].arrivals: expected a mapping with one of per_hour, per_day or per_interval, got the number 360 (hint: write {per_hour: 360}"}, 1},
		{"duplicate queue", scenario("name: support\n    arrivals: {per_hour: 1}\n    handle_time: 300s\n  - name: support\n    arrivals: {per_hour: 1}\n    handle_time: 300s", ""),
			[]string{`queues[1].name: queue "support" is already defined at queues[0]`}, 1},
		{"duplicate key", scenario("name: support\n    arrivals: {per_hour: 1}\n    handle_time: 300s\n    handle_time: 200s", ""),
			[]string{`t.yaml:7:5: queues[0]: duplicate key "handle_time" (first given at line 6)`}, 1},
		{"unknown skill", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: [support, suport]\n"),
			[]string{`groups[0].skills[1]: unknown queue "suport" (hint: did you mean "support"?)`}, 1},
		{"skills not a list", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: support\n"),
			[]string{`groups[0].skills: expected a list of queue names, got the string "support" (hint: write [support])`}, 1},
		{"empty skills", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: []\n"),
			[]string{`queues[0]: no group has skill "support"`, "groups[0].skills: must list at least one queue"}, 2},
		{"queue nobody serves", scenario("name: support\n    arrivals: {per_hour: 1}\n    handle_time: 300s\n  - name: sales\n    arrivals: {per_hour: 1}\n    handle_time: 300s", ""),
			[]string{`t.yaml:7:5: queues[1]: no group has skill "sales" (hint: add "sales" to the skills of a group)`}, 1},
		{"duplicate group", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: [support]\n  - name: staff\n    agents: 3\n    skills: [support]\n"),
			[]string{`groups[1].name: group "staff" is already defined at groups[0]`}, 1},
		{"missing everything", "description: x\n",
			[]string{`missing required key "name"`, `missing required key "horizon"`, `missing required key "queues"`, `missing required key "groups"`}, 4},
		{"empty lists", "name: t\nhorizon: 1h\nqueues: []\ngroups: []\n",
			[]string{"queues: at least one queue is required", "groups: at least one group is required"}, 2},
		{"queue not a mapping", "name: t\nhorizon: 1h\nqueues: [support]\ngroups: []\n",
			[]string{`queues[0]: expected a queue (a mapping), got the string "support"`}, 0},
		{"route to unknown group", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: [support]\nrouting:\n  - queue: support\n    groups: [stuff]\n"),
			[]string{`routing[0].groups[0]: unknown group "stuff" (hint: did you mean "staff"?)`}, 1},
		{"route to group without skill", scenario("name: support\n    arrivals: {per_hour: 1}\n    handle_time: 300s\n  - name: sales\n    arrivals: {per_hour: 1}\n    handle_time: 300s",
			"groups:\n  - name: staff\n    agents: 3\n    skills: [support]\n  - name: sellers\n    agents: 3\n    skills: [sales]\nrouting:\n  - queue: sales\n    groups: [sellers, {group: staff, after: 10s}]\n"),
			[]string{`routing[0].groups[1]: group "staff" does not have skill "sales" (hint: add "sales" to groups[0].skills, or remove the group from this route)`}, 1},
		{"route to unknown queue", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: [support]\nrouting:\n  - queue: suport\n    groups: [staff]\n"),
			[]string{`routing[0].queue: unknown queue "suport" (hint: did you mean "support"?)`}, 1},
		{"queue routed twice", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: [support]\nrouting:\n  - queue: support\n    groups: [staff]\n  - queue: support\n    groups: [staff]\n"),
			[]string{`routing[1].queue: queue "support" is already routed by routing[0]`}, 1},
		{"route negative after", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: [support]\nrouting:\n  - queue: support\n    groups: [{group: staff, after: -1s}]\n"),
			[]string{`routing[0].groups[0].after: must be >= 0, got -1s`}, 1},
		{"route empty groups", scenario("", "groups:\n  - name: staff\n    agents: 3\n    skills: [support]\nrouting:\n  - queue: support\n    groups: []\n"),
			[]string{`routing[0].groups: must list at least one group`}, 1},
		{"several errors at once", "name: t\nhorizon: -1h\nreplications: 0\nqueues:\n  - name: q\n    arrivals: {per_hour: -5}\n    handle_time: {mean: -5s}\ngroups:\n  - name: g\n    agents: -1\n    skills: [q]\n",
			[]string{"2:10: horizon: must be positive", "3:15: replications: must be between", "6:26: queues[0].arrivals.per_hour: must be >= 0", "7:25: queues[0].handle_time.mean: must be positive", "10:13: groups[0].agents: must be >= 0"}, 5},
		{"merge of a scalar", strings.Replace(scenario("", ""), "name: support\n", "<<: 5\n    name: support\n", 1), []string{"queues[0]: merge key << expects a mapping, got the number 5"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want errors %q", s, tt.want)
			}
			var list *ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an *ErrorList: %v", err, err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error text lacks %q (or not in order):\n%s", w, msg)
				}
				rest = rest[i+len(w):]
			}
			if tt.n > 0 && list.Len() != tt.n {
				t.Errorf("got %d problems, want %d:\n%s", list.Len(), tt.n, msg)
			}
			if got := strings.Count(msg, "\n") + 1; got != list.Len() {
				t.Errorf("Error() has %d lines for %d problems", got, list.Len())
			}
		})
	}
}

func TestParseBadFiles(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "t.yaml: the file is empty (hint: start from `callsim scenarios init single-queue`)"},
		{"blank", " \n\n\t\n", "the file is empty"},
		{"only comments", "# nothing\n# here\n", "no YAML document"},
		{"braces", "{{{", "t.yaml:1: not valid YAML"},
		{"binary", "\x00\x01\x02\xff\xfe garbage \x00", "not valid YAML"},
		{"tabs", "name: t\nqueues:\n\t- name: x\n", "(hint: YAML indents with spaces, not tabs)"},
		{"top-level list", "- name: t\n- horizon: 1h\n", "t.yaml:1:1: expected a mapping of keys (name, horizon, queues, groups, ...) at the top level, got a list"},
		{"top-level scalar", "hello\n", `expected a mapping of keys (name, horizon, queues, groups, ...) at the top level, got the string "hello"`},
		{"two documents", "name: a\n---\nname: b\n", "t.yaml:2: the file holds more than one YAML document"},
		{"unclosed quote", "name: \"t\nhorizon: 1h\n", "not valid YAML"},
		{"bad alias", "name: *nope\n", "not valid YAML"},
		{"merge cycle", "<<: &a {<<: *a}\n", "merge key << refers to a mapping that contains it"},
		{"merge fan-out", fanOut, `unknown key "l"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tt.want)
			}
			var list *ErrorList
			if !errors.As(err, &list) {
				t.Errorf("error %T is not an *ErrorList", err)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"name", "arrivals", "handle_time", "wrap_up", "patience", "target", "priority"}
	tests := []struct{ in, want string }{
		{"handel_time", "handle_time"},
		{"handle-time", "handle_time"},
		{"Handle_Time", "handle_time"},
		{"patients", "patience"},
		{"arrival", "arrivals"},
		{"nam", "name"},
		{"x", ""},
		{"colour", ""},
	}
	for _, tt := range tests {
		if got := closest(tt.in, keys); got != tt.want {
			t.Errorf("closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fanOut merges each anchor four times into the next: expanded naively it
// has 4^10 entries, so it must be expanded once per anchor.
const fanOut = "b: &b {x: 1}\nc: &c {<<: [*b, *b, *b, *b]}\nd: &d {<<: [*c, *c, *c, *c]}\n" +
	"e: &e {<<: [*d, *d, *d, *d]}\nf: &f {<<: [*e, *e, *e, *e]}\ng: &g {<<: [*f, *f, *f, *f]}\n" +
	"h: &h {<<: [*g, *g, *g, *g]}\ni: &i {<<: [*h, *h, *h, *h]}\nj: &j {<<: [*i, *i, *i, *i]}\n" +
	"k: &k {<<: [*j, *j, *j, *j]}\nl: &l {<<: [*k, *k, *k, *k]}\n<<: *l\n"
