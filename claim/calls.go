package claim

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/cdr"
)

// Call is one call of a claim check: a record of callsim load's CDR
// (package cdr) with the claim line and ramp step it belongs to. Delays are
// in milliseconds as the CDR writes them (three decimals), so that a
// verdict computed from Calls is the verdict computed again from the CSV.
type Call struct {
	Line string // "capacity" or "service"
	Step int    // ramp step, from 1
	cdr.Record
}

// Outcomes of a call (the CDR's outcome column).
const (
	Completed      = cdr.Completed
	Failed         = cdr.Failed
	Abandoned      = cdr.Abandoned
	TimedOut       = cdr.TimedOut
	TransportError = cdr.TransportError
)

// AnsweredAt is when the call was answered.
func (c *Call) AnsweredAt() time.Time { return c.IntendedStart.Add(cdr.Duration(c.AnswerDelayMs)) }

// EndedAt is when an answered call ended.
func (c *Call) EndedAt() time.Time { return c.AnsweredAt().Add(cdr.Duration(c.DurationMs)) }

// Refused reports whether the platform refused or failed the call: a final
// response >= 300, no final response in time, or a transport error.
func (c *Call) Refused() bool {
	return c.Outcome == Failed || c.Outcome == TimedOut || c.Outcome == TransportError
}

// callsLead are the columns of calls.csv before the CDR's.
var callsLead = []string{"line", "step"}

// CallsHeader is the header of a claim check's calls.csv: the claim line
// and step, then the columns of callsim load's CDR (cdr.Header).
var CallsHeader = append(append([]string(nil), callsLead...), cdr.Header...)

// WriteCalls writes calls as CSV (CallsHeader).
func WriteCalls(w io.Writer, calls []Call) error {
	cw, err := cdr.NewWriter(w, callsLead...)
	if err != nil {
		return err
	}
	for i := range calls {
		c := &calls[i]
		if err := cw.Write(c.Record, c.Line, strconv.Itoa(c.Step)); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// maxCallRows bounds ReadCalls (a claim check holds at most this many calls).
const maxCallRows = 10_000_000

// ReadCalls reads a calls.csv written by WriteCalls; errors name the file
// and line.
func ReadCalls(name string, r io.Reader) ([]Call, error) {
	rd, err := cdr.NewReader(name, r, callsLead...)
	if err != nil {
		return nil, fmt.Errorf("%w (want the calls of a claim check, header %s)", err, strings.Join(CallsHeader, ","))
	}
	if header := rd.Header(); strings.Join(header, ",") != strings.Join(CallsHeader, ",") {
		return nil, fmt.Errorf("%s:1: header %q: want %q", name, strings.Join(header, ","), strings.Join(CallsHeader, ","))
	}
	var out []Call
	for {
		rec, lead, err := rd.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(out) >= maxCallRows {
			return nil, fmt.Errorf("%s:%d: more than %d calls", name, rd.Line(), maxCallRows)
		}
		c := Call{Line: lead[0], Record: rec}
		if err := c.check(lead[1]); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, rd.Line(), err)
		}
		out = append(out, c)
	}
}

// check validates a call read back, setting its step from the text.
func (c *Call) check(step string) error {
	if c.Line != "capacity" && c.Line != "service" {
		return fmt.Errorf("line %q: want capacity or service", c.Line)
	}
	var err error
	if c.Step, err = strconv.Atoi(step); err != nil || c.Step < 1 || c.Step > 100 {
		return fmt.Errorf("step %q: want a step number from 1", step)
	}
	return c.Record.Check()
}
