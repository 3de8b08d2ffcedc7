package scenarios

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/callsim/callsim/internal/inputfile"
)

// decoder walks a yaml.Node tree against the scenario schema. It never stops
// at the first problem: every error is collected with its position, and a
// value that cannot be decoded is left at its zero value (its path is
// remembered in bad so that Validate does not report it a second time).
type decoder struct {
	file  string
	errs  ErrorList
	nodes map[string]*yaml.Node // key path -> value node, to position Validate's errors
	bad   []string              // key paths already reported

	variantSpecs  []variantSpec
	strategySpecs []strategySpec
	pendingSLAs   []pendingSLA // SLAs whose defaults depend on the queues
}

// field is one key of a mapping: decode is called with the key's value and
// path when the key is present. Adding a key to the format is adding a row.
type field struct {
	key      string
	required bool
	decode   func(n *yaml.Node, path string)
}

// kv is one key/value pair of a mapping, merge keys (<<) already expanded.
type kv struct{ key, value *yaml.Node }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// errorf reports a problem with the value at path, at node n, and marks path
// bad: Validate's findings at or inside path are not reported again.
func (d *decoder) errorf(n *yaml.Node, path, hint, format string, args ...any) {
	d.notef(n, path, hint, format, args...)
	d.bad = append(d.bad, path)
}

// notef reports a problem about path (an unknown key in the mapping at path,
// say) without marking path bad.
func (d *decoder) notef(n *yaml.Node, path, hint, format string, args ...any) {
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	d.errs.add(e)
}

// resolve follows aliases to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		switch n.ShortTag() {
		case "!!null":
			return "no value"
		case "!!int", "!!float":
			return "the number " + v
		case "!!bool":
			return "the boolean " + v
		default:
			return fmt.Sprintf("the string %q", v)
		}
	}
	return "an unexpected YAML node"
}

// typeError reports that n is not the kind of value expected at path.
func (d *decoder) typeError(n *yaml.Node, path, expected, hint string) {
	if hint == "" && isNull(n) {
		hint = "give a value, or remove the key to use the default"
	}
	d.errorf(n, path, hint, "expected %s, got %s", expected, describe(n))
}

// mapping decodes mapping node n with the given fields: unknown keys,
// duplicate keys and missing required keys are errors. It reports false if n
// is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path, expected, hint string, fields []field) bool {
	n = resolve(n)
	d.nodes[path] = n
	if n.Kind != yaml.MappingNode {
		d.typeError(n, path, expected, hint)
		return false
	}
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	seen := make(map[string]bool, len(fields))
	for _, e := range d.entries(n, path, 0) {
		k := e.key
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.notef(k, path, "", "keys must be plain words such as %q, got %s", keys[0], describe(k))
			continue
		}
		var f *field
		for i := range fields {
			if fields[i].key == k.Value {
				f = &fields[i]
				break
			}
		}
		if f == nil {
			d.notef(k, path, didYouMean(k.Value, keys, "valid keys"), "unknown key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		p := join(path, k.Value)
		v := resolve(e.value)
		d.nodes[p] = v
		f.decode(v, p)
	}
	for _, f := range fields {
		if f.required && !seen[f.key] {
			d.notef(n, path, "", "missing required key %q", f.key)
			d.bad = append(d.bad, join(path, f.key))
		}
	}
	return true
}

// entries lists the pairs of mapping n, expanding YAML merge keys (<<: *x);
// a key given explicitly overrides a merged one.
func (d *decoder) entries(n *yaml.Node, path string, _ int) []kv {
	return d.expand(n, path, map[*yaml.Node][]kv{n: nil})
}

// expand lists the pairs of mapping n. memo holds the expansion of every
// mapping merged so far, so that an anchor merged many times is expanded
// once (nested merges of shared anchors would otherwise take exponential
// time); a nil entry marks a mapping being expanded, so a merge cycle is an
// error instead of an endless loop.
func (d *decoder) expand(n *yaml.Node, path string, memo map[*yaml.Node][]kv) []kv {
	var out []kv
	seen := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind == yaml.ScalarNode {
			if prev, dup := seen[k.Value]; dup {
				d.notef(k, path, "remove one of them", "duplicate key %q (first given at line %d)", k.Value, prev.Line)
				continue
			}
			seen[k.Value] = k
		}
		out = append(out, kv{k, v})
	}
	for _, m := range merges {
		m = resolve(m)
		var maps []*yaml.Node
		switch m.Kind {
		case yaml.MappingNode:
			maps = append(maps, m)
		case yaml.SequenceNode:
			for _, it := range m.Content {
				maps = append(maps, resolve(it))
			}
		default:
			d.errorf(m, path, "write <<: *anchor where the anchor is a mapping", "merge key << expects a mapping, got %s", describe(m))
			continue
		}
		for _, mm := range maps {
			if mm.Kind != yaml.MappingNode {
				d.errorf(mm, path, "", "merge key << expects a mapping, got %s", describe(mm))
				continue
			}
			sub, done := memo[mm]
			switch {
			case done && sub == nil:
				d.errorf(mm, path, "a mapping cannot merge itself", "merge key << refers to a mapping that contains it")
				continue
			case !done:
				memo[mm] = nil
				sub = d.expand(mm, path, memo)
				if sub == nil {
					sub = []kv{}
				}
				memo[mm] = sub
			}
			for _, e := range sub {
				if e.key.Kind == yaml.ScalarNode {
					if _, dup := seen[e.key.Value]; dup {
						continue
					}
					seen[e.key.Value] = e.key
				}
				out = append(out, e)
			}
		}
	}
	return out
}

