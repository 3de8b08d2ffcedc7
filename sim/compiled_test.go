package sim

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

// TestModelReuse: a compiled model run again, and from several goroutines at
// once, gives the result of a fresh Run (the model is read-only).
func TestModelReuse(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("two-skills")
	if err != nil {
		t.Fatal(err)
	}
	sc.Replications = 2
	ctx := context.Background()
	want, err := Run(ctx, sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]*Result, 3)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = mod.Run(ctx, Options{Workers: 1})
		}()
	}
	wg.Wait()
	for i, g := range got {
		if g == nil {
			t.Fatalf("run %d failed", i)
		}
		if !reflect.DeepEqual(g.KPIs, want.KPIs) || !reflect.DeepEqual(g.Queues, want.Queues) {
			t.Errorf("run %d of the compiled model differs from Run: %+v vs %+v", i, g.KPIs, want.KPIs)
		}
	}
	if _, err := Compile(nil); err == nil {
		t.Error("Compile(nil) did not fail")
	}
}
