// Package reconcile sets the calls a load generator placed (its call detail
// records, loadgen.CDRHeader columns) beside a vendor's billing export and
// finds what a client would dispute: calls billed but never placed, calls
// billed longer than they lasted, and (in the vendor's favour) calls placed
// but never billed.
//
// # Billing CSV
//
// The first line names the columns, in any order and case; unknown columns
// are ignored. Fields are separated by commas, or by semicolons or tabs when
// the header line has no comma (spreadsheet exports in many locales); a
// decimal comma is accepted in numbers. Accepted names:
//
//	call_id          call id (also: callid, call-id, sip_call_id)
//	caller           calling party (also: from, ani, caller_id, calling_number)
//	start_time       start of the billed call, RFC 3339 or "2006-01-02 15:04:05[.000]"
//	                 in UTC (also: start, connect_time, answer_time)
//	billed_seconds   billed duration in seconds, decimal (also: billed_sec,
//	                 billsec, billed_duration)
//	rate             optional price per billed minute (also: rate_per_minute)
//
// billed_seconds is required, and either call_id or both caller and
// start_time on every line.
//
// # Matching
//
// A billing line is matched to the CDR record with the same call id. A line
// without a call id, or whose call id is unknown, is matched by start time:
// the unmatched record whose answer time (actual_start + answer_delay_ms;
// actual_start for an unanswered call) is nearest the billed start_time, within
// the tolerance, and whose caller is the same when the CDR has a caller
// column. Each record matches at most one line.
//
// # Disputes
//
// The measured duration of a call is its duration_ms (from the ACK to the
// hang-up; 0 for a call never answered). A matched line is over-billed when
// billed > measured rounded up to the billing increment + tolerance; the
// disputed amount is billed - that rounded measure. A billed line with no
// call behind it is disputed in full. Calls placed and answered but never
// billed are listed apart (not a client's dispute).
package reconcile
