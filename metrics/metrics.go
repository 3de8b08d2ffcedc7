// Package metrics exports callsim's live figures in the Prometheus text
// format with the official Go client (github.com/prometheus/client_golang):
// a load run's calls (Load, a loadgen.Observer: fed once per call by the
// load generator's collector, never per message), the embedded SIP
// center's queues and agents (Center, read from its statistics at each
// scrape), and an HTTP server for /metrics (Serve).
//
// Names follow Prometheus conventions: a callsim_ prefix, base units
// (seconds), counters ending in _total, labels for the outcome, the final
// status code, the queue and the group. Every name is listed in Names, so
// that dashboards can be checked against it.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callsim/callsim/loadgen"
)

// Metric names of a load run.
const (
	CallsStarted       = "callsim_calls_started_total"
	CallsEnded         = "callsim_calls_ended_total"
	CallsFinalStatus   = "callsim_calls_final_status_total"
	CallsDropped       = "callsim_calls_dropped_total"
	CallsLate          = "callsim_calls_late_total"
	CallsInProgress    = "callsim_calls_in_progress"
	TargetRate         = "callsim_target_calls_per_second"
	TargetConcurrent   = "callsim_target_concurrent_calls"
	SetupDelay         = "callsim_setup_delay_seconds"
	AnswerDelay        = "callsim_answer_delay_seconds"
	DisconnectDelay    = "callsim_disconnect_delay_seconds"
	SessionDuration    = "callsim_session_duration_seconds"
	CallMOS            = "callsim_call_mos"
	CallsBelowMOS      = "callsim_calls_below_mos_total"
	RTPPacketsLost     = "callsim_rtp_packets_lost_total"
	RTPPacketsReceived = "callsim_rtp_packets_received_total"
)

// DelayBuckets are the upper bounds (seconds) of the delay histograms:
// from half a millisecond (loopback) to 30 s (past Timer B's 32 s the
// call has timed out).
var DelayBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// DurationBuckets bound the session duration histogram (seconds).
var DurationBuckets = []float64{0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}

// MOSBuckets bound the MOS histogram (ITU-T G.107 scale 1 to 4.5).
var MOSBuckets = []float64{1, 2, 2.5, 3, 3.5, 3.6, 3.8, 4, 4.1, 4.2, 4.3, 4.4, 4.5}

var outcomes = []loadgen.Outcome{loadgen.OutcomeCompleted, loadgen.OutcomeFailed, loadgen.OutcomeAbandoned, loadgen.OutcomeTimedOut, loadgen.OutcomeTransportError}

// Load holds a load run's metrics; it is a loadgen.Observer. Several runs
// in turn (the steps of a capacity search) may feed one Load: the counters
// go on rising, as Prometheus counters must.
type Load struct {
	started, dropped, late prometheus.Counter
	ended                  map[loadgen.Outcome]prometheus.Counter
	finalStatus            *prometheus.CounterVec
	codes                  sync.Map // int -> prometheus.Counter, resolved once per code
	inProgress             prometheus.Gauge
	targetRate, targetConc prometheus.Gauge
	srd, answer, sdd, dur  prometheus.Histogram
	mos                    prometheus.Histogram
	belowMOS, lost, recv   prometheus.Counter
	mosThreshold           float64
}

