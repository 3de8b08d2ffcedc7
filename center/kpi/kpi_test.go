package kpi

import (
	"math"
	"testing"
)

func TestLayout(t *testing.T) {
	tests := []struct {
		warmup, horizon float64
		batches         int
		wantBatches     int
		exposure        float64 // of cell 0
	}{
		{0, 86400, 1, 1, 1800},
		{900, 86400, 1, 1, 900},
		{0, 10 * 86400, 20, 20, 1800},
		{0, 3 * 1800, 20, 3, 1800},
	}
	for _, tt := range tests {
		l := NewLayout(tt.warmup, tt.horizon, 1800, tt.batches)
		if l.Batches != tt.wantBatches || l.Exposure[0] != tt.exposure {
			t.Errorf("%+v: %d batches, exposure %g", tt, l.Batches, l.Exposure[0])
		}
		var sum float64
		for _, e := range l.Exposure {
			sum += e
		}
		if math.Abs(sum-(tt.horizon-tt.warmup)) > 1e-6 {
			t.Errorf("%+v: exposure %g, want %g", tt, sum, tt.horizon-tt.warmup)
		}
		if l.CellAt(tt.warmup-1) != -1 || l.CellAt(tt.horizon) != -1 {
			t.Errorf("%+v: times outside the window have a cell", tt)
		}
	}
	inf := NewLayout(0, math.Inf(1), 1800, 20)
	if inf.Batches != 1 || inf.CellAt(1e9) < 0 {
		t.Errorf("open-ended layout: %d batches, cell %d", inf.Batches, inf.CellAt(1e9))
	}
}

func TestTallyAndKPIs(t *testing.T) {
	l := NewLayout(100, 3700, 1800, 1)
	tl := NewTally(&l, 1, 1)
	c := l.CellAt(200)
	for i, w := range []float64{0, 10, 30} {
		tl.Offer(c, 0, Fresh)
		tl.Answer(c, 0, 0, w, i > 0, 20, 100, 10, true, false)
	}
	tl.Offer(c, 0, Redial)
	tl.Abandon(c, 0, 40)
	tl.Busy(0, 0, 1900) // clipped at the warm-up, split at 1800
	tl.Staff(0, 0, 3700, 2, 3)
	q := tl.Queue(c, 0)
	for _, tt := range []struct {
		r    Ratio
		want float64
	}{{ServiceLevel, 2.0 / 4}, {ASA, 40.0 / 3}, {AbandonRate, 1.0 / 4}, {PWait, 3.0 / 4}, {MeanWait, 80.0 / 4}, {MeanHandle, 110}} {
		if got := tt.r.Of(q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s = %g, want %g", tt.r.Name, got, tt.want)
		}
	}
	var g Group
	for cell := 0; cell < l.Cells(); cell++ {
		g.Add(tl.Group(int32(cell), 0))
	}
	if g.Busy != 1800 || g.Staffed != 2*3600 || g.Paid != 3*3600 {
		t.Errorf("group sums %+v", g)
	}
	if got := Occupancy.Of(&g); got != 0.25 {
		t.Errorf("occupancy %g, want 0.25", got)
	}
}

// TestCursor: a cursor walked from any interval gives CellOf of every
// interval after it, across days and batches and past the last batch.
func TestCursor(t *testing.T) {
	for _, tt := range []struct {
		warmup, horizon, interval float64
		batches                   int
	}{
		{0, 10 * Day, 1800, 1},
		{3600, 10 * Day, 1800, 10},
		{7 * 3600, 3*Day + 5000, 900, 7},
		{100, 2 * Day, 1, 30},
		{0, 5000, 3600, 3},
	} {
		l := NewLayout(tt.warmup, tt.horizon, tt.interval, tt.batches)
		last := int64(tt.horizon/tt.interval) + 3*int64(l.NSlots)
		for _, from := range []int64{l.FirstInterval, l.FirstInterval + 1, l.FirstInterval + l.SlotsPerBatch - 1, l.FirstInterval + 7} {
			c := l.CursorAt(from)
			for k := from; k < last; k++ {
				if got, want := c.Cell(), l.CellOf(k); got != want {
					t.Fatalf("%+v from %d: interval %d: cursor cell %d, CellOf %d", tt, from, k, got, want)
				}
				c.Next()
			}
		}
	}
}
