package audit

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// CallsHeader is the first line of the audit's per-call CSV.
var CallsHeader = []string{"call_id", "interval", "interval_label", "clock", "intended_start", "outcome", "final_status",
	"answered", "answer_delay_seconds", "within", "reached_agent", "duration_seconds", "hangup_by", "audio_packets"}

// WriteCalls writes the report's calls as CSV, one line a call (scenario
// time; audio_packets empty without media).
func WriteCalls(w io.Writer, rep *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CallsHeader); err != nil {
		return fmt.Errorf("write calls: %w", err)
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	for _, c := range rep.Calls {
		label := ""
		if c.Interval >= 0 && c.Interval < len(rep.Intervals) {
			label = rep.Intervals[c.Interval].Label
		}
		status, audio := "", ""
		if c.FinalStatus > 0 {
			status = strconv.Itoa(c.FinalStatus)
		}
		if c.AudioPackets >= 0 {
			audio = strconv.FormatInt(c.AudioPackets, 10)
		}
		if err := cw.Write([]string{c.CallID, strconv.Itoa(c.Interval), label, clockSeconds(c.ClockSeconds),
			c.IntendedStart.UTC().Format(time.RFC3339Nano), c.Outcome, status, strconv.FormatBool(c.Answered),
			f(c.AnswerDelaySeconds), strconv.FormatBool(c.Within), strconv.FormatBool(c.ReachedAgent),
			f(c.DurationSeconds), c.HangupBy, audio}); err != nil {
			return fmt.Errorf("write calls: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write calls: %w", err)
	}
	return nil
}
