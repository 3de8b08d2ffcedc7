package kpi

// Queue holds the call counts and sums of one queue in one reporting cell.
// Calls are counted in the cell of their arrival.
type Queue struct {
	Offered, Answered, Within, Abandoned float64
	Queued                               float64 // offered calls that waited (answered after a wait, or abandoned)
	WaitAnswered, WaitAll                float64 // seconds: waits of answered calls; of answered and abandoned calls
	Talk, Wrap                           float64 // seconds, of answered calls
	Area                                 float64 // queue length x seconds
	MaxLen                               float64 // longest queue seen
	Resolved, Repeats                    float64 // answered and resolved; offered calls that were repeats
	Redials, TransfersIn, SelfServed     float64 // offered calls that were redials or transfers; IVR self-service (not offered)
	TransferredOut                       float64 // answered calls handed on to another queue
	Closed                               float64 // calls that arrived outside opening hours (not offered)
}

// Add adds b's counts and sums to a (MaxLen: the larger).
func (a *Queue) Add(b *Queue) {
	a.Offered += b.Offered
	a.Answered += b.Answered
	a.Within += b.Within
	a.Abandoned += b.Abandoned
	a.Queued += b.Queued
	a.WaitAnswered += b.WaitAnswered
	a.WaitAll += b.WaitAll
	a.Talk += b.Talk
	a.Wrap += b.Wrap
	a.Area += b.Area
	a.MaxLen = max(a.MaxLen, b.MaxLen)
	a.Resolved += b.Resolved
	a.Repeats += b.Repeats
	a.Redials += b.Redials
	a.TransfersIn += b.TransfersIn
	a.SelfServed += b.SelfServed
	a.TransferredOut += b.TransferredOut
	a.Closed += b.Closed
}

// Group holds the agent sums of one group in one reporting cell.
type Group struct {
	Busy       float64 // agent seconds busy with calls (talk + wrap-up)
	Handled    float64 // calls answered by the group (counted by arrival)
	Talk, Wrap float64 // seconds of the calls it handled
	Resolved   float64
	// Staffed is the agent time available for calls, seconds; Paid the
	// agent time scheduled (paid), seconds.
	Staffed, Paid float64
}

// Add adds b's sums to a.
func (a *Group) Add(b *Group) {
	a.Busy += b.Busy
	a.Handled += b.Handled
	a.Talk += b.Talk
	a.Wrap += b.Wrap
	a.Resolved += b.Resolved
	a.Staffed += b.Staffed
	a.Paid += b.Paid
}

// Why a call enters a queue.
const (
	Fresh    = iota // a new caller
	Repeat          // an unresolved caller calling again
	Redial          // a caller who abandoned, calling again
	Transfer        // a call handed on by an agent of another queue
)

// Tally accumulates a center's counts and sums per reporting cell: queue q
// of cell c is Queues[c*Q+q], group g of cell c Groups[c*G+g].
type Tally struct {
	L      *Layout
	Q, G   int
	Queues []Queue
	Groups []Group
	// MaxTotal is, per cell, the longest total queue (all queues together).
	MaxTotal []float64
}

// NewTally returns an empty tally of q queues and g groups over layout l.
func NewTally(l *Layout, q, g int) Tally {
	return Tally{L: l, Q: q, G: g, Queues: make([]Queue, l.Cells()*q), Groups: make([]Group, l.Cells()*g), MaxTotal: make([]float64, l.Cells())}
}

// Queue returns queue q's sums in cell c.
func (t *Tally) Queue(c int32, q int) *Queue { return &t.Queues[int(c)*t.Q+q] }

// Group returns group g's sums in cell c.
func (t *Tally) Group(c int32, g int) *Group { return &t.Groups[int(c)*t.G+g] }

// Offer counts a call offered to queue q in cell c (c >= 0) for reason why.
func (t *Tally) Offer(c int32, q, why int) {
	qc := t.Queue(c, q)
	qc.Offered++
	switch why {
	case Repeat:
		qc.Repeats++
	case Redial:
		qc.Redials++
	case Transfer:
		qc.TransfersIn++
	}
}

// Answer counts a call of queue q that arrived in cell c (c >= 0),
// answered by group g after waiting wait seconds (queued: it waited in the
// queue), threshold within, with its talk and wrap-up time, and whether it
// was resolved or transferred.
func (t *Tally) Answer(c int32, q, g int, wait float64, queued bool, within, talk, wrap float64, resolved, transferred bool) {
	qc := t.Queue(c, q)
	qc.Answered++
	if queued {
		qc.Queued++
	}
	if wait <= within {
		qc.Within++
	}
	qc.WaitAnswered += wait
	qc.WaitAll += wait
	qc.Talk += talk
	qc.Wrap += wrap
	gc := t.Group(c, g)
	gc.Handled++
	gc.Talk += talk
	gc.Wrap += wrap
	if resolved {
		qc.Resolved++
		gc.Resolved++
	}
	if transferred {
		qc.TransferredOut++
	}
}

// Abandon counts a caller of queue q that arrived in cell c (c >= 0) and
// hung up after waiting wait seconds.
func (t *Tally) Abandon(c int32, q int, wait float64) {
	qc := t.Queue(c, q)
	qc.Abandoned++
	qc.Queued++
	qc.WaitAll += wait
}

// QueueLength notes queue q's length n (and the total of all queues) seen
// by a call that arrived in cell c (c >= 0).
func (t *Tally) QueueLength(c int32, q, n, total int) {
	qc := t.Queue(c, q)
	qc.MaxLen = max(qc.MaxLen, float64(n))
	t.MaxTotal[c] = max(t.MaxTotal[c], float64(total))
}

// Busy adds an agent's busy period [t0, t1] to group g's cells, clipped to
// the measured window and split at interval boundaries.
func (t *Tally) Busy(g int, t0, t1 float64) {
	l := t.L
	t0 = max(t0, l.Warmup)
	t1 = min(t1, l.Horizon)
	if t0 >= t1 {
		return
	}
	k := int64(t0 / l.Interval)
	c := l.CursorAt(k)
	for t0 < t1 {
		end := min(t1, float64(k+1)*l.Interval)
		t.Groups[c.Cell()*t.G+g].Busy += end - t0
		t0 = end
		k++
		c.Next()
	}
}

// Staff adds n agents available (and paid paid) over [t0, t1] to group g's
// cells, clipped to the measured window.
func (t *Tally) Staff(g int, t0, t1 float64, n, paid int) {
	l := t.L
	t0 = max(t0, l.Warmup)
	t1 = min(t1, l.Horizon)
	if t0 >= t1 {
		return
	}
	k := int64(t0 / l.Interval)
	c := l.CursorAt(k)
	for t0 < t1 {
		end := min(t1, float64(k+1)*l.Interval)
		gc := &t.Groups[c.Cell()*t.G+g]
		gc.Staffed += float64(n) * (end - t0)
		gc.Paid += float64(paid) * (end - t0)
		t0 = end
		k++
		c.Next()
	}
}

// Area adds n waiting callers over [t0, t1] to queue q's length integral.
func (t *Tally) Area(q int, t0, t1 float64, n int) {
	if n == 0 {
		return
	}
	l := t.L
	t0 = max(t0, l.Warmup)
	t1 = min(t1, l.Horizon)
	if t0 >= t1 {
		return
	}
	k := int64(t0 / l.Interval)
	c := l.CursorAt(k)
	for t0 < t1 {
		end := min(t1, float64(k+1)*l.Interval)
		t.Queues[c.Cell()*t.Q+q].Area += float64(n) * (end - t0)
		t0 = end
		k++
		c.Next()
	}
}
