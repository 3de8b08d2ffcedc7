// Package optimize finds, for every sourcing strategy of a scenario
// (scenarios.Strategy), the decisions of least total monthly cost such that
// every queue meets its service-level target, and sets the strategies side
// by side.
//
// The method, per strategy:
//
//   - Start from analytic requirements: the Erlang A (or C) requirement of
//     every queue per interval of the day (wfm.Analytic), shared among the
//     groups whose headcount is decided, clipped to the decisions' bounds.
//   - Correct by simulation with common random numbers: a sample-average
//     approximation (SAA) over a fixed set of replications (the scenario's
//     seed, optimize.replications of them), every candidate plan compiled
//     once and simulated on the same random numbers, so plans differ only
//     where their decisions differ. One or two headcount decisions are
//     searched along the feasible frontier (for every value of the first,
//     the least value of the second that meets the targets, by bisection);
//     more, or headcounts per interval, by repair (adding agents where the
//     target is missed) and descent (removing agents, one coordinate or many
//     at once, while the SAA constraint holds). Discrete decisions (a route
//     step's overflow delay, a vendor's hours, which queues a group answers)
//     are enumerated, the headcounts searched for each choice.
//   - Check the chosen plan on fresh seeds (check_replications of them):
//     meets_targets is judged there by confidence intervals: a target is
//     met when the lower end of its 95% interval reaches it, missed when
//     the upper end is below it; while some target is undecided the check
//     is extended to twice and four times its replications, and a plan
//     still undecided is inconclusive. A plan that does not meet every
//     target is given agents until its point estimates clear the targets
//     by twice their half-widths on the largest check sample, and checked
//     again on other fresh seeds; it is reported as meeting the targets
//     only if that check shows it.
//   - A strategy whose every decision at its bound (the most agents, every
//     choice) misses a target is "infeasible within the bounds".
//   - Where computable, a lower bound on the cost and the gap: for
//     strategies deciding only the headcount of dedicated single-queue
//     in-house groups, the groups' cost at the Erlang requirement (a bound
//     under the Erlang model's assumptions: steady state, exponential
//     service; not a proof for other handle-time distributions).
//
// Strategies are then compared on the fresh check's sample, which is the
// same for every strategy (common random numbers): paired differences of
// monthly cost and service level with 95% confidence intervals, and the
// cheapest strategy meeting its targets named only when its advantage
// exceeds the confidence interval (sim.CheapestMargin), else tied.
//
// Run takes a context: when it is cancelled the best plan found so far is
// returned, marked interrupted.
package optimize
