package reconcile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/cdr"
)

// Call is one record of our CDR.
type Call struct {
	Line        int       `json:"line"`
	CallID      string    `json:"call_id"`
	Caller      string    `json:"caller,omitempty"`
	Start       time.Time `json:"actual_start"`
	Answered    time.Time `json:"answered,omitzero"` // zero: never answered
	Measured    float64   `json:"measured_seconds"`
	Outcome     string    `json:"outcome"`
	FinalStatus string    `json:"final_status,omitempty"`
}

// Billed is one line of the vendor's billing export.
type Billed struct {
	Line          int       `json:"line"`
	CallID        string    `json:"call_id,omitempty"`
	Caller        string    `json:"caller,omitempty"`
	Start         time.Time `json:"start_time,omitzero"`
	BilledSeconds float64   `json:"billed_seconds"`
	Rate          float64   `json:"rate,omitempty"` // per minute; 0: none given
}

var billingNames = map[string][]string{
	"call_id":        {"call_id", "callid", "call-id", "sip_call_id"},
	"caller":         {"caller", "from", "ani", "caller_id", "calling_number"},
	"start_time":     {"start_time", "start", "connect_time", "answer_time"},
	"billed_seconds": {"billed_seconds", "billed_sec", "billsec", "billed_duration"},
	"rate":           {"rate", "rate_per_minute"},
}

// columns maps canonical names to column indexes from a header line.
func columns(header []string, names map[string][]string) map[string]int {
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for canon, aliases := range names {
			for _, a := range aliases {
				if h == a {
					if _, dup := idx[canon]; !dup {
						idx[canon] = i
					}
				}
			}
		}
	}
	return idx
}

func field(rec []string, idx map[string]int, name string) string {
	i, ok := idx[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func parseNumber(s, what string) (float64, error) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%s %q: want a number of at least 0", what, s)
	}
	return v, nil
}

func newReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	return cr
}

// ParseBilling reads a billing CSV (see the package documentation). name is
// used in messages.
func ParseBilling(name string, r io.Reader) ([]Billed, error) {
	br := bufio.NewReader(r)
	first, _ := br.Peek(4096)
	head, _, _ := strings.Cut(string(first), "\n")
	cr := newReader(br)
	// Spreadsheets in many locales export with semicolons (or tabs).
	if !strings.Contains(head, ",") {
		if strings.Contains(head, ";") {
			cr.Comma = ';'
		} else if strings.Contains(head, "\t") {
			cr.Comma = '\t'
		}
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file; want a header line naming call_id or caller and start_time, and billed_seconds", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	idx := columns(header, billingNames)
	_, hasID := idx["call_id"]
	_, hasCaller := idx["caller"]
	_, hasStart := idx["start_time"]
	if _, ok := idx["billed_seconds"]; !ok || (!hasID && !(hasCaller && hasStart)) {
		return nil, fmt.Errorf("%s:1: header %q: want billed_seconds and call_id, or caller and start_time (see callsim reconcile --help)",
			name, strings.Join(header, ","))
	}
	var out []Billed
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		b := Billed{Line: line, CallID: field(rec, idx, "call_id"), Caller: field(rec, idx, "caller")}
		if b.BilledSeconds, err = parseNumber(field(rec, idx, "billed_seconds"), "billed_seconds"); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if s := field(rec, idx, "start_time"); s != "" {
			if b.Start, err = cdr.ParseTime(s); err != nil {
				return nil, fmt.Errorf("%s:%d: start_time: %w", name, line, err)
			}
		}
		if s := field(rec, idx, "rate"); s != "" {
			if b.Rate, err = parseNumber(s, "rate"); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
		}
		if b.CallID == "" && (b.Caller == "" || b.Start.IsZero()) {
			return nil, fmt.Errorf("%s:%d: no call_id, and not both caller and start_time: the line cannot be matched", name, line)
		}
		out = append(out, b)
	}
}

