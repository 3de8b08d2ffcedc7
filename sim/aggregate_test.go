package sim

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestAggregateLinearInIntervals guards the per-interval tables: with
// 1-second intervals (86,400 a day) aggregate once read every cell of the
// day for every interval, 86,400 times the work (a 0.05 s simulation took
// 50 s). The count of cells read must stay linear in the number of cells.
func TestAggregateLinearInIntervals(t *testing.T) {
	sc := base(0.1, 32)
	sc.Horizon, sc.WarmUp, sc.Interval = 2*time.Hour, 0, time.Second
	mod, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	m := mod.m
	var done atomic.Int64
	var reps []*replicationResult
	for rep := 0; rep < m.reps; rep++ {
		res, err := newReplication(m, rep).run(context.Background(), &done)
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, &res)
	}
	var st aggregateStats
	res := aggregateCounting(m, reps, &st)
	if len(res.Intervals) != 7200 {
		t.Fatalf("%d intervals with a measured window, want 7200 (2 h of 1 s)", len(res.Intervals))
	}
	// Each selection (the center, each queue, each group, calls and agents
	// for the observations; the same per interval) reads every unit's
	// cells once: (7 + 2Q + 2G) passes over units x slots in all. Twice
	// that is the bound; the quadratic loop read 86,400 times more.
	units := int64(len(reps) * m.batches)
	passes := int64(7 + 2*len(m.c.Queues) + 2*len(m.c.Groups))
	if limit := 2 * passes * units * int64(m.nSlots); st.cellVisits > limit {
		t.Errorf("aggregate read %d cells for %d units of %d slots, want at most %d (linear)", st.cellVisits, units, m.nSlots, limit)
	}
}
