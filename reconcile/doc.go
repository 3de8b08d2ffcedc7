// Package reconcile sets the calls a load generator placed (its call detail
// records, cdr.Header columns) beside a vendor's billing export and
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
// without a call id, or whose call id is unknown, is matched by caller and
// start time: the unmatched record whose answer time (actual_start +
// answer_delay_ms; actual_start for an unanswered call) is nearest the
// billed start_time, within the tolerance. When both the line and the record
// name a caller (the CDR's from column, written by callsim load since it
// has one; or a caller column), the callers must be the same, and such
// pairs are matched first; otherwise the match is by start time only.
// Callers are compared on the user part (a sip:, sips: or tel: URI, display
// name, host and parameters are dropped), without a leading + and ignoring
// case, so "+4930111", "4930111" and "<sip:+4930111@carrier;user=phone>"
// are the same caller. Each record matches at most one line.
//
// # Our CDR
//
// ParseCDR reads the CDR of callsim load --cdr (cdr.Header): it
// needs call_id, actual_start and duration_ms, and uses answer_delay_ms,
// outcome, final_status and the caller (column from, or caller) when
// present; CDRs written before the from column existed still match by
// call id and start time.
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
