package optimize

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/callsim/callsim/sim"
)

// minIntervalCalls: an interval offered fewer calls than this, on average
// per occurrence, is not judged on its own (its service level is mostly
// noise); it still counts in the queue's whole-horizon figure.
const minIntervalCalls = 1.0

// eval is one simulated plan.
type eval struct {
	p    plan
	res  *sim.Result
	cost float64
	// feasible: every constraint holds on the sample's point estimates.
	feasible bool
	// deficit sums the shortfalls (target - service level) of the
	// constraints missed; slack is the least margin over all of them.
	deficit, slack float64
	// binding names the constraint with the least slack.
	binding string
	// missed lists the intervals of the day (per group's coordinates) whose
	// constraint is missed, for repair.
	missedSlots map[int]bool
	// verdict (judgeCI): verdictMeets, verdictMisses or verdictUndecided;
	// undecided counts the targets neither met nor missed at 95%.
	verdict   string
	undecided int
}

// evaluator simulates plans of one space on one sample of seeds.
type evaluator struct {
	s     *space
	seed  uint64
	reps  int
	every bool
	// mode is how plans are judged (judgePoint, judgeCI, judgeMargin).
	mode  int
	mu    sync.Mutex
	cache map[string]*eval
	count *atomic.Int64
}

func newEvaluator(s *space, seed uint64, reps int, every bool, count *atomic.Int64) *evaluator {
	return &evaluator{s: s, seed: seed, reps: reps, every: every, cache: map[string]*eval{}, count: count}
}

// eval simulates p (or returns the cached result) with workers
// replications at once (0: one per core).
func (e *evaluator) eval(ctx context.Context, p plan, workers int) (*eval, error) {
	k := p.key()
	e.mu.Lock()
	if ev, ok := e.cache[k]; ok {
		e.mu.Unlock()
		return ev, nil
	}
	e.mu.Unlock()
	sc := e.s.apply(p)
	sc.Seed, sc.Replications = e.seed, e.reps
	mod, err := sim.Compile(sc)
	if err != nil {
		return nil, fmt.Errorf("plan %v: %w", e.s.decisions(p), err)
	}
	res, err := mod.Run(ctx, sim.Options{Workers: workers})
	if err != nil {
		return nil, err
	}
	if res.Interrupted {
		return nil, context.Canceled
	}
	e.count.Add(1)
	ev := judge(res, e.every, e.mode)
	ev.p = p.clone()
	e.mu.Lock()
	e.cache[k] = ev
	e.mu.Unlock()
	return ev, nil
}

// evalAll simulates the plans in parallel (one replication stream per
// core), in order.
func (e *evaluator) evalAll(ctx context.Context, ps []plan) ([]*eval, error) {
	out := make([]*eval, len(ps))
	errs := make([]error, len(ps))
	workers := min(runtime.GOMAXPROCS(0), len(ps))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ps) || ctx.Err() != nil {
					return
				}
				out[i], errs[i] = e.eval(ctx, ps[i], 1)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// How an evaluator judges a plan's service levels against the targets.
const (
	// judgePoint (the search, a sample-average approximation): every
	// point estimate at least its target.
	judgePoint = iota
	// judgeCI (the check on fresh seeds): a target is met when the lower
	// end of its 95% confidence interval reaches it, missed when the upper
	// end is below it, undecided otherwise; the plan is feasible when
	// every target is met.
	judgeCI
	// judgeMargin (repair after a check that did not pass): the point
	// estimate at least the target plus twice the half-width, so that a
	// check on other fresh seeds of the same size usually meets it.
	judgeMargin
)

// Verdicts of a check.
const (
	verdictMeets     = "meets"
	verdictMisses    = "misses"
	verdictUndecided = "undecided"
)

// judge measures a result against the targets: every queue of ours over
// the horizon and, with every, in every interval of the day offered at
// least minIntervalCalls, by mode.
func judge(res *sim.Result, every bool, mode int) *eval {
	ev := &eval{res: res, cost: res.Cost.Total, feasible: true, slack: math.Inf(1), missedSlots: map[int]bool{}, verdict: verdictMeets}
	test := func(name string, offered, sl, hw, target float64, slot int) {
		if offered <= 0 {
			return
		}
		if math.IsNaN(hw) {
			hw = math.Inf(1)
		}
		m := sl - target // the margin judged
		switch mode {
		case judgeCI:
			switch {
			case sl-hw >= target-1e-12:
				m = sl - hw - target
			case sl+hw < target:
				m = sl + hw - target
				ev.verdict = verdictMisses
			default:
				m = sl - hw - target
				ev.undecided++
				if ev.verdict == verdictMeets {
					ev.verdict = verdictUndecided
				}
			}
		case judgeMargin:
			m = sl - 2*hw - target
		}
		if m < ev.slack {
			ev.slack, ev.binding = m, name
		}
		if m < -1e-12 {
			ev.feasible = false
			ev.deficit += -m
			if slot >= 0 {
				ev.missedSlots[slot] = true
			}
		}
	}
	for qi, q := range res.Queues {
		if q.Client != "" {
			continue
		}
		test(q.Name, q.Offered, q.ServiceLevel, q.ServiceLevelCI95, q.TargetServiceLevel, -1)
		if !every {
			continue
		}
		for s, iv := range res.Intervals {
			if qi >= len(iv.Queues) {
				continue
			}
			c := iv.Queues[qi]
			if c.Offered < minIntervalCalls {
				continue
			}
			test(q.Name+" "+iv.Start, c.Offered, c.ServiceLevel, c.ServiceLevelCI95, q.TargetServiceLevel, s)
		}
	}
	return ev
}

// better reports whether a is a better feasible plan than b (nil: none).
func better(a, b *eval) bool {
	if a == nil || !a.feasible {
		return false
	}
	if b == nil || !b.feasible {
		return true
	}
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	return a.slack > b.slack
}
