package wfm

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// weekCover is a covering problem over a week of half hours (336 units):
// a daytime peak, weekends at half the weekday level, shifts of 6 h and 8 h
// (with a half-hour break in the middle) starting every half hour, worked
// on weekdays, at weekends or every day. days < 7 gives that many days.
func weekCover(days int) CoverProblem {
	const perDay = 48
	n := days * perDay
	var p CoverProblem
	p.Need = make([]int, n)
	for k := range p.Need {
		s, d := k%perDay, k/perDay
		f := 1.0
		if d >= 5 {
			f = 0.5
		}
		p.Need[k] = int(math.Round(f * (2 + 20*math.Exp(-math.Pow(float64(s-22)/8, 2)))))
	}
	sets := [][7]bool{{true, true, true, true, true}, {5: true, 6: true}, {true, true, true, true, true, true, true}}
	if days < 7 {
		sets = [][7]bool{{true, true, true, true, true, true, true}}
	}
	for st := 0; st < perDay; st++ {
		for _, l := range []int{12, 16} {
			for _, ds := range sets {
				var us []int
				for d := 0; d < days; d++ {
					if !ds[d] {
						continue
					}
					for o := 0; o < l; o++ {
						if o == l/2 {
							continue // the break
						}
						us = append(us, (d*perDay+st+o)%n)
					}
				}
				p.Units = append(p.Units, us)
				p.Cost = append(p.Cost, float64(l)/2*float64(len(us))/float64(l-1))
			}
		}
	}
	return p
}

func randomCover(r *rand.Rand, n, m int, bounded bool) CoverProblem {
	p := CoverProblem{Need: make([]int, n)}
	for k := range p.Need {
		p.Need[k] = r.IntN(6)
	}
	for j := 0; j < m; j++ {
		var us []int
		start, l := r.IntN(n), 1+r.IntN(n/2)
		for o := 0; o < l; o++ {
			us = append(us, (start+o)%n)
		}
		p.Units = append(p.Units, us)
		p.Cost = append(p.Cost, float64(l)*(0.8+0.4*r.Float64()))
		if bounded {
			p.Max = append(p.Max, 2+r.IntN(4))
		}
	}
	// Every unit covered by some unbounded single-unit column, so that
	// the problem is feasible whatever the bounds.
	for k := 0; k < n; k++ {
		p.Units = append(p.Units, []int{k})
		p.Cost = append(p.Cost, 1.5)
		if bounded {
			p.Max = append(p.Max, 0)
		}
	}
	return p
}

// gonumCoverLP solves the covering LP with gonum's simplex: min cost·x,
// A x − s = need, x + t = Max for bounded columns, x, s, t ≥ 0.
func gonumCoverLP(p CoverProblem) (float64, error) {
	n, m := len(p.Need), len(p.Units)
	var bounded []int
	for j := range p.Units {
		if p.max(j) > 0 {
			bounded = append(bounded, j)
		}
	}
	rows, cols := n+len(bounded), m+n+len(bounded)
	A := mat.NewDense(rows, cols, nil)
	b := make([]float64, rows)
	c := make([]float64, cols)
	for j, us := range p.Units {
		for _, k := range us {
			A.Set(k, j, A.At(k, j)+1)
		}
		c[j] = p.Cost[j]
	}
	for k := 0; k < n; k++ {
		A.Set(k, m+k, -1)
		b[k] = float64(p.Need[k])
	}
	for i, j := range bounded {
		A.Set(n+i, j, 1)
		A.Set(n+i, m+n+i, 1)
		b[n+i] = float64(p.Max[j])
	}
	f, _, err := lp.Simplex(c, A, b, 1e-10, nil)
	return f, err
}

