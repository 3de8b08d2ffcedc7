package judge

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestBounds checks the Clopper-Pearson bounds against closed forms (x = 0:
// upper = 1 - α^(1/n); x = n: lower = α^(1/n)) and against their
// definition through the binomial distribution: P(Bin(n, lower) >= x) = α
// and P(Bin(n, upper) <= x) = α.
func TestBounds(t *testing.T) {
	const c = 0.95
	if _, hi := Bounds(0, 300, c); math.Abs(hi-(1-math.Pow(0.05, 1.0/300))) > 1e-12 {
		t.Errorf("x=0 of 300: upper %v, want 1 - 0.05^(1/300)", hi)
	}
	if lo, hi := Bounds(300, 300, c); math.Abs(lo-math.Pow(0.05, 1.0/300)) > 1e-12 || hi != 1 {
		t.Errorf("300 of 300: lower %v upper %v", lo, hi)
	}
	for _, tt := range []struct{ x, n float64 }{{5, 10}, {37, 50}, {880, 1000}, {1, 400}} {
		lo, hi := Bounds(tt.x, tt.n, c)
		pge := 1 - distuv.Binomial{N: tt.n, P: lo}.CDF(tt.x-1)
		ple := distuv.Binomial{N: tt.n, P: hi}.CDF(tt.x)
		if math.Abs(pge-0.05) > 1e-9 || math.Abs(ple-0.05) > 1e-9 {
			t.Errorf("%v of %v: bounds [%v, %v]: P(X >= x | lower) = %v, P(X <= x | upper) = %v, want 0.05", tt.x, tt.n, lo, hi, pge, ple)
		}
	}
	if lo, hi := Bounds(5, 10, c); math.Abs(lo+hi-1) > 1e-12 {
		t.Errorf("5 of 10 not symmetric: %v %v", lo, hi)
	}
	if lo, hi := Bounds(0, 0, c); lo != 0 || hi != 1 {
		t.Errorf("no calls: %v %v", lo, hi)
	}
}

// TestBatchMeansExact: 20 batches of 10 calls, alternately all successes
// and all failures: S²(calls) = 0.25 x 200/199, S²(batch means) = 0.25 x
// 20/19, so VIF = 10 x (20/19) / (200/199). Calls alternating one by one
// have equal batch means: no inflation. Too few calls: not measured.
func TestBatchMeansExact(t *testing.T) {
	xs := make([]float64, 200)
	for i := range xs {
		if (i/10)%2 == 0 {
			xs[i] = 1
		}
	}
	want := 10 * (20.0 / 19) / (200.0 / 199)
	if b := BatchMeans(xs); b.Count != 20 || b.Size != 10 || math.Abs(b.VIF-want) > 1e-12 || b.Measured != b.VIF {
		t.Errorf("blocks: %+v, want VIF %v", b, want)
	}
	for i := range xs {
		xs[i] = float64(i % 2)
	}
	if b := BatchMeans(xs); b.VIF != 1 || b.Measured != 0 {
		t.Errorf("alternating: %+v", b)
	}
	if b := BatchMeans(xs[:49]); b.Count != 0 || b.VIF != 1 {
		t.Errorf("49 calls: %+v", b)
	}
	// 10 batches below 100 calls; the earliest calls left over are dropped.
	if b := BatchMeans(xs[:73]); b.Count != 10 || b.Size != 7 {
		t.Errorf("73 calls: %+v", b)
	}
}

// TestBatchMeansBlocks: calls in runs of L alike (each run a Bernoulli(0.7)
// draw) have a variance inflation of L. Batch means estimate it from 20
// batches, with a relative standard deviation of about sqrt(2/19) = 0.32
// per sequence; the mean over 200 sequences has 0.023, so it must be
// within 10% (more than 4 standard deviations) of L.
func TestBatchMeansBlocks(t *testing.T) {
	const L, n, seqs = 10, 20000, 200
	r := rand.New(rand.NewPCG(1, 2))
	sum := 0.0
	xs := make([]float64, n)
	for range seqs {
		for i := 0; i < n; i += L {
			v := 0.0
			if r.Float64() < 0.7 {
				v = 1
			}
			for j := i; j < i+L; j++ {
				xs[j] = v
			}
		}
		sum += BatchMeans(xs).Measured
	}
	if mean := sum / seqs; math.Abs(mean-L)/L > 0.10 {
		t.Errorf("mean measured VIF %.3f, want %d ± 10%%", mean, L)
	}
}

// spread returns n outcomes with k successes spread evenly, so that every
// batch holds the same share (no variance inflation).
func spread(k, n int) []bool {
	ok := make([]bool, n)
	for i := range k {
		ok[i*n/k] = true
	}
	return ok
}

// TestJudgeProportion: the three outcomes at exact bounds, and the calls
// needed to decide an inconclusive one.
func TestJudgeProportion(t *testing.T) {
	const c = 0.95
	for _, tt := range []struct {
		k, n    int
		claimed float64
		want    Outcome
	}{
		{900, 1000, 0.85, Pass},
		{800, 1000, 0.85, Fail},
		{860, 1000, 0.85, Inconclusive},
		{1000, 1000, 0.99, Pass},         // 0.05^(1/1000) = 0.99701
		{250, 250, 0.99, Inconclusive},   // 0.05^(1/250) = 0.98809
		{0, 0, 0.8, Inconclusive},        // nothing measured
		{100, 1000, 0.80, Fail},          // far below
		{594, 1000, 0.80, Fail},          // the 59.4% of a 15-agent center
		{159, 200, 0.80, Inconclusive},   // 79.5%: near the claim
		{4000, 5000, 0.80, Inconclusive}, // exactly the claim: no number of calls decides
	} {
		p := JudgeProportion(spread(tt.k, tt.n), tt.claimed, c)
		if p.Outcome != tt.want || p.VIF != 1 {
			t.Errorf("%d of %d against %v: %s (VIF %v), want %s; bounds [%v, %v]", tt.k, tt.n, tt.claimed, p.Outcome, p.VIF, tt.want, p.Lower, p.Upper)
			continue
		}
		if tt.n > 0 {
			lo, hi := Bounds(float64(tt.k), float64(tt.n), c)
			if math.Abs(p.Lower-lo) > 1e-12 || math.Abs(p.Upper-hi) > 1e-12 {
				t.Errorf("%d of %d: bounds [%v, %v], want [%v, %v]", tt.k, tt.n, p.Lower, p.Upper, lo, hi)
			}
		}
		if tt.want != Inconclusive {
			if p.CallsNeeded != 0 {
				t.Errorf("%d of %d: decided, but calls needed %d", tt.k, tt.n, p.CallsNeeded)
			}
			continue
		}
		share := float64(tt.k) / float64(max(tt.n, 1))
		if tt.n == 0 || share == tt.claimed {
			if p.CallsNeeded != -1 {
				t.Errorf("%d of %d: calls needed %d, want -1 (none decides)", tt.k, tt.n, p.CallsNeeded)
			}
			continue
		}
		// N decides and N-1 does not, at the same share.
		dec := func(N int) bool {
			lo, hi := Bounds(share*float64(N), float64(N), c)
			return lo >= tt.claimed || hi < tt.claimed
		}
		if N := p.CallsNeeded; N <= tt.n || !dec(N) || dec(N-1) {
			t.Errorf("%d of %d: calls needed %d does not decide exactly", tt.k, tt.n, N)
		}
	}
}

// TestInflationWidens: the same share from calls in runs of 10 alike is
// worth about a tenth of the calls, so a verdict i.i.d. calls would give
// becomes inconclusive.
func TestInflationWidens(t *testing.T) {
	const n = 1000
	ok := make([]bool, n)
	// 90% in runs of 10: 9 runs of successes, then one of failures.
	for i := range ok {
		ok[i] = (i/10)%10 != 9
	}
	p := JudgeProportion(ok, 0.87, 0.95)
	if p.VIF < 5 || p.Outcome != Inconclusive || p.EffectiveCalls > 200 {
		t.Errorf("runs of 10: %+v", p)
	}
	if q := JudgeProportion(spread(900, n), 0.87, 0.95); q.Outcome != Pass {
		t.Errorf("the same share spread evenly: %s", q.Outcome)
	}
}

// TestCoverage: when the true share is the claim, PASS must come out at
// most 1 - c of the time. 2,000 runs of 400 i.i.d. Bernoulli(0.8) calls
// against 80%: the exact binomial is conservative, so the pass rate is at
// most 5% plus 3 standard errors (sqrt(.05 x .95 / 2000) = 0.49%). With
// calls in runs of 8 alike (a strongly autocorrelated queue) the batch
// means must keep it there too; judged as independent calls it would pass
// about a quarter of the time.
func TestCoverage(t *testing.T) {
	const runs, n = 2000, 400
	r := rand.New(rand.NewPCG(7, 11))
	for _, run := range []int{1, 8} {
		pass := 0
		ok := make([]bool, n)
		for range runs {
			for i := 0; i < n; i += run {
				v := r.Float64() < 0.8
				for j := i; j < i+run && j < n; j++ {
					ok[j] = v
				}
			}
			if JudgeProportion(ok, 0.8, 0.95).Outcome == Pass {
				pass++
			}
		}
		if rate := float64(pass) / runs; rate > 0.05+3*0.0049 {
			t.Errorf("runs of %d alike: PASS %.1f%% of the time at the claim, want at most 5%%", run, 100*rate)
		} else {
			t.Logf("runs of %d alike: PASS %.2f%% of the time at the claim", run, 100*rate)
		}
	}
}

// TestJudgeQuantile: the order-statistic bounds bracket the percentile and
// decide exactly as the share within the claim does.
func TestJudgeQuantile(t *testing.T) {
	const n = 1000
	xs := make([]float64, n)
	r := rand.New(rand.NewPCG(3, 4))
	for i, k := range r.Perm(n) {
		xs[i] = float64(k + 1) // 1 .. 1000 ms in random order
	}
	for _, tt := range []struct {
		within float64
		want   Outcome
	}{{990, Pass}, {900, Fail}, {955, Inconclusive}} {
		q := JudgeQuantile(xs, 0.95, tt.within, "ms", 0.95)
		if q.Outcome != tt.want || q.Measured != 950 {
			t.Errorf("p95 within %v: %s (measured %v), want %s", tt.within, q.Outcome, q.Measured, tt.want)
		}
		if !(q.Lower <= q.Measured && q.Measured <= q.Upper) {
			t.Errorf("bounds [%v, %v] do not hold the measured %v", q.Lower, q.Upper, q.Measured)
		}
		// The bounds are order statistics at the ranks the share bounds
		// give: the upper rank is the first whose share clears p.
		ne := q.Share.EffectiveCalls
		lowerAt := func(k int) float64 { lo, _ := Bounds(float64(k)/n*ne, ne, 0.95); return lo }
		if k := q.UpperRank; lowerAt(k) < 0.95 || lowerAt(k-1) >= 0.95 || q.Upper != float64(k) {
			t.Errorf("upper rank %d (bound %v) is not the first clearing 95%%", k, q.Upper)
		}
		if (q.Upper <= tt.within) != (tt.want == Pass) || (q.Lower > tt.within) != (tt.want == Fail) {
			t.Errorf("within %v: bounds [%v, %v] disagree with %s", tt.within, q.Lower, q.Upper, q.Outcome)
		}
	}
}
