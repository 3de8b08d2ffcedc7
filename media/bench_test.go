package media

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkEchoStreams runs N caller streams (50 packets/s each, one
// scheduler) against N echo streams on loopback for one second per
// iteration and reports the loss and jitter the callers measured:
//
//	go test -run '^$' -bench EchoStreams -benchtime 3x ./media
//
// Loss under 0.1% at N streams means this machine sustains N concurrent
// media calls (both ends in one process: 2N sockets, 100N packets/s sent).
// The scheduler has two wheels per core, as callsim load and target use.
func BenchmarkEchoStreams(b *testing.B) {
	for _, n := range []int{100, 500, 1000, 2000, 3000} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) {
			ports, err := NewPorts(10000, 60000)
			if err != nil {
				b.Fatal(err)
			}
			var lost, expected uint64
			var jitterSum float64
			for range b.N {
				sc := NewScheduler(2 * runtime.GOMAXPROCS(0))
				callers := make([]*Stream, 0, n)
				echoes := make([]*Stream, 0, n)
				for range n {
					ca, err := ports.Listen(loopback)
					if err != nil {
						b.Fatal(err)
					}
					cb, err := ports.Listen(loopback)
					if err != nil {
						b.Fatal(err)
					}
					c, e := NewStream(ca, nil, ports, sc), NewStream(cb, nil, ports, sc)
					e.SetEcho(true)
					c.SetRemote(e.LocalAddr(), PCMU)
					callers, echoes = append(callers, c), append(echoes, e)
				}
				for _, c := range callers {
					c.Expect(time.Now())
					c.Send()
				}
				time.Sleep(time.Second)
				for _, c := range callers {
					c.StopSending()
				}
				time.Sleep(100 * time.Millisecond)
				for i, c := range callers {
					st := c.Close(0)
					lost += st.Lost
					expected += st.Expected
					jitterSum += st.JitterMs
					echoes[i].Close(0)
				}
				sc.Close()
			}
			b.ReportMetric(100*float64(lost)/float64(max(expected, 1)), "loss_%")
			b.ReportMetric(jitterSum/float64(n*b.N), "jitter_ms")
			b.ReportMetric(float64(expected)/float64(b.N), "packets/op")
		})
	}
}
