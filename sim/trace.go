package sim

import (
	"context"
	"fmt"

	"github.com/callsim/callsim/center"
	"github.com/callsim/callsim/center/kpi"
	"github.com/callsim/callsim/scenarios"
)

// MaxTraceCalls bounds the calls of a trace (about 100 bytes a call).
const MaxTraceCalls = 2_000_000

// Outcomes of a traced call.
const (
	TraceAnswered     = "answered"
	TraceAbandoned    = "abandoned"
	TraceWaitingAtEnd = "waiting_at_end" // no agent could take it before the run ended
)

// TraceCall is one call offered to a queue in one simulation run: what the
// caller brought (its arrival, patience, talk and wrap-up, drawn at the
// arrival) and what became of it. A transferred call has one entry per
// queue it is offered to. Times are seconds from Monday 00:00.
type TraceCall struct {
	Queue  int     `json:"queue"`
	Arrive float64 `json:"arrive"`
	// Why is why the call entered the queue (kpi.Fresh, Repeat, Redial,
	// Transfer); From is, for a transfer, the index of the entry whose
	// agent handed it on (-1 otherwise).
	Why  int `json:"why"`
	From int `json:"from"`
	// Needs: talk (before the answering group's handle-time factor),
	// wrap-up, patience (+Inf: never abandons) and the uniform deciding
	// resolution.
	Needs center.Needs `json:"needs"`

	Outcome string  `json:"outcome"`
	Group   int     `json:"group"` // the answering group, or -1
	Wait    float64 `json:"wait"`  // until an agent took it, or the caller left
	// Transferred: the answering agent hands the call on to the queue's
	// transfer_to after talk and wrap-up.
	Transferred bool `json:"transferred,omitempty"`
}

// Trace is the call trace of one simulation run: every call offered, in
// order of arrival.
type Trace struct {
	Scenario    string      `json:"scenario"`
	Replication int         `json:"replication"`
	Horizon     float64     `json:"horizon"`
	Queues      []string    `json:"queues"`
	Groups      []string    `json:"groups"`
	Calls       []TraceCall `json:"calls"`
}

// Needs returns per queue the needs of the calls offered to it, in order of
// arrival: what a center replaying the trace draws as its calls come in.
func (t *Trace) Needs() [][]center.Needs {
	out := make([][]center.Needs, len(t.Queues))
	for i := range t.Calls {
		c := &t.Calls[i]
		out[c.Queue] = append(out[c.Queue], c.Needs)
	}
	return out
}

// traceRec records a replication's calls (replication.rec; nil: no trace).
type traceRec struct {
	calls  []TraceCall
	bySlot []int32 // ACD call slot -> entry
	// handedOn maps a transfer's arrival (time and queue) to the entry
	// whose agent handed it on.
	handedOn map[transferKey]int32
	err      error
}

type transferKey struct {
	t float64
	q int32
}

func (tr *traceRec) arrive(r *replication, qi, why int, ci int32, n center.Needs) {
	if len(tr.calls) >= MaxTraceCalls {
		if tr.err == nil {
			tr.err = fmt.Errorf("trace: more than %d calls; shorten the horizon", MaxTraceCalls)
		}
		return
	}
	from := int32(-1)
	if why == kpi.Transfer {
		k := transferKey{r.now, int32(qi)}
		if p, ok := tr.handedOn[k]; ok {
			from = p
			delete(tr.handedOn, k)
		}
	}
	tr.calls = append(tr.calls, TraceCall{Queue: qi, Arrive: r.now, Why: why, From: int(from), Needs: n,
		Outcome: TraceWaitingAtEnd, Group: -1})
	for int(ci) >= len(tr.bySlot) {
		tr.bySlot = append(tr.bySlot, -1)
	}
	tr.bySlot[ci] = int32(len(tr.calls) - 1)
}

func (tr *traceRec) entry(ci int32) *TraceCall {
	if int(ci) >= len(tr.bySlot) || tr.bySlot[ci] < 0 {
		return nil
	}
	return &tr.calls[tr.bySlot[ci]]
}

func (tr *traceRec) serve(r *replication, ci int32, g int, wait, end float64, transferred bool) {
	e := tr.entry(ci)
	if e == nil {
		return
	}
	e.Outcome, e.Group, e.Wait, e.Transferred = TraceAnswered, g, wait, transferred
	if transferred && end < r.m.horizon {
		tr.handedOn[transferKey{end, int32(r.c.Queues[e.Queue].TransferTo)}] = tr.bySlot[ci]
	}
	tr.bySlot[ci] = -1
}

func (tr *traceRec) abandon(r *replication, ci int32, wait float64) {
	if e := tr.entry(ci); e != nil {
		e.Outcome, e.Wait = TraceAbandoned, wait
		tr.bySlot[ci] = -1
	}
}

// RunTrace simulates replication rep (0-based) of a scenario once and
// returns its call trace: every call offered, what it brought and what
// became of it. The run is the one Run simulates for that replication
// (same seed, same streams); it fails beyond MaxTraceCalls calls.
func RunTrace(ctx context.Context, sc *scenarios.Scenario, rep int) (*Trace, error) {
	m, err := compile(sc)
	if err != nil {
		return nil, err
	}
	if rep < 0 || rep >= m.reps {
		return nil, fmt.Errorf("trace: replication %d: the scenario has %d (0 to %d)", rep, m.reps, m.reps-1)
	}
	if per := m.estimatedCalls / float64(m.reps); per > MaxTraceCalls {
		return nil, fmt.Errorf("trace: about %.0f calls in a run, more than %d; shorten the horizon", per, MaxTraceCalls)
	}
	r := newReplication(m, rep)
	r.rec = &traceRec{handedOn: map[transferKey]int32{}}
	if _, err := r.run(ctx, nil); err != nil {
		return nil, err
	}
	if r.rec.err != nil {
		return nil, r.rec.err
	}
	t := &Trace{Scenario: m.name, Replication: rep, Horizon: m.horizon, Calls: r.rec.calls}
	for _, q := range m.c.Queues {
		t.Queues = append(t.Queues, q.Name)
	}
	for _, g := range m.c.Groups {
		t.Groups = append(t.Groups, g.Name)
	}
	return t, nil
}
