package loadgen_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/metrics"
)

// BenchmarkCallsLoopback places b.N calls (INVITE, 200, ACK, BYE, 200; no
// hold) at an in-process sipgo UAS on loopback with 64 callers (closed
// model), over UDP with 1, 2 and 4 local sockets and over TCP. It reports
// calls/s and the allocations of a whole call, both sides included (the UAS
// is sipgo's, so its share is the same in every case). Profile with:
// go test -run '^$' -bench CallsLoopback/udp/sockets=2 -cpuprofile cpu.out ./loadgen
func BenchmarkCallsLoopback(b *testing.B) {
	for _, c := range []struct {
		tp      string
		sockets int
		metrics bool // the Prometheus metrics fed from the collector (--metrics-addr)
	}{
		{"udp", 1, false}, {"udp", 2, false}, {"udp", 2, true}, {"udp", 4, false}, {"tcp", 1, false},
	} {
		name := fmt.Sprintf("%s/sockets=%d", c.tp, c.sockets)
		if c.metrics {
			name += "/metrics"
		}
		b.Run(name, func(b *testing.B) {
			uas := startTestUAS(b, c.tp, nil, nil)
			cfg := loadgen.Config{
				Target:      fmt.Sprintf("sip:service@127.0.0.1:%d;transport=%s", uas.Port, c.tp),
				Concurrency: 64,
				MaxCalls:    uint64(b.N),
				Duration:    2 * time.Minute,
				Sockets:     c.sockets,
				Grace:       time.Second,
				NoMedia:     true,
			}
			if c.metrics {
				l, err := metrics.NewLoad(prometheus.NewRegistry(), 0)
				if err != nil {
					b.Fatal(err)
				}
				cfg.Observer = l
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			b.ReportAllocs()
			b.ResetTimer()
			r, err := loadgen.Run(ctx, cfg)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if r.Completed != uint64(b.N) {
				b.Fatalf("%d calls, %d completed: %s", b.N, r.Completed, summary(r))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}
