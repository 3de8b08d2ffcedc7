package reports

import (
	"strings"
	"testing"

	"github.com/callsim/callsim/sim"
)

// TestCheapestText: a cheapest option is named only when its margin is
// significant; otherwise the options are said to be tied within noise.
func TestCheapestText(t *testing.T) {
	for _, tt := range []struct {
		m    *sim.Margin
		want string
	}{
		{&sim.Margin{RunnerUp: "b", CostPerMonth: 1200, CostPerMonthCI95: 300, Paired: true, Rivals: 1, Significant: true},
			"Cheapest variant meeting every service-level target: a, cheaper than b by 1200.00 ± 300.00 a month (95%, paired over replications)"},
		{&sim.Margin{RunnerUp: "b", CostPerMonth: 100, CostPerMonthCI95: 300, Paired: true, Rivals: 2, Tied: []string{"b"}},
			"No variant is the cheapest meeting every service-level target: a and b are tied within noise (a is 100.00 ± 300.00 a month cheaper than b, 95%, paired over replications, Bonferroni over 2 rivals)"},
		{&sim.Margin{Significant: true}, "Cheapest variant meeting every service-level target: a (the only one meeting them)"},
		{&sim.Margin{RunnerUp: "b", Paired: true, Rivals: 1, Tied: []string{"b"}},
			"No variant is the cheapest meeting every service-level target: a and b cost the same in every replication (paired); no number of replications would tell them apart"},
	} {
		if got := CheapestText("variant", "every service-level target", "a", tt.m); !strings.HasPrefix(got, tt.want) {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}
