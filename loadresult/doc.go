// Package loadresult holds the result of a load test as callsim load
// writes it (--json) and every reader takes it back: the counts, the
// delay summaries, the per-second series, the windows judged, the media
// summary and the settings of the run. It links no SIP stack, so that
// the renderers (package reports) and the tools that read results do not
// link the generator; package loadgen produces these values and re-exports
// the types under its own names.
//
// The JSON field names are a contract: DecodeResult reads what
// Result.WriteJSON writes, checking the per-second series as it decodes.
package loadresult
