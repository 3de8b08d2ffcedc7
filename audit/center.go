package audit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CenterCall is one call as the vendor's center reports it: the columns
// of callsim target --call-log that a comparison needs.
type CenterCall struct {
	CallID string
	// Outcome: answered, abandoned, closed, rejected, waiting_at_end ...
	Outcome string
	// ArrivedSeconds: the center's clock at the arrival (seconds from
	// Monday 00:00, or of the day; -1: not given).
	ArrivedSeconds float64
	WaitSeconds    float64
	Within         bool
}

// Answered reports whether the center says an agent answered.
func (c CenterCall) Answered() bool { return c.Outcome == "answered" }

// MaxCenterRows bounds a center log read.
const MaxCenterRows = 10_000_000

// ReadCenterLog reads a center's per-call log as CSV with a header naming
// at least call_id, outcome, wait_seconds and within (callsim target
// --call-log writes one; arrived_seconds is used when present). A call
// listed twice (a transfer) keeps its first line: the queue the caller
// dialled. Errors name the line.
func ReadCenterLog(r io.Reader) (map[string]CenterCall, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("center log: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, need := range []string{"call_id", "outcome", "wait_seconds", "within"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("center log: no %q column (have %s; want call_id, outcome, wait_seconds, within as callsim target --call-log writes)",
				need, strings.Join(head, ", "))
		}
	}
	arrived, hasArrived := col["arrived_seconds"]
	out := map[string]CenterCall{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("center log: line %d: %w", line, err)
		}
		if line > MaxCenterRows+1 {
			return nil, fmt.Errorf("center log: more than %d calls", MaxCenterRows)
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		c := CenterCall{CallID: get("call_id"), Outcome: get("outcome"), ArrivedSeconds: -1}
		if c.CallID == "" {
			return nil, fmt.Errorf("center log: line %d: empty call_id", line)
		}
		if c.WaitSeconds, err = strconv.ParseFloat(get("wait_seconds"), 64); err != nil || c.WaitSeconds < 0 || math.IsInf(c.WaitSeconds, 0) || math.IsNaN(c.WaitSeconds) {
			return nil, fmt.Errorf("center log: line %d: wait_seconds %q: want seconds >= 0", line, get("wait_seconds"))
		}
		if c.Within, err = strconv.ParseBool(get("within")); err != nil {
			return nil, fmt.Errorf("center log: line %d: within %q: want true or false", line, get("within"))
		}
		if hasArrived && arrived < len(rec) {
			if c.ArrivedSeconds, err = strconv.ParseFloat(strings.TrimSpace(rec[arrived]), 64); err != nil || c.ArrivedSeconds < 0 {
				return nil, fmt.Errorf("center log: line %d: arrived_seconds %q: want seconds >= 0", line, rec[arrived])
			}
		}
		if _, dup := out[c.CallID]; !dup {
			out[c.CallID] = c
		}
	}
}

// Disagreement is a call the audit and the center see differently.
type Disagreement struct {
	CallID   string `json:"call_id"`
	Interval int    `json:"interval"`
	// What differs: "missing" (the center does not list it), "answered"
	// (answered on one side only), "wait" (the audit's answer delay and the
	// center's wait further apart than the tolerance), "within" (within the
	// threshold on one side only) or "interval" (the center's clock puts it
	// in another interval).
	What   string `json:"what"`
	Detail string `json:"detail"`
	// Signalling: a "within" difference of calls whose delays both lie
	// within the tolerance of the threshold, which signalling explains.
	Signalling bool `json:"signalling,omitempty"`
}

