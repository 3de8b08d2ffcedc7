// Package claim judges a vendor's claim of capacity and service level from
// the calls placed to test it, and keeps the evidence so that a client can
// check the verdict without trusting the vendor's setup.
//
// A claim (Parse) has a capacity line (calls per second, concurrent calls,
// the share of calls answered, delay percentiles) and a service line (a
// share answered within a threshold at a call rate). Package verify drives
// the calls; Judge gives each line a verdict from the calls alone, by the
// methods of package judge, at a stated confidence:
//
//   - capacity: the offered load (the rate of the calls placed at 100%,
//     from their start times: the test's own side); the calls answered,
//     however they ended (an exact binomial bound on the batch-means
//     effective sample size against the claimed share, 99% by default),
//     with the calls the platform refused or failed apart from those the
//     far end ended early; the most answered calls up at once (FAIL only
//     when the platform refused calls and never held the claimed number;
//     INCONCLUSIVE when the far end's early hang-ups kept the count down);
//     setup and answer delay percentiles by their order-statistic bounds.
//   - service: the share of the calls placed (abandoned and refused ones
//     included) answered within the threshold, time-scaled, by the same
//     proportion bound.
//
// Each check is PASS, FAIL or INCONCLUSIVE (with the calls and time more
// that would decide); a line takes its worst check, the claim its worst
// line. The report never restates as the claim a configuration the test
// did not use: what differs (an embedded center with other agents than
// the claim's) is a note beside it.
//
// WriteBundle writes the evidence: the claim as given, the run (version,
// command line, seed, RFC 3339 start and end, the setup of each line), the
// calls (the CDR of callsim load with each call's line and step), HDR
// histograms and a per-second series per line, the verdicts with their
// method and numbers, an HTML report, and a manifest with the SHA-256 of
// every file. CheckBundle checks the hashes and computes every verdict,
// histogram and series again from the calls, naming any file that differs.
package claim
