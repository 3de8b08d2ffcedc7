package loadgen

import (
	"time"

	"github.com/callsim/callsim/cdr"
	"github.com/callsim/callsim/internal/atomicfile"
	"github.com/callsim/callsim/media"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers never see a partial file (see package
// internal/atomicfile).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.WriteFile(path, data) }

// CallRecord is the call detail record of one attempted call.
type CallRecord struct {
	CallID        string
	Seq           uint64
	IntendedStart time.Time
	ActualStart   time.Time
	SRD           time.Duration // 0: no 18x/2xx
	AnswerDelay   time.Duration // 0: not answered
	Duration      time.Duration // answered calls: from ACK to the end
	FinalStatus   int           // 0: none
	Outcome       Outcome
	HangupBy      string // caller, callee, interrupt, or "" when never answered
	Late          bool
	// Media holds the call's RTP figures (answered calls with media only).
	Media *media.Stats
	// From is the caller's From URI user part and To the Request-URI, as
	// sent (templates and --callers make them vary per call).
	From string
	To   string
}

// CDR returns the call's line of the CDR (package cdr owns the format).
func (r *CallRecord) CDR() cdr.Record {
	c := cdr.Record{CallID: r.CallID, IntendedStart: r.IntendedStart.UTC(), ActualStart: r.ActualStart.UTC(),
		SRDMs: cdr.Ms(r.SRD), AnswerDelayMs: cdr.Ms(r.AnswerDelay), DurationMs: cdr.Ms(r.Duration),
		FinalStatus: r.FinalStatus, Outcome: string(r.Outcome), HangupBy: r.HangupBy, From: r.From, To: r.To}
	if st := r.Media; st != nil {
		c.Media = cdr.Media{Sent: st.Sent, Received: st.Received, LossPct: st.LossPct, JitterMs: st.JitterMs,
			MaxGap: st.MaxGap, MOS: st.MOS}.Columns()
	}
	return c
}
