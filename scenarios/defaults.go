package scenarios

import "time"

// Every default of the scenario format, in one place. A key left out of a
// scenario file takes the value below; REFERENCE.md (see Reference) repeats
// this table for users.
//
//	key                            default                       rule
//	warmup                         5% of horizon                 0 <= warmup < horizon
//	interval                       30m                           > 0 and divides 24h
//	seed                           1                             any uint64
//	replications                   10                            1 .. 10000
//	description                    ""
//	routing                        per queue: the groups whose skills list it, in declaration order, after 0s
//	queues[i].wrap_up              none (nil)                    mean >= 0
//	queues[i].patience             none (nil): callers never abandon   mean > 0
//	queues[i].target.service_level 80%                           0% .. 100%
//	queues[i].target.within        20s                           >= 0
//	queues[i].priority             0                             any integer; larger is served first
//	<distribution>.dist            exponential
//	<distribution> as a bare duration, e.g. handle_time: 300s
//	                               exponential with that mean (the Erlang assumption)
//	routing[i].groups[j].after     0s                            >= 0
//	queues[i].repeat.probability   100%                          0% .. 100%
//	queues[i].repeat.after         exponential, mean 1d
//	queues[i].redial.probability   0% (abandoned callers do not call again)
//	queues[i].redial.after         exponential, mean 10m
//	queues[i].self_service         0%                            0% .. 100%
//	queues[i].transfer_to          none                          another queue
//	groups[i].transfer             0% for every skill            0% .. 100%; needs the queue's transfer_to
//	groups[i].sourcing             in-house                      in-house | outsourced
//	groups[i].handle_time_factor   1 for every skill             > 0
//	groups[i].resolution           100% for every skill          0% .. 100%
//	groups[i].cost.*               0                             >= 0
//	groups[i].cost.contract_months 12                            > 0
//	groups[i].priority             queue ("" too)                queue | by_price (outsourced)
//	queues[i].client               none: the queue is ours       another client's label
//	groups[i].cost.committed_hours.per    month                  month | week
//	groups[i].cost.committed_hours.above  the price              >= 0
//	groups[i].cost.by_queue.Q.*    the group's own price         >= 0
//	groups[i].cost.sla.per         interval                      interval | day | month
//	groups[i].cost.sla.queues      the group's skills that are ours
//	groups[i].cost.sla.service_level, .within
//	                               the covered queues' target    they must agree
//	groups[i].cost.sla.min_calls   1                             >= 1
//	groups[i].cost.sla.cap         none                          a percentage of the fees or an amount
//	costs.currency                 EUR                           a label
//	costs.per_abandoned_call       0                             >= 0
//	costs.per_unresolved_contact   0                             >= 0
//
// Required: name, horizon, queues (at least one), groups (at least one),
// queues[i].name, queues[i].arrivals, queues[i].handle_time, groups[i].name,
// groups[i].agents, groups[i].skills.
const (
	DefaultWarmUpPercent        = 5                // warmup, in percent of horizon
	DefaultInterval             = 30 * time.Minute // interval
	DefaultSeed          uint64 = 1                // seed
	DefaultReplications         = 10               // replications
	MaxReplications             = 10000            // upper bound of replications
	DefaultServiceLevel         = 0.8              // queues[i].target.service_level
	DefaultWithin               = 20 * time.Second // queues[i].target.within
	DefaultPriority             = 0                // queues[i].priority
	DefaultDistKind             = Exponential      // <distribution>.dist

	DefaultRepeatProbability = 1.0              // queues[i].repeat.probability
	DefaultRepeatAfter       = 24 * time.Hour   // queues[i].repeat.after (exponential mean)
	DefaultRedialAfter       = 10 * time.Minute // queues[i].redial.after (exponential mean)
	DefaultContractMonths    = 12.0             // groups[i].cost.contract_months
	DefaultCurrency          = "EUR"            // costs.currency
)

// defaultWarmUp is the warm-up used when a scenario gives none.
func defaultWarmUp(horizon time.Duration) time.Duration {
	return time.Duration(float64(horizon) * DefaultWarmUpPercent / 100)
}
