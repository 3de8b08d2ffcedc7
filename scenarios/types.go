package scenarios

import "time"

// Scenario is a validated contact-center scenario with every default applied.
// All durations are time.Duration; all rates are calls per second; all
// fractions are in [0, 1]. The YAML key of each field is given in its comment.
type Scenario struct {
	Name        string // name (required)
	Description string // description
	// Horizon is the simulated time per replication, warm-up included
	// (horizon, required).
	Horizon time.Duration
	// WarmUp is the initial period excluded from statistics (warmup,
	// default: 5% of the horizon).
	WarmUp time.Duration
	// Interval is the length of a reporting interval (interval, default 30m).
	Interval time.Duration
	// Seed fixes every random number (seed, default 1).
	Seed uint64
	// Replications is the number of independent replications (replications,
	// default 10).
	Replications int

	Queues []Queue // queues (at least one)
	Groups []Group // groups (at least one)

	// Routing holds, per queue, the ordered groups that may take its calls
	// (routing). The parser fills a route for every queue that has none: the
	// groups whose skills list the queue, in the order they are declared,
	// each with After 0. Parse orders the routes like the queues:
	// Routing[i] is the route of Queues[i].
	Routing []Route

	// Source is the file the scenario was read from ("" for built-ins read
	// from memory); it is used in messages only.
	Source string
}

// Queue is one call type (queues[i]).
type Queue struct {
	Name     string   // name (required, unique)
	Arrivals Arrivals // arrivals (required)
	// HandleTime is talk time (handle_time, required).
	HandleTime Dist
	// WrapUp is after-call work, during which the agent is busy but not
	// talking (wrap_up, default: none).
	WrapUp *Dist
	// Patience is how long a caller waits before hanging up (patience;
	// nil: callers never abandon).
	Patience *Dist
	// Target is the service-level target (target, default 80% within 20s).
	Target Target
	// Priority: among queues a group serves, a free agent takes the oldest
	// call of the highest-priority queue first (priority, default 0; larger
	// is served first).
	Priority int
}

// Arrivals describes a Poisson arrival process (queues[i].arrivals). Exactly
// one of per_hour, per_day or per_interval is given in the file; the parser
// converts it to Rate.
type Arrivals struct {
	Rate float64 // calls per second
}

// Target is a service-level objective (queues[i].target).
type Target struct {
	ServiceLevel float64       // service_level: "80%" or 0.8
	Within       time.Duration // within: the threshold, e.g. 20s
}

// Group is an agent group (groups[i]).
type Group struct {
	Name   string   // name (required, unique)
	Agents int      // agents (required, >= 0)
	Skills []string // skills: queue names this group serves (required)
}

// Route lists the groups that serve a queue, in order of preference
// (routing[i]).
type Route struct {
	Queue  string       // queue
	Groups []RouteGroup // groups: either a name or {group: NAME, after: 30s}
}

// RouteGroup is one step of a route: the group may take a call only once it
// has waited After.
type RouteGroup struct {
	Group string
	After time.Duration
}

// DistKind names a distribution family.
type DistKind string

// The distribution families a scenario may use.
const (
	Constant    DistKind = "constant"
	Exponential DistKind = "exponential"
	Lognormal   DistKind = "lognormal"
	Gamma       DistKind = "gamma"
	Uniform     DistKind = "uniform"
	Triangular  DistKind = "triangular"
	Empirical   DistKind = "empirical"
)

// Dist is a distribution of a duration, in seconds. Which fields are set
// depends on Kind:
//
//	constant:    Mean
//	exponential: Mean
//	lognormal:   Mean, CV
//	gamma:       Mean, CV
//	uniform:     Min, Max            (Mean is set to their midpoint)
//	triangular:  Min, Mode, Max      (Mean is set to (Min+Mode+Max)/3)
//	empirical:   Values              (Mean is set to their average)
//
// Mean is always filled in, so callers can use it without a switch.
type Dist struct {
	Kind   DistKind
	Mean   float64
	CV     float64
	Min    float64
	Mode   float64
	Max    float64
	Values []float64
}
