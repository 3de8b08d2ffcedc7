package scenarios

import (
	"time"

	"go.yaml.in/yaml/v3"
)

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

	// Costs values poor service (costs).
	Costs ServiceCosts

	// Variants are alternative versions of this scenario (variants), each
	// already built: the base with the variant's overrides applied,
	// validated like any scenario. Variants of variants are empty.
	Variants []Variant

	// Strategies are the sourcing strategies callsim optimize sizes
	// (strategies): fixed overrides plus decisions with bounds; see
	// Strategy. Variants and strategies have none of their own.
	Strategies []Strategy
	// Optimize holds the optimizer's settings (optimize).
	Optimize OptimizeSpec

	// root is the YAML document the scenario was read from, for With.
	root *yaml.Node

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
	// Repeat says what unresolved callers do (repeat). Only used when a
	// group's resolution for this queue is below 1.
	Repeat Repeat
	// Redial says what callers who abandoned do (redial): they call again
	// with Probability (default 0: they do not) after After (default
	// exponential with mean 10m).
	Redial Repeat
	// SelfService is the share of callers served by the IVR who never reach
	// an agent (self_service, default 0). They are counted apart, not
	// offered.
	SelfService float64
	// Open, when set, limits the hours the queue takes calls (open).
	Open *OpenHours
	// TransferTo names the queue that calls of this queue are transferred
	// or escalated to (transfer_to), when a group's Transfer share says so.
	TransferTo string
	// Client, when set, names another client of a vendor whose calls share
	// the vendor's agents with ours (client): the queue is simulated, as it
	// takes the agents' time, but its calls are not billed to us and not
	// counted in our KPIs, costs or targets. Empty: the queue is ours.
	Client string
}

// Repeat: a caller whose call was answered but not resolved calls again
// with Probability (repeat.probability, default 1) after a delay drawn from
// After (repeat.after, default exponential with mean 1d).
type Repeat struct {
	Probability float64
	After       Dist
}

// Arrivals describes a Poisson arrival process (queues[i].arrivals). Exactly
// one of per_hour, per_day or per_interval is given in the file; the parser
// converts it to Rate.
type Arrivals struct {
	Rate float64 // calls per second, on average over a day
	// Profile is the intraday shape: one weight per interval of the day,
	// normalized to an average of 1, so the rate in interval s is
	// Rate*Profile[s] (profile; nil: flat).
	Profile []float64
	// Weekdays are day factors, Monday first (weekdays: {sat: 0.5, sun: 0};
	// default 1 each). The simulation starts on a Monday at 00:00.
	Weekdays [7]float64
	// WeekRates, when set, gives the arrival rate (calls per second) of
	// every interval of the week, Monday 00:00 first, as read from a
	// forecast file (forecast: FILE.csv); it replaces Rate, Profile and
	// Weekdays (Rate is then the week's average).
	WeekRates []float64
	// Forecast is the forecast file named in the scenario, if any.
	Forecast string
	// Busyness is the coefficient of variation of a gamma day factor with
	// mean 1, drawn per day and queue: day-to-day volume uncertainty
	// (busyness: {cv: 10%}; default 0: none).
	Busyness float64
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

	// Sourcing is "in-house" (default) or "outsourced" (sourcing).
	Sourcing Sourcing
	// HandleTimeFactor multiplies the handle time of the group's calls per
	// queue (handle_time_factor: {queue: 1.15}; default 1 for every skill):
	// a script or a language barrier makes calls longer.
	HandleTimeFactor map[string]float64
	// Resolution is the probability that the group resolves a call of a
	// queue at the first contact (resolution: {queue: 0.7}; default 1).
	Resolution map[string]float64
	// Shifts, when given, replace Agents by a weekly schedule (shifts).
	Shifts []Shift
	// AgentsByInterval, when given, replaces Agents by a headcount per
	// interval of the day, every day (agents_by_interval: a list), or per
	// interval of the week, Monday 00:00 first (agents_by_interval: a
	// mapping from days to lists); 24 hourly counts a day are kept as
	// written (24 or 7 x 24 counts) and spread over the intervals by the
	// simulator.
	AgentsByInterval []int
	// Hours, when set, are the hours of the day the group takes calls
	// (hours: {from: "20:00", to: "08:00", days: [...]}): outside them it
	// has no agents on duty and none paid, whatever its agents or
	// agents_by_interval say.
	Hours *OpenHours
	// Shrinkage is the share of scheduled time agents are paid but not
	// available for calls (meetings, training, absence): available agents =
	// scheduled x (1 - shrinkage), rounded (shrinkage, default 0).
	Shrinkage float64
	// Outages are windows in which the group's site is down: no agent is
	// available (outages).
	Outages []Outage
	// Transfer is the share of the group's calls of a queue that it
	// transfers, after handling them, to the queue's TransferTo queue
	// (transfer: {tech: 20%}; default 0): tier 1 handing complex calls to
	// specialists.
	Transfer map[string]float64
	// Cost is the group's cost model (cost).
	Cost GroupCost
	// Priority says how the group picks the next call among the queues it
	// serves (priority): ByQueue (the default, also "") by the queues'
	// priority, ByPrice
	// by the price of each queue's contract (see Scenario.ServePriority).
	Priority GroupPriority
}

