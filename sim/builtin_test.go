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
// line, served by price) waits longer than the premium client's; at equal
// prices, or first come first served, the gap closes. We are billed our own
// line's minutes at our price, not the pool's.
func TestSharedFunnel(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("shared-funnel")
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := Compare(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Variants) != 3 || cmp.Variants[0].Queues[1].Client == "" {
		t.Fatalf("%d variants, the second queue's client %q: want 3 and another client", len(cmp.Variants), cmp.Variants[0].Queues[1].Client)
	}
	ours, premium := cmp.Variants[0].Queues[0], cmp.Variants[0].Queues[1]
	if ours.Name != "our line" || !(ours.ASASeconds-ours.ASASecondsCI95 > premium.ASASeconds+premium.ASASecondsCI95) {
		t.Errorf("our ASA %g ± %g, premium %g ± %g: want ours clearly longer", ours.ASASeconds, ours.ASASecondsCI95, premium.ASASeconds, premium.ASASecondsCI95)
	}
	if !(ours.AbandonRate > premium.AbandonRate) {
		t.Errorf("abandon: ours %g, premium %g", ours.AbandonRate, premium.AbandonRate)
	}
	for _, v := range cmp.Variants[1:] {
		eq := v.Queues
		if d := eq[0].ASASeconds - eq[1].ASASeconds; d > eq[0].ASASecondsCI95+eq[1].ASASecondsCI95 || -d > eq[0].ASASecondsCI95+eq[1].ASASecondsCI95 {
			t.Errorf("%s: ASA %g vs %g", v.Name, eq[0].ASASeconds, eq[1].ASASeconds)
		}
	}
	toMonth := month / (sc.Horizon - sc.WarmUp).Seconds()
	for i, price := range []float64{0.55, 0.80, 0.55} {
		v := &cmp.Variants[i]
		ours := v.Queues[0]
		want := price * ours.Answered * ours.MeanHandleSeconds / 60 * toMonth
		if got := v.Cost.Breakdown.VendorMinutes; !near(got, want) {
			t.Errorf("%s: billed %.0f a month for minutes, want %.0f (our line's at %.2f); the pool's minutes would be %.0f",
				v.Name, got, want, price, price*v.Groups[0].HandledMinutes*toMonth)
		}
		if v.KPIs.Offered != ours.Offered {
			t.Errorf("%s: offered %g, our line %g", v.Name, v.KPIs.Offered, ours.Offered)
		}
	}
}