// list decodes sequence node n, calling each for every item.
func (d *decoder) list(n *yaml.Node, path, expected, hint string, each func(i int, item *yaml.Node, path string)) bool {
	n = resolve(n)
	d.nodes[path] = n
	if n.Kind != yaml.SequenceNode {
		d.typeError(n, path, expected, hint)
		return false
	}
	for i, it := range n.Content {
		p := index(path, i)
		it = resolve(it)
		d.nodes[p] = it
		each(i, it, p)
	}
	return true
}

// str decodes any non-null scalar as text.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.typeError(n, path, "a string", "")
		return "", false
	}
	return n.Value, true
}

// integer decodes an integer scalar.
func (d *decoder) integer(n *yaml.Node, path string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		d.typeError(n, path, "an integer", "")
		return 0, false
	}
	return v, true
}

// number decodes a finite integer or decimal scalar.
func (d *decoder) number(n *yaml.Node, path string) (float64, bool) {
	var v float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&v) != nil {
		d.typeError(n, path, "a number", "")
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.errorf(n, path, "", "must be a finite number, got %s", n.Value)
		return 0, false
	}
	return v, true
}

const durationHint = "write a duration such as 20s, 5m, 1h30m or 7d; a bare number means seconds"

// duration decodes a Go duration, a number of days (7d, 1.5d, 1d12h) or a
// bare number of seconds.
func (d *decoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.typeError(n, path, "a duration", durationHint)
		return 0, false
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		d.errorf(n, path, durationHint, "%v", err)
		return 0, false
	}
	return v, true
}

// maxSeconds is the longest duration a time.Duration holds, in seconds.
const maxSeconds = float64(math.MaxInt64) / 1e9

func secondsToDuration(s string, sec float64) (time.Duration, error) {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	if math.Abs(sec) >= maxSeconds {
		return 0, fmt.Errorf("duration %q is too long (at most about 292 years)", s)
	}
	return time.Duration(math.Round(sec * 1e9)), nil
}

// parseDuration parses s as a bare number of seconds, or as a Go duration
// optionally preceded by a number of days ("7d", "1.5d", "-1d12h").
func parseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		return secondsToDuration(s, f)
	}
	neg := false
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		neg = t[0] == '-'
		t = t[1:]
	}
	var days float64
	hasDays := false
	if i := strings.IndexByte(t, 'd'); i >= 0 {
		num := t[:i]
		if !isDecimal(num) {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		days, t, hasDays = f, t[i+1:], true
	}
	var rest time.Duration
	switch {
	case t != "":
		if t[0] == '-' || t[0] == '+' {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		var err error
		if rest, err = time.ParseDuration(t); err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
	case !hasDays:
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	total, err := secondsToDuration(s, days*86400+rest.Seconds())
	if err != nil {
		return 0, err
	}
	if days == 0 {
		total = rest // exact, no float rounding
	}
	if neg {
		total = -total
	}
	return total, nil
}

// isDecimal reports whether s is digits with at most one decimal point.
func isDecimal(s string) bool {
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

const percentHint = "write a percentage such as 80% or a fraction such as 0.8"

// percent decodes "80%" or a fraction 0.8. A number above 1 without a
// percent sign is an error, as it is most likely a percentage.
func (d *decoder) percent(n *yaml.Node, path string) (float64, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.typeError(n, path, "a percentage", percentHint)
		return 0, false
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		v, ok := d.number(n, path)
		if ok && v > 1 {
			d.errorf(n, path, fmt.Sprintf("write %s%% or %s", n.Value, strconv.FormatFloat(v/100, 'f', -1, 64)),
				"a fraction must be between 0 and 1, got %s", n.Value)
			return 0, false
		}
		return v, ok
	}
	t := strings.TrimSpace(n.Value)
	if num, ok := strings.CutSuffix(t, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v / 100, true
		}
	}
	d.typeError(n, path, "a percentage", percentHint)
	return 0, false
}

// scenario decodes the top-level mapping.
func (d *decoder) scenario(root *yaml.Node) *Scenario {
	s := &Scenario{
		Seed:         DefaultSeed,
		Replications: DefaultReplications,
		Interval:     DefaultInterval,
		Costs:        ServiceCosts{Currency: DefaultCurrency},
	}
	warmupSet := false
	var queues, groups, routing, variants, strategies *yaml.Node
	ok := d.mapping(root, "", "a mapping of keys (name, horizon, queues, groups, ...) at the top level",
		"start from `callsim scenarios show single-queue`", []field{
			{"name", true, func(n *yaml.Node, p string) { s.Name, _ = d.str(n, p) }},
			{"description", false, func(n *yaml.Node, p string) { s.Description, _ = d.str(n, p) }},
			{"horizon", true, func(n *yaml.Node, p string) { s.Horizon, _ = d.duration(n, p) }},
			{"warmup", false, func(n *yaml.Node, p string) { s.WarmUp, warmupSet = d.duration(n, p) }},
			{"interval", false, func(n *yaml.Node, p string) {
				if v, ok := d.duration(n, p); ok {
					s.Interval = v
				}
			}},
			{"seed", false, func(n *yaml.Node, p string) {
				var v uint64
				if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
					d.typeError(n, p, "an integer between 0 and 18446744073709551615", "")
					return
				}
				s.Seed = v
			}},
			{"replications", false, func(n *yaml.Node, p string) {
				if v, ok := d.integer(n, p); ok {
					s.Replications = v
				}
			}},
			{"queues", true, func(n *yaml.Node, _ string) { queues = n }},
			{"groups", true, func(n *yaml.Node, _ string) { groups = n }},
			{"routing", false, func(n *yaml.Node, _ string) { routing = n }},
			{"costs", false, func(n *yaml.Node, p string) { s.Costs = d.serviceCosts(n, p) }},
			{"variants", false, func(n *yaml.Node, _ string) { variants = n }},
			{"strategies", false, func(n *yaml.Node, _ string) { strategies = n }},
			{"optimize", false, func(n *yaml.Node, p string) { s.Optimize = d.optimizeSpec(n, p) }},
		})
	if !ok {
		return s
	}
	if !warmupSet {
		s.WarmUp = defaultWarmUp(s.Horizon)
	}
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultInterval // reported by Validate; keep decoding
	}
	if queues != nil {
		d.list(queues, "queues", "a list of queues", "each item is a mapping such as {name: support, arrivals: {per_hour: 360}, handle_time: 300s}",
			func(_ int, n *yaml.Node, p string) { s.Queues = append(s.Queues, d.queue(n, p, interval)) })
	}
	if groups != nil {
		d.list(groups, "groups", "a list of groups", "each item is a mapping such as {name: staff, agents: 32, skills: [support]}",
			func(_ int, n *yaml.Node, p string) { s.Groups = append(s.Groups, d.group(n, p)) })
	}
	if routing != nil {
		d.list(routing, "routing", "a list of routes", "each item is a mapping such as {queue: support, groups: [staff]}",
			func(_ int, n *yaml.Node, p string) { s.Routing = append(s.Routing, d.route(n, p)) })
	}
	if variants != nil {
		d.list(variants, "variants", "a list of variants", "each item is a mapping such as {name: more staff, set: {groups.staff.agents: 40}}",
			func(_ int, n *yaml.Node, p string) { s.Variants = append(s.Variants, d.variant(n, p)) })
	}
	if strategies != nil {
		d.list(strategies, "strategies", "a list of strategies", "each item is a mapping such as {name: in-house only, set: {groups.vendor.agents: 0}, decide: {groups.staff.agents: 5..40}}",
			func(_ int, n *yaml.Node, p string) { s.Strategies = append(s.Strategies, d.strategy(n, p)) })
	}
	return s
}

