package kpi

import "math"

// Day is the length of a day, in seconds.
const Day = 86400.0

// Layout maps time (seconds from Monday 00:00) to reporting cells: the
// measured window [Warmup, Horizon) is cut into intervals of the day, and
// the intervals into Batches consecutive batches of SlotsPerBatch
// intervals. Cell b*NSlots+s holds interval s of the day in batch b.
type Layout struct {
	Warmup, Horizon, Interval float64
	NSlots                    int   // intervals per day
	Batches                   int   // batches of the window
	SlotsPerBatch             int64 // absolute intervals per batch
	FirstInterval             int64 // absolute interval number of the warm-up's end
	// Exposure is the measured time of each cell, seconds.
	Exposure []float64
}

// NewLayout lays out the window [warmup, horizon) in intervals of the given
// length (seconds, dividing a day) and batches: batches of about equal
// length, at most as many as there are intervals (1: the whole window).
// horizon may be +Inf for a center that runs until it is stopped; it then
// has one batch and no exposure.
func NewLayout(warmup, horizon, interval float64, batches int) Layout {
	l := Layout{Warmup: warmup, Horizon: horizon, Interval: interval, NSlots: int(Day / interval), Batches: 1}
	l.FirstInterval = int64(math.Floor(warmup / interval))
	if math.IsInf(horizon, 1) {
		l.SlotsPerBatch = math.MaxInt64
		l.Exposure = make([]float64, l.NSlots)
		return l
	}
	lastInterval := int64(math.Ceil(horizon/interval)) - 1
	n := lastInterval - l.FirstInterval + 1
	l.SlotsPerBatch = n
	if batches > 1 && n >= 2 {
		b := int64(batches)
		if n < b {
			b = n
		}
		l.SlotsPerBatch = (n + b - 1) / b
		l.Batches = int((n + l.SlotsPerBatch - 1) / l.SlotsPerBatch)
	}
	l.Exposure = make([]float64, l.Cells())
	for k := l.FirstInterval; k <= lastInterval; k++ {
		lo := math.Max(float64(k)*interval, warmup)
		hi := math.Min(float64(k+1)*interval, horizon)
		if hi > lo {
			l.Exposure[l.CellOf(k)] += hi - lo
		}
	}
	return l
}

// Cells is the number of reporting cells.
func (l *Layout) Cells() int { return l.Batches * l.NSlots }

// CellOf maps an absolute interval number inside the window to its cell.
func (l *Layout) CellOf(k int64) int {
	b := (k - l.FirstInterval) / l.SlotsPerBatch
	if b >= int64(l.Batches) {
		b = int64(l.Batches) - 1
	}
	return int(b)*l.NSlots + int(k%int64(l.NSlots))
}

// Cursor walks the cells of consecutive absolute intervals without a
// division per interval: Cell is CellOf(k), and Next moves to k+1.
type Cursor struct {
	l     *Layout
	slot  int   // k % NSlots
	batch int   // the batch of k, at most Batches-1
	inB   int64 // k's place in its batch (counted on past the last)
}

// CursorAt returns a cursor at absolute interval k (k >= FirstInterval).
func (l *Layout) CursorAt(k int64) Cursor {
	rel := k - l.FirstInterval
	b := rel / l.SlotsPerBatch
	c := Cursor{l: l, slot: int(k % int64(l.NSlots)), batch: int(b), inB: rel % l.SlotsPerBatch}
	if b >= int64(l.Batches) {
		c.batch = l.Batches - 1
	}
	return c
}

// Cell is the cursor's cell.
func (c *Cursor) Cell() int { return c.batch*c.l.NSlots + c.slot }

// Next moves the cursor to the next interval.
func (c *Cursor) Next() {
	if c.slot++; c.slot == c.l.NSlots {
		c.slot = 0
	}
	if c.inB++; c.inB == c.l.SlotsPerBatch {
		c.inB = 0
		if c.batch < c.l.Batches-1 {
			c.batch++
		}
	}
}

// CellAt returns the reporting cell of time t, or -1 outside the window.
func (l *Layout) CellAt(t float64) int32 {
	if t < l.Warmup || t >= l.Horizon {
		return -1
	}
	return int32(l.CellOf(int64(t / l.Interval)))
}
