package dist

import "math/rand/v2"

// Purpose names what a stream draws. Each queue has one stream per purpose,
// so that a change in one part of a scenario does not shift the random
// numbers of another (common random numbers).
type Purpose uint64

// Stream purposes.
const (
	Arrivals Purpose = iota + 1
	Handle
	Wrap
	Patience
	Resolve
	Repeat
	Redial
	IVR
	Transfer
	Busy
)

// splitmix64 is a fast, well-mixing hash used to derive stream seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// NewStream returns the PCG stream for one purpose of one queue (index) in
// one replication.
func NewStream(seed uint64, rep int, purpose Purpose, index int) *rand.Rand {
	a := splitmix64(seed ^ splitmix64(uint64(rep)+0x51ed27))
	b := splitmix64(uint64(purpose)<<32 ^ uint64(index) ^ splitmix64(a))
	return rand.New(rand.NewPCG(a, b))
}
