package sim

import (
	"fmt"
	"math"
	"sort"

	"github.com/callsim/callsim/scenarios"
)

const day = 86400.0

// model is a scenario compiled into the flat, numeric form the engine runs.
type model struct {
	name     string
	seed     uint64
	reps     int
	horizon  float64
	warmup   float64
	interval float64
	nSlots   int // reporting intervals per day

	queues  []mqueue
	groups  []mgroup
	nAgents int

	// Per group and queue ([g*len(queues)+q]): the handle-time factor and
	// the first-contact resolution probability.
	factor   []float64
	resolve  []float64
	transfer []float64
	costs    scenarios.ServiceCosts
	// Paid (scheduled) and available agent seconds per cell and group
	// ([cell*G+g]).
	paid, staffed []float64
	groupCosts    []scenarios.GroupCost
	sourcing      []scenarios.Sourcing
	// contracts: whose queues, prices, priorities and SLAs (contract.go).
	contracts *contracts

	// Reporting cells: a replication's statistics are kept per batch and
	// per interval of the day. There is one batch when there are several
	// replications; a single replication is split into batches so that it
	// still yields confidence intervals (batch means).
	batches         int
	slotsPerBatch   int64 // absolute intervals per batch
	firstInterval   int64 // absolute interval number of the warm-up's end
	exposure        []float64
	windowPerUnit   float64 // seconds of measured window per batch
	estimatedCalls  float64
	measuredSeconds float64
}

type mqueue struct {
	name string
	rate float64
	// Time-varying arrivals: rate x profile[slot] x weekdays[day of week] x
	// a gamma day factor with coefficient of variation busyCV.
	varying     bool
	weekRates   []float64 // calls per second per interval of the week, or nil
	profile     []float64
	weekdays    [7]float64
	busyCV      float64
	handle      sampler
	wrap        sampler
	patience    sampler
	hasWrap     bool
	hasPatience bool
	within      float64
	targetSL    float64
	priority    int
	route       []routeStep
	// Unresolved callers call again with repeatProb after repeatAfter;
	// hasRepeat is set when some group may leave a call unresolved.
	hasRepeat   bool
	repeatProb  float64
	repeatAfter sampler
	// Abandoned callers redial with redialProb after redialAfter.
	redialProb  float64
	redialAfter sampler
	selfService float64 // share of callers served by the IVR
	transferTo  int     // queue transferred calls go to, or -1
	open        *scenarios.OpenHours
	hasTransfer bool // some group transfers calls of this queue
}

type routeStep struct {
	group int
	after float64
}

type mgroup struct {
	name       string
	agents     int // peak scheduled (paid) headcount
	peak       int // peak available headcount: the agents the engine needs
	firstAgent int
	changes    []staffChange // available headcount over time, from t = 0
	serves     []served      // sorted by priority, highest first
}

type served struct {
	q        int
	after    float64
	priority int
}