// ParseCDR reads a CDR written by callsim load --cdr (see package cdr,
// which reads it: the caller is its from column, or a column caller).
func ParseCDR(name string, r io.Reader) ([]Call, error) {
	rd, err := cdr.NewReader(name, r)
	if err != nil {
		return nil, err
	}
	var out []Call
	for {
		rec, _, err := rd.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		c := Call{Line: rd.Line(), CallID: rec.CallID, Caller: rec.From, Outcome: rec.Outcome, Start: rec.ActualStart,
			Measured: rec.DurationMs / 1000}
		if rec.FinalStatus > 0 {
			c.FinalStatus = strconv.Itoa(rec.FinalStatus)
		}
		if rec.AnswerDelayMs > 0 {
			c.Answered = c.Start.Add(cdr.Duration(rec.AnswerDelayMs))
		}
		out = append(out, c)
	}
}

// Options tune the comparison.
type Options struct {
	// Tolerance bounds the start-time difference of a match and is allowed
	// on every billed duration (default 1s).
	Tolerance time.Duration
	// Increment is the billing increment measured durations are rounded up
	// to before comparing (default 1s; 60s for per-minute billing).
	Increment time.Duration
	// Recordings, when given (LoadRecordings), are set beside the billed
	// and measured durations (see the package documentation).
	Recordings []Recording
}

// Line is one matched or unmatched call.
type Line struct {
	CallID          string  `json:"call_id"`
	Caller          string  `json:"caller,omitempty"`
	CDRLine         int     `json:"cdr_line,omitempty"`
	BillingLine     int     `json:"billing_line,omitempty"`
	MatchedBy       string  `json:"matched_by,omitempty"` // call_id, caller_start_time or start_time
	MeasuredSeconds float64 `json:"measured_seconds"`
	BilledSeconds   float64 `json:"billed_seconds"`
	// DiffSeconds = billed - measured.
	DiffSeconds float64 `json:"diff_seconds"`
	// DisputedSeconds = billed - measured rounded up to the increment, when
	// that exceeds the tolerance (all of it for a call never placed).
	DisputedSeconds float64 `json:"disputed_seconds"`
	DisputedAmount  float64 `json:"disputed_amount,omitempty"`
	// RecordedSeconds is the call's recording's duration (with
	// recordings; absent when it has none).
	RecordedSeconds *float64 `json:"recorded_seconds,omitempty"`
	Reason          string   `json:"reason,omitempty"`
}

// Report is the outcome of a reconciliation.
type Report struct {
	ToleranceSeconds float64 `json:"tolerance_seconds"`
	IncrementSeconds float64 `json:"increment_seconds"`
	CDRCalls         int     `json:"cdr_calls"`
	CDRAnswered      int     `json:"cdr_answered"`
	BillingLines     int     `json:"billing_lines"`
	Matched          int     `json:"matched"`
	MatchedByID      int     `json:"matched_by_call_id"`
	MatchedByTime    int     `json:"matched_by_start_time"`
	// MatchedByCaller are those of MatchedByTime whose caller matched too.
	MatchedByCaller int `json:"matched_by_caller"`
	// Totals: every billing line, every call placed, and the matched ones.
	BilledSeconds          float64 `json:"billed_seconds"`
	MeasuredSeconds        float64 `json:"measured_seconds"`
	DiffSeconds            float64 `json:"diff_seconds"` // billed - measured
	BilledMatchedSeconds   float64 `json:"billed_matched_seconds"`
	MeasuredMatchedSeconds float64 `json:"measured_matched_seconds"`
	DisputedSeconds        float64 `json:"disputed_seconds"`
	DisputedAmount         float64 `json:"disputed_amount"`
	// OverBilled are matched calls billed beyond their measure.
	OverBilled []Line `json:"over_billed"`
	// BilledNotPlaced are billing lines with no call behind them.
	BilledNotPlaced []Line `json:"billed_not_placed"`
	// PlacedNotBilled are answered calls no billing line names.
	PlacedNotBilled []Line `json:"placed_not_billed"`
	// Calls holds every matched call, in CDR order.
	Calls []Line `json:"calls"`

	// With recordings: their number and total duration, the billed time
	// no recording backs, and the findings.
	Recordings                    int     `json:"recordings,omitempty"`
	RecordedSeconds               float64 `json:"recorded_seconds,omitempty"`
	BilledWithoutRecordingSeconds float64 `json:"billed_without_recording_seconds,omitempty"`
	// MissingRecordings are calls of ours (billed or answered) with no
	// recording: a finding, not a dispute (our CDR backs the call).
	MissingRecordings []Line `json:"missing_recordings,omitempty"`
	// RecordingShort are billed calls whose recording is shorter than the
	// billed time beyond the increment and tolerance: disputed by the
	// difference when no call of ours backs them, a finding otherwise.
	RecordingShort []Line `json:"recording_short,omitempty"`
	// BilledRecorded are billed lines with no call of ours, judged against
	// their recordings.
	BilledRecorded []Line `json:"billed_recorded,omitempty"`
	// RecordingsNotBilled are recordings no billing line or call names;
	// UnreadableRecordings those that are not WAV files.
	RecordingsNotBilled  []Recording `json:"recordings_not_billed,omitempty"`
	UnreadableRecordings []Recording `json:"unreadable_recordings,omitempty"`
}

