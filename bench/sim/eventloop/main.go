// Command eventloop is the speed reference of the simulator: a minimal M/M/N+M
// event loop (arrivals, departures, abandonments on a 4-ary heap; no model, no
// statistics), the same as ../shared/bench/eventloop beside the repository.
// bench/sim/vs-eventloop.sh times it against callsim simulate on the same case.
//
// A minimal M/M/N+M event loop (arrivals, departures, abandonments on a 4-ary heap; no model, no statistics):
// the speed reference for the simulator. Usage: go run . AGENTS CALLS (load 0.95, AHT 300 s, patience 120 s).
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

type ev struct {
	t    float64
	kind uint8 // 0 arrival, 1 departure, 2 abandon
	id   int32
}
type evq []ev

func (q evq) Len() int { return len(q) }
func push(q *evq, e ev) {
	h := append(*q, e)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if h[p].t <= e.t {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
	*q = h
}
func pop(q *evq) ev {
	h := *q
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if h[k].t < h[m].t {
				m = k
			}
		}
		if h[m].t >= last.t {
			break
		}
		h[i] = h[m]
		i = m
	}
	if n > 0 {
		h[i] = last
	}
	*q = h
	return top
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: eventloop AGENTS CALLS")
		os.Exit(2)
	}
	N, err1 := strconv.Atoi(os.Args[1])
	calls, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || N < 1 || calls < 1 || calls > 1e9 {
		fmt.Fprintln(os.Stderr, "eventloop: AGENTS and CALLS: positive integers (CALLS at most 1e9)")
		os.Exit(2)
	}
	lam := float64(N) * 0.95 / 300.0 // AHT 300s, rho .95
	mu := 1 / 300.0
	theta := 1 / 120.0
	r := rand.New(rand.NewPCG(1, 2))
	q := &evq{}
	push(q, ev{r.ExpFloat64() / lam, 0, 0})
	busy := 0
	waiting := []int32{}
	arrT := make([]float64, 0, 1024)
	state := []uint8{} // 0 waiting 1 served 2 abandoned
	served, aband, within := 0, 0, 0
	next := int32(0)
	start := time.Now()
	events := 0
	head := 0
	for q.Len() > 0 {
		e := pop(q)
		events++
		switch e.kind {
		case 0:
			id := next
			next++
			arrT = append(arrT, e.t)
			state = append(state, 0)
			if int(next) < calls {
				push(q, ev{e.t + r.ExpFloat64()/lam, 0, 0})
			}
			if busy < N {
				busy++
				state[id] = 1
				served++
				within++
				push(q, ev{e.t + r.ExpFloat64()/mu, 1, id})
			} else {
				waiting = append(waiting, id)
				push(q, ev{e.t + r.ExpFloat64()/theta, 2, id})
			}
		case 1:
			busy--
			for head < len(waiting) {
				id := waiting[head]
				head++
				if state[id] == 0 {
					state[id] = 1
					busy++
					served++
					if e.t-arrT[id] <= 20 {
						within++
					}
					push(q, ev{e.t + r.ExpFloat64()/mu, 1, id})
					break
				}
			}
		case 2:
			if state[e.id] == 0 {
				state[e.id] = 2
				aband++
			}
		}
	}
	el := time.Since(start).Seconds()
	_ = math.Abs
	fmt.Printf("N=%d calls=%d events=%d %.2fs  %.2fM calls/s %.2fM ev/s  pAband=%.4f SL=%.4f\n", N, calls, events, el, float64(calls)/el/1e6, float64(events)/el/1e6, float64(aband)/float64(calls), float64(within)/float64(calls))
}