// NewLoad registers a load run's metrics with reg. mosThreshold is the
// MOS below which a call counts as poor (0: loadgen's default).
func NewLoad(reg prometheus.Registerer, mosThreshold float64) (*Load, error) {
	if mosThreshold == 0 {
		mosThreshold = loadgen.DefaultMOSThreshold
	}
	l := &Load{mosThreshold: mosThreshold, ended: map[loadgen.Outcome]prometheus.Counter{}}
	l.started = prometheus.NewCounter(prometheus.CounterOpts{Name: CallsStarted, Help: "Calls that sent their INVITE (attempted)."})
	l.dropped = prometheus.NewCounter(prometheus.CounterOpts{Name: CallsDropped, Help: "Calls due while the in-flight cap was reached, never started."})
	l.late = prometheus.NewCounter(prometheus.CounterOpts{Name: CallsLate, Help: "Calls started later than the late tolerance after their intended start."})
	endedVec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: CallsEnded, Help: "Calls ended, by their one outcome: completed, failed, abandoned, timed_out, transport_error."}, []string{"outcome"})
	for _, o := range outcomes {
		l.ended[o] = endedVec.WithLabelValues(string(o))
	}
	l.finalStatus = prometheus.NewCounterVec(prometheus.CounterOpts{Name: CallsFinalStatus, Help: "Calls ended with a final response to their INVITE, by its status code."}, []string{"code"})
	l.inProgress = prometheus.NewGauge(prometheus.GaugeOpts{Name: CallsInProgress, Help: "Calls started and not ended."})
	l.targetRate = prometheus.NewGauge(prometheus.GaugeOpts{Name: TargetRate, Help: "The open workload's target rate now (calls per second); 0 for a closed workload."})
	l.targetConc = prometheus.NewGauge(prometheus.GaugeOpts{Name: TargetConcurrent, Help: "The closed workload's callers (calls held at once); 0 for an open workload."})
	l.srd = prometheus.NewHistogram(prometheus.HistogramOpts{Name: SetupDelay, Help: "Session request delay (RFC 6076 SRD): intended start to the first 18x or 2xx.", Buckets: DelayBuckets})
	l.answer = prometheus.NewHistogram(prometheus.HistogramOpts{Name: AnswerDelay, Help: "Intended start to the 200 OK of answered calls.", Buckets: DelayBuckets})
	l.sdd = prometheus.NewHistogram(prometheus.HistogramOpts{Name: DisconnectDelay, Help: "Session disconnect delay (RFC 6076 SDD): our BYE to its final response.", Buckets: DelayBuckets})
	l.dur = prometheus.NewHistogram(prometheus.HistogramOpts{Name: SessionDuration, Help: "Answer to hang-up of completed calls.", Buckets: DurationBuckets})
	l.mos = prometheus.NewHistogram(prometheus.HistogramOpts{Name: CallMOS, Help: "Estimated MOS (ITU-T G.107 E-model) of answered calls with media.", Buckets: MOSBuckets})
	l.belowMOS = prometheus.NewCounter(prometheus.CounterOpts{Name: CallsBelowMOS, Help: "Answered calls with media whose estimated MOS is below the MOS threshold (or that received none)."})
	l.lost = prometheus.NewCounter(prometheus.CounterOpts{Name: RTPPacketsLost, Help: "RTP packets lost on the far end's streams (RFC 3550 A.3)."})
	l.recv = prometheus.NewCounter(prometheus.CounterOpts{Name: RTPPacketsReceived, Help: "RTP packets received from the far end."})
	for _, c := range []prometheus.Collector{l.started, l.dropped, l.late, endedVec, l.finalStatus, l.inProgress, l.targetRate, l.targetConc,
		l.srd, l.answer, l.sdd, l.dur, l.mos, l.belowMOS, l.lost, l.recv} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return l, nil
}

// SetTarget sets the target rate and callers gauges (a capacity step, or
// a run's workload).
func (l *Load) SetTarget(rate float64, concurrent int) {
	l.targetRate.Set(rate)
	l.targetConc.Set(float64(concurrent))
}

// CallStarted implements loadgen.Observer.
func (l *Load) CallStarted(_ time.Time, late bool, _ int64) {
	l.started.Inc()
	l.inProgress.Inc()
	if late {
		l.late.Inc()
	}
}

// CallDropped implements loadgen.Observer.
func (l *Load) CallDropped(time.Time) { l.dropped.Inc() }

func (l *Load) code(c int) prometheus.Counter {
	if v, ok := l.codes.Load(c); ok {
		return v.(prometheus.Counter)
	}
	v, _ := l.codes.LoadOrStore(c, l.finalStatus.WithLabelValues(strconv.Itoa(c)))
	return v.(prometheus.Counter)
}

// CallEnded implements loadgen.Observer.
func (l *Load) CallEnded(c *loadgen.EndedCall, _ int64) {
	l.inProgress.Dec()
	if ctr, ok := l.ended[c.Outcome]; ok {
		ctr.Inc()
	}
	if c.FinalStatus > 0 {
		l.code(c.FinalStatus).Inc()
	}
	if c.SRD > 0 {
		l.srd.Observe(c.SRD.Seconds())
	}
	if c.AnswerDelay > 0 {
		l.answer.Observe(c.AnswerDelay.Seconds())
	}
	if c.SDD > 0 {
		l.sdd.Observe(c.SDD.Seconds())
	}
	if c.Outcome == loadgen.OutcomeCompleted {
		l.dur.Observe(c.Duration.Seconds())
	}
	if m := c.Media; m != nil {
		if m.MOS > 0 {
			l.mos.Observe(m.MOS)
		}
		if m.MOS == 0 || m.MOS < l.mosThreshold {
			l.belowMOS.Inc()
		}
		l.lost.Add(float64(m.Lost))
		l.recv.Add(float64(m.Received))
	}
}

// Server serves /metrics over HTTP.
type Server struct {
	Registry *prometheus.Registry
	ln       net.Listener
	srv      *http.Server
	done     chan struct{}
}

// Serve listens on addr (HOST:PORT; port 0 picks a free one) and serves
// the registry's metrics at /metrics until Close. The Go runtime's and the
// process's own metrics (go_*, process_*) are included.
func Serve(addr string) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("metrics address %q: want HOST:PORT, e.g. 127.0.0.1:9464: %w", addr, err)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		return nil, fmt.Errorf("metrics address %q: host %q must be an IP address (or empty for every interface)", addr, host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	s := &Server{Registry: reg, ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the address served (with the port chosen for port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server, waiting at most until ctx ends for scrapes in
// progress.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	<-s.done
	if errors.Is(err, context.DeadlineExceeded) {
		_ = s.srv.Close()
		return nil
	}
	return err
}
