package wfm

import "math"

// lpDualBound maximizes Σ need·y subject to, for every pattern, the sum of
// y over its units at most its cost, and y ≥ 0: the dual of the covering
// LP, whose optimum equals the LP relaxation's. It runs the primal simplex
// method on this dual from y = 0 (feasible, since costs are positive), so
// every iterate is dual feasible and a valid bound; it stops at the
// optimum or after a cap of pivots. The returned y is made exactly feasible
// by scaling, so rounding errors cannot make the bound invalid.
//
// It also returns the covering LP's primal solution (x per pattern), read
// from the reduced costs of the slack columns, for rounding.
func lpDualBound(need []int, pats []pattern) (y, x []float64) {
	n := len(need)    // variables y_k
	m := len(pats)    // constraints
	cols := n + m + 1 // y, slacks, right-hand side
	t := make([][]float64, m+1)
	for i, p := range pats {
		row := make([]float64, cols)
		for _, k := range p.units {
			row[k] += 1
		}
		row[n+i] = 1
		row[cols-1] = p.cost
		t[i] = row
	}
	obj := make([]float64, cols) // reduced costs of the maximization: -need
	for k := range need {
		obj[k] = -float64(need[k])
	}
	t[m] = obj
	basis := make([]int, m)
	for i := range basis {
		basis[i] = n + i
	}
	const eps = 1e-9
	for iter := 0; iter < 20000; iter++ {
		// Entering column: most negative reduced cost (Bland's rule after
		// many pivots, against cycling).
		enter := -1
		for j := 0; j < cols-1; j++ {
			if obj[j] < -eps && (enter < 0 || (iter < 5000 && obj[j] < obj[enter])) {
				enter = j
				if iter >= 5000 {
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
			break // unbounded cannot happen with positive costs; stop safely
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
				for j := range row {
					row[j] -= f * pr[j]
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
	for i := range x {
		x[i] = max(0, obj[n+i])
	}
	return y, x
}
