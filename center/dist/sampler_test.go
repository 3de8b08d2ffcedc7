package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/callsim/callsim/scenarios"
)

func TestSamplers(t *testing.T) {
	tests := []struct {
		d        scenarios.Dist
		mean, sd float64
	}{
		{scenarios.Dist{Kind: scenarios.Constant, Mean: 42}, 42, 0},
		{scenarios.Dist{Kind: scenarios.Exponential, Mean: 300}, 300, 300},
		{scenarios.Dist{Kind: scenarios.Lognormal, Mean: 240, CV: 0.9}, 240, 216},
		{scenarios.Dist{Kind: scenarios.Gamma, Mean: 540, CV: 0.7}, 540, 378},
		{scenarios.Dist{Kind: scenarios.Gamma, Mean: 100, CV: 2}, 100, 200}, // shape < 1
		{scenarios.Dist{Kind: scenarios.Uniform, Min: 30, Max: 90, Mean: 60}, 60, 60 / math.Sqrt(12)},
		{scenarios.Dist{Kind: scenarios.Triangular, Min: 0, Mode: 60, Max: 300, Mean: 120}, 120, math.Sqrt((0 + 3600 + 90000 - 0 - 0 - 18000) / 18.0)},
		{scenarios.Dist{Kind: scenarios.Empirical, Values: []float64{10, 20, 60}, Mean: 30}, 30, math.Sqrt((400 + 100 + 900) / 3.0)},
	}
	const n = 400_000
	for _, tt := range tests {
		t.Run(string(tt.d.Kind), func(t *testing.T) {
			s := New(&tt.d)
			r := rand.New(rand.NewPCG(1, 2))
			var sum, sum2 float64
			for i := 0; i < n; i++ {
				x := s.Sample(r)
				if x < 0 || math.IsNaN(x) {
					t.Fatalf("sample %g", x)
				}
				sum += x
				sum2 += x * x
			}
			mean := sum / n
			sd := math.Sqrt(math.Max(sum2/n-mean*mean, 0))
			// 5 standard errors of the mean; the sd to within 3%.
			if tol := 5*tt.sd/math.Sqrt(n) + 1e-9; math.Abs(mean-tt.mean) > tol {
				t.Errorf("mean %g, want %g ± %g", mean, tt.mean, tol)
			}
			if math.Abs(sd-tt.sd) > 0.03*tt.sd+1e-6 {
				t.Errorf("sd %g, want %g", sd, tt.sd)
			}
		})
	}
}
