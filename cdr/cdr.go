package cdr

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

// Header is the first line of a CDR file.
var Header = []string{"call_id", "intended_start", "actual_start", "srd_ms", "answer_delay_ms",
	"duration_ms", "final_status", "outcome", "hangup_by",
	"packets_sent", "packets_received", "loss_pct", "jitter_ms", "max_gap_ms", "mos",
	"from", "to"}

// Outcomes of a call (the outcome column).
const (
	Completed      = "completed"
	Failed         = "failed"
	Abandoned      = "abandoned"
	TimedOut       = "timed_out"
	TransportError = "transport_error"
)

// Required are the columns a CDR must have to be read.
var Required = []string{"call_id", "actual_start", "duration_ms"}

// mediaAt is where the six media columns start in Header.
const mediaAt = 9

// Record is one line of a CDR, each value as written: delays in
// milliseconds with three decimals (0: the column is empty).
type Record struct {
	CallID        string
	IntendedStart time.Time
	ActualStart   time.Time
	SRDMs         float64 // 0: no 18x/2xx
	AnswerDelayMs float64 // from the intended start; 0: not answered
	DurationMs    float64 // answered calls: from the ACK to the end
	FinalStatus   int     // 0: none
	Outcome       string
	HangupBy      string
	// Media holds the columns packets_sent, packets_received, loss_pct,
	// jitter_ms, max_gap_ms and mos as written (all empty: no media).
	Media    [6]string
	From, To string
}

// Media are a call's RTP figures as the caller measured them.
type Media struct {
	Sent, Received    uint64
	LossPct, JitterMs float64
	MaxGap            time.Duration
	MOS               float64 // 0: none (nothing received)
}

// Columns renders m as the CDR's six media columns.
func (m Media) Columns() [6]string {
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	c := [6]string{strconv.FormatUint(m.Sent, 10), strconv.FormatUint(m.Received, 10), f(m.LossPct, 3),
		f(m.JitterMs, 3), f(float64(m.MaxGap)/1e6, 1), ""}
	if m.MOS > 0 {
		c[5] = f(m.MOS, 2)
	}
	return c
}

// Ms is d in milliseconds as a CDR holds it (three decimals), 0 for
// d <= 0 and at least 0.001 for d > 0 (a delay under 0.5 µs is still a
// delay).
func Ms(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(msText(float64(d)/1e6), 64)
	return max(f, 0.001)
}

// Duration is ms milliseconds as a duration (to the nanosecond).
func Duration(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

func msText(ms float64) string {
	if !(ms > 0) {
		return ""
	}
	return strconv.FormatFloat(ms, 'f', 3, 64)
}

// Answered reports whether the platform answered the call (a 2xx).
func (r *Record) Answered() bool { return r.Outcome == Completed && r.AnswerDelayMs > 0 }

// Fields renders r as the CDR's columns (Header).
func (r *Record) Fields() []string {
	status := ""
	if r.FinalStatus > 0 {
		status = strconv.Itoa(r.FinalStatus)
	}
	out := make([]string, 0, len(Header))
	out = append(out, r.CallID, r.IntendedStart.UTC().Format(time.RFC3339Nano), r.ActualStart.UTC().Format(time.RFC3339Nano),
		msText(r.SRDMs), msText(r.AnswerDelayMs), msText(r.DurationMs), status, r.Outcome, r.HangupBy)
	out = append(out, r.Media[:]...)
	return append(out, r.From, r.To)
}

// Writer writes records as CSV: the lead columns the writer was made
// with, then Header.
type Writer struct {
	w    *csv.Writer
	lead int
}

// NewWriter writes the header line (lead, then Header) and returns a
// writer for records.
func NewWriter(w io.Writer, lead ...string) (*Writer, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string(nil), lead...), Header...)); err != nil {
		return nil, fmt.Errorf("write CDR header: %w", err)
	}
	return &Writer{w: cw, lead: len(lead)}, nil
}

// Write appends one record, after the values of the lead columns.
func (w *Writer) Write(r Record, lead ...string) error {
	if len(lead) != w.lead {
		return fmt.Errorf("CDR record %s: %d lead values, the header has %d lead columns", r.CallID, len(lead), w.lead)
	}
	return w.w.Write(append(append([]string(nil), lead...), r.Fields()...))
}

// Flush flushes buffered records and reports any write error.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// aliases maps the names a column is found by to the column.
var aliases = map[string]string{"caller": "from"}

// Reader reads a CDR: the lead columns it was made with, then the CDR's
// columns found by name.
type Reader struct {
	name   string
	cr     *csv.Reader
	header []string
	lead   int
	idx    map[string]int
	line   int
}

