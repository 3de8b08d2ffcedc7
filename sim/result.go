package sim

// Result is the outcome of a simulation: KPIs for the whole center, per
// queue, per group and per interval of the day. Every rate or mean has its
// 95% confidence half-width in the field of the same name ending in _ci95.
// Counts (offered, answered, ...) are means per replication, that is per
// simulated horizon less the warm-up; in Intervals they are means per
// occurrence of that interval of the day.
type Result struct {
	Scenario        string  `json:"scenario"`
	Seed            uint64  `json:"seed"`
	Replications    int     `json:"replications"`
	HorizonSeconds  float64 `json:"horizon_seconds"`
	WarmupSeconds   float64 `json:"warmup_seconds"`
	IntervalSeconds float64 `json:"interval_seconds"`
	// CIMethod is "replications" (Student t over replications) or
	// "batch_means" (one replication cut into CIObservations batches).
	CIMethod       string `json:"ci_method"`
	CIObservations int    `json:"ci_observations"`
	// Interrupted is set when the run was stopped before every replication
	// finished; the figures then come from the replications that did.
	Interrupted bool `json:"interrupted"`

	KPIs      KPIs             `json:"kpis"`
	Queues    []QueueResult    `json:"queues"`
	Groups    []GroupResult    `json:"groups"`
	Intervals []IntervalResult `json:"intervals"`
	Cost      Cost             `json:"cost"`
	// Observations are the units the confidence intervals come from (one
	// per replication, or per batch), for paired comparisons of variants.
	Observations []Observation `json:"observations"`
	Run          RunInfo       `json:"run"`
}

// Observation summarises one replication (or batch).
type Observation struct {
	ServiceLevel float64 `json:"service_level"`
	ASASeconds   float64 `json:"asa_seconds"`
	AbandonRate  float64 `json:"abandon_rate"`
	Occupancy    float64 `json:"occupancy"`
	Resolution   float64 `json:"resolution_rate"`
	CostPerMonth float64 `json:"cost_per_month"`
	CostPerCall  float64 `json:"cost_per_offered_call"`
}

// CallKPIs are the caller's side of the KPIs.
type CallKPIs struct {
	Offered           float64 `json:"offered"`
	OfferedCI95       float64 `json:"offered_ci95"`
	Answered          float64 `json:"answered"`
	AnsweredCI95      float64 `json:"answered_ci95"`
	Abandoned         float64 `json:"abandoned"`
	AbandonedCI95     float64 `json:"abandoned_ci95"`
	ServiceLevel      float64 `json:"service_level"`
	ServiceLevelCI95  float64 `json:"service_level_ci95"`
	ASASeconds        float64 `json:"asa_seconds"`
	ASASecondsCI95    float64 `json:"asa_seconds_ci95"`
	AbandonRate       float64 `json:"abandon_rate"`
	AbandonRateCI95   float64 `json:"abandon_rate_ci95"`
	PWait             float64 `json:"p_wait"`
	PWaitCI95         float64 `json:"p_wait_ci95"`
	MeanWaitSeconds   float64 `json:"mean_wait_seconds"`
	MeanWaitCI95      float64 `json:"mean_wait_seconds_ci95"`
	MeanQueueLength   float64 `json:"mean_queue_length"`
	MeanQueueLenCI95  float64 `json:"mean_queue_length_ci95"`
	MaxQueueLength    int     `json:"max_queue_length"`
	MeanHandleSeconds float64 `json:"mean_handle_seconds"`
	MeanHandleCI95    float64 `json:"mean_handle_seconds_ci95"`
	WaitingAtEnd      float64 `json:"waiting_at_end"`
	// Resolved: answered calls resolved at that contact; ResolutionRate =
	// resolved / answered. RepeatCalls: offered calls that were unresolved
	// callers calling again.
	Resolved           float64 `json:"resolved"`
	ResolutionRate     float64 `json:"resolution_rate"`
	ResolutionRateCI95 float64 `json:"resolution_rate_ci95"`
	RepeatCalls        float64 `json:"repeat_calls"`
	RepeatCallsCI95    float64 `json:"repeat_calls_ci95"`
	// Redials: offered calls from callers who had abandoned; TransfersIn:
	// offered calls handed on from another queue; TransferredOut: answered
	// calls handed on to another queue; SelfServed: callers served by the
	// IVR (not offered, not in the other counts).
	Redials        float64 `json:"redials"`
	TransfersIn    float64 `json:"transfers_in"`
	TransferredOut float64 `json:"transferred_out"`
	SelfServed     float64 `json:"self_served"`
	// Closed: calls that arrived outside the queue's opening hours (not
	// offered).
	Closed float64 `json:"closed"`
}

// AgentKPIs are the agents' side of the KPIs.
type AgentKPIs struct {
	// Agents is the peak scheduled (paid) headcount; StaffedAgents the
	// average number of agents available for calls (after breaks,
	// shrinkage and outages) over the period.
	Agents            int     `json:"agents"`
	StaffedAgents     float64 `json:"staffed_agents"`
	Occupancy         float64 `json:"occupancy"`
	OccupancyCI95     float64 `json:"occupancy_ci95"`
	Handled           float64 `json:"handled"`
	HandledCI95       float64 `json:"handled_ci95"`
	CallsPerAgentHour float64 `json:"calls_per_agent_hour"`
	CallsPerAgentCI95 float64 `json:"calls_per_agent_hour_ci95"`
	// HandledMinutes: talk plus wrap-up minutes of the calls handled.
	HandledMinutes float64 `json:"handled_minutes"`
}

// KPIs combine both sides, for the whole center or one interval.
type KPIs struct {
	CallKPIs
	AgentKPIs
}

// QueueResult holds the KPIs of one queue (call type).
type QueueResult struct {
	Name string `json:"name"`
	// Client names the other client whose calls these are, in a vendor's
	// shared funnel: simulated, but not in our KPIs, costs or verdicts;
	// empty for our queues.
	Client string `json:"client,omitempty"`
	CallKPIs
	TargetServiceLevel  float64 `json:"target_service_level"`
	TargetWithinSeconds float64 `json:"target_within_seconds"`
	// MeetsTarget: the service level's point estimate reaches the target;
	// a queue offered no calls does not meet it (nothing was measured).
	MeetsTarget bool `json:"meets_target"`
}

// MeetsTargets reports whether every queue of ours meets its service-level
// target (another client's queues do not count).
func (r *Result) MeetsTargets() bool {
	for _, q := range r.Queues {
		if q.Client == "" && !q.MeetsTarget {
			return false
		}
	}
	return true
}

// GroupResult holds the KPIs of one agent group.
type GroupResult struct {
	Name     string `json:"name"`
	Sourcing string `json:"sourcing,omitempty"`
	AgentKPIs
}

// IntervalResult holds the KPIs of one interval of the day, over every day
// of the measured window and every replication.
type IntervalResult struct {
	Start        string `json:"start"` // "09:30"
	StartSeconds int    `json:"start_seconds"`
	KPIs
	Queues []QueueInterval `json:"queues"`
	Groups []GroupResult   `json:"groups"`
}

// QueueInterval holds one queue's KPIs in one interval.
type QueueInterval struct {
	Name string `json:"name"`
	CallKPIs
}

// RunInfo describes the run itself; its timing fields are the only part of a
// Result that varies between runs with the same scenario and seed.
type RunInfo struct {
	CallsSimulated int64   `json:"calls_simulated"`
	Events         int64   `json:"events"`
	Workers        int     `json:"workers"`
	WallSeconds    float64 `json:"wall_seconds"`
	CallsPerSecond float64 `json:"calls_per_second"`
}
