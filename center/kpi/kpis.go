package kpi

// A Ratio is a KPI defined as the ratio of two sums of a queue's (or the
// center's) figures. Every KPI of callsim is one of these, so that a point
// estimate (Of) and a ratio estimator over replications or batches (the
// simulator's confidence intervals) use the same definition.
type Ratio struct {
	Name     string
	Num, Den func(*Queue) float64
}

// Of is the KPI of q's sums (0 when the denominator is 0).
func (r Ratio) Of(q *Queue) float64 { return div(r.Num(q), r.Den(q)) }

// GroupRatio is a KPI defined as the ratio of two sums of a group's figures.
type GroupRatio struct {
	Name     string
	Num, Den func(*Group) float64
}

// Of is the KPI of g's sums (0 when the denominator is 0).
func (r GroupRatio) Of(g *Group) float64 { return div(r.Num(g), r.Den(g)) }

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// The KPIs, defined once.
var (
	// ServiceLevel = calls answered within the threshold / calls offered
	// (abandoned ones included).
	ServiceLevel = Ratio{"service_level", func(q *Queue) float64 { return q.Within }, offered}
	// ASA = mean wait of answered calls, zero waits included.
	ASA = Ratio{"asa_seconds", func(q *Queue) float64 { return q.WaitAnswered }, answered}
	// AbandonRate = abandoned / offered.
	AbandonRate = Ratio{"abandon_rate", func(q *Queue) float64 { return q.Abandoned }, offered}
	// PWait = offered calls that waited / offered.
	PWait = Ratio{"p_wait", func(q *Queue) float64 { return q.Queued }, offered}
	// MeanWait = mean wait of answered and abandoned calls over offered calls.
	MeanWait = Ratio{"mean_wait_seconds", func(q *Queue) float64 { return q.WaitAll }, offered}
	// MeanHandle = mean talk plus wrap-up of answered calls.
	MeanHandle = Ratio{"mean_handle_seconds", func(q *Queue) float64 { return q.Talk + q.Wrap }, answered}
	// ResolutionRate = answered calls resolved at that contact / answered.
	ResolutionRate = Ratio{"resolution_rate", func(q *Queue) float64 { return q.Resolved }, answered}

	// Occupancy = agent time busy with calls (talk + wrap-up) / agent time
	// staffed.
	Occupancy = GroupRatio{"occupancy", func(g *Group) float64 { return g.Busy }, func(g *Group) float64 { return g.Staffed }}
)

func offered(q *Queue) float64  { return q.Offered }
func answered(q *Queue) float64 { return q.Answered }
