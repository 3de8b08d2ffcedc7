package wfm

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// CoverProblem is a covering integer program: at least Need[k] agents in
// every unit of time k, from columns (shifts) each covering the units it
// lists at its cost, each used at most Max times (0: no bound). A unit
// listed twice by a column counts twice.
type CoverProblem struct {
	Need  []int
	Units [][]int   // per column
	Cost  []float64 // per column, > 0
	Max   []int     // per column (nil or 0: no bound)
}

// Cover is a solution of a CoverProblem.
type Cover struct {
	Count    []int   // per column
	Cost     float64 // Σ Count·Cost
	Coverage []int   // agents per unit
	// LowerBound: no cover costs less. It is the value of a dual feasible
	// solution of the LP relaxation (weak duality), made exactly feasible
	// by scaling, so rounding errors of the simplex cannot make it invalid;
	// at the LP optimum it equals the LP relaxation's value.
	LowerBound float64
	// LP is the LP relaxation's primal solution (per column), as found.
	LP []float64
	// Dual is the dual solution per unit behind LowerBound.
	Dual []float64
}

// ErrCoverInfeasible is returned when some unit cannot be covered: no
// column covers it, or the columns' Max bounds are too few.
var ErrCoverInfeasible = errors.New("the requirement cannot be covered")

// SolveCover solves the LP relaxation of p by the simplex method on its
// dual, then rounds: the LP solution rounded down and completed greedily
// (the column covering the most short units per unit of cost), the LP
// solution rounded up, a greedy cover from scratch, and LP diving (see
// dive), each improved by dropping columns nobody needs and by replacing
// columns with cheaper ones while the cover holds; the cheapest is
// returned.
func SolveCover(p CoverProblem) (*Cover, error) {
	n, m := len(p.Need), len(p.Units)
	if len(p.Cost) != m || (p.Max != nil && len(p.Max) != m) {
		return nil, fmt.Errorf("cover: %d columns, %d costs, %d bounds", m, len(p.Cost), len(p.Max))
	}
	capacity := make([]float64, n)
	for j, us := range p.Units {
		if !(p.Cost[j] > 0) || math.IsInf(p.Cost[j], 0) {
			return nil, fmt.Errorf("cover: column %d has cost %v; costs must be positive", j, p.Cost[j])
		}
		for _, k := range us {
			if k < 0 || k >= n {
				return nil, fmt.Errorf("cover: column %d covers unit %d of %d", j, k, n)
			}
			if mx := p.max(j); mx > 0 {
				capacity[k] += float64(mx)
			} else {
				capacity[k] = math.Inf(1)
			}
		}
	}
	for k, need := range p.Need {
		if need < 0 {
			return nil, fmt.Errorf("cover: unit %d needs %d", k, need)
		}
		if float64(need) > capacity[k] {
			return nil, &UncoveredError{Unit: k, Need: need, Capacity: int(capacity[k])}
		}
	}
	y, x := coverDual(p)
	c := &Cover{LP: x, Dual: y, LowerBound: dualValue(p, y)}
	bestCost := math.Inf(1)
	up := make([]float64, len(x))
	for j, v := range x {
		up[j] = math.Ceil(v - 1e-9)
	}
	for _, start := range [][]float64{nil, x, up} {
		s := newCoverSolver(p)
		for j, v := range start {
			if k := min(int(math.Floor(v+1e-9)), s.room(j)); k > 0 {
				s.add(j, k)
			}
		}
		s.greedy()
		s.improve()
		if cost := s.cost(); cost < bestCost-1e-9 {
			bestCost, c.Count, c.Coverage = cost, s.count, s.cov
		}
	}
	// LP diving: fix the columns the LP of the residual requirement uses at
	// 0.5 or more (at least its largest), solve the residual again, until
	// the requirement is covered.
	if s := dive(p, x); s != nil {
		if cost := s.cost(); cost < bestCost-1e-9 {
			bestCost, c.Count, c.Coverage = cost, s.count, s.cov
		}
	}
	c.Cost = bestCost
	for k, need := range p.Need {
		if c.Coverage[k] < need {
			return nil, fmt.Errorf("cover: unit %d short after rounding (%d of %d): %w", k, c.Coverage[k], need, ErrCoverInfeasible)
		}
	}
	return c, nil
}

// UncoveredError says which unit cannot be covered.
type UncoveredError struct {
	Unit, Need, Capacity int
}

func (e *UncoveredError) Error() string {
	if e.Capacity == 0 {
		return fmt.Sprintf("no shift covers unit %d, which needs %d agents", e.Unit, e.Need)
	}
	return fmt.Sprintf("unit %d needs %d agents, the shifts covering it can give %d at most", e.Unit, e.Need, e.Capacity)
}

func (e *UncoveredError) Unwrap() error { return ErrCoverInfeasible }