// CenterInterval sets one interval's figures from both sides.
type CenterInterval struct {
	Label string `json:"label"`
	Calls int    `json:"calls"`
	// Listed: the calls the center lists; the center's service level is
	// over them (its within / listed).
	Listed              int     `json:"listed"`
	AuditWithin         int     `json:"audit_within"`
	CenterWithin        int     `json:"center_within"`
	AuditServiceLevel   float64 `json:"audit_service_level"`
	CenterServiceLevel  float64 `json:"center_service_level"`
	AuditAnswered       int     `json:"audit_answered"`
	CenterAnswered      int     `json:"center_answered"`
	MaxDelayDiffSeconds float64 `json:"max_delay_difference_seconds"`
	// Agrees: every call listed, answered alike, and within alike but for
	// differences signalling explains.
	Agrees bool `json:"agrees"`
}

// CenterComparison is the audit set beside the center's report.
type CenterComparison struct {
	ToleranceSeconds float64          `json:"tolerance_seconds"`
	Intervals        []CenterInterval `json:"intervals"`
	Day              CenterInterval   `json:"day"`
	Disagreements    []Disagreement   `json:"disagreements"`
	// ClockOffsetSeconds is the median of the center's clock (time of day
	// at the arrival) minus the audit's (at the intended start) over the
	// calls the center dates; ClockDated counts them (0: no offset known).
	ClockOffsetSeconds float64 `json:"clock_offset_seconds"`
	ClockDated         int     `json:"clock_dated"`
	Agrees             bool    `json:"agrees"`
	// Method states the matching and tolerance.
	Method string `json:"method"`
}

// DefaultTolerance is the least tolerance CompareCenter allows a delay
// (scenario time); with a time scale K it is at least 20 ms of wall time
// (20 ms x K), the signalling and scheduling of a loaded machine.
const DefaultTolerance = 2 * time.Second

// Tolerance is the default tolerance for a report: DefaultTolerance, or 20
// ms of wall time in scenario time when larger.
func Tolerance(s Settings) time.Duration {
	return max(DefaultTolerance, time.Duration(float64(20*time.Millisecond)*max(s.TimeScale, 1)))
}

