// Package center is a contact center compiled from a scenario into the flat,
// numeric form both of callsim's clocks drive: the simulator's virtual
// clock (package sim) and the embedded SIP center's wall clock (package
// sipcenter).
//
// A Center holds the queues (call types) with their arrival curves,
// handle, wrap-up and patience distributions, targets, priorities, opening
// hours, repeat, redial, self-service and transfer behaviour; the agent
// groups with their headcount timeline (agents, shifts and breaks,
// agents_by_interval, shrinkage, outages) and the queues they serve; the
// routes with their overflow delays; and per group and queue the
// handle-time factor, first-contact resolution and transfer share.
//
// Streams draws a call's needs (talk, wrap-up, patience, the uniform that
// decides its resolution) at its arrival, from one PCG stream per queue and
// purpose (package dist), and the outcomes decided when an agent answers
// (transfer, resolution, repeat call). The routing policy over a center is
// package acd; its tally and KPIs package kpi.
package center