// compile checks a scenario for what the engine needs and turns it into a
// model. Scenarios from the scenarios package are already validated; the
// checks here guard scenarios built in Go.
func compile(sc *scenarios.Scenario) (*model, error) {
	if sc == nil {
		return nil, fmt.Errorf("no scenario")
	}
	m := &model{
		name:     sc.Name,
		seed:     sc.Seed,
		reps:     sc.Replications,
		horizon:  sc.Horizon.Seconds(),
		warmup:   sc.WarmUp.Seconds(),
		interval: sc.Interval.Seconds(),
	}
	switch {
	case m.reps < 1:
		return nil, fmt.Errorf("replications must be at least 1, got %d", m.reps)
	case !(m.horizon > 0):
		return nil, fmt.Errorf("horizon must be positive, got %v", sc.Horizon)
	case m.warmup < 0 || m.warmup >= m.horizon:
		return nil, fmt.Errorf("warm-up %v must be at least 0 and shorter than the horizon %v", sc.WarmUp, sc.Horizon)
	case !(m.interval > 0) || math.Mod(day, m.interval) != 0:
		return nil, fmt.Errorf("interval %v must be positive and divide 24h", sc.Interval)
	case len(sc.Queues) == 0:
		return nil, fmt.Errorf("no queues")
	case len(sc.Groups) == 0:
		return nil, fmt.Errorf("no groups")
	}
	m.nSlots = int(day / m.interval)
	m.setupCells()

	qIndex := map[string]int{}
	for i, q := range sc.Queues {
		if _, dup := qIndex[q.Name]; dup {
			return nil, fmt.Errorf("queue %q declared twice", q.Name)
		}
		qIndex[q.Name] = i
		if q.Arrivals.Rate < 0 || math.IsNaN(q.Arrivals.Rate) || math.IsInf(q.Arrivals.Rate, 0) {
			return nil, fmt.Errorf("queue %q: arrival rate must be finite and at least 0", q.Name)
		}
		if err := checkDist(&q.HandleTime); err != nil {
			return nil, fmt.Errorf("queue %q: handle_time: %w", q.Name, err)
		}
		mq := mqueue{
			name:     q.Name,
			rate:     q.Arrivals.Rate,
			handle:   newSampler(&q.HandleTime),
			within:   q.Target.Within.Seconds(),
			targetSL: q.Target.ServiceLevel,
			priority: q.Priority,
		}
		if q.WrapUp != nil {
			if err := checkDist(q.WrapUp); err != nil {
				return nil, fmt.Errorf("queue %q: wrap_up: %w", q.Name, err)
			}
			mq.wrap, mq.hasWrap = newSampler(q.WrapUp), true
		}
		if q.Patience != nil {
			if err := checkDist(q.Patience); err != nil {
				return nil, fmt.Errorf("queue %q: patience: %w", q.Name, err)
			}
			mq.patience, mq.hasPatience = newSampler(q.Patience), true
		}
		if err := mq.setArrivals(&q.Arrivals, m.nSlots); err != nil {
			return nil, fmt.Errorf("queue %q: arrivals: %w", q.Name, err)
		}
		m.queues = append(m.queues, mq)
		m.estimatedCalls += mq.rate * m.horizon
	}
	m.estimatedCalls *= float64(m.reps)

	gIndex := map[string]int{}
	for i, g := range sc.Groups {
		if _, dup := gIndex[g.Name]; dup {
			return nil, fmt.Errorf("group %q declared twice", g.Name)
		}
		if g.Agents < 0 {
			return nil, fmt.Errorf("group %q: agents must be at least 0, got %d", g.Name, g.Agents)
		}
		gIndex[g.Name] = i
		m.groups = append(m.groups, mgroup{name: g.Name})
	}
	cells := m.batches * m.nSlots * len(sc.Groups)
	m.paid, m.staffed = make([]float64, cells), make([]float64, cells)
	for i := range sc.Groups {
		if err := m.compileStaffing(i, &sc.Groups[i], m.paid, m.staffed); err != nil {
			return nil, fmt.Errorf("group %q: %w", sc.Groups[i].Name, err)
		}
		m.groups[i].firstAgent = m.nAgents
		m.nAgents += m.groups[i].peak
	}
	if err := m.compileOutcomes(sc, qIndex); err != nil {
		return nil, err
	}
	if err := checkContracts(sc); err != nil {
		return nil, err
	}
	m.compileContracts(sc)

	for _, r := range sc.Routes() {
		qi, ok := qIndex[r.Queue]
		if !ok {
			return nil, fmt.Errorf("routing names unknown queue %q", r.Queue)
		}
		if len(r.Groups) > maxRouteStep+1 {
			return nil, fmt.Errorf("queue %q: a route has at most %d groups", r.Queue, maxRouteStep+1)
		}
		staffedBefore := false
		for _, rg := range r.Groups {
			gi, ok := gIndex[rg.Group]
			if !ok {
				return nil, fmt.Errorf("queue %q: routing names unknown group %q", r.Queue, rg.Group)
			}
			after := rg.After.Seconds()
			if after < 0 {
				return nil, fmt.Errorf("queue %q: group %q: after must be at least 0", r.Queue, rg.Group)
			}
			// An overflow delay waits for the groups before it; when none of
			// them has any agents (a variant that removes the in-house
			// team, say) the call goes straight on, as an ACD skips
			// groups with nobody logged in.
			if !staffedBefore {
				after = 0
			}
			staffedBefore = staffedBefore || m.groups[gi].peak > 0
			m.queues[qi].route = append(m.queues[qi].route, routeStep{group: gi, after: after})
			m.groups[gi].serves = append(m.groups[gi].serves, served{q: qi, after: after, priority: m.servePriority(gi, qi)})
		}
	}
	for i := range m.groups {
		s := m.groups[i].serves
		sort.SliceStable(s, func(a, b int) bool { return s[a].priority > s[b].priority })
	}

	return m, nil
}

