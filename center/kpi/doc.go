// Package kpi is callsim's one tally of a contact center's calls and
// agents: counts and sums per queue, per group and per reporting cell, and
// every KPI defined once on them.
//
// A Tally is filled by whichever clock drives the center (the simulator's
// virtual clock, the SIP center's wall clock); the KPIs are ratios of its
// sums, with the definitions of the README:
//
//	service level = calls answered within the threshold / calls offered
//	ASA           = wait of answered calls / answered calls
//	abandon rate  = abandoned / offered
//	occupancy     = agent time busy with calls (talk + wrap-up) / agent time staffed
//
// A reporting cell is one interval of the day within one batch of the
// measured window (see Layout): the simulator keeps one batch per
// replication, or cuts a single replication into batches for batch-means
// confidence intervals.
package kpi
