// Package rxstamp gives a received datagram's arrival time from the
// kernel's receive timestamp (SO_TIMESTAMPNS on Linux), so that a reader
// that takes its datagrams in batches, or some time after they came, still
// measures when each arrived. Elsewhere the time of the read stands in.
package rxstamp
