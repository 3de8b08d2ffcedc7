// Package loadgen generates SIP load: it places calls (INVITE, answer, hold,
// BYE; CANCEL when a caller's patience runs out), or OPTIONS / REGISTER
// transactions, at a target such as a PBX, an SBC or a proxy, and measures
// what happened.
//
// A run is described by a Config and executed by Run, which returns a
// Result that serialises to JSON (its field names are a contract used by
// reports and other commands). The library never prints; progress and call
// detail records are handed to the Config.OnTick and Config.OnCall
// callbacks.
//
// # Workload models
//
// Open: calls start on schedule whether or not earlier calls finished, at a
// constant Rate or along ramping Stages (linear between targets, like k6's
// ramping-arrival-rate), with uniform or Poisson arrivals; a Pacer maps the
// elapsed time and the count of calls started to the wait before the next
// one. Closed: Concurrency callers each start a new call when their previous
// one ends. A run is bounded by Duration and/or MaxCalls.
//
// # Honest measurement
//
// Every call has an intended start time from the schedule. Delays are
// measured from it, so a generator that falls behind shows up in the
// figures rather than hiding (no coordinated omission); calls starting later
// than LateTolerance are counted as late, and calls that could not be
// started because MaxInFlight calls were in progress are counted as dropped.
// Every attempted call ends in exactly one Outcome, and
// Attempted = Completed + Failed + Abandoned + TimedOut + TransportErrors.
//
// # Metrics
//
// Delays follow RFC 6076: SRD (session request delay, to the first 18x or
// 2xx), answer delay (to the 2xx), SDD (session disconnect delay, BYE to its
// final response) and the session duration, recorded in HDR histograms. The
// ratios SER, SEER, ISA and SCR are fractions; see Result.
//
// # Per-call parameters
//
// Config.From, To, Display and Username are templates with SIPp-like
// placeholders ([seq], [seq%M+K], [call_number], [NAME] or [fieldN] for a
// column of Config.Callers); see Template and ParseCallers. Call n uses row
// n mod rows of the callers table; a password column gives each caller its
// own digest password, never serialised nor logged.
//
// # The call path and sockets
//
// Calls go through callsim's own call path (wire.go, wirecall.go): the
// generator writes each request itself and reads responses with a
// zero-allocation scanner (wiremsg.go). Each call is driven by one state
// machine (callfsm.go: states x inputs -> actions, tested as a table) that
// holds the whole call policy: the RFC 3261 client transaction timers
// (Timer A/B for INVITE over UDP, E/F for CANCEL and BYE, D after a non-2xx
// final), CANCEL only after a provisional response, a 2xx crossing a
// CANCEL ACKed and hung up, 487 mapped to the outcome the CANCEL was for,
// one digest retry, and the hard stop. Every request goes to the target
// address, as SIPp does. OPTIONS and REGISTER go through sipgo's
// transaction layer (single.go); the sipgo call path was retired.
//
// Calls are spread round robin over Config.Sockets local UDP sockets or
// TCP/TLS connections, each read by one goroutine, so one socket caps the
// rate at what one core reads. I/O is batched (wirebatch.go): a reader
// takes every datagram waiting with one recvmmsg and writes the requests
// they cause with one sendmmsg (one read and one writev on a stream), then
// rests until the next Config.IOTick; the open-model scheduler starts the
// calls due once a tick, their INVITEs in one batch. Arrival times are the
// kernel's receive timestamps (Linux), so resting does not bias delays.
// On Linux with a tick, a UDP socket is kept outside Go's network poller
// (quietudp_linux.go) and read without waiting: datagrams arriving while
// its reader rests wake nothing, so a tick costs one wake-up of the
// process instead of one per datagram.
//
// # Media
//
// Unless Config.NoMedia, every INVITE carries a G.711 offer for an RTP port
// of its own (package media); from the answer to the hang-up the call sends
// 50 packets per second and measures the far end's stream (early media after
// a 183 with SDP is received too). Each CallRecord carries the call's
// media.Stats, and Result.Media aggregates them (MOS, loss, jitter and gap
// distributions, one-way and no-audio counts); thresholds reach them.
//
// # Segments and merging
//
// Config.Segment makes a run one of n execution segments of a test (see
// package segment and NewSegmentPacer): each segment computes its exact
// share of the schedule, the callers and the calls by itself, with random
// streams derived from (Seed, i); Config.StartAt lets all start together.
// A Result stores its delay (and media) histograms losslessly, the absolute
// start of its series, its segment and a TestID; Merge combines segments'
// results into the whole test's, recomputing every percentile from the
// merged histograms. The per-second setup-delay percentiles of the series
// (Second.SRDP50 ...) are the exception: percentiles of parts do not make
// the whole's, so a merged second holds the highest of its segments', an
// upper bound marked Second.DelaysUpperBound.
package loadgen
