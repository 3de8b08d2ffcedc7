// Package wfm is workforce management on top of the simulator: staffing
// requirements per interval of the day (Erlang C or Erlang A, then verified
// and corrected by simulation), a shift planner that covers a requirement
// with shifts at the least paid hours, and parameter sweeps that simulate a
// scenario at every point of a grid of overrides.
//
// Staffing. For every queue and interval of the day s, the offered rate is
// λ = rate × profile[s] × weekday factor, where the weekday is the busiest
// day of the queue (the plan is one day's headcount, used every day, so it
// is sized for the day that needs most). The analytic requirement is the
// least N meeting the queue's target under Erlang A (exponential patience
// with the patience distribution's mean) or Erlang C (no patience), with
// AHT = mean talk time + mean wrap-up. Erlang treats AHT as exponential and
// the interval as a steady state of its own; the simulation does neither,
// so the requirement is verified: the scenario is simulated with the
// requirement as agents_by_interval of the queue's dedicated group, and an
// agent is added in every interval whose simulated service level misses the
// target, until every interval meets it or a round limit is reached. Only
// scenarios in which every queue is served by exactly one group that serves
// nothing else can be verified; others are refused with a message.
// Scheduled (paid) agents gross the verified requirement up for shrinkage:
// ceil(N / (1 - shrinkage)).
//
// Shift planning. Covering a requirement with shifts at least paid hours is
// a set-covering integer program (CoverProblem, also used by callsim
// optimize for a week of shifts). SolveCover solves its LP relaxation by
// the simplex method on the dual, rounds it several ways (LP rounded down
// and completed greedily, rounded up, LP diving, greedy by covered deficit
// per paid hour), improves each by removing redundant shifts and replacing
// shifts by cheaper ones, and reports the dual's value as a lower bound, so
// that the gap to the optimum is known. PlanShifts plans one day's shifts
// this way.
//
// Sweeps. Sweep simulates a scenario at every point of one or two axes of
// overrides (scenarios.Scenario.With paths), with the scenario's seed at
// every point (common random numbers), and names the cheapest point meeting
// every target and the knee of the service-level curve. SweepSegment
// simulates one execution segment of a sweep (the points p with p mod n ==
// i, with the unsplit sweep's seeds) and MergeSweeps puts the segments back
// together into exactly the unsplit result.
package wfm