// NewReader reads the header line of a CDR from r (name is used in
// messages): lead must be its first columns, and the Required columns
// must be among the others.
func NewReader(name string, r io.Reader, lead ...string) (*Reader, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file; want a CDR written by callsim load --cdr (header %s)", name, strings.Join(append(lead, Header...), ","))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rd := &Reader{name: name, cr: cr, header: header, lead: len(lead), idx: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if i < len(lead) {
			if h != lead[i] {
				return nil, fmt.Errorf("%s:1: column %d is %q: want %s first", name, i+1, h, strings.Join(lead, ","))
			}
			continue
		}
		if a, ok := aliases[h]; ok {
			h = a
		}
		if _, dup := rd.idx[h]; !dup {
			rd.idx[h] = i
		}
	}
	if len(header) < len(lead) {
		return nil, fmt.Errorf("%s:1: header %q: want %s first", name, strings.Join(header, ","), strings.Join(lead, ","))
	}
	for _, need := range Required {
		if _, ok := rd.idx[need]; !ok {
			return nil, fmt.Errorf("%s:1: no %s column; want a CDR written by callsim load --cdr", name, need)
		}
	}
	return rd, nil
}

// Header is the header line as read.
func (rd *Reader) Header() []string { return rd.header }

// Has reports whether the CDR has the column.
func (rd *Reader) Has(col string) bool { _, ok := rd.idx[col]; return ok }

// Line is the line of the record last read.
func (rd *Reader) Line() int { return rd.line }

func (rd *Reader) field(rec []string, col string) string {
	i, ok := rd.idx[col]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

// ParseTime reads a time as a CDR or a billing export writes it: RFC 3339,
// or "2006-01-02 15:04:05" (UTC), as a spreadsheet saves it.
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2026-11-23T09:30:00Z) or 2026-11-23 09:30:00 (UTC)", s)
}

// maxMs bounds a delay or duration read (about 115 days).
const maxMs = 1e10

// Read returns the next record and the values of its lead columns; io.EOF
// after the last. Errors name the file, the line and the column.
func (rd *Reader) Read() (Record, []string, error) {
	rec, err := rd.cr.Read()
	if err == io.EOF {
		return Record{}, nil, io.EOF
	}
	if err != nil {
		return Record{}, nil, fmt.Errorf("%s: %w", rd.name, err)
	}
	rd.line, _ = rd.cr.FieldPos(0)
	if len(rec) < rd.lead {
		return Record{}, nil, fmt.Errorf("%s:%d: %d columns, want at least %d", rd.name, rd.line, len(rec), rd.lead)
	}
	r, err := rd.record(rec)
	if err != nil {
		return Record{}, nil, fmt.Errorf("%s:%d: %w", rd.name, rd.line, err)
	}
	return r, rec[:rd.lead:rd.lead], nil
}

func (rd *Reader) record(rec []string) (Record, error) {
	f := func(col string) string { return rd.field(rec, col) }
	r := Record{CallID: f("call_id"), Outcome: f("outcome"), HangupBy: f("hangup_by"), From: f("from"), To: f("to")}
	for i := range r.Media {
		r.Media[i] = f(Header[mediaAt+i])
	}
	var err error
	if r.ActualStart, err = ParseTime(f("actual_start")); err != nil {
		return r, fmt.Errorf("actual_start: %w", err)
	}
	if s := f("intended_start"); s != "" {
		if r.IntendedStart, err = ParseTime(s); err != nil {
			return r, fmt.Errorf("intended_start: %w", err)
		}
	} else {
		r.IntendedStart = r.ActualStart
	}
	ms := func(col string) (float64, error) {
		s := f(col)
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil || !(v >= 0 && v <= maxMs) {
			return 0, fmt.Errorf("%s %q: want milliseconds from 0 to %g, or empty", col, s, maxMs)
		}
		return v, nil
	}
	if r.SRDMs, err = ms("srd_ms"); err != nil {
		return r, err
	}
	if r.AnswerDelayMs, err = ms("answer_delay_ms"); err != nil {
		return r, err
	}
	if r.DurationMs, err = ms("duration_ms"); err != nil {
		return r, err
	}
	if s := f("final_status"); s != "" {
		if r.FinalStatus, err = strconv.Atoi(s); err != nil || r.FinalStatus < 100 || r.FinalStatus > 699 {
			return r, fmt.Errorf("final_status %q: want a SIP status code", s)
		}
	}
	return r, nil
}

// Check verifies what a CDR written by callsim holds and a hand-made one
// may not: a known outcome and hangup side, and a completed call's answer
// delay.
func (r *Record) Check() error {
	switch r.Outcome {
	case Completed, Failed, Abandoned, TimedOut, TransportError:
	default:
		return fmt.Errorf("outcome %q: want completed, failed, abandoned, timed_out or transport_error", r.Outcome)
	}
	switch r.HangupBy {
	case "", "caller", "callee", "interrupt":
	default:
		return fmt.Errorf("hangup_by %q: want caller, callee, interrupt or empty", r.HangupBy)
	}
	if r.Outcome == Completed && r.AnswerDelayMs == 0 {
		return errors.New("a completed call without answer_delay_ms")
	}
	return nil
}

// ReadAll reads every record of a CDR without lead columns.
func ReadAll(name string, r io.Reader) ([]Record, error) {
	rd, err := NewReader(name, r)
	if err != nil {
		return nil, err
	}
	var out []Record
	for {
		rec, _, err := rd.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
}