func (d *decoder) queue(n *yaml.Node, path string, interval time.Duration) Queue {
	q := Queue{
		Target:   Target{ServiceLevel: DefaultServiceLevel, Within: DefaultWithin},
		Priority: DefaultPriority,
	}
	d.mapping(n, path, "a queue (a mapping)", "write {name: support, arrivals: {per_hour: 360}, handle_time: 300s}", []field{
		{"name", true, func(n *yaml.Node, p string) { q.Name, _ = d.str(n, p) }},
		{"arrivals", true, func(n *yaml.Node, p string) { q.Arrivals = d.arrivals(n, p, interval) }},
		{"handle_time", true, func(n *yaml.Node, p string) { q.HandleTime = d.dist(n, p) }},
		{"wrap_up", false, func(n *yaml.Node, p string) { w := d.dist(n, p); q.WrapUp = &w }},
		{"patience", false, func(n *yaml.Node, p string) { w := d.dist(n, p); q.Patience = &w }},
		{"target", false, func(n *yaml.Node, p string) { d.target(n, p, &q.Target) }},
		{"priority", false, func(n *yaml.Node, p string) {
			if v, ok := d.integer(n, p); ok {
				q.Priority = v
			}
		}},
		{"repeat", false, func(n *yaml.Node, p string) {
			d.mapping(n, p, "a mapping {probability: 80%, after: 1d}", "write {probability: 80%, after: {mean: 1d, dist: exponential}}", []field{
				{"probability", false, func(n *yaml.Node, p string) { q.Repeat.Probability, _ = d.percent(n, p) }},
				{"after", false, func(n *yaml.Node, p string) { q.Repeat.After = d.dist(n, p) }},
			})
		}},
		{"redial", false, func(n *yaml.Node, p string) {
			d.mapping(n, p, "a mapping {probability: 30%, after: 5m}", "write {probability: 30%, after: {mean: 5m, dist: exponential}}", []field{
				{"probability", false, func(n *yaml.Node, p string) { q.Redial.Probability, _ = d.percent(n, p) }},
				{"after", false, func(n *yaml.Node, p string) { q.Redial.After = d.dist(n, p) }},
			})
		}},
		{"self_service", false, func(n *yaml.Node, p string) { q.SelfService, _ = d.percent(n, p) }},
		{"open", false, func(n *yaml.Node, p string) {
			o := OpenHours{Days: allDays}
			var fromOK, toOK bool
			d.mapping(n, p, "opening hours {from, to, days}", `write {from: "08:00", to: "20:00", days: [mon, tue, wed, thu, fri]}`, []field{
				{"from", true, func(n *yaml.Node, p string) { o.From, fromOK = d.timeOfDay(n, p) }},
				{"to", true, func(n *yaml.Node, p string) { o.To, toOK = d.timeOfDay(n, p) }},
				{"days", false, func(n *yaml.Node, p string) { o.Days = d.days(n, p) }},
			})
			if fromOK && toOK {
				d.openHours(&o, n, p)
			}
			q.Open = &o
		}},
		{"transfer_to", false, func(n *yaml.Node, p string) { q.TransferTo, _ = d.str(n, p) }},
		{"client", false, func(n *yaml.Node, p string) {
			if v, ok := d.str(n, p); ok {
				if strings.TrimSpace(v) == "" {
					d.errorf(n, p, "name the other client, or remove the key for a queue of ours", "must not be empty")
					return
				}
				q.Client = v
			}
		}},
	})
	if q.Arrivals.Forecast != "" {
		d.loadForecast(&q, join(path, "arrivals.forecast"), interval)
	}
	if q.Redial.After.Kind == "" {
		q.Redial.After = Dist{Kind: Exponential, Mean: DefaultRedialAfter.Seconds()}
	}
	if q.Repeat.After.Kind == "" {
		q.Repeat.After = Dist{Kind: Exponential, Mean: DefaultRepeatAfter.Seconds()}
	}
	if d.nodes[join(path, "repeat.probability")] == nil {
		q.Repeat.Probability = DefaultRepeatProbability
	}
	return q
}