// Compare matches calls and billing lines (see the package documentation).
func Compare(calls []Call, billed []Billed, opt Options) (*Report, error) {
	if opt.Tolerance == 0 {
		opt.Tolerance = time.Second
	}
	if opt.Increment == 0 {
		opt.Increment = time.Second
	}
	if opt.Tolerance < 0 || opt.Increment < 0 {
		return nil, errors.New("tolerance and increment must be positive")
	}
	tol, inc := opt.Tolerance.Seconds(), opt.Increment.Seconds()
	rep := &Report{ToleranceSeconds: tol, IncrementSeconds: inc, CDRCalls: len(calls), BillingLines: len(billed),
		OverBilled: []Line{}, BilledNotPlaced: []Line{}, PlacedNotBilled: []Line{}, Calls: []Line{}}
	byID := map[string]int{}
	for i, c := range calls {
		if c.CallID != "" {
			if _, dup := byID[c.CallID]; !dup {
				byID[c.CallID] = i
			}
		}
		if !c.Answered.IsZero() {
			rep.CDRAnswered++
		}
	}
	match := make([]int, len(billed)) // index into calls, or -1
	how := make([]string, len(billed))
	used := make([]bool, len(calls))
	for j, b := range billed {
		match[j] = -1
		if i, ok := byID[b.CallID]; ok && b.CallID != "" && !used[i] {
			match[j], how[j], used[i] = i, "call_id", true
		}
	}
	// By caller and start time, then by start time alone: billing lines in
	// time order take the nearest free call within the tolerance. A line
	// and a call that both name a caller match only when the callers are
	// the same, and are paired first; a line or a call without a caller
	// falls back to start time only.
	order := make([]int, 0, len(billed))
	for j, b := range billed {
		if match[j] < 0 && !b.Start.IsZero() {
			order = append(order, j)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return billed[order[a]].Start.Before(billed[order[b]].Start) })
	callers := make([]string, len(calls))
	for i, c := range calls {
		callers[i] = normCaller(c.Caller)
	}
	for pass, by := range []string{"caller_start_time", "start_time"} {
		for _, j := range order {
			b := billed[j]
			bc := normCaller(b.Caller)
			if match[j] >= 0 || (pass == 0 && bc == "") {
				continue
			}
			best, bestD := -1, math.Inf(1)
			for i, c := range calls {
				both := bc != "" && callers[i] != ""
				if used[i] || (both && callers[i] != bc) || (pass == 0) != both {
					continue
				}
				at := c.Answered
				if at.IsZero() {
					at = c.Start
				}
				if d := math.Abs(b.Start.Sub(at).Seconds()); d <= tol && d < bestD {
					best, bestD = i, d
				}
			}
			if best >= 0 {
				match[j], how[j], used[best] = best, by, true
			}
		}
	}

	amount := func(sec float64, b Billed) float64 { return sec / 60 * b.Rate }
	byCall := make([]int, len(calls))
	for i := range byCall {
		byCall[i] = -1
	}
	for j, b := range billed {
		rep.BilledSeconds += b.BilledSeconds
		i := match[j]
		if i < 0 {
			l := Line{CallID: b.CallID, Caller: b.Caller, BillingLine: b.Line, BilledSeconds: b.BilledSeconds,
				DiffSeconds: b.BilledSeconds, DisputedSeconds: b.BilledSeconds, DisputedAmount: amount(b.BilledSeconds, b),
				Reason: "billed, but no call was placed"}
			rep.BilledNotPlaced = append(rep.BilledNotPlaced, l)
			rep.DisputedSeconds += l.DisputedSeconds
			rep.DisputedAmount += l.DisputedAmount
			continue
		}
		byCall[i] = j
	}
	for i, c := range calls {
		rep.MeasuredSeconds += c.Measured
		j := byCall[i]
		if j < 0 {
			if !c.Answered.IsZero() && c.Measured > 0 {
				rep.PlacedNotBilled = append(rep.PlacedNotBilled, Line{CallID: c.CallID, Caller: c.Caller, CDRLine: c.Line,
					MeasuredSeconds: c.Measured, DiffSeconds: -c.Measured, Reason: "answered, but not billed"})
			}
			continue
		}
		b := billed[j]
		l := Line{CallID: c.CallID, Caller: firstNonEmpty(c.Caller, b.Caller), CDRLine: c.Line, BillingLine: b.Line,
			MatchedBy: how[j], MeasuredSeconds: c.Measured, BilledSeconds: b.BilledSeconds,
			DiffSeconds: b.BilledSeconds - c.Measured}
		rounded := math.Ceil(c.Measured/inc-1e-9) * inc
		if over := b.BilledSeconds - rounded; over > tol {
			l.DisputedSeconds = over
			l.DisputedAmount = amount(over, b)
			l.Reason = fmt.Sprintf("billed %.1fs, measured %.1fs (%.0fs in %gs increments)", b.BilledSeconds, c.Measured, rounded, inc)
			if c.Answered.IsZero() {
				l.Reason = "billed, but never answered (final status " + firstNonEmpty(c.FinalStatus, "none") + ")"
			}
			rep.OverBilled = append(rep.OverBilled, l)
			rep.DisputedSeconds += l.DisputedSeconds
			rep.DisputedAmount += l.DisputedAmount
		}
		rep.Matched++
		switch how[j] {
		case "call_id":
			rep.MatchedByID++
		case "caller_start_time":
			rep.MatchedByTime++
			rep.MatchedByCaller++
		default:
			rep.MatchedByTime++
		}
		rep.MeasuredMatchedSeconds += c.Measured
		rep.BilledMatchedSeconds += b.BilledSeconds
		rep.Calls = append(rep.Calls, l)
	}
	rep.DiffSeconds = rep.BilledSeconds - rep.MeasuredSeconds
	if opt.Recordings != nil {
		recordingsPass(rep, calls, billed, opt.Recordings, tol, inc)
	}
	return rep, nil
}

// normCaller reduces a caller to what both sides can compare: the user part
// of a sip:, sips: or tel: URI (display name, angle brackets, host and
// parameters dropped), without a leading +, in lower case.
func normCaller(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if k := strings.IndexByte(s, '>'); k >= 0 {
			s = s[:k]
		}
	}
	low := strings.ToLower(s)
	for _, scheme := range []string{"sip:", "sips:", "tel:"} {
		if strings.HasPrefix(low, scheme) {
			low = low[len(scheme):]
			break
		}
	}
	if i := strings.IndexAny(low, "@;"); i >= 0 {
		low = low[:i]
	}
	return strings.TrimPrefix(strings.TrimSpace(low), "+")
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
