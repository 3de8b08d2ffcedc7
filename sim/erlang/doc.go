// Package erlang computes the classic analytic models of a contact center
// exactly, for one agent or many thousands:
//
//   - Erlang B (M/M/N/N, blocked calls lost): blocking probability for N
//     trunks and the minimum trunks for a target blocking ([B], [Lines],
//     [StaffB]).
//   - Erlang C (M/M/N, callers wait forever): probability of waiting,
//     service level, ASA, queue length, occupancy ([C], [StaffC]).
//   - Erlang A (M/M/N+M, callers abandon after an exponential patience):
//     the same figures plus the abandon rate ([A], [StaffA]).
//
// Inputs are an arrival rate λ in calls per second, a mean handle time in
// seconds (service rate μ = 1/aht), the number of agents N, the service-level
// threshold t in seconds and, for Erlang A, the mean patience 1/θ in seconds.
// The offered load is A = λ·aht erlangs.
//
// Definitions (the same everywhere in callsim):
//
//   - service level = calls answered within t / all offered calls
//     (abandoned calls included in the denominator);
//   - ASA = mean wait of answered calls, zero waits included;
//   - abandon rate = abandoned / offered;
//   - occupancy = agent time busy / agent time staffed;
//   - mean wait = mean time in queue over all callers (abandoned ones
//     included, up to the moment they hang up).
//
// # Numerical method
//
// Nothing computes A^N/N! directly. Erlang B uses the recurrence
// B(0)=1, B(n)=A·B(n-1)/(n+A·B(n-1)), which is stable and O(N), switching to
// log space if B falls below 1e-250. Erlang C follows from B. Erlang A builds
// the stationary distribution of the birth-death chain in log space, relative
// to the state "all agents busy, empty queue", and truncates the queue where
// the remaining mass is below 1e-17 of the total. Its service level needs, for
// an arrival finding j callers queued ahead, the probability of being served
// within t; by exponential tilting this is the CDF of a hypoexponential sum
// with rates Nμ+θ, ..., Nμ+(j+1)θ, which is computed for every j at once by
// uniformization of the pure-death chain, with Poisson weights computed from
// the mode outwards and truncation error below 1e-14.
//
// When the patience is zero or infinite, Erlang A is Erlang C.
//
// The functions do no I/O and are safe for concurrent use.
package erlang
