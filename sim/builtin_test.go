package sim

import (
	"context"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

// TestBuiltins simulates every built-in scenario with its variants.
func TestBuiltins(t *testing.T) {
	for _, b := range scenarios.Builtin() {
		t.Run(b.Name, func(t *testing.T) {
			sc, err := scenarios.LoadBuiltin(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			cmp, err := Compare(context.Background(), sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range cmp.Variants {
				k := v.KPIs
				if k.Offered <= 0 || k.Answered <= 0 || k.ServiceLevel <= 0 {
					t.Errorf("%s: offered %g answered %g service level %g", v.Name, k.Offered, k.Answered, k.ServiceLevel)
				}
			}
			t.Logf("%d variants, %d calls, %.2f s", len(cmp.Variants), cmp.Run.CallsSimulated, cmp.Run.WallSeconds)
		})
	}
}

// TestSharedFunnel: in the vendor's shared funnel the cheaper contract (our
// line, lower priority) waits longer than the premium client's; with equal
// priority the gap closes.
func TestSharedFunnel(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("shared-funnel")
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := Compare(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ours, premium := cmp.Variants[0].Queues[0], cmp.Variants[0].Queues[1]
	if ours.Name != "our line" || !(ours.ASASeconds-ours.ASASecondsCI95 > premium.ASASeconds+premium.ASASecondsCI95) {
		t.Errorf("our ASA %g ± %g, premium %g ± %g: want ours clearly longer", ours.ASASeconds, ours.ASASecondsCI95, premium.ASASeconds, premium.ASASecondsCI95)
	}
	if !(ours.AbandonRate > premium.AbandonRate) {
		t.Errorf("abandon: ours %g, premium %g", ours.AbandonRate, premium.AbandonRate)
	}
	eq := cmp.Variants[1].Queues
	if d := eq[0].ASASeconds - eq[1].ASASeconds; d > eq[0].ASASecondsCI95+eq[1].ASASecondsCI95 || -d > eq[0].ASASecondsCI95+eq[1].ASASecondsCI95 {
		t.Errorf("equal priority: ASA %g vs %g", eq[0].ASASeconds, eq[1].ASASeconds)
	}
}
