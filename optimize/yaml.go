package optimize

import (
	"encoding/json"
	"fmt"
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

// PlanYAML writes the strategy's chosen plan as a scenario file of its
// own (the base scenario with the strategy's overrides and decisions, no
// variants or strategies), for callsim simulate.
func (r *StrategyResult) PlanYAML(scenario string, seed uint64) ([]byte, error) {
	if r.strategy == nil || r.strategy.Scenario == nil {
		return nil, fmt.Errorf("strategy %q: no scenario to write", r.Name)
	}
	dec := map[string]string{}
	for k, v := range r.Decisions {
		dec[k] = ValueYAML(v)
	}
	head := fmt.Sprintf("The plan of strategy %q of scenario %q, as callsim optimize chose it\n(status %s, %s %.2f a month on its check on fresh seeds; search seed %d).\nSimulate it with: callsim simulate FILE",
		r.Name, scenario, r.Status, r.Cost.Currency, r.Cost.Total, seed)
	return r.strategy.Scenario.YAMLWith(head, dec)
}