func (d *decoder) arrivals(n *yaml.Node, path string, interval time.Duration) Arrivals {
	var a Arrivals
	var given []string
	rate := func(key string, per time.Duration) field {
		return field{key, false, func(n *yaml.Node, p string) {
			given = append(given, key)
			v, ok := d.number(n, p)
			if !ok {
				return
			}
			if v < 0 {
				d.errorf(n, p, "", "must be >= 0, got %s", n.Value)
				return
			}
			a.Rate = v / per.Seconds()
		}}
	}
	const hint = "write {per_hour: 360}, {per_day: 8000} or {per_interval: 180}"
	a.Weekdays = [7]float64{1, 1, 1, 1, 1, 1, 1}
	if !d.mapping(n, path, "a mapping with one of per_hour, per_day or per_interval", hint, []field{
		rate("per_hour", time.Hour), rate("per_day", 24*time.Hour), rate("per_interval", interval),
		{"profile", false, func(n *yaml.Node, p string) { a.Profile = d.profile(n, p, interval) }},
		{"forecast", false, func(n *yaml.Node, p string) {
			given = append(given, "forecast")
			a.Forecast, _ = d.str(n, p)
		}},
		{"weekdays", false, func(n *yaml.Node, p string) {
			fields := make([]field, len(weekdayNames))
			for i, name := range weekdayNames {
				fields[i] = field{name, false, func(n *yaml.Node, p string) {
					if v, ok := d.number(n, p); ok {
						if v < 0 {
							d.errorf(n, p, "", "must be >= 0, got %s", n.Value)
							return
						}
						a.Weekdays[i] = v
					}
				}}
			}
			d.mapping(n, p, "a mapping from days (mon .. sun) to factors", "write {sat: 0.5, sun: 0}", fields)
		}},
		{"busyness", false, func(n *yaml.Node, p string) {
			d.mapping(n, p, "a mapping {cv: 10%}", "write {cv: 10%}: the day-to-day spread of the volume", []field{
				{"cv", true, func(n *yaml.Node, p string) { a.Busyness, _ = d.percent(n, p) }},
			})
		}},
	}) {
		return a
	}
	switch len(given) {
	case 0:
		d.errorf(resolve(n), path, hint+", or {forecast: FILE.csv}", "give one of per_hour, per_day, per_interval or forecast")
	case 1:
	default:
		d.errorf(resolve(n), path, "keep one", "give only one of per_hour, per_day, per_interval or forecast, got %s", strings.Join(given, " and "))
	}
	return a
}

func (d *decoder) target(n *yaml.Node, path string, t *Target) {
	d.mapping(n, path, "a mapping", "write {service_level: 80%, within: 20s}", []field{
		{"service_level", false, func(n *yaml.Node, p string) {
			if v, ok := d.percent(n, p); ok {
				t.ServiceLevel = v
			}
		}},
		{"within", false, func(n *yaml.Node, p string) {
			if v, ok := d.duration(n, p); ok {
				t.Within = v
			}
		}},
	})
}

// distKinds lists the distribution families, and distKeys the keys each
// one takes (besides dist) with those that are required.
var distKinds = []string{string(Constant), string(Exponential), string(Lognormal), string(Gamma),
	string(Uniform), string(Triangular), string(Empirical)}

var distKeys = map[DistKind][]string{
	Constant:    {"mean"},
	Exponential: {"mean"},
	Lognormal:   {"mean", "cv"},
	Gamma:       {"mean", "cv"},
	Uniform:     {"min", "max"},
	Triangular:  {"min", "mode", "max"},
	Empirical:   {"values"},
}

const distHint = "write a duration such as 300s (exponential with that mean) or a mapping such as {dist: lognormal, mean: 300s, cv: 0.8}"

