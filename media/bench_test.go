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
// ports=own gives each stream a socket; ports=shared puts the callers and
// the echoes on two schedulers' shared sockets (Scheduler.Share, as
// --rtp-mux does at both ends). cpu_us/packet is the process's user +
// system time per packet sent (callers' and echoes'):
//
//	go test -run '^$' -bench 'EchoStreams/ports=.*/streams=3000' -benchtime 3x ./media
func BenchmarkEchoStreams(b *testing.B) {
	for _, mode := range []string{"own", "shared"} {
		for _, n := range []int{100, 500, 1000, 2000, 3000} {
			b.Run(fmt.Sprintf("ports=%s/streams=%d", mode, n), func(b *testing.B) { echoStreams(b, n, mode == "shared") })
		}
	}
}

func echoStreams(b *testing.B, n int, shared bool) {
	ports, err := NewPorts(10000, 60000)
	if err != nil {
		b.Fatal(err)
	}
	var lost, expected, sent uint64
	var jitterSum float64
	var cpu time.Duration
	for range b.N {
		sc := NewScheduler(2 * runtime.GOMAXPROCS(0))
		esc := sc
		if shared {
			esc = NewScheduler(2 * runtime.GOMAXPROCS(0))
			if err := sc.Share(loopback, ports); err != nil {
				b.Fatal(err)
			}
			if err := esc.Share(loopback, ports); err != nil {
				b.Fatal(err)
			}
		}
		callers := make([]*Stream, 0, n)
		echoes := make([]*Stream, 0, n)
		for range n {
			var c, e *Stream
			if shared {
				var err error
				if c, err = sc.NewSharedStream(nil); err != nil {
					b.Fatal(err)
				}
				if e, err = esc.NewSharedStream(nil); err != nil {
					b.Fatal(err)
				}
				e.SetFarSSRC(c.SSRC())
			} else {
				ca, err := ports.Listen(loopback)
				if err != nil {
					b.Fatal(err)
				}
				cb, err := ports.Listen(loopback)
				if err != nil {
					b.Fatal(err)
				}
				c, e = NewStream(ca, nil, ports, sc), NewStream(cb, nil, ports, sc)
			}
			e.SetEcho(true)
			e.SetRemote(c.LocalAddr(), PCMU)
			c.SetRemote(e.LocalAddr(), PCMU)
			callers, echoes = append(callers, c), append(echoes, e)
		}
		cpu0 := cpuTime()
		for _, c := range callers {
			c.Expect(time.Now())
			c.Send()
		}
		time.Sleep(time.Second)
		for _, c := range callers {
			c.StopSending()
		}
		time.Sleep(100 * time.Millisecond)
		cpu += cpuTime() - cpu0
		for i, c := range callers {
			st := c.Close(0)
			lost += st.Lost
			expected += st.Expected
			jitterSum += st.JitterMs
			sent += st.Sent + echoes[i].Close(0).Sent
		}
		sc.Close()
		esc.Close()
	}
	b.ReportMetric(100*float64(lost)/float64(max(expected, 1)), "loss_%")
	b.ReportMetric(float64(cpu.Microseconds())/float64(max(sent, 1)), "cpu_us/packet")
	b.ReportMetric(jitterSum/float64(n*b.N), "jitter_ms")
	b.ReportMetric(float64(expected)/float64(b.N), "packets/op")
}