// compileOutcomes fills the per-skill handle-time factors, resolution
// probabilities, repeat-call behaviour and cost models.
func (m *model) compileOutcomes(sc *scenarios.Scenario, qIndex map[string]int) error {
	Q := len(m.queues)
	m.factor = make([]float64, len(m.groups)*Q)
	m.resolve = make([]float64, len(m.groups)*Q)
	m.transfer = make([]float64, len(m.groups)*Q)
	for i := range m.factor {
		m.factor[i], m.resolve[i] = 1, 1
	}
	m.costs = sc.Costs
	for gi, g := range sc.Groups {
		for name, f := range g.HandleTimeFactor {
			qi, ok := qIndex[name]
			if !ok || !(f > 0) || math.IsInf(f, 0) {
				return fmt.Errorf("group %q: handle_time_factor for %q must name a queue and be positive", g.Name, name)
			}
			m.factor[gi*Q+qi] = f
		}
		for name, p := range g.Resolution {
			qi, ok := qIndex[name]
			if !ok || !(p >= 0 && p <= 1) {
				return fmt.Errorf("group %q: resolution for %q must name a queue and be in [0, 1]", g.Name, name)
			}
			m.resolve[gi*Q+qi] = p
			if p < 1 {
				m.queues[qi].hasRepeat = true
			}
		}
		for name, p := range g.Transfer {
			qi, ok := qIndex[name]
			if !ok || !(p >= 0 && p <= 1) {
				return fmt.Errorf("group %q: transfer for %q must name a queue and be in [0, 1]", g.Name, name)
			}
			if p > 0 && sc.Queues[qi].TransferTo == "" {
				return fmt.Errorf("group %q transfers calls of %q, which has no transfer_to", g.Name, name)
			}
			m.transfer[gi*Q+qi] = p
			m.queues[qi].hasTransfer = m.queues[qi].hasTransfer || p > 0
		}
		m.groupCosts = append(m.groupCosts, g.Cost)
		src := g.Sourcing
		if src == "" {
			src = scenarios.InHouse
		}
		m.sourcing = append(m.sourcing, src)
	}
	for qi, q := range sc.Queues {
		mq := &m.queues[qi]
		mq.repeatProb = 1
		after := scenarios.Dist{Kind: scenarios.Exponential, Mean: day}
		if q.Repeat.After.Kind != "" {
			mq.repeatProb = q.Repeat.Probability
			after = q.Repeat.After
		}
		if err := checkDist(&after); err != nil {
			return fmt.Errorf("queue %q: repeat.after: %w", q.Name, err)
		}
		if !(mq.repeatProb >= 0 && mq.repeatProb <= 1) {
			return fmt.Errorf("queue %q: repeat.probability must be in [0, 1]", q.Name)
		}
		mq.repeatAfter = newSampler(&after)

		mq.redialProb = q.Redial.Probability
		redial := q.Redial.After
		if redial.Kind == "" {
			redial = scenarios.Dist{Kind: scenarios.Exponential, Mean: 600}
		}
		if err := checkDist(&redial); err != nil {
			return fmt.Errorf("queue %q: redial.after: %w", q.Name, err)
		}
		mq.redialAfter = newSampler(&redial)
		if !(mq.redialProb >= 0 && mq.redialProb <= 1) || !(q.SelfService >= 0 && q.SelfService <= 1) {
			return fmt.Errorf("queue %q: redial.probability and self_service must be in [0, 1]", q.Name)
		}
		mq.selfService = q.SelfService
		mq.open = q.Open
		mq.transferTo = -1
		if q.TransferTo != "" {
			ti, ok := qIndex[q.TransferTo]
			if !ok || ti == qi {
				return fmt.Errorf("queue %q: transfer_to %q must name another queue", q.Name, q.TransferTo)
			}
			mq.transferTo = ti
		}
	}
	return nil
}

