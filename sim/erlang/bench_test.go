package erlang

import "testing"

// One Erlang A evaluation of a 5000-agent center at 1.2 and 2 times its
// capacity, patience 2 min, SL within 20 s.
func BenchmarkA5000Overload(b *testing.B) {
	for _, rho := range []float64{1.2, 2} {
		lambda := rho * 5000 / 300
		b.Run(map[float64]string{1.2: "rho=1.2", 2: "rho=2"}[rho], func(b *testing.B) {
			for b.Loop() {
				if _, err := A(lambda, 300, 120, 5000, 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkC5000(b *testing.B) {
	for b.Loop() {
		if _, err := C(4900.0/300, 300, 5000, 20); err != nil {
			b.Fatal(err)
		}
	}
}

// Staffing a 4800-erlang queue for 80/20 with at most 3% abandoned.
func BenchmarkStaffA4800(b *testing.B) {
	for b.Loop() {
		if _, err := StaffA(16, 300, 120, Target{ServiceLevel: 0.8, Within: 20, MaxAbandonRate: 0.03}); err != nil {
			b.Fatal(err)
		}
	}
}
