// Package sipcenter is the embedded SIP contact center: a user agent server that plays
// a contact center over the wire, so that a load generator (callsim load,
// SIPp, a PBX) can be pointed at something that queues, answers and hangs
// up like a staffed center.
//
// An INVITE arrives on the queue named by the Request-URI user part (simple
// mode: one queue). The server answers 100 Trying, then 180 Ringing while the
// caller waits; the longest-idle free agent takes the oldest waiting caller
// (first come, first served) and answers 200 OK with a minimal SDP. After the
// ACK the agent talks for a handle time drawn from Config.Handle and hangs up
// with BYE; a caller's BYE ends the call earlier. A caller's CANCEL while
// waiting gets 200 and the INVITE 487 Request Terminated: an abandonment.
// With Config.Trunks set, an INVITE that finds that many calls in the system
// (waiting or talking) gets 503 Service Unavailable with Retry-After.
//
// Scenario mode (Config.Scenario) plays a scenario's contact center: its
// queues (a user part that names none gets 404 Not Found, the queues listed
// in the reason phrase), its groups with their headcount timeline, and the
// simulator's own routing: the center is compiled by package center and
// routed by package center/acd, the one policy the simulator (package sim)
// drives on its virtual clock and this package on the wall clock times the
// time scale. An arriving call goes to the first group on its route with no
// overflow delay and an idle agent (longest idle first), else waits; it
// becomes eligible for later route steps as its wait reaches their after:
// delay; a freed agent takes the oldest eligible call of the
// highest-priority queue its group serves; going off duty, idle agents
// leave longest idle first and busy ones when their call is over. A call's
// talk and wrap-up time are drawn when it enters a queue, from one stream
// per queue and purpose (center.Streams, seeded by Config.Seed as the
// simulator's replication 0), or taken from Config.Trace; the talk is
// multiplied by the answering group's handle_time_factor; after the call
// the agent does the wrap-up, busy but not talking. A queue with opening
// hours answers 480 Temporarily Unavailable outside them, on the scenario
// clock ClockStart + wall time x TimeScale (Monday 00:00 = 0, as in the
// simulator). Arrivals, patience, redials and repeat calls are the
// caller's business. Transfers are the center's: when a queue has
// transfer_to and the agent's group a transfer share for it, that share of
// the calls (drawn from the queue's transfer stream when the agent takes
// the call, as in the simulator) is not hung up after the talk: the agent
// does the wrap-up and the caller, still in the SIP dialog (no BYE; the
// media echo goes on), is held for that wrap-up time and then waits in the
// transfer_to queue like any call there, under its routing, until one of
// its agents talks for that call's talk time (and hangs up, or transfers
// again). As in the simulator, the call then counts as transferred out
// (and completed) in the first queue and as offered and transferred in
// (TransfersIn) in the second, whose service level, ASA and abandon rate
// include it; a transfer_to queue outside its opening hours counts it as
// closed and the agent hangs up. As in the simulator, the caller waits
// there with the patience it brings to that queue (drawn, or from the
// trace): when it runs out the call is abandoned there and the center
// hangs up (the caller, answered, cannot CANCEL); a caller's BYE while it
// waits there is its abandonment too.
// Occupancy is busy time over the agent time staffed (the headcount
// timeline's available agents). Stats holds the figures per queue
// (PerQueue) and per group (Groups) as well, and the center's counts and
// sums in the simulator's terms (Sums, package center/kpi).
//
// Time can be compressed: with TimeScale K, scenario time runs K times faster
// than wall time, so a 3-minute handle time lasts 3m/K on the wire, and the
// statistics (ASA, service level threshold, elapsed time) are reported in
// scenario time (wall durations multiplied by K).
//
// Stats uses the definitions of the simulator (package center/kpi, see the
// README): service level = answered within the threshold / offered; ASA =
// mean wait of answered calls; abandon rate = abandoned / offered;
// occupancy = agent busy time / agent time staffed. Offered counts the calls admitted to the queue;
// calls refused for lack of trunks are counted as Rejected, apart.
//
// Start runs a server in-process (for tests and the verify command); Close
// ends every call (waiting callers get 503, talking calls a BYE), stops every
// goroutine the server started and freezes the statistics.
package sipcenter
