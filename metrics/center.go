package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/callsim/callsim/sipcenter"
)

// Metric names of the embedded SIP center.
const (
	CenterOffered      = "callsim_center_calls_offered_total"
	CenterAnswered     = "callsim_center_calls_answered_total"
	CenterAbandoned    = "callsim_center_calls_abandoned_total"
	CenterRejected     = "callsim_center_calls_rejected_total"
	CenterQueueLength  = "callsim_center_queue_length"
	CenterServiceLevel = "callsim_center_service_level_ratio"
	CenterASA          = "callsim_center_asa_seconds"
	CenterAgentsBusy   = "callsim_center_agents_busy"
	CenterAgents       = "callsim_center_agents_on_duty"
	CenterOccupancy    = "callsim_center_occupancy_ratio"
)

// Center exports the embedded SIP center's figures, read from its
// statistics at each scrape (nothing on the call path). Durations and the
// service level are in scenario time, as the center reports them.
type Center struct {
	stats                                                func() sipcenter.Stats
	offered, answered, abandoned, rejected               *prometheus.Desc
	queueLen, serviceLevel, asa, busy, agents, occupancy *prometheus.Desc
}

// NewCenter registers the center's metrics with reg; stats is called at
// each scrape (sipcenter.Server.Stats).
func NewCenter(reg prometheus.Registerer, stats func() sipcenter.Stats) error {
	q := []string{"queue"}
	c := &Center{stats: stats,
		offered:      prometheus.NewDesc(CenterOffered, "Calls admitted to the queue (transferred calls again in the queue they go to).", q, nil),
		answered:     prometheus.NewDesc(CenterAnswered, "Calls an agent answered.", q, nil),
		abandoned:    prometheus.NewDesc(CenterAbandoned, "Calls whose caller hung up while waiting.", q, nil),
		rejected:     prometheus.NewDesc(CenterRejected, "INVITEs refused with 503 for want of a trunk.", q, nil),
		queueLen:     prometheus.NewDesc(CenterQueueLength, "Callers waiting in the queue now.", q, nil),
		serviceLevel: prometheus.NewDesc(CenterServiceLevel, "Service level so far: calls answered within the queue's threshold / calls offered.", q, nil),
		asa:          prometheus.NewDesc(CenterASA, "Average speed of answer so far (mean wait of answered calls, scenario seconds).", q, nil),
		busy:         prometheus.NewDesc(CenterAgentsBusy, "Agents talking to a caller now (all groups).", nil, nil),
		agents:       prometheus.NewDesc(CenterAgents, "Agents on duty now.", []string{"group"}, nil),
		occupancy:    prometheus.NewDesc(CenterOccupancy, "Occupancy so far: agent time busy / agent time staffed.", []string{"group"}, nil),
	}
	return reg.Register(c)
}

// Describe implements prometheus.Collector.
func (c *Center) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.offered, c.answered, c.abandoned, c.rejected, c.queueLen, c.serviceLevel, c.asa, c.busy, c.agents, c.occupancy} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Center) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for _, q := range s.PerQueue {
		ch <- prometheus.MustNewConstMetric(c.offered, prometheus.CounterValue, float64(q.Offered), q.Name)
		ch <- prometheus.MustNewConstMetric(c.answered, prometheus.CounterValue, float64(q.Answered), q.Name)
		ch <- prometheus.MustNewConstMetric(c.abandoned, prometheus.CounterValue, float64(q.Abandoned), q.Name)
		ch <- prometheus.MustNewConstMetric(c.rejected, prometheus.CounterValue, float64(q.Rejected), q.Name)
		ch <- prometheus.MustNewConstMetric(c.queueLen, prometheus.GaugeValue, float64(q.Waiting), q.Name)
		ch <- prometheus.MustNewConstMetric(c.serviceLevel, prometheus.GaugeValue, q.ServiceLevel, q.Name)
		ch <- prometheus.MustNewConstMetric(c.asa, prometheus.GaugeValue, q.ASASeconds, q.Name)
	}
	ch <- prometheus.MustNewConstMetric(c.busy, prometheus.GaugeValue, float64(s.Talking))
	for _, g := range s.Groups {
		ch <- prometheus.MustNewConstMetric(c.agents, prometheus.GaugeValue, float64(g.Agents), g.Name)
		ch <- prometheus.MustNewConstMetric(c.occupancy, prometheus.GaugeValue, g.Occupancy, g.Name)
	}
}

// Names lists every metric callsim exports (histograms by their base name;
// Prometheus adds _bucket, _sum and _count).
func Names() []string {
	return []string{CallsStarted, CallsEnded, CallsFinalStatus, CallsDropped, CallsLate, CallsInProgress, TargetRate, TargetConcurrent,
		SetupDelay, AnswerDelay, DisconnectDelay, SessionDuration, CallMOS, CallsBelowMOS, RTPPacketsLost, RTPPacketsReceived,
		CenterOffered, CenterAnswered, CenterAbandoned, CenterRejected, CenterQueueLength, CenterServiceLevel, CenterASA,
		CenterAgentsBusy, CenterAgents, CenterOccupancy}
}
