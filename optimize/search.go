package optimize

import (
	"context"
	"math"
	"slices"
	"sort"
)

// maxRepairRounds bounds the rounds of adding agents to a plan.
const maxRepairRounds = 400

// searcher searches one space on one evaluator.
type searcher struct {
	s    *space
	e    *evaluator
	best *eval // the best feasible plan found so far, for interruption
	// workers of a single evaluation (sequential steps use every core).
	note func()
}

func (sr *searcher) eval(ctx context.Context, p plan) (*eval, error) {
	ev, err := sr.e.eval(ctx, p, 0)
	if err == nil {
		if better(ev, sr.best) {
			sr.best = ev
		}
		if sr.note != nil {
			sr.note()
		}
	}
	return ev, err
}

func (sr *searcher) evalAll(ctx context.Context, ps []plan) ([]*eval, error) {
	evs, err := sr.e.evalAll(ctx, ps)
	for _, ev := range evs {
		if better(ev, sr.best) {
			sr.best = ev
		}
	}
	if sr.note != nil {
		sr.note()
	}
	return evs, err
}

// search finds the cheapest feasible headcounts for the discrete choices
// in pick, starting from start. It returns the plan at every upper bound,
// not feasible, when even that misses a target.
func (sr *searcher) search(ctx context.Context, pick []int, start plan) (*eval, error) {
	top, err := sr.eval(ctx, sr.s.maxPlan(pick))
	if err != nil || !top.feasible || len(sr.s.coords) == 0 {
		return top, err
	}
	if !sr.s.interval && len(sr.s.coords) <= 2 {
		return sr.frontier(ctx, pick, top)
	}
	start.pick = slices.Clone(pick)
	ev, err := sr.repair(ctx, sr.s.clip(start.clone()), top)
	if err != nil {
		return sr.best, err
	}
	return sr.descend(ctx, ev)
}