func checkDist(d *scenarios.Dist) error {
	bad := func(x float64) bool { return x < 0 || math.IsNaN(x) || math.IsInf(x, 0) }
	switch d.Kind {
	case scenarios.Constant, scenarios.Exponential:
		if bad(d.Mean) {
			return fmt.Errorf("mean must be finite and at least 0, got %g", d.Mean)
		}
	case scenarios.Lognormal, scenarios.Gamma:
		if bad(d.Mean) || d.Mean == 0 || bad(d.CV) || d.CV == 0 {
			return fmt.Errorf("%s needs a positive mean and cv, got mean %g cv %g", d.Kind, d.Mean, d.CV)
		}
	case scenarios.Uniform:
		if bad(d.Min) || bad(d.Max) || d.Max < d.Min {
			return fmt.Errorf("uniform needs 0 <= min <= max, got %g..%g", d.Min, d.Max)
		}
	case scenarios.Triangular:
		if bad(d.Min) || bad(d.Max) || d.Mode < d.Min || d.Mode > d.Max || d.Max <= d.Min {
			return fmt.Errorf("triangular needs 0 <= min <= mode <= max and min < max")
		}
	case scenarios.Empirical:
		if len(d.Values) == 0 {
			return fmt.Errorf("empirical needs at least one value")
		}
		for _, v := range d.Values {
			if bad(v) {
				return fmt.Errorf("empirical values must be finite and at least 0, got %g", v)
			}
		}
	default:
		return fmt.Errorf("unknown distribution %q", d.Kind)
	}
	return nil
}

// batchesForSingleReplication is how many batches a single replication is
// cut into for batch-means confidence intervals.
const batchesForSingleReplication = 20

// setupCells lays out the reporting cells and the measured time in each.
func (m *model) setupCells() {
	m.firstInterval = int64(math.Floor(m.warmup / m.interval))
	lastInterval := int64(math.Ceil(m.horizon/m.interval)) - 1
	n := lastInterval - m.firstInterval + 1
	m.batches, m.slotsPerBatch = 1, n
	if m.reps == 1 && n >= 2 {
		b := int64(batchesForSingleReplication)
		if n < b {
			b = n
		}
		m.slotsPerBatch = (n + b - 1) / b
		m.batches = int((n + m.slotsPerBatch - 1) / m.slotsPerBatch)
	}
	m.exposure = make([]float64, m.batches*m.nSlots)
	for k := m.firstInterval; k <= lastInterval; k++ {
		lo := math.Max(float64(k)*m.interval, m.warmup)
		hi := math.Min(float64(k+1)*m.interval, m.horizon)
		if hi > lo {
			m.exposure[m.cellOf(k)] += hi - lo
		}
	}
	m.measuredSeconds = m.horizon - m.warmup
	m.windowPerUnit = m.measuredSeconds / float64(m.batches)
}

// cellOf maps an absolute interval number inside the window to its cell.
func (m *model) cellOf(k int64) int {
	b := (k - m.firstInterval) / m.slotsPerBatch
	if b >= int64(m.batches) {
		b = int64(m.batches) - 1
	}
	return int(b)*m.nSlots + int(k%int64(m.nSlots))
}

// setArrivals compiles a queue's arrival pattern.
func (q *mqueue) setArrivals(a *scenarios.Arrivals, nSlots int) error {
	q.weekdays = a.Weekdays
	if q.weekdays == ([7]float64{}) {
		q.weekdays = [7]float64{1, 1, 1, 1, 1, 1, 1}
	}
	for _, w := range q.weekdays {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("weekday factors must be finite and at least 0")
		}
		q.varying = q.varying || w != 1
	}
	if a.Profile != nil {
		if len(a.Profile) != nSlots {
			return fmt.Errorf("profile has %d weights, want one per interval (%d)", len(a.Profile), nSlots)
		}
		for _, w := range a.Profile {
			if !(w >= 0) || math.IsInf(w, 0) {
				return fmt.Errorf("profile weights must be finite and at least 0")
			}
		}
		q.profile, q.varying = a.Profile, true
	}
	if !(a.Busyness >= 0) || math.IsInf(a.Busyness, 0) {
		return fmt.Errorf("busyness cv must be at least 0")
	}
	q.busyCV = a.Busyness
	if a.WeekRates != nil {
		if len(a.WeekRates) != 7*nSlots {
			return fmt.Errorf("a forecast needs %d rates (one per interval of the week), got %d", 7*nSlots, len(a.WeekRates))
		}
		for _, r := range a.WeekRates {
			if !(r >= 0) || math.IsInf(r, 0) {
				return fmt.Errorf("forecast rates must be finite and at least 0")
			}
		}
		q.weekRates, q.varying = a.WeekRates, true
	}
	q.varying = q.varying || q.busyCV > 0
	return nil
}
