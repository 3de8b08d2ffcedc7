package erlang_test

import (
	"fmt"

	"github.com/callsim/callsim/sim/erlang"
)

// 360 calls an hour of 5 minutes each (30 erlangs) on 32 agents, callers
// who never hang up.
func ExampleC() {
	r, err := erlang.C(360.0/3600, 300, 32, 20)
	if err != nil {
		panic(err)
	}
	fmt.Printf("P(wait) %.4f, SL %.4f, ASA %.2fs, occupancy %.4f\n", r.PWait, r.ServiceLevel, r.ASA, r.Occupancy)
	// Output: P(wait) 0.6302, SL 0.4484, ASA 94.53s, occupancy 0.9375
}

// The same center when callers hang up after 2 minutes on average.
func ExampleA() {
	r, err := erlang.A(360.0/3600, 300, 120, 32, 20)
	if err != nil {
		panic(err)
	}
	fmt.Printf("P(wait) %.4f, SL %.4f, ASA %.2fs, abandoned %.4f\n", r.PWait, r.ServiceLevel, r.ASA, r.AbandonRate)
	// Output: P(wait) 0.3059, SL 0.8240, ASA 6.23s, abandoned 0.0585
}

// Minimum agents for 80% answered within 20 s with at most 5% abandoned.
func ExampleStaffA() {
	r, err := erlang.StaffA(360.0/3600, 300, 120, erlang.Target{ServiceLevel: 0.8, Within: 20, MaxAbandonRate: 0.05})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d agents: SL %.4f, abandoned %.4f\n", r.Agents, r.ServiceLevel, r.AbandonRate)
	// Output: 33 agents: SL 0.8599, abandoned 0.0463
}

// Minimum agents for 80/20 when callers never abandon.
func ExampleStaffC() {
	r, err := erlang.StaffC(360.0/3600, 300, erlang.Target{ServiceLevel: 0.8, Within: 20})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d agents: SL %.4f\n", r.Agents, r.ServiceLevel)
	// Output: 36 agents: SL 0.8580
}

// Trunks for 18 erlangs with at most 1% of calls blocked.
func ExampleStaffB() {
	r, err := erlang.StaffB(18, 0.01)
	if err != nil {
		panic(err)
	}
	b, _ := erlang.B(18, r.Trunks-1)
	fmt.Printf("%d trunks block %.4f; %d would block %.4f\n", r.Trunks, r.Blocking, r.Trunks-1, b)
	// Output: 28 trunks block 0.0071; 27 would block 0.0111
}