// TestCoverLPAgainstGonum: the LP bound SolveCover reports is the LP
// relaxation's optimum, as gonum's simplex finds it independently, on
// random problems (with and without bounds on the columns) and on a day
// of half hours.
func TestCoverLPAgainstGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	probs := []CoverProblem{weekCover(1)}
	for i := 0; i < 12; i++ {
		probs = append(probs, randomCover(r, 12+r.IntN(20), 10+r.IntN(30), i%2 == 1))
	}
	for i, p := range probs {
		want, err := gonumCoverLP(p)
		if err != nil {
			t.Logf("problem %d: gonum: %v", i, err)
			continue
		}
		c, err := SolveCover(p)
		if err != nil {
			t.Fatalf("problem %d: %v", i, err)
		}
		if math.Abs(c.LowerBound-want) > 1e-6*math.Max(1, want) {
			t.Errorf("problem %d: LP bound %.6f, gonum's LP optimum %.6f", i, c.LowerBound, want)
		}
		lpCost := 0.0
		for j, x := range c.LP {
			lpCost += x * p.Cost[j]
		}
		if math.Abs(lpCost-want) > 1e-6*math.Max(1, want) {
			t.Errorf("problem %d: LP primal costs %.6f, gonum's optimum %.6f", i, lpCost, want)
		}
		if c.Cost < c.LowerBound-1e-9 {
			t.Errorf("problem %d: cover %.3f below the bound %.3f", i, c.Cost, c.LowerBound)
		}
	}
}

func TestSolveCover(t *testing.T) {
	t.Run("week", func(t *testing.T) {
		p := weekCover(7)
		c, err := SolveCover(p)
		if err != nil {
			t.Fatal(err)
		}
		for k, need := range p.Need {
			if c.Coverage[k] < need {
				t.Fatalf("unit %d: %d of %d", k, c.Coverage[k], need)
			}
		}
		gap := c.Cost/c.LowerBound - 1
		if gap < 0 || gap > 0.06 {
			t.Errorf("cost %.1f, bound %.1f: gap %.2f%%", c.Cost, c.LowerBound, 100*gap)
		}
		t.Logf("week: cost %.1f, LP bound %.1f, gap %.2f%%", c.Cost, c.LowerBound, 100*gap)
	})
	t.Run("bounds respected", func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		p := randomCover(r, 30, 40, true)
		c, err := SolveCover(p)
		if err != nil {
			t.Fatal(err)
		}
		for j, n := range c.Count {
			if mx := p.max(j); mx > 0 && n > mx {
				t.Errorf("column %d used %d times, at most %d", j, n, mx)
			}
		}
	})
	t.Run("uncovered unit", func(t *testing.T) {
		_, err := SolveCover(CoverProblem{Need: []int{1, 2, 1}, Units: [][]int{{0, 1}}, Cost: []float64{2}})
		var ue *UncoveredError
		if !errors.As(err, &ue) || ue.Unit != 2 || !errors.Is(err, ErrCoverInfeasible) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bounds too few", func(t *testing.T) {
		_, err := SolveCover(CoverProblem{Need: []int{5}, Units: [][]int{{0}, {0}}, Cost: []float64{1, 1}, Max: []int{2, 2}})
		if !errors.Is(err, ErrCoverInfeasible) {
			t.Fatalf("err = %v", err)
		}
	})
	for _, tt := range []struct {
		name string
		p    CoverProblem
	}{
		{"zero cost", CoverProblem{Need: []int{1}, Units: [][]int{{0}}, Cost: []float64{0}}},
		{"unit out of range", CoverProblem{Need: []int{1}, Units: [][]int{{3}}, Cost: []float64{1}}},
		{"negative need", CoverProblem{Need: []int{-1}, Units: [][]int{{0}}, Cost: []float64{1}}},
		{"costs missing", CoverProblem{Need: []int{1}, Units: [][]int{{0}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := SolveCover(tt.p); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// BenchmarkCoverLP solves the LP relaxation of a day's and a week's cover
// of half hours with SolveCover's simplex and with gonum's: the week is
// the problem callsim optimize solves for a shift catalogue.
func BenchmarkCoverLP(b *testing.B) {
	for _, size := range []struct {
		name string
		days int
	}{{"day", 1}, {"week", 7}} {
		p := weekCover(size.days)
		b.Run(size.name+"/callsim", func(b *testing.B) {
			for b.Loop() {
				coverDual(p)
			}
		})
		b.Run(size.name+"/gonum", func(b *testing.B) {
			for b.Loop() {
				if _, err := gonumCoverLP(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
