// Package verify checks a SIP platform against the simulator: it simulates a
// scenario for the predicted KPIs with their 95% confidence intervals, drives
// the platform (by default the embedded target, started in-process with the
// scenario's staffing) with the scenario's traffic compressed in time by a
// factor K, measures the same KPIs and says, per KPI, whether the measurement
// is consistent with the prediction.
//
// Paired (RunPaired): the whole scenario against the embedded center. The
// simulator records one run's calls (sim.RunTrace); the callers place
// exactly those calls over SIP (loadgen.Schedule) at K times the pace,
// each with its own patience, and the center (sipcenter, on the same
// routing core as the simulator: center/acd) takes each call's talk and
// wrap-up from the record. Measured and predicted then differ only by SIP
// timing, and every call's outcome at the center is set beside the
// simulator's. Per queue (service level, abandon rate, ASA) and per group
// (share of the answered calls) the comparison is call by call: with d = K x
// SIPDelay + the 99th percentile of the arrivals' offsets at the center
// (scenario seconds), a leg with the simulated outcome and group and a wait
// within d, or whose fate was decided within d of its patience, is
// explained by timing and counts at its simulated value; the unexplained
// rest must lie within 1.96 x sqrt(ties) calls, the pairs of contested
// routing events closer than d (each may exchange two calls' fates, in
// either direction, independently). PairedConfig.CenterSet
// changes the center only: a planted discrepancy.
//
// Statistical (Run): only the simple case is supported: one queue served by one group with a
// constant headcount, exponential or constant handle time, no wrap-up, and
// optionally exponential patience; Check says why a scenario is refused.
//
// A KPI is consistent when
//
//	|measured - predicted| <= CI95_sim + z * SE_measured + SIP allowance
//
// SE_measured is the standard error of the measured figure under the
// prediction (a proportion p over n calls: sqrt(p(1-p)/n); ASA: the standard
// deviation of the wait, sd = ASA*sqrt(2/PWait - 1) as for an exponential wait
// given a wait, over sqrt(answered); occupancy: occ*sqrt((1+cv²)/n) from the
// arrival count and the handle-time mean). The waiting figures' errors are
// multiplied by Config.Inflation (default 3) because successive calls' waits
// are autocorrelated, which makes the effective sample much smaller than n;
// occupancy's are not (arrivals and handle times are independent). The SIP allowance covers the
// timing offsets of signalling and timers, SIPDelay of wall time per call
// (default 2 ms), which is SIPDelay*K of scenario time (d): ASA ± d, service
// level ± d times the density of the wait at the threshold, abandon rate ±
// PWait*d/mean patience, occupancy ± occ*d/AHT.
//
// The inflation is measured, not guessed: TestMeasureInflation
// (CALLSIM_MEASURE_INFLATION=12 go test -run TestMeasureInflation -v
// ./verify) ran the simple case (5 agents, 126 calls/h, AHT 2 min, patience
// 1 min, K=240, 20 s, about 150 calls a run) with 12 seeds and divided the
// standard deviation of each measured KPI across runs by the mean i.i.d.
// standard error: service level 2.43, ASA 2.49, abandon rate 1.86. A
// standard deviation from 12 runs is itself uncertain by about ±21%
// (1/sqrt(2x11)), so the default 3 is the measured 2.5 rounded up to cover
// that; with it none of the 48 KPIs of the 12 runs was flagged. Occupancy's
// i.i.d. error is conservative (measured ratio 0.70), so it is not inflated.
package verify
