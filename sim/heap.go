package sim

import (
	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/acd"
)

// Event kinds.
const (
	evArrival  uint32 = iota // idx: queue
	evDone                   // idx: agent; the agent finishes talk and wrap-up
	evAbandon                // idx: call slot; the caller's patience runs out
	evEligible               // idx: call slot; step: the route step it now reaches
	evReturn                 // idx: queue; step: why a caller (re)enters (arrival reasons)
	evStaff                  // idx: group; generation: index of its next headcount change
)

// event is one scheduled event: 16 bytes, no pointers, so the heap is a flat
// slice the garbage collector never scans.
type event struct {
	t    float64
	idx  int32
	meta uint32 // kind (3 bits) | step (5 bits) | generation (24 bits)
}

const (
	metaKindBits = 3
	metaStepBits = 5
	metaGenShift = metaKindBits + metaStepBits
	maxRouteStep = 1<<metaStepBits - 1
	genMask      = acd.GenMask
)

// The step and generation fields hold a route step and a call's generation.
var (
	_ [maxRouteStep + 1 - center.MaxRouteSteps]struct{}
	_ [32 - metaGenShift - acd.GenBits]struct{}
)

func mkMeta(kind uint32, step int, gen uint32) uint32 {
	return kind | uint32(step)<<metaKindBits | (gen&genMask)<<metaGenShift
}

func (e event) kind() uint32 { return e.meta & (1<<metaKindBits - 1) }
func (e event) step() int    { return int(e.meta>>metaKindBits) & (1<<metaStepBits - 1) }
func (e event) gen() uint32  { return e.meta >> metaGenShift }

// eventHeap is a 4-ary min-heap ordered by time. A 4-ary heap is shallower
// than a binary one and its children share cache lines.
type eventHeap struct{ a []event }

func (h *eventHeap) len() int { return len(h.a) }

func (h *eventHeap) push(e event) {
	h.a = append(h.a, e)
	a := h.a
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 4
		if a[p].t <= e.t {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = e
}

func (h *eventHeap) pop() event {
	a := h.a
	top := a[0]
	n := len(a) - 1
	last := a[n]
	h.a = a[:n]
	a = a[:n]
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		mt := a[c].t
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if a[j].t < mt {
				m, mt = j, a[j].t
			}
		}
		if last.t <= mt {
			break
		}
		a[i] = a[m]
		i = m
	}
	a[i] = last
	return top
}