// least returns the least value v in [lo, hi] at which at(v) is feasible
// (feasibility taken to grow with v), given that at(hi) is.
func (sr *searcher) least(ctx context.Context, lo, hi int, at func(int) plan) (*eval, error) {
	for lo < hi {
		mid := (lo + hi) / 2
		ev, err := sr.eval(ctx, at(mid))
		if err != nil {
			return nil, err
		}
		if ev.feasible {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return sr.eval(ctx, at(lo))
}

// upward looks above a feasible plan along at for a cheaper one: more
// agents can cost less when abandoned or unresolved calls are priced.
func (sr *searcher) upward(ctx context.Context, ev *eval, v, hi int, at func(int) plan) (*eval, error) {
	best := ev
	worse := 0
	for w := v + 1; w <= hi && worse < 2; w++ {
		n, err := sr.eval(ctx, at(w))
		if err != nil {
			return best, err
		}
		if better(n, best) {
			best, worse = n, 0
		} else {
			worse++
		}
	}
	return best, nil
}

// frontier searches one or two constant headcounts exhaustively along the
// feasible frontier: for every value of the coordinate with the smaller
// range, the least feasible value of the other.
func (sr *searcher) frontier(ctx context.Context, pick []int, top *eval) (*eval, error) {
	cs := sr.s.coords
	mk := func(x ...int) plan { return plan{x: x, pick: slices.Clone(pick)} }
	if len(cs) == 1 {
		at := func(v int) plan { return mk(v) }
		ev, err := sr.least(ctx, cs[0].min, cs[0].max, at)
		if err != nil {
			return sr.best, err
		}
		return sr.upward(ctx, ev, ev.p.x[0], cs[0].max, at)
	}
	a, b := 0, 1
	if cs[1].max-cs[1].min < cs[0].max-cs[0].min {
		a, b = 1, 0
	}
	both := func(va, vb int) plan {
		x := make([]int, 2)
		x[a], x[b] = va, vb
		return mk(x...)
	}
	var best *eval
	hiB := cs[b].max
	var prev *eval
	for va := cs[a].min; va <= cs[a].max; va++ {
		if err := ctx.Err(); err != nil {
			return sr.best, err
		}
		at := func(vb int) plan { return both(va, vb) }
		ceil, err := sr.eval(ctx, at(hiB))
		if err != nil {
			return sr.best, err
		}
		if !ceil.feasible {
			continue
		}
		ev, err := sr.least(ctx, cs[b].min, hiB, at)
		if err != nil {
			return sr.best, err
		}
		vb := ev.p.x[b]
		if ev, err = sr.upward(ctx, ev, vb, cs[b].max, at); err != nil {
			return sr.best, err
		}
		if better(ev, best) {
			best = ev
		}
		hiB = vb
		// With the other coordinate at its least, more of this one only
		// adds cost once it stops paying for itself.
		if vb == cs[b].min && prev != nil && prev.p.x[b] == cs[b].min && ev.cost > prev.cost {
			break
		}
		prev = ev
	}
	if best == nil {
		return top, nil
	}
	return best, nil
}

// repair adds agents to p until it is feasible: in every interval that
// misses its target at once (per-interval headcounts), else the agent
// that closes the most shortfall per unit of cost; top is the plan at
// every upper bound, feasible.
func (sr *searcher) repair(ctx context.Context, p plan, top *eval) (*eval, error) {
	ev, err := sr.eval(ctx, p)
	if err != nil {
		return nil, err
	}
	for round := 0; !ev.feasible && round < maxRepairRounds; round++ {
		next := ev.p.clone()
		bumped := false
		if sr.e.every && sr.s.interval && len(ev.missedSlots) > 0 {
			for i, c := range sr.s.coords {
				if c.slot >= 0 && ev.missedSlots[c.slot] && next.x[i] < c.max {
					next.x[i]++
					bumped = true
				}
			}
		}
		if !bumped {
			var cands []plan
			for i, c := range sr.s.coords {
				if next.x[i] < c.max {
					q := next.clone()
					q.x[i]++
					if err := sr.s.recover(&q); err != nil {
						return nil, err
					}
					cands = append(cands, q)
				}
			}
			if len(cands) == 0 {
				return top, nil
			}
			evs, err := sr.evalAll(ctx, cands)
			if err != nil {
				return nil, err
			}
			bestI, bestScore := -1, 0.0
			for i, n := range evs {
				gain := ev.deficit - n.deficit
				if gain <= 0 {
					continue
				}
				score := gain / math.Max(n.cost-ev.cost, 1e-6)
				if bestI < 0 || score > bestScore || (n.feasible && !evs[bestI].feasible) {
					bestI, bestScore = i, score
				}
			}
			if bestI < 0 {
				// No single agent helps: halve the way to the bounds.
				for i, c := range sr.s.coords {
					next.x[i] += (c.max - next.x[i] + 1) / 2
				}
			} else {
				next = evs[bestI].p.clone()
			}
		}
		if err := sr.s.recover(&next); err != nil {
			return nil, err
		}
		if ev, err = sr.eval(ctx, next); err != nil {
			return nil, err
		}
	}
	if !ev.feasible {
		return top, nil
	}
	return ev, nil
}

// descend removes agents from a feasible plan while it stays feasible and
// gets cheaper: every single removal is tried; several that each hold are
// tried together, else the best one is taken; with few coordinates,
// exchanges (one agent less here, one more there) too.
func (sr *searcher) descend(ctx context.Context, ev *eval) (*eval, error) {
	for ctx.Err() == nil {
		var cands []plan
		for i, c := range sr.s.coords {
			if ev.p.x[i] > c.min {
				q := ev.p.clone()
				q.x[i]--
				cands = append(cands, q)
			}
		}
		evs, err := sr.evalAll(ctx, cands)
		if err != nil {
			return sr.best, err
		}
		var ok []*eval
		for _, n := range evs {
			if n.feasible && n.cost < ev.cost {
				ok = append(ok, n)
			}
		}
		if len(ok) == 0 {
			n, err := sr.exchange(ctx, ev)
			if err != nil {
				return sr.best, err
			}
			if n == nil {
				return ev, nil
			}
			ev = n
			continue
		}
		// The removals that leave the most slack first.
		sort.SliceStable(ok, func(i, j int) bool { return ok[i].slack > ok[j].slack })
		moved := false
		for k := len(ok); k >= 2 && !moved; k /= 2 {
			q := ev.p.clone()
			for _, n := range ok[:k] {
				for i := range q.x {
					if n.p.x[i] < ev.p.x[i] {
						q.x[i]--
					}
				}
			}
			n, err := sr.eval(ctx, q)
			if err != nil {
				return sr.best, err
			}
			if n.feasible && n.cost < ev.cost {
				ev, moved = n, true
			}
		}
		if moved {
			continue
		}
		pick := ok[0]
		if !sr.s.interval {
			for _, n := range ok {
				if n.cost < pick.cost {
					pick = n
				}
			}
		}
		ev = pick
	}
	return sr.best, ctx.Err()
}

// exchange tries one agent less in one coordinate with one more in
// another (constant headcounts of different groups only, at most six
// coordinates): nil when none is feasible and cheaper.
func (sr *searcher) exchange(ctx context.Context, ev *eval) (*eval, error) {
	cs := sr.s.coords
	if sr.s.interval || len(cs) > 6 || len(cs) < 2 {
		return nil, nil
	}
	var cands []plan
	for i := range cs {
		for j := range cs {
			if i == j || ev.p.x[i] <= cs[i].min || ev.p.x[j] >= cs[j].max {
				continue
			}
			q := ev.p.clone()
			q.x[i]--
			q.x[j]++
			cands = append(cands, q)
		}
	}
	evs, err := sr.evalAll(ctx, cands)
	if err != nil {
		return nil, err
	}
	var best *eval
	for _, n := range evs {
		if n.feasible && n.cost < ev.cost && better(n, best) {
			best = n
		}
	}
	return best, nil
}