func (p *CoverProblem) max(j int) int {
	if p.Max == nil {
		return 0
	}
	return p.Max[j]
}

// dualValue is the value of the dual solution y ≥ 0 made exactly
// feasible: for a column with a bound, the excess Σy − cost over its units
// is paid for with Max times that excess (the dual variable of its bound);
// for the others y is scaled down until Σy ≤ cost. By weak duality the
// result is at most the cost of any cover.
func dualValue(p CoverProblem, y []float64) float64 {
	scale := 1.0
	for j, us := range p.Units {
		if p.max(j) > 0 {
			continue
		}
		s := 0.0
		for _, k := range us {
			s += max(0, y[k])
		}
		if s > p.Cost[j] {
			scale = min(scale, p.Cost[j]/s)
		}
	}
	v := 0.0
	for k, need := range p.Need {
		v += float64(need) * max(0, y[k]) * scale
	}
	for j, us := range p.Units {
		if mx := p.max(j); mx > 0 {
			s := 0.0
			for _, k := range us {
				s += max(0, y[k]) * scale
			}
			v -= float64(mx) * max(0, s-p.Cost[j])
		}
	}
	return max(0, v)
}

// maxPivots caps the simplex method; Bland's rule takes over after
// blandAfter pivots, against cycling.
const (
	maxPivots  = 50000
	blandAfter = 10000
)

// coverDual maximizes Σ Need·y − Σ Max·z subject to, for every column j,
// Σ_{k ∈ Units[j]} y_k − z_j ≤ Cost[j] (z_j only for bounded columns), and
// y, z ≥ 0: the dual of the covering LP, whose optimum equals the LP
// relaxation's. It runs the primal simplex method on this dual from
// y = z = 0 (feasible, since costs are positive), so every iterate is dual
// feasible; it stops at the optimum or after maxPivots. It also returns the
// covering LP's primal solution (x per column), read from the reduced
// costs of the slack columns.
//
// gonum's optimize/convex/lp solves the same LPs to the same optimum
// (TestCoverLPAgainstGonum), but its dense revised simplex solves with the
// whole basis at every pivot: on a week of half hours (336 rows, 288
// shifts) it takes about 14 s against 20 ms here, on a day 20 ms against
// 1 ms (BenchmarkCoverLP), and on the dual of a day's cover it stops at a
// singular basis, so it gives no bound. Hence this tableau simplex.
func coverDual(p CoverProblem) (y, x []float64) {
	n, m := len(p.Need), len(p.Units)
	var bounded []int // columns with a Max
	for j := range p.Units {
		if p.max(j) > 0 {
			bounded = append(bounded, j)
		}
	}
	nb := len(bounded)
	cols := n + nb + m + 1 // y, z, slacks, right-hand side
	t := make([][]float64, m+1)
	for j, us := range p.Units {
		row := make([]float64, cols)
		for _, k := range us {
			row[k]++
		}
		row[n+nb+j] = 1
		row[cols-1] = p.Cost[j]
		t[j] = row
	}
	for i, j := range bounded {
		t[j][n+i] = -1
	}
	obj := make([]float64, cols) // reduced costs of the maximization
	for k, need := range p.Need {
		obj[k] = -float64(need)
	}
	for i, j := range bounded {
		obj[n+i] = float64(p.Max[j])
	}
	t[m] = obj
	basis := make([]int, m)
	for i := range basis {
		basis[i] = n + nb + i
	}
	const eps = 1e-9
	for iter := 0; iter < maxPivots; iter++ {
		// Entering column: most negative reduced cost (Dantzig), or the
		// first negative one (Bland) after many pivots.
		enter := -1
		for j := 0; j < cols-1; j++ {
			if obj[j] < -eps && (enter < 0 || (iter < blandAfter && obj[j] < obj[enter])) {
				enter = j
				if iter >= blandAfter {
					break
				}
			}
		}
		if enter < 0 {
			break
		}
		leave, best := -1, math.Inf(1)
		for i := range m {
			if a := t[i][enter]; a > eps {
				if r := t[i][cols-1] / a; r < best-eps || (r < best+eps && leave >= 0 && basis[i] < basis[leave]) {
					leave, best = i, r
				}
			}
		}
		if leave < 0 {
			break // unbounded: a unit no column covers (callers check first)
		}
		pr := t[leave]
		piv := pr[enter]
		for j := range pr {
			pr[j] /= piv
		}
		for i := range t {
			if i == leave {
				continue
			}
			if f := t[i][enter]; f != 0 {
				row := t[i]
				for j, v := range pr {
					if v != 0 {
						row[j] -= f * v
					}
				}
			}
		}
		basis[leave] = enter
	}
	y = make([]float64, n)
	for i, b := range basis {
		if b < n {
			y[b] = max(0, t[i][cols-1])
		}
	}
	x = make([]float64, m)
	for j := range x {
		x[j] = max(0, obj[n+nb+j])
	}
	return y, x
}

