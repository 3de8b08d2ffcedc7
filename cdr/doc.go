// Package cdr owns the call detail record that callsim load --cdr writes,
// one CSV line per attempted call, and that reconcile, claim bundles and
// anyone else read back: the columns (Header), a typed record (Record), a
// writer and a reader. It links nothing but the standard library.
//
// # Columns
//
//	call_id           the SIP Call-ID
//	intended_start    when the call was due (RFC 3339, UTC)
//	actual_start      when its INVITE was sent
//	srd_ms            session request delay: to the first 18x or 2xx (empty: none)
//	answer_delay_ms   from the intended start to the 2xx (empty: not answered)
//	duration_ms       answered calls: from the ACK to the end
//	final_status      the final response's code (empty: none)
//	outcome           completed, failed, abandoned, timed_out or transport_error
//	hangup_by         caller, callee, interrupt, or empty when never answered
//	packets_sent, packets_received, loss_pct, jitter_ms, max_gap_ms, mos
//	                  the call's RTP as the caller measured it (empty without media)
//	from, to          the caller's From user part and the Request-URI, as sent
//
// Milliseconds are written with three decimals; a positive delay shorter
// than half a microsecond is written 0.001, never 0.000, so that a record
// read back is the record written (Ms).
//
// The reader finds the columns by name, so files written before a column
// existed (from and to came last) still read, and a spreadsheet's saving
// (a byte order mark, blanks, decimal commas, "2026-11-23 09:30:00") is
// accepted; it needs call_id, actual_start and duration_ms.
package cdr