// dist decodes a distribution: a bare duration (exponential with that mean)
// or a mapping with dist and its parameters.
func (d *decoder) dist(n *yaml.Node, path string) Dist {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		v, ok := d.duration(n, path)
		if !ok {
			return Dist{}
		}
		return Dist{Kind: Exponential, Mean: v.Seconds()}
	}
	x := Dist{Kind: DefaultDistKind}
	kindOK := true
	var kindNode *yaml.Node
	given := map[string]*yaml.Node{}
	sec := func(key string, dst *float64) field {
		return field{key, false, func(n *yaml.Node, p string) {
			given[key] = n
			if v, ok := d.duration(n, p); ok {
				*dst = v.Seconds()
			}
		}}
	}
	if !d.mapping(n, path, "a distribution", distHint, []field{
		{"dist", false, func(n *yaml.Node, p string) {
			kindNode = n
			s, ok := d.str(n, p)
			if !ok {
				kindOK = false
				return
			}
			if distKeys[DistKind(s)] == nil {
				d.errorf(n, p, didYouMean(s, distKinds, "known distributions"), "unknown distribution %q", s)
				kindOK = false
				return
			}
			x.Kind = DistKind(s)
		}},
		sec("mean", &x.Mean),
		{"cv", false, func(n *yaml.Node, p string) {
			given["cv"] = n
			if v, ok := d.number(n, p); ok {
				x.CV = v
			}
		}},
		sec("min", &x.Min),
		sec("mode", &x.Mode),
		sec("max", &x.Max),
		{"values", false, func(n *yaml.Node, p string) {
			given["values"] = n
			d.list(n, p, "a list of durations", "write [120s, 300s, 45s]", func(_ int, it *yaml.Node, ip string) {
				v, _ := d.duration(it, ip)
				x.Values = append(x.Values, v.Seconds())
			})
		}},
	}) {
		return Dist{}
	}
	if !kindOK {
		return Dist{}
	}
	takes := distKeys[x.Kind]
	for _, key := range []string{"mean", "cv", "min", "mode", "max", "values"} {
		v, ok := given[key]
		if !ok || contains(takes, key) {
			continue
		}
		d.errorf(v, join(path, key), fmt.Sprintf("dist %s takes %s", x.Kind, strings.Join(takes, ", ")), "%s is not used by dist %s", key, x.Kind)
	}
	for _, key := range takes {
		if _, ok := given[key]; !ok {
			at := kindNode
			if at == nil {
				at = resolve(n)
			}
			d.notef(at, path, "", "dist %s needs %s", x.Kind, key)
			d.bad = append(d.bad, join(path, key))
		}
	}
	x.fillMean()
	return x
}

