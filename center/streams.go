package center

import (
	"math"
	"math/rand/v2"

	"github.com/callsim/callsim/center/dist"
)

// Streams are the random streams of one run of a center: one PCG stream per
// queue and purpose (package dist), derived from the seed and the run's
// replication number, and the gamma day factors of queues with busyness.
// Two runs with the same seed and replication draw the same numbers for the
// same queue and purpose, whatever else differs (common random numbers).
type Streams struct {
	arrivals, handle, wrap, patience, resolve, repeat, redial, ivr, transfer []*rand.Rand
	// Busy holds per queue its day factors (nil without busyness).
	Busy [][]float64
}

// NewStreams returns the streams of replication rep of c with seed.
func NewStreams(c *Center, seed uint64, rep int) Streams {
	var s Streams
	days := int(math.Ceil(c.Horizon/Day)) + 1
	for i := range c.Queues {
		s.arrivals = append(s.arrivals, dist.NewStream(seed, rep, dist.Arrivals, i))
		s.handle = append(s.handle, dist.NewStream(seed, rep, dist.Handle, i))
		s.wrap = append(s.wrap, dist.NewStream(seed, rep, dist.Wrap, i))
		s.patience = append(s.patience, dist.NewStream(seed, rep, dist.Patience, i))
		s.resolve = append(s.resolve, dist.NewStream(seed, rep, dist.Resolve, i))
		s.repeat = append(s.repeat, dist.NewStream(seed, rep, dist.Repeat, i))
		s.redial = append(s.redial, dist.NewStream(seed, rep, dist.Redial, i))
		s.ivr = append(s.ivr, dist.NewStream(seed, rep, dist.IVR, i))
		s.transfer = append(s.transfer, dist.NewStream(seed, rep, dist.Transfer, i))
		var busy []float64
		if a := &c.Queues[i].Arrivals; a.BusyCV > 0 {
			busy = a.BusyDays(dist.NewStream(seed, rep, dist.Busy, i), days)
		}
		s.Busy = append(s.Busy, busy)
	}
	return s
}

// NextArrival draws the next fresh arrival of queue q after now: a time at
// or past horizon when there is none before it. The queue's rate must be
// positive.
func (s *Streams) NextArrival(c *Center, q int, now, horizon float64) float64 {
	return c.Queues[q].Arrivals.Next(s.arrivals[q], now, horizon, s.Busy[q])
}

// SelfServed draws whether a caller of queue q (not a transferred call) is
// served by the IVR and never reaches an agent.
func (s *Streams) SelfServed(c *Center, q int) bool {
	p := c.Queues[q].SelfService
	return p > 0 && s.ivr[q].Float64() < p
}

// Needs are what a caller brings, drawn at arrival: talk and wrap-up time
// (seconds; the talk before the answering group's handle-time factor), the
// patience (+Inf: never abandons) and the uniform that decides whether the
// call is resolved (0 when no group of the queue leaves calls unresolved).
type Needs struct {
	Talk, Wrap, Patience, U float64
}

// Draw draws the needs of a call arriving at queue q.
func (s *Streams) Draw(c *Center, q int) Needs {
	cq := &c.Queues[q]
	n := Needs{Talk: cq.Handle.Sample(s.handle[q]), Patience: math.Inf(1)}
	if cq.HasWrap {
		n.Wrap = cq.Wrap.Sample(s.wrap[q])
	}
	if cq.HasPatience {
		n.Patience = cq.Patience.Sample(s.patience[q])
	}
	if cq.HasRepeat {
		n.U = s.resolve[q].Float64()
	}
	return n
}

// Answer decides, when an agent of group g answers a call of queue q with
// resolution uniform u, whether the agent transfers it (to the queue's
// TransferTo, after the talk and wrap-up) and whether it is resolved.
func (s *Streams) Answer(c *Center, q, g int, u float64) (transferred, resolved bool) {
	sk := g*len(c.Queues) + q
	transferred = c.Queues[q].HasTransfer && s.transfer[q].Float64() < c.Transfer[sk]
	resolved = !transferred && u < c.Resolve[sk]
	return
}

// Repeat draws whether an unresolved caller of queue q calls again, and
// after how long.
func (s *Streams) Repeat(c *Center, q int) (after float64, ok bool) {
	cq := &c.Queues[q]
	if !cq.HasRepeat || !(s.repeat[q].Float64() < cq.RepeatProb) {
		return 0, false
	}
	return cq.RepeatAfter.Sample(s.repeat[q]), true
}

// Redial draws whether a caller of queue q who abandoned calls again, and
// after how long.
func (s *Streams) Redial(c *Center, q int) (after float64, ok bool) {
	cq := &c.Queues[q]
	if !(cq.RedialProb > 0) || !(s.redial[q].Float64() < cq.RedialProb) {
		return 0, false
	}
	return cq.RedialAfter.Sample(s.redial[q]), true
}
