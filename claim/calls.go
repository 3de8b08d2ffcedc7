package claim

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Call is one call of a claim check: a record of callsim load's CDR
// (loadgen.CDRHeader) with the claim line and ramp step it belongs to.
// Delays are in milliseconds as the CDR writes them (three decimals), so
// that a verdict computed from Calls is the verdict computed again from the
// CSV.
type Call struct {
	Line          string // "capacity" or "service"
	Step          int    // ramp step, from 1
	CallID        string
	IntendedStart time.Time
	ActualStart   time.Time
	SRDMs         float64 // 0: no 18x/2xx
	AnswerDelayMs float64 // from the intended start; 0: not answered
	DurationMs    float64 // answered calls: from the ACK to the end
	FinalStatus   int     // 0: none
	Outcome       string  // completed, failed, abandoned, timed_out, transport_error
	HangupBy      string  // caller, callee, interrupt, or "" when never answered
	// Media holds the CDR's media columns as written (packets_sent,
	// packets_received, loss_pct, jitter_ms, max_gap_ms, mos).
	Media    [6]string
	From, To string
}

// Outcomes of a call (loadgen.Outcome).
const (
	Completed      = "completed"
	Failed         = "failed"
	Abandoned      = "abandoned"
	TimedOut       = "timed_out"
	TransportError = "transport_error"
)

// Answered reports whether the platform answered the call (a 2xx).
func (c *Call) Answered() bool { return c.Outcome == Completed && c.AnswerDelayMs > 0 }

// AnsweredAt is when the call was answered.
func (c *Call) AnsweredAt() time.Time { return c.IntendedStart.Add(msDur(c.AnswerDelayMs)) }

// EndedAt is when an answered call ended.
func (c *Call) EndedAt() time.Time { return c.AnsweredAt().Add(msDur(c.DurationMs)) }

// Refused reports whether the platform refused or failed the call: a final
// response >= 300, no final response in time, or a transport error.
func (c *Call) Refused() bool {
	return c.Outcome == Failed || c.Outcome == TimedOut || c.Outcome == TransportError
}

func msDur(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

// Ms is d in milliseconds as a CDR holds it (three decimals), 0 for d <= 0.
func Ms(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(msText(float64(d)/1e6), 64)
	return max(f, 0.001) // a delay under 0.5 µs is still a delay
}

func msText(ms float64) string {
	if ms <= 0 {
		return ""
	}
	return strconv.FormatFloat(ms, 'f', 3, 64)
}

// CallsHeader is the header of a claim check's calls.csv: the claim line
// and step, then the columns of callsim load's CDR.
var CallsHeader = []string{"line", "step", "call_id", "intended_start", "actual_start", "srd_ms", "answer_delay_ms",
	"duration_ms", "final_status", "outcome", "hangup_by",
	"packets_sent", "packets_received", "loss_pct", "jitter_ms", "max_gap_ms", "mos", "from", "to"}

// WriteCalls writes calls as CSV (CallsHeader).
func WriteCalls(w io.Writer, calls []Call) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CallsHeader); err != nil {
		return err
	}
	for i := range calls {
		c := &calls[i]
		status := ""
		if c.FinalStatus > 0 {
			status = strconv.Itoa(c.FinalStatus)
		}
		rec := append([]string{c.Line, strconv.Itoa(c.Step), c.CallID,
			c.IntendedStart.UTC().Format(time.RFC3339Nano), c.ActualStart.UTC().Format(time.RFC3339Nano),
			msText(c.SRDMs), msText(c.AnswerDelayMs), msText(c.DurationMs), status, c.Outcome, c.HangupBy},
			c.Media[:]...)
		if err := cw.Write(append(rec, c.From, c.To)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// maxCallRows bounds ReadCalls (a claim check holds at most this many calls).
const maxCallRows = 10_000_000

// ReadCalls reads a calls.csv written by WriteCalls; errors name the file
// and line.
func ReadCalls(name string, r io.Reader) ([]Call, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = len(CallsHeader)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file; want the calls of a claim check (header %s)", name, strings.Join(CallsHeader, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if strings.Join(header, ",") != strings.Join(CallsHeader, ",") {
		return nil, fmt.Errorf("%s:1: header %q: want %q", name, strings.Join(header, ","), strings.Join(CallsHeader, ","))
	}
	var out []Call
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(out) >= maxCallRows {
			return nil, fmt.Errorf("%s:%d: more than %d calls", name, line, maxCallRows)
		}
		c, err := parseCall(rec)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, c)
	}
}

func parseCall(rec []string) (Call, error) {
	c := Call{Line: rec[0], CallID: rec[2], Outcome: rec[9], HangupBy: rec[10], From: rec[17], To: rec[18]}
	copy(c.Media[:], rec[11:17])
	var err error
	if c.Line != "capacity" && c.Line != "service" {
		return c, fmt.Errorf("line %q: want capacity or service", c.Line)
	}
	if c.Step, err = strconv.Atoi(rec[1]); err != nil || c.Step < 1 || c.Step > 100 {
		return c, fmt.Errorf("step %q: want a step number from 1", rec[1])
	}
	if c.IntendedStart, err = time.Parse(time.RFC3339Nano, rec[3]); err != nil {
		return c, fmt.Errorf("intended_start %q: want RFC 3339", rec[3])
	}
	if c.ActualStart, err = time.Parse(time.RFC3339Nano, rec[4]); err != nil {
		return c, fmt.Errorf("actual_start %q: want RFC 3339", rec[4])
	}
	ms := func(i int, name string) (float64, error) {
		if rec[i] == "" {
			return 0, nil
		}
		v, err := strconv.ParseFloat(rec[i], 64)
		if err != nil || !(v > 0) || v > 1e10 {
			return 0, fmt.Errorf("%s %q: want milliseconds > 0, or empty", name, rec[i])
		}
		return v, nil
	}
	if c.SRDMs, err = ms(5, "srd_ms"); err != nil {
		return c, err
	}
	if c.AnswerDelayMs, err = ms(6, "answer_delay_ms"); err != nil {
		return c, err
	}
	if c.DurationMs, err = ms(7, "duration_ms"); err != nil {
		return c, err
	}
	if rec[8] != "" {
		if c.FinalStatus, err = strconv.Atoi(rec[8]); err != nil || c.FinalStatus < 100 || c.FinalStatus > 699 {
			return c, fmt.Errorf("final_status %q: want a SIP status code", rec[8])
		}
	}
	switch c.Outcome {
	case Completed, Failed, Abandoned, TimedOut, TransportError:
	default:
		return c, fmt.Errorf("outcome %q: want completed, failed, abandoned, timed_out or transport_error", c.Outcome)
	}
	switch c.HangupBy {
	case "", "caller", "callee", "interrupt":
	default:
		return c, fmt.Errorf("hangup_by %q: want caller, callee, interrupt or empty", c.HangupBy)
	}
	if c.Outcome == Completed && c.AnswerDelayMs == 0 {
		return c, errors.New("a completed call without answer_delay_ms")
	}
	return c, nil
}
