package verify

import (
	"context"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

func builtin(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadBuiltin(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestPaired: the embedded center replaying two-skills' own trace over SIP
// is consistent queue by queue and group by group; one specialist fewer
// at the center is not, and the verdict names the queue and the KPI.
func TestPaired(t *testing.T) {
	if testing.Short() {
		t.Skip("drives SIP calls for about 40 s")
	}
	sc := builtin(t, "two-skills")
	for _, tc := range []struct {
		set  map[string]string
		want bool
	}{
		{nil, true},
		{map[string]string{"groups.specialists.agents": "13"}, false},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		rep, err := RunPaired(ctx, PairedConfig{Scenario: sc, CenterSet: tc.set})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: %d calls, %d placed, %d agree, %d ties, %d unmatched, %.1fs wall", tc.set, rep.Calls, rep.Placed, rep.Agree, rep.Ties, rep.Unmatched, rep.WallSeconds)
		for _, c := range rep.Checks {
			t.Logf("  %s %s %s: predicted %.4f measured %.4f diff %+.4f tol %.4f %v", c.Scope, c.Name, c.KPI, c.Predicted, c.Measured, c.Difference, c.Tolerance, c.Consistent)
		}
		if rep.Consistent != tc.want {
			t.Errorf("%v: consistent %v, want %v (%v)", tc.set, rep.Consistent, tc.want, rep.Inconsistent)
		}
	}
}
