package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/callsim/callsim/capacity"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/metrics"
	"github.com/callsim/callsim/sipcenter"
)

const metricsHelp = "serve Prometheus metrics at http://HOST:PORT/metrics while running (e.g. 127.0.0.1:9464; port 0: a free one, printed)"

func addMetricsFlags(fl *pflag.FlagSet, addr *string, linger *time.Duration) {
	fl.StringVar(addr, "metrics-addr", "", metricsHelp)
	fl.DurationVar(linger, "metrics-linger", 0, "with --metrics-addr: keep serving this long after the run, so that a last scrape sees the final figures")
}

// metricsServer is the /metrics endpoint of one command; nil when
// --metrics-addr is not given (its methods are nil-safe).
type metricsServer struct {
	e      *env
	s      *metrics.Server
	linger time.Duration
	load   *metrics.Load
}

func startMetrics(e *env, addr string, linger time.Duration) (*metricsServer, error) {
	if addr == "" {
		if linger != 0 {
			return nil, usageError{fmt.Errorf("--metrics-linger needs --metrics-addr")}
		}
		return nil, nil
	}
	s, err := metrics.Serve(addr)
	if err != nil {
		return nil, usageError{err}
	}
	fmt.Fprintf(e.stderr, "metrics: serving http://%s/metrics\n", s.Addr())
	return &metricsServer{e: e, s: s, linger: linger}, nil
}

// loadObserver registers (once) and returns the load metrics.
func (m *metricsServer) loadObserver(cfg *loadgen.Config) loadgen.Observer {
	if m == nil {
		return nil
	}
	if m.load == nil {
		l, err := metrics.NewLoad(m.s.Registry, cfg.MOSThreshold)
		if err != nil {
			m.e.log.Warn("metrics", "error", err)
			return nil
		}
		m.load = l
	}
	m.load.SetTarget(cfg.Rate, cfg.Concurrency)
	return m.load
}

// capacityLevel sets the target gauges as a capacity step starts.
func (m *metricsServer) capacityLevel(kind capacity.Kind, level float64) {
	if m == nil || m.load == nil {
		return
	}
	if kind == capacity.Concurrent {
		m.load.SetTarget(0, int(level))
	} else {
		m.load.SetTarget(level, 0)
	}
}

// center exports an embedded center's figures.
func (m *metricsServer) center(stats func() sipcenter.Stats) {
	if m == nil {
		return
	}
	if err := metrics.NewCenter(m.s.Registry, stats); err != nil {
		m.e.log.Warn("metrics", "error", err)
	}
}

// close lingers (Ctrl-C cuts it short), then stops serving.
func (m *metricsServer) close() {
	if m == nil {
		return
	}
	if m.linger > 0 {
		t := time.NewTimer(m.linger)
		select {
		case <-t.C:
		case <-m.e.ctx.Done():
		}
		t.Stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = m.s.Close(ctx)
}
