// Package audit is the buyer's audit of a vendor's contact center: a few
// test calls (CallsPerInterval, 3 to 6 per operator is common) placed in
// every interval of the day at the vendor's number, each measuring how fast
// the call is answered, whether it reaches an agent, and how long it lasts,
// summed up per interval as the buyer sees the vendor's service level across
// the day.
//
// # Schedule
//
// The window From-To (times of day) is cut into intervals of Interval; each
// interval gets CallsPerInterval calls, evenly spaced at the middle of equal
// slots (call i of an interval starts (i + 1/2) x Interval/CallsPerInterval
// after its start), so no call sits on a boundary and the intervals are
// sampled alike. The audit's clock reads From at Config.Epoch (default: when
// sipaudit.Run starts) and runs TimeScale times faster than wall time, like the
// embedded center's (callsim target --time-scale): a day can be audited in a
// minute against a center that plays it compressed. Every duration of the
// Config and of the results is in that scenario time.
//
// # One call
//
// A call waits at most Patience for an answer (then the caller hangs up:
// abandoned), and an answered call is held for Hold unless the far end ends
// it first. Its answer delay runs from the INVITE sent to the 200 OK: unlike
// a load test's delays (from the intended start, so that an overloaded
// generator cannot hide a slow target), the audit leaves the caller's own
// lateness out (Call.LateSeconds keeps it), as it is not the vendor's; it
// is within the threshold when answered within Within. It reached an agent when it was answered and stayed up at least
// MinTalk (or the whole Hold, when shorter) and, with media, the far end
// sent audio: a platform that answers and drops the call, or answers with
// silence, has not put the caller through.
//
// # Figures and their method
//
// Per interval and for the day: calls placed, answered, within the
// threshold, reached an agent, abandoned, refused (a final response >= 300,
// no response, or a transport error); the service level = answered within
// the threshold / calls placed (the README's definition; abandoned and
// refused calls count as not within); its two-sided exact binomial
// (Clopper-Pearson) confidence interval at Confidence (each bound one-sided
// at (1 + Confidence)/2; package judge). The calls of an interval are spaced
// Interval/CallsPerInterval apart and taken as independent. For the day
// the calls are a sample stratified by interval (the same number in each),
// for which the binomial interval on all calls is conservative.
//
// The reaction speed is the answer delay's percentiles (nearest rank: p50,
// p90, max) over the calls placed, a call never answered counting as slower
// than any answered one (reported as -1, "not answered"); ASA, the mean
// answer delay of the answered calls, and the mean call length are given
// beside it.
//
// With a claimed service level (Claim), each interval and the day are
// judged by judge.JudgeProportion: PASS, FAIL, or INCONCLUSIVE with the
// calls that would decide. A handful of calls an interval decides only
// when the service is far from the claim; INCONCLUSIVE is the honest
// answer otherwise.
//
// # The center's own report
//
// CompareCenter sets the audit's calls beside the vendor's per-call report
// of the same calls (matched by SIP Call-ID; callsim target --call-log
// writes one): per interval, the service level each side gives, calls the
// center does not list, calls the two sides see differently (answered or
// not, within the threshold or not) and the largest difference between the
// audit's answer delay and the center's wait. A difference within the
// tolerance of the threshold is signalling, not a disagreement.
//
// # Placing the calls
//
// Package audit/sipaudit places the calls over SIP (through package
// loadgen) and sums them up here (Summarize); this package links no SIP
// stack, so that reports of an audit render without the generator.
package audit