// Shift is a block of agents working the same hours (groups[i].shifts[j]).
type Shift struct {
	Start  time.Duration // start: time of day, "08:00"
	Length time.Duration // length, e.g. 8h30m; may run past midnight
	Days   [7]bool       // days: [mon, tue, ...] (default every day), Monday first
	Agents int           // agents on this shift
	Breaks []Break       // breaks: the agents are paid but not available
}

// Break is a pause within a shift, after a time from the shift's start.
type Break struct {
	After  time.Duration // after: from the start of the shift
	Length time.Duration // length
}

// Outage is a window, from the start of the simulation, in which a site is
// down (groups[i].outages[j]: {start: 2d10h, length: 4h}).
type Outage struct {
	Start, Length time.Duration
}

// OpenHours are the hours a queue takes calls (queues[i].open); calls
// arriving outside them are counted as closed, not offered.
type OpenHours struct {
	From, To time.Duration // time of day; To may be 24:00; From > To spans midnight
	Days     [7]bool       // Monday first
}

// Sourcing tells who employs a group's agents.
type Sourcing string

// The sourcing options.
const (
	InHouse    Sourcing = "in-house"
	Outsourced Sourcing = "outsourced"
)

// GroupCost is a group's cost model (groups[i].cost). Amounts are in the
// scenario's currency; every field defaults to 0. In-house groups use the
// first block, outsourced groups the second; a key of the other block is an
// error.
type GroupCost struct {
	// In-house: paid (staffed) hours times HourlyWage times (1 + Overhead);
	// one supervisor per SupervisorRatio agents (rounded up) and one team
	// lead per TeamLeadRatio agents, paid for the same hours; seats and
	// technology per agent per month; turnover: AnnualAttrition (fraction
	// of agents replaced per year) times HiringCost (hiring and training one
	// agent).
	HourlyWage           float64 // hourly_wage
	Overhead             float64 // overhead: "35%" or 0.35
	SupervisorRatio      float64 // supervisor_ratio: agents per supervisor
	SupervisorHourlyWage float64 // supervisor_hourly_wage
	TeamLeadRatio        float64 // team_lead_ratio
	TeamLeadHourlyWage   float64 // team_lead_hourly_wage
	SeatPerMonth         float64 // seat_per_month: seat and technology per agent
	AnnualAttrition      float64 // attrition: "40%" a year
	HiringCost           float64 // hiring_cost: per hire, training included

	// Outsourced: a one-time SetupFee spread over ContractMonths (default
	// 12); a price per handled minute (talk, plus wrap-up when
	// BillWrapUp), per handled call, per resolved contact and per staffed
	// agent hour; committed agent hours (capacity-based); at least
	// MinimumMinutes minutes and MinimumCalls calls billed a month, and a
	// monthly bill of at least MinimumMonthly; a service-level agreement.
	// Only calls of our queues are billed (see Queue.Client); ByQueue
	// gives some queues their own volume prices.
	SetupFee           float64 // setup_fee
	ContractMonths     float64 // contract_months (default 12)
	PerHandledMinute   float64 // per_handled_minute
	BillWrapUp         bool    // bill_wrap_up (default false)
	PerCall            float64 // per_call
	PerResolvedContact float64 // per_resolved_contact
	PerAgentHour       float64 // per_agent_hour
	MinimumMonthly     float64 // minimum_monthly
	MinimumMinutes     float64 // minimum_minutes: billed minutes a month, at least
	MinimumCalls       float64 // minimum_calls: billed calls a month, at least
	// Committed is capacity-based pricing (committed_hours; nil: none).
	Committed *Commitment
	// SLA is the service-level agreement (sla; nil: none).
	SLA *SLA
	// ByQueue holds the volume prices of queues whose calls the vendor
	// prices apart (by_queue: {QUEUE: {per_handled_minute: 0.8}}): another
	// client's contract in a shared funnel, or a dearer second tier.
	ByQueue map[string]QueueTerms
}

// ServiceCosts put a price on poor service (costs).
type ServiceCosts struct {
	Currency      string  // currency (default "EUR"), a label only
	PerAbandoned  float64 // per_abandoned_call
	PerUnresolved float64 // per_unresolved_contact: a call answered but not resolved
}

// Variant is one named alternative of a scenario (variants[i]): the base
// scenario with Set applied. Set maps a path to a YAML value; paths name
// list items by their name: "groups.vendor.agents", "queues.tech.arrivals.per_hour".
type Variant struct {
	Name        string
	Description string
	Set         map[string]string
	Scenario    *Scenario
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
