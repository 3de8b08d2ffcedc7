// Package acd is callsim's one routing policy: the automatic call
// distributor of a compiled center (package center), driven by whichever
// clock plays it — the simulator's virtual clock (package sim) or the SIP
// center's wall clock (package sipcenter).
//
// The policy:
//
//   - Arrive: a call goes to the first group on its queue's route that has
//     an idle agent and whose overflow delay (After) is zero; within a
//     group the longest-idle agent takes it. Otherwise it waits in its
//     queue (first come, first served).
//   - Eligible: a waiting call becomes eligible for a later route step as
//     its wait reaches the step's After; an idle agent of that group then
//     takes it at once.
//   - Done: a freed agent takes the oldest eligible call of the
//     highest-priority queue its group serves, or joins the idle agents at
//     the back.
//   - SetStaff: agents come on duty and take waiting calls, or go off duty:
//     idle ones at once, longest idle first, busy ones when their call
//     (talk and wrap-up) is over.
//   - Abandon: a waiting caller leaves its queue.
//
// The ACD keeps only routing state and the queue-length part of the tally
// (package kpi); the clock decides when things happen and what a call's
// service costs. It is generic in the payload a clock keeps per call, with
// no interface on the hot path.
package acd