// coverSolver holds a cover under construction: copies per column and
// agents per unit.
type coverSolver struct {
	p     CoverProblem
	count []int
	cov   []int
	order []int // columns, most expensive first
}

func newCoverSolver(p CoverProblem) *coverSolver {
	s := &coverSolver{p: p, count: make([]int, len(p.Units)), cov: make([]int, len(p.Need))}
	s.order = make([]int, len(p.Units))
	for i := range s.order {
		s.order[i] = i
	}
	sort.SliceStable(s.order, func(a, b int) bool { return p.Cost[s.order[a]] > p.Cost[s.order[b]] })
	return s
}

// room is how many more copies of column j may be added.
func (s *coverSolver) room(j int) int {
	if mx := s.p.max(j); mx > 0 {
		return mx - s.count[j]
	}
	return math.MaxInt32
}

func (s *coverSolver) add(j, n int) {
	s.count[j] += n
	for _, k := range s.p.Units[j] {
		s.cov[k] += n
	}
}

func (s *coverSolver) cost() float64 {
	c := 0.0
	for j, n := range s.count {
		c += float64(n) * s.p.Cost[j]
	}
	return c
}

// greedy adds, while some unit is short, the column covering the most
// short units per unit of cost (ties: the first column).
func (s *coverSolver) greedy() {
	for {
		best, bestScore := -1, 0.0
		for j, us := range s.p.Units {
			if s.room(j) <= 0 {
				continue
			}
			short := 0
			for _, k := range us {
				if s.cov[k] < s.p.Need[k] {
					short++
				}
			}
			if short == 0 {
				continue
			}
			if sc := float64(short) / s.p.Cost[j]; sc > bestScore+1e-12 {
				best, bestScore = j, sc
			}
		}
		if best < 0 {
			return
		}
		s.add(best, 1)
	}
}

// covered reports whether every unit of column j has its agents.
func (s *coverSolver) covered(j int) bool {
	for _, k := range s.p.Units[j] {
		if s.cov[k] < s.p.Need[k] {
			return false
		}
	}
	return true
}

// improve drops columns nobody needs (most expensive first) and replaces
// columns by cheaper ones that keep the cover, until nothing changes.
func (s *coverSolver) improve() {
	for changed := true; changed; {
		changed = false
		for _, j := range s.order {
			for s.count[j] > 0 {
				s.add(j, -1)
				if !s.covered(j) {
					s.add(j, 1)
					break
				}
				changed = true
			}
		}
		for _, j := range s.order {
			for s.count[j] > 0 {
				s.add(j, -1)
				bestQ := -1
				for q := range s.p.Units {
					if s.room(q) <= 0 || s.p.Cost[q] >= s.p.Cost[j]-1e-9 || (bestQ >= 0 && s.p.Cost[q] >= s.p.Cost[bestQ]) {
						continue
					}
					s.add(q, 1)
					if s.covered(j) {
						bestQ = q
					}
					s.add(q, -1)
				}
				if bestQ < 0 {
					s.add(j, 1)
					break
				}
				s.add(bestQ, 1)
				changed = true
			}
		}
	}
}

// dive rounds the LP solution x by diving: the columns used at 0.5 or more
// (at least the most used one) are fixed, the LP of the requirement they
// leave uncovered is solved again, and so on; the cover is then improved.
// It gives up (nil) after maxDives LP solves.
func dive(p CoverProblem, x []float64) *coverSolver {
	const maxDives = 60
	s := newCoverSolver(p)
	res := CoverProblem{Need: make([]int, len(p.Need)), Units: append([][]int(nil), p.Units...), Cost: p.Cost, Max: p.Max}
	if p.Max != nil {
		res.Max = make([]int, len(p.Max))
	}
	for dives := 0; ; dives++ {
		fixed := false
		best := -1
		for j, v := range x {
			if s.room(j) <= 0 || v <= 1e-9 {
				continue
			}
			if best < 0 || v > x[best] {
				best = j
			}
			if n := min(int(math.Floor(v+0.5)), s.room(j)); n > 0 {
				s.add(j, n)
				fixed = true
			}
		}
		if !fixed && best >= 0 {
			s.add(best, 1)
		}
		short := false
		for k, need := range p.Need {
			res.Need[k] = max(0, need-s.cov[k])
			short = short || res.Need[k] > 0
		}
		if !short {
			break
		}
		if best < 0 || dives >= maxDives {
			return nil
		}
		if p.Max != nil {
			for j := range res.Max {
				if p.Max[j] > 0 {
					if r := s.room(j); r > 0 {
						res.Max[j] = r
					} else {
						res.Units[j] = nil // used up
					}
				}
			}
		}
		_, x = coverDual(res)
	}
	s.improve()
	return s
}