// CompareCenter sets the audit's calls beside the center's report of them.
// tol is how far apart the audit's answer delay and the center's wait may
// be and still be the same wait (0: Tolerance(rep.Settings)); the audit's
// delay includes the signalling and so is the longer.
func CompareCenter(rep *Report, center map[string]CenterCall, tol time.Duration) *CenterComparison {
	if tol <= 0 {
		tol = Tolerance(rep.Settings)
	}
	s := rep.Settings
	cmp := &CenterComparison{ToleranceSeconds: tol.Seconds(), Agrees: true,
		Method: fmt.Sprintf("Calls matched by SIP Call-ID. Each side's service level is its calls answered within %gs over the calls: the audit's from its answer delay, the center's from its own within flag. "+
			"A call answered on one side only, or not listed by the center, is a disagreement; so is an answer delay and a center's wait more than %gs apart, and one within the threshold on one side only, unless both delays lie within %gs (the tolerance for signalling) of the threshold. "+
			"Both sides' figures are over the audit's intervals; a call the center's clock puts in another interval is named (the clocks are set apart) but is no disagreement on the service.",
			s.WithinSeconds, tol.Seconds(), tol.Seconds())}
	within := s.WithinSeconds
	ivs := make([]CenterInterval, len(rep.Intervals))
	for i, f := range rep.Intervals {
		ivs[i].Label = f.Label
	}
	day := CenterInterval{Label: "day"}
	var offsets []float64
	for _, c := range rep.Calls {
		var iv *CenterInterval
		if c.Interval >= 0 && c.Interval < len(ivs) {
			iv = &ivs[c.Interval]
		} else {
			iv = &CenterInterval{}
		}
		for _, x := range []*CenterInterval{iv, &day} {
			x.Calls++
			if c.Within {
				x.AuditWithin++
			}
			if c.Answered {
				x.AuditAnswered++
			}
		}
		cc, ok := center[c.CallID]
		if !ok {
			cmp.Disagreements = append(cmp.Disagreements, Disagreement{CallID: c.CallID, Interval: c.Interval, What: "missing",
				Detail: "the center does not list this call"})
			continue
		}
		for _, x := range []*CenterInterval{iv, &day} {
			x.Listed++
			if cc.Within {
				x.CenterWithin++
			}
			if cc.Answered() {
				x.CenterAnswered++
			}
		}
		if c.Answered != cc.Answered() {
			cmp.Disagreements = append(cmp.Disagreements, Disagreement{CallID: c.CallID, Interval: c.Interval, What: "answered",
				Detail: fmt.Sprintf("audit: %s (%s), center: %s", answeredText(c.Answered), c.Outcome, cc.Outcome)})
			continue
		}
		if c.Answered {
			d := math.Abs(c.AnswerDelaySeconds - cc.WaitSeconds)
			iv.MaxDelayDiffSeconds = math.Max(iv.MaxDelayDiffSeconds, d)
			day.MaxDelayDiffSeconds = math.Max(day.MaxDelayDiffSeconds, d)
			if d > tol.Seconds() {
				cmp.Disagreements = append(cmp.Disagreements, Disagreement{CallID: c.CallID, Interval: c.Interval, What: "wait",
					Detail: fmt.Sprintf("audit: answered after %.1fs, center: waited %.1fs (%.1fs apart, tolerance %gs)", c.AnswerDelaySeconds, cc.WaitSeconds, d, tol.Seconds())})
			}
		}
		if c.Within != cc.Within {
			near := c.Answered && math.Abs(c.AnswerDelaySeconds-within) <= tol.Seconds() && math.Abs(cc.WaitSeconds-within) <= tol.Seconds()
			cmp.Disagreements = append(cmp.Disagreements, Disagreement{CallID: c.CallID, Interval: c.Interval, What: "within", Signalling: near,
				Detail: fmt.Sprintf("audit: answered after %.1fs, center: waited %.1fs (threshold %gs)", c.AnswerDelaySeconds, cc.WaitSeconds, within)})
		}
		if cc.ArrivedSeconds >= 0 && s.IntervalSeconds > 0 {
			tod := math.Mod(cc.ArrivedSeconds, Day.Seconds())
			off := tod - c.ClockSeconds
			if off > Day.Seconds()/2 {
				off -= Day.Seconds()
			} else if off < -Day.Seconds()/2 {
				off += Day.Seconds()
			}
			offsets = append(offsets, off)
			if civ := int(math.Floor((tod - s.FromSeconds) / s.IntervalSeconds)); civ != c.Interval {
				cmp.Disagreements = append(cmp.Disagreements, Disagreement{CallID: c.CallID, Interval: c.Interval, What: "interval",
					Detail: fmt.Sprintf("the center's clock read %s at its arrival (the audit's %s)", clockSeconds(tod), clockSeconds(c.ClockSeconds))})
			}
		}
	}
	bad := map[int]bool{}
	dayBad := false
	for _, d := range cmp.Disagreements {
		if d.What == "within" && d.Signalling || d.What == "interval" {
			continue // signalling; a clock set apart (the calls are compared all the same)
		}
		bad[d.Interval] = true
		dayBad = true
	}
	for i := range ivs {
		finish(&ivs[i], !bad[i])
	}
	finish(&day, !dayBad)
	cmp.Intervals, cmp.Day, cmp.Agrees = ivs, day, !dayBad
	if len(offsets) > 0 {
		sort.Float64s(offsets)
		cmp.ClockOffsetSeconds, cmp.ClockDated = offsets[len(offsets)/2], len(offsets)
	}
	return cmp
}

func finish(x *CenterInterval, agrees bool) {
	if x.Calls > 0 {
		x.AuditServiceLevel = float64(x.AuditWithin) / float64(x.Calls)
	}
	if x.Listed > 0 {
		x.CenterServiceLevel = float64(x.CenterWithin) / float64(x.Listed)
	}
	x.Agrees = agrees
}

func answeredText(b bool) string {
	if b {
		return "answered"
	}
	return "not answered"
}

func clockSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	return fmt.Sprintf("%s:%02d", Clock(d.Truncate(time.Minute)), int(math.Mod(s, 60)))
}
