package optimize

import (
	"encoding/json"
	"fmt"
	"github.com/callsim/callsim/scenarios"
	"strings"
)

// ValueYAML writes a decision's value as variants.set takes it: 15,
// [3, 4, 5], 30s, {from: "18:00", to: "06:00", days: [mon, tue]},
// [billing, tech].
func ValueYAML(v any) string {
	switch x := v.(type) {
	case int:
		return fmt.Sprint(x)
	case []int:
		parts := make([]string, len(x))
		for i, n := range x {
			parts[i] = fmt.Sprint(n)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case Hours:
		return fmt.Sprintf("{from: %q, to: %q, days: [%s]}", x.From, x.To, strings.Join(x.Days, ", "))
	case []ShiftValue:
		return shiftsYAML(x)
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Set returns the strategy's overrides and its chosen decisions, as
// variants.set takes them: the plan as overrides of the base scenario.
func (r *StrategyResult) Set() map[string]string {
	set := map[string]string{}
	if r.strategy != nil {
		for k, v := range r.strategy.Set {
			set[k] = v
		}
	}
	for k, v := range r.Decisions {
		set[k] = ValueYAML(v)
	}
	return set
}

// HasPlan reports whether PlanYAML can write the plan (a result read back
// from JSON cannot: it has no scenario).
func (r *StrategyResult) HasPlan() bool { return r.strategy != nil && r.strategy.Scenario != nil }

// PlanYAML writes the strategy's chosen plan as a scenario file of its
// own (the base scenario with the strategy's overrides and decisions, no
// variants or strategies), for callsim simulate.
func (r *StrategyResult) PlanYAML(scenario string, seed uint64) ([]byte, error) {
	if r.strategy == nil || r.strategy.Scenario == nil {
		return nil, fmt.Errorf("strategy %q: no scenario to write", r.Name)
	}
	dec := map[string]string{}
	var unset []string
	for k, v := range r.Decisions {
		dec[k] = ValueYAML(v)
		// A staffing decision replaces the group's other staffing keys.
		if g, kind, ok := staffingPath(k); ok {
			for _, other := range []string{"agents", "agents_by_interval", "shifts"} {
				if other != kind && groupHas(r.strategy.Scenario, g, other) {
					unset = append(unset, "groups."+g+"."+other)
				}
			}
		}
	}
	// A skills decision also changes the routes of its queues (the group
	// joins or leaves them): write those routes as the plan has them.
	for _, d := range r.strategy.Decisions {
		if d.Kind != scenarios.DecideSkills || r.Plan == nil {
			continue
		}
		for _, q := range d.Queues {
			for _, rt := range r.Plan.Routing {
				if rt.Queue != q {
					continue
				}
				steps := make([]string, len(rt.Groups))
				for i, rg := range rt.Groups {
					steps[i] = fmt.Sprintf("{group: %s, after: %s}", rg.Group, rg.After)
				}
				dec["routing."+q+".groups"] = "[" + strings.Join(steps, ", ") + "]"
			}
		}
	}
	head := fmt.Sprintf("The plan of strategy %q of scenario %q, as callsim optimize chose it\n(status %s, %s %.2f a month on its check on fresh seeds; search seed %d).\nSimulate it with: callsim simulate FILE",
		r.Name, scenario, r.Status, r.Cost.Currency, r.Cost.Total, seed)
	return r.strategy.Scenario.YAMLWith(head, dec, unset)
}

// staffingPath splits groups.G.agents (or agents_by_interval, shifts).
func staffingPath(path string) (group, kind string, ok bool) {
	segs := strings.Split(path, ".")
	if len(segs) != 3 || segs[0] != "groups" {
		return "", "", false
	}
	switch segs[2] {
	case "agents", "agents_by_interval", "shifts":
		return segs[1], segs[2], true
	}
	return "", "", false
}

// groupHas reports whether the scenario's group has the staffing kind
// (agents is always written; the others when given).
func groupHas(sc *scenarios.Scenario, group, kind string) bool {
	for _, g := range sc.Groups {
		if g.Name == group {
			switch kind {
			case "agents":
				return true
			case "agents_by_interval":
				return len(g.AgentsByInterval) > 0
			case "shifts":
				return len(g.Shifts) > 0
			}
		}
	}
	return false
}