// fillMean sets Mean from the parameters of families that have no mean key.
func (x *Dist) fillMean() {
	switch x.Kind {
	case Uniform:
		x.Mean = (x.Min + x.Max) / 2
	case Triangular:
		x.Mean = (x.Min + x.Mode + x.Max) / 3
	case Empirical:
		x.Mean = 0
		for _, v := range x.Values {
			x.Mean += v
		}
		if len(x.Values) > 0 {
			x.Mean /= float64(len(x.Values))
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (d *decoder) group(n *yaml.Node, path string) Group {
	var g Group
	var staffing []string
	d.mapping(n, path, "a group (a mapping)", "write {name: staff, agents: 32, skills: [support]}", []field{
		{"name", true, func(n *yaml.Node, p string) { g.Name, _ = d.str(n, p) }},
		{"agents", false, func(n *yaml.Node, p string) { g.Agents, _ = d.integer(n, p); staffing = append(staffing, "agents") }},
		{"agents_by_interval", false, func(n *yaml.Node, p string) {
			staffing = append(staffing, "agents_by_interval")
			g.AgentsByInterval = d.headcounts(n, p)
		}},
		{"shifts", false, func(n *yaml.Node, p string) {
			staffing = append(staffing, "shifts")
			g.Shifts = []Shift{}
			d.list(n, p, "a list of shifts", "write [{start: \"08:00\", length: 8h, days: [mon, tue, wed, thu, fri], agents: 10}]",
				func(_ int, it *yaml.Node, ip string) { g.Shifts = append(g.Shifts, d.shift(it, ip)) })
		}},
		{"shrinkage", false, func(n *yaml.Node, p string) { g.Shrinkage, _ = d.percent(n, p) }},
		{"hours", false, func(n *yaml.Node, p string) {
			o := OpenHours{Days: allDays}
			d.mapping(n, p, "hours {from, to, days}", `write {from: "20:00", to: "08:00"}: the group takes calls from 20:00 to 08:00`, []field{
				{"from", true, func(n *yaml.Node, p string) { o.From, _ = d.timeOfDay(n, p) }},
				{"to", true, func(n *yaml.Node, p string) { o.To, _ = d.timeOfDay(n, p) }},
				{"days", false, func(n *yaml.Node, p string) { o.Days = d.days(n, p) }},
			})
			g.Hours = &o
		}},
		{"outages", false, func(n *yaml.Node, p string) {
			d.list(n, p, "a list of outages", "write [{start: 2d10h, length: 4h}]", func(_ int, it *yaml.Node, ip string) {
				var o Outage
				d.mapping(it, ip, "an outage {start, length}", "write {start: 2d10h, length: 4h}: start counts from the start of the simulation", []field{
					{"start", true, func(n *yaml.Node, p string) { o.Start, _ = d.duration(n, p) }},
					{"length", true, func(n *yaml.Node, p string) { o.Length, _ = d.duration(n, p) }},
				})
				g.Outages = append(g.Outages, o)
			})
		}},
		{"skills", true, func(n *yaml.Node, p string) {
			g.Skills = []string{}
			hint := "write a list of queue names such as [support, sales]"
			if n.Kind == yaml.ScalarNode && !isNull(n) {
				hint = fmt.Sprintf("write [%s]", n.Value)
			}
			d.list(n, p, "a list of queue names", hint, func(_ int, it *yaml.Node, ip string) {
				s, _ := d.str(it, ip)
				g.Skills = append(g.Skills, s)
			})
		}},
		{"sourcing", false, func(n *yaml.Node, p string) {
			v, ok := d.str(n, p)
			if !ok {
				return
			}
			switch Sourcing(v) {
			case InHouse, Outsourced:
				g.Sourcing = Sourcing(v)
			default:
				d.errorf(n, p, didYouMean(v, []string{string(InHouse), string(Outsourced)}, "choices"), "unknown sourcing %q: write in-house or outsourced", v)
			}
		}},
		{"handle_time_factor", false, func(n *yaml.Node, p string) {
			g.HandleTimeFactor = d.perQueue(n, p, "a factor > 0", func(n *yaml.Node, p string) (float64, bool) {
				v, ok := d.number(n, p)
				if ok && !(v > 0) {
					d.errorf(n, p, "1.15 makes calls 15% longer", "must be > 0, got %s", n.Value)
					return 0, false
				}
				return v, ok
			})
		}},
		{"resolution", false, func(n *yaml.Node, p string) {
			g.Resolution = d.perQueue(n, p, "a probability such as 70%", d.percent)
		}},
		{"transfer", false, func(n *yaml.Node, p string) {
			g.Transfer = d.perQueue(n, p, "a share such as 20%", d.percent)
		}},
		{"cost", false, func(n *yaml.Node, p string) { g.Cost = d.groupCost(n, p) }},
		{"priority", false, func(n *yaml.Node, p string) {
			v, ok := d.str(n, p)
			if !ok {
				return
			}
			switch GroupPriority(v) {
			case ByQueue, ByPrice:
				g.Priority = GroupPriority(v)
			default:
				d.errorf(n, p, didYouMean(v, []string{string(ByQueue), string(ByPrice)}, "choices"),
					"unknown priority %q: write queue (the queues' priority) or by_price (the dearer contract first)", v)
			}
		}},
	})
	if g.Sourcing == "" {
		g.Sourcing = InHouse
	}
	if g.Cost.SLA != nil {
		d.pendingSLAs = append(d.pendingSLAs, pendingSLA{sla: g.Cost.SLA, skills: g.Skills, path: join(path, "cost.sla")})
	}
	if len(staffing) == 0 && resolve(n).Kind == yaml.MappingNode {
		d.notef(resolve(n), path, "write agents: 10 (a fixed headcount), shifts: [...] or agents_by_interval: [...]", "missing required key \"agents\"")
	} else if len(staffing) > 1 {
		d.errorf(resolve(n), path, "keep one", "give one of agents, shifts or agents_by_interval, got %s", strings.Join(staffing, " and "))
	}
	return g
}

// perQueue decodes a mapping from queue names to values.
func (d *decoder) perQueue(n *yaml.Node, path, what string, value func(*yaml.Node, string) (float64, bool)) map[string]float64 {
	out := map[string]float64{}
	n = resolve(n)
	d.nodes[path] = n
	if n.Kind != yaml.MappingNode {
		d.typeError(n, path, "a mapping from queue names to "+what, "write {support: 0.9}")
		return out
	}
	for _, e := range d.entries(n, path, 0) {
		if e.key.Kind != yaml.ScalarNode {
			d.notef(e.key, path, "", "keys must be queue names")
			continue
		}
		p := join(path, e.key.Value)
		v := resolve(e.value)
		d.nodes[p] = v
		if x, ok := value(v, p); ok {
			out[e.key.Value] = x
		}
	}
	return out
}

// groupCost decodes groups[i].cost. Whether its keys suit the group's
// sourcing is checked in Validate.
func (d *decoder) groupCost(n *yaml.Node, path string) GroupCost {
	var c GroupCost
	num := d.nonNegative
	pct := func(key string, dst *float64) field {
		return field{key, false, func(n *yaml.Node, p string) { *dst, _ = d.percent(n, p) }}
	}
	d.mapping(n, path, "a cost mapping", "write {hourly_wage: 22, overhead: 35%} in-house or {setup_fee: 15000, per_handled_minute: 0.55} outsourced", []field{
		num("hourly_wage", &c.HourlyWage),
		pct("overhead", &c.Overhead),
		num("supervisor_ratio", &c.SupervisorRatio),
		num("supervisor_hourly_wage", &c.SupervisorHourlyWage),
		num("team_lead_ratio", &c.TeamLeadRatio),
		num("team_lead_hourly_wage", &c.TeamLeadHourlyWage),
		num("seat_per_month", &c.SeatPerMonth),
		pct("attrition", &c.AnnualAttrition),
		num("hiring_cost", &c.HiringCost),
		num("setup_fee", &c.SetupFee),
		num("contract_months", &c.ContractMonths),
		num("per_handled_minute", &c.PerHandledMinute),
		{"bill_wrap_up", false, func(n *yaml.Node, p string) {
			if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&c.BillWrapUp) != nil {
				d.typeError(n, p, "true or false", "")
			}
		}},
		num("per_call", &c.PerCall),
		num("per_resolved_contact", &c.PerResolvedContact),
		num("per_agent_hour", &c.PerAgentHour),
		num("minimum_monthly", &c.MinimumMonthly),
		num("minimum_minutes", &c.MinimumMinutes),
		num("minimum_calls", &c.MinimumCalls),
		{"committed_hours", false, func(n *yaml.Node, p string) { c.Committed = d.commitment(n, p) }},
		{"sla", false, func(n *yaml.Node, p string) { c.SLA = d.sla(n, p) }},
		{"by_queue", false, func(n *yaml.Node, p string) { c.ByQueue = d.byQueue(n, p) }},
	})
	if c.ContractMonths == 0 {
		c.ContractMonths = DefaultContractMonths
	}
	return c
}

// serviceCosts decodes the top-level costs mapping.
func (d *decoder) serviceCosts(n *yaml.Node, path string) ServiceCosts {
	c := ServiceCosts{Currency: DefaultCurrency}
	num := d.nonNegative
	d.mapping(n, path, "a mapping", "write {per_abandoned_call: 4, per_unresolved_contact: 6}", []field{
		{"currency", false, func(n *yaml.Node, p string) {
			if v, ok := d.str(n, p); ok {
				c.Currency = v
			}
		}},
		num("per_abandoned_call", &c.PerAbandoned),
		num("per_unresolved_contact", &c.PerUnresolved),
	})
	return c
}

func (d *decoder) route(n *yaml.Node, path string) Route {
	var r Route
	d.mapping(n, path, "a route (a mapping)", "write {queue: support, groups: [staff, {group: backup, after: 30s}]}", []field{
		{"queue", true, func(n *yaml.Node, p string) { r.Queue, _ = d.str(n, p) }},
		{"groups", true, func(n *yaml.Node, p string) {
			r.Groups = []RouteGroup{}
			d.list(n, p, "a list of groups", "write [staff, {group: backup, after: 30s}]", func(_ int, it *yaml.Node, ip string) {
				r.Groups = append(r.Groups, d.routeGroup(it, ip))
			})
		}},
	})
	return r
}

func (d *decoder) routeGroup(n *yaml.Node, path string) RouteGroup {
	var g RouteGroup
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		g.Group = n.Value
		return g
	}
	d.mapping(n, path, "a group name or {group: NAME, after: DURATION}", "write staff or {group: backup, after: 30s}", []field{
		{"group", true, func(n *yaml.Node, p string) { g.Group, _ = d.str(n, p) }},
		{"after", false, func(n *yaml.Node, p string) { g.After, _ = d.duration(n, p) }},
	})
	return g
}

// weekdayNames are the keys of arrivals.weekdays, Monday first.
var weekdayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// profile decodes an intraday shape: one weight per interval of the day, or
// 24 hourly weights spread over the intervals of each hour. The result is
// normalized to an average of 1.
func (d *decoder) profile(n *yaml.Node, path string, interval time.Duration) []float64 {
	perDay := int((24 * time.Hour) / interval)
	var w []float64
	ok := d.list(n, path, "a list of weights", fmt.Sprintf("give %d weights, one per interval of the day, or 24, one per hour", perDay),
		func(_ int, it *yaml.Node, p string) {
			v, ok := d.number(it, p)
			if ok && v < 0 {
				d.errorf(it, p, "", "must be >= 0, got %s", it.Value)
				ok = false
			}
			w = append(w, v)
		})
	if !ok {
		return nil
	}
	switch {
	case len(w) == perDay:
	case len(w) == 24 && perDay%24 == 0:
		per := perDay / 24
		spread := make([]float64, 0, perDay)
		for _, x := range w {
			for j := 0; j < per; j++ {
				spread = append(spread, x)
			}
		}
		w = spread
	default:
		d.errorf(n, path, fmt.Sprintf("with interval %v a day has %d intervals; hourly weights (24) work when the interval divides an hour", interval, perDay),
			"the profile has %d weights; give %d (one per interval) or 24 (one per hour)", len(w), perDay)
		return nil
	}
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	if sum == 0 {
		d.errorf(n, path, "", "the profile weights are all zero")
		return nil
	}
	for i := range w {
		w[i] *= float64(len(w)) / sum
	}
	return w
}

var allDays = [7]bool{true, true, true, true, true, true, true}

// timeOfDay decodes "08:00", "8:30", "24:00" or a duration such as 8h30m.
func (d *decoder) timeOfDay(n *yaml.Node, path string) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.typeError(n, path, `a time of day such as "08:00"`, "")
		return 0, false
	}
	v := n.Value
	var t time.Duration
	if h, m, ok := strings.Cut(v, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 {
			d.errorf(n, path, `write "08:00" (quoted)`, "not a time of day: %q", v)
			return 0, false
		}
		t = time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
	} else {
		var err error
		if t, err = parseDuration(v); err != nil {
			d.errorf(n, path, `write "08:00" (quoted) or 8h`, "not a time of day: %q", v)
			return 0, false
		}
	}
	if t < 0 || t > 24*time.Hour {
		d.errorf(n, path, "", "time of day must be between 00:00 and 24:00, got %q", v)
		return 0, false
	}
	return t, true
}

