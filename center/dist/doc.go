// Package dist holds every random sampler and arrival curve of callsim: the
// duration distributions of a scenario (constant, exponential, lognormal,
// gamma, uniform, triangular, empirical), the per-purpose PCG streams they
// draw from, and the arrival curves (a flat rate, an intraday profile with
// weekday factors, a week of forecast rates, a gamma day factor).
//
// The simulator (package sim) and the embedded SIP contact center (package
// sipcenter) draw with this code, so a call's needs are the same numbers in
// both when they use the same stream.
//
// Samplers are plain structs with a switch, not interfaces, so the
// simulator's hot path has no dynamic dispatch.
package dist
