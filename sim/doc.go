// Package sim is callsim's discrete-event simulator of a contact center.
//
// A scenario (package scenarios) is compiled into a model of queues (call
// types), agent groups and routes; Run simulates it for a number of
// independent replications in parallel and returns a Result with KPIs per
// queue, per group and per interval of the day, each rate or mean with its
// 95% confidence half-width.
//
// # Model
//
// Calls of each queue arrive as a Poisson process. An arriving call goes to
// the first group on its route that has an idle agent and whose overflow
// delay (After) is zero; within a group the longest-idle agent takes it.
// Otherwise the call waits in its queue (first come, first served). It
// becomes eligible for later route steps as its wait reaches their After
// delay, and abandons when its patience runs out. A freed agent takes the
// oldest eligible call of the highest-priority queue its group serves. After
// the talk time the agent does after-call work (wrap-up) and is then free.
//
// Calls are counted by arrival time: a call that arrives in the measured
// window [warm-up, horizon) is followed to its end even past the horizon
// (no new calls arrive after it), so every counted call has an outcome.
// Agent time (occupancy) is measured inside the window only.
//
// # Random numbers
//
// Every purpose (arrivals, handle times, wrap-up, patience) of every queue
// has its own PCG stream, derived from the seed and the replication number.
// Variants of a scenario run with the same seed therefore see the same
// callers with the same needs (common random numbers) and differ only where
// the scenario differs.
//
// # Statistics
//
// Statistics are streamed into fixed-size accumulators: memory depends on the
// number of agents, queues and the length of the queues, never on the number
// of calls. Confidence intervals come from the replications (Student t, ratio
// estimators for rates and means); a single replication is split into batches
// (batch means) instead.
package sim