// openHours settles the ambiguous opening hours: from 24:00 is 00:00, and
// from equal to to is open all day when both are midnight ("00:00" to
// "00:00", or "24:00"), so the queue is never silently closed; equal times
// of day other than midnight are an error (write the hours out).
func (d *decoder) openHours(o *OpenHours, n *yaml.Node, path string) {
	const day = 24 * time.Hour
	if o.From == day {
		o.From = 0
	}
	if o.From != o.To%day {
		return
	}
	if o.From == 0 {
		o.To = day // all day on its days
		return
	}
	d.errorf(n, path, `open 24 hours: write from: "00:00", to: "24:00" (or leave open out); overnight: from: "20:00", to: "08:00"`,
		"from and to are the same time of day (%s): the queue would be open for no time or for 24 hours", clockText(o.From))
}

func clockText(t time.Duration) string {
	m := int(t.Minutes())
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// days decodes a list of day names (mon .. sun); "weekdays" and "weekend"
// stand for mon-fri and sat-sun.
func (d *decoder) days(n *yaml.Node, path string) [7]bool {
	var out [7]bool
	d.list(n, path, "a list of days", "write [mon, tue, wed, thu, fri] or [weekdays]", func(_ int, it *yaml.Node, p string) {
		s, ok := d.str(it, p)
		if !ok {
			return
		}
		switch s = strings.ToLower(s); s {
		case "weekdays":
			for i := 0; i < 5; i++ {
				out[i] = true
			}
			return
		case "weekend":
			out[5], out[6] = true, true
			return
		}
		for i, name := range weekdayNames {
			if s == name {
				out[i] = true
				return
			}
		}
		d.errorf(it, p, didYouMean(s, append(weekdayNames, "weekdays", "weekend"), "days"), "unknown day %q", s)
	})
	return out
}

// headcounts decodes agents_by_interval: one count per interval of the day,
// or 24 hourly counts; the interval is known only later, so both are kept
// as given and checked in Validate.
func (d *decoder) headcounts(n *yaml.Node, path string) []int {
	if n.Kind == yaml.MappingNode {
		return d.weekHeadcounts(n, path)
	}
	out := []int{}
	d.list(n, path, "a list of agent counts", "give one count per interval of the day, or 24, one per hour", func(_ int, it *yaml.Node, p string) {
		v, ok := d.integer(it, p)
		if ok && v < 0 {
			d.errorf(it, p, "", "must be >= 0, got %d", v)
		}
		out = append(out, v)
	})
	return out
}

// shift decodes one shift.
func (d *decoder) shift(n *yaml.Node, path string) Shift {
	s := Shift{Days: allDays}
	d.mapping(n, path, "a shift (a mapping)", `write {start: "08:00", length: 8h, days: [weekdays], agents: 10, breaks: [{after: 4h, length: 30m}]}`, []field{
		{"start", true, func(n *yaml.Node, p string) { s.Start, _ = d.timeOfDay(n, p) }},
		{"length", true, func(n *yaml.Node, p string) { s.Length, _ = d.duration(n, p) }},
		{"days", false, func(n *yaml.Node, p string) { s.Days = d.days(n, p) }},
		{"agents", true, func(n *yaml.Node, p string) { s.Agents, _ = d.integer(n, p) }},
		{"breaks", false, func(n *yaml.Node, p string) {
			d.list(n, p, "a list of breaks", "write [{after: 4h, length: 30m}]", func(_ int, it *yaml.Node, ip string) {
				var b Break
				d.mapping(it, ip, "a break {after, length}", "write {after: 4h, length: 30m}", []field{
					{"after", true, func(n *yaml.Node, p string) { b.After, _ = d.duration(n, p) }},
					{"length", true, func(n *yaml.Node, p string) { b.Length, _ = d.duration(n, p) }},
				})
				s.Breaks = append(s.Breaks, b)
			})
		}},
	})
	return s
}

// nonNegative is an optional field holding a number >= 0, stored in dst.
func (d *decoder) nonNegative(key string, dst *float64) field {
	return field{key, false, func(n *yaml.Node, p string) {
		if v, ok := d.number(n, p); ok {
			if v < 0 {
				d.errorf(n, p, "", "must be >= 0, got %s", n.Value)
				return
			}
			*dst = v
		}
	}}
}

// loadForecast reads the forecast file of a queue (relative to the scenario
// file) and sets its week of rates.
func (d *decoder) loadForecast(q *Queue, path string, interval time.Duration) {
	a := &q.Arrivals
	n := d.nodes[path]
	if a.Profile != nil || a.Weekdays != [7]float64{1, 1, 1, 1, 1, 1, 1} {
		d.errorf(n, path, "the forecast gives the intraday and weekly pattern itself", "forecast cannot be combined with profile or weekdays")
		return
	}
	file := a.Forecast
	if !filepath.IsAbs(file) && d.file != "" {
		file = filepath.Join(filepath.Dir(d.file), file)
	}
	data, err := inputfile.Read(context.Background(), file, inputfile.Forecast, nil)
	if err != nil {
		d.errorf(n, path, "the path is relative to the scenario file", "cannot read the forecast: %v", err)
		return
	}
	fc, err := ParseForecast(file, bytes.NewReader(data), interval)
	if err != nil {
		d.errorf(n, path, "", "%v", err)
		return
	}
	rates, ok := fc[q.Name]
	if !ok {
		rates, ok = fc[""]
	}
	if !ok {
		names := make([]string, 0, len(fc))
		for k := range fc {
			names = append(names, k)
		}
		sort.Strings(names)
		d.errorf(n, path, didYouMean(q.Name, names, "queues in the file"), "the forecast has no rows for queue %q (it has: %s)", q.Name, strings.Join(names, ", "))
		return
	}
	sum := 0.0
	for _, r := range rates {
		sum += r
	}
	a.WeekRates, a.Rate = rates, sum/float64(len(rates))
}
