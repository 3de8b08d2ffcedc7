package loadgen

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

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

// CDRHeader is the first line of a CDR file.
var CDRHeader = []string{"call_id", "intended_start", "actual_start", "srd_ms", "answer_delay_ms",
	"duration_ms", "final_status", "outcome", "hangup_by",
	"packets_sent", "packets_received", "loss_pct", "jitter_ms", "max_gap_ms", "mos",
	"from", "to"}

// CDRWriter writes call detail records as CSV.
type CDRWriter struct {
	w *csv.Writer
}

// NewCDRWriter writes the header line and returns a writer for records.
func NewCDRWriter(w io.Writer) (*CDRWriter, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(CDRHeader); err != nil {
		return nil, fmt.Errorf("write CDR header: %w", err)
	}
	return &CDRWriter{w: cw}, nil
}

func msField(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64)
}

// Write appends one record.
func (c *CDRWriter) Write(r CallRecord) error {
	status := ""
	if r.FinalStatus > 0 {
		status = strconv.Itoa(r.FinalStatus)
	}
	m := []string{"", "", "", "", "", ""}
	if st := r.Media; st != nil {
		f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
		m = []string{strconv.FormatUint(st.Sent, 10), strconv.FormatUint(st.Received, 10), f(st.LossPct, 3),
			f(st.JitterMs, 3), f(float64(st.MaxGap)/1e6, 1), ""}
		if st.MOS > 0 {
			m[5] = f(st.MOS, 2)
		}
	}
	return c.w.Write(append([]string{r.CallID, r.IntendedStart.UTC().Format(time.RFC3339Nano),
		r.ActualStart.UTC().Format(time.RFC3339Nano), msField(r.SRD), msField(r.AnswerDelay),
		msField(r.Duration), status, string(r.Outcome), r.HangupBy}, append(m, r.From, r.To)...))
}

// Flush flushes buffered records and reports any write error.
func (c *CDRWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
