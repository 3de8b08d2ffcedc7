package claim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callsim/callsim/judge"
)

// Setup is how one claim line was tested: what a verdict needs besides the
// calls, and what the report says about the target. It is written to the
// evidence bundle, so the verdict can be computed again from it and the
// calls alone.
type Setup struct {
	Line     string `json:"line"` // capacity or service
	FileLine int    `json:"file_line"`
	// StartedAt is the start of the ramp; Steps the ramp's steps.
	StartedAt time.Time   `json:"started_at"`
	EndedAt   time.Time   `json:"ended_at"`
	Steps     []StepSetup `json:"steps"`
	// Arrivals is uniform (capacity) or poisson (service).
	Arrivals string `json:"arrivals"`
	// CallHoldSeconds is how long the caller held an answered call (wall
	// time); 0: until the far end hung up.
	CallHoldSeconds float64 `json:"call_hold_seconds"`
	// TimeScale K: the service line is played K times faster than the
	// claim's time (1 for capacity).
	TimeScale float64 `json:"time_scale"`
	// LateToleranceMs: a call starting later than this after its intended
	// start was late.
	LateToleranceMs float64 `json:"late_tolerance_ms"`
	// Target is the URI called; Embedded says callsim started it, with
	// TargetAgents agents (handle time TargetHandleSeconds, exponential,
	// claim time) and TargetTrunks trunks (0: no limit).
	Target              string  `json:"target"`
	Embedded            bool    `json:"embedded"`
	TargetAgents        int     `json:"target_agents,omitempty"`
	TargetTrunks        int     `json:"target_trunks,omitempty"`
	TargetHandleSeconds float64 `json:"target_handle_seconds,omitempty"`
	// Interrupted: the run was stopped before the line's last step ended;
	// there is no verdict.
	Interrupted bool `json:"interrupted,omitempty"`
}

// StepSetup is one step of the ramp: Fraction of the claimed load, offered
// at RateCPS calls per second (wall time) from FromSeconds to ToSeconds
// after the ramp's start (a call belongs to the step its intended start
// falls in).
type StepSetup struct {
	Fraction    float64 `json:"fraction"`
	RateCPS     float64 `json:"rate_cps"`
	FromSeconds float64 `json:"from_seconds"`
	ToSeconds   float64 `json:"to_seconds"`
}

// StepOf returns the step (from 1) of a call intended to start at t.
func (s *Setup) StepOf(t time.Time) int {
	off := t.Sub(s.StartedAt).Seconds()
	for i, st := range s.Steps {
		if off < st.ToSeconds {
			return i + 1
		}
	}
	return len(s.Steps)
}

// StepResult is what one ramp step measured.
type StepResult struct {
	Step     int     `json:"step"`
	Fraction float64 `json:"fraction"`
	RateCPS  float64 `json:"rate_cps"` // offered, wall
	Placed   int     `json:"placed"`
	Answered int     `json:"answered"`
	// Refused counts the calls the platform refused or failed (final
	// response >= 300, no final response in time, transport error);
	// Refusals them by final status code ("timeout", "transport" for the
	// others).
	Refused   int            `json:"refused"`
	Refusals  map[string]int `json:"refusals"`
	Abandoned int            `json:"abandoned"`
	// EndedEarly counts answered calls the far end hung up before the
	// caller's hold time (capacity), or at all (service: the agent hangs
	// up, as it should).
	EndedEarly int `json:"ended_by_far_end"`
	Late       int `json:"late"`
	// AchievedCPS is the placed calls' rate from their actual start times:
	// (placed - 1) / (last start - first start).
	AchievedCPS float64 `json:"achieved_cps"`
	// MaxUp is the most answered calls up at once within the step.
	MaxUp int `json:"max_answered_up"`
	// ServiceLevel (service line): answered within the threshold / placed.
	ServiceLevel float64 `json:"service_level,omitempty"`
	// ASASeconds (service line): mean answer delay of answered calls, claim time.
	ASASeconds float64 `json:"asa_seconds,omitempty"`
}

// Check is one judged part of a claim line.
type Check struct {
	Name     string        `json:"name"`
	Claimed  string        `json:"claimed"`
	Measured string        `json:"measured"`
	Outcome  judge.Outcome `json:"outcome"`
	Method   string        `json:"method"`
	Reason   string        `json:"reason"`
	// The numbers behind the verdict.
	Proportion *judge.Proportion `json:"proportion,omitempty"`
	Quantile   *judge.Quantile   `json:"quantile,omitempty"`
	// MoreCalls (INCONCLUSIVE) is how many more calls at the claimed load
	// would decide at the same measured share, and MoreWallSeconds and
	// MoreClaimSeconds the time they take (wall, and claim time); -1: no
	// number of calls decides.
	MoreCalls        int     `json:"more_calls,omitempty"`
	MoreWallSeconds  float64 `json:"more_wall_seconds,omitempty"`
	MoreClaimSeconds float64 `json:"more_claim_seconds,omitempty"`
}

// LineResult is the verdict on one claim line.
type LineResult struct {
	Line     string `json:"line"` // capacity or service
	FileLine int    `json:"file_line"`
	// Claimed is what the claim says, in its own words; Notes say how the
	// test differs from it (never restated as if it were the claim).
	Claimed string        `json:"claimed"`
	Notes   []string      `json:"notes,omitempty"`
	Setup   Setup         `json:"setup"`
	Steps   []StepResult  `json:"steps"`
	Checks  []Check       `json:"checks"`
	Outcome judge.Outcome `json:"outcome,omitempty"` // empty when interrupted
	Summary string        `json:"summary"`
}

// Report is the outcome of a claim check.
type Report struct {
	Claim      *Claim        `json:"claim"`
	Confidence float64       `json:"confidence"`
	Lines      []LineResult  `json:"lines"`
	Outcome    judge.Outcome `json:"outcome,omitempty"`
	// Pass: every line passed (Outcome PASS).
	Pass bool `json:"pass"`
	// Failed and Inconclusive name the lines, "service (line 3)".
	Failed       []string `json:"failed"`
	Inconclusive []string `json:"inconclusive"`
	// Interrupted: the check was stopped (Ctrl-C, SIGTERM); the lines hold
	// what was measured until then, lines not reached are absent, and
	// there is no verdict.
	Interrupted bool `json:"interrupted"`
}

// Judge gives the verdict on each line of cl tested as setups say, from
// the calls alone, at confidence c (0: judge.DefaultConfidence).
func Judge(cl *Claim, setups []Setup, calls []Call, c float64) *Report {
	if c == 0 {
		c = judge.DefaultConfidence
	}
	rep := &Report{Claim: cl, Confidence: c, Lines: []LineResult{}, Failed: []string{}, Inconclusive: []string{}}
	for _, s := range setups {
		var mine []Call
		for _, call := range calls {
			if call.Line == s.Line {
				mine = append(mine, call)
			}
		}
		lr := judgeLine(cl, s, mine, c)
		rep.Lines = append(rep.Lines, lr)
		rep.Interrupted = rep.Interrupted || s.Interrupted
	}
	if rep.Interrupted {
		return rep
	}
	var outs []judge.Outcome
	for _, l := range rep.Lines {
		outs = append(outs, l.Outcome)
		name := fmt.Sprintf("%s (line %d)", l.Line, l.FileLine)
		switch l.Outcome {
		case judge.Fail:
			rep.Failed = append(rep.Failed, name)
		case judge.Inconclusive:
			rep.Inconclusive = append(rep.Inconclusive, name)
		}
	}
	rep.Outcome = judge.Worst(outs...)
	rep.Pass = rep.Outcome == judge.Pass
	return rep
}

func judgeLine(cl *Claim, s Setup, calls []Call, c float64) LineResult {
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].IntendedStart.Before(calls[j].IntendedStart) })
	lr := LineResult{Line: s.Line, FileLine: s.FileLine, Setup: s, Checks: []Check{}}
	within := 0.0
	if s.Line == "service" && cl.Service != nil {
		within = cl.Service.AnsweredWithinSeconds
	}
	lr.Steps = steps(s, calls, within)
	switch s.Line {
	case "capacity":
		if cl.Capacity != nil {
			lr.Claimed = capacityClaimed(cl.Capacity)
			if !s.Interrupted {
				lr.Checks = capacityChecks(cl.Capacity, s, calls, lr.Steps, c)
			}
		}
	case "service":
		if cl.Service != nil {
			lr.Claimed = serviceClaimed(cl.Service)
			lr.Notes = serviceNotes(cl.Service, s)
			if !s.Interrupted {
				lr.Checks = serviceChecks(cl.Service, s, calls, lr.Steps, c)
			}
		}
	}
	if s.Interrupted {
		lr.Summary = "interrupted before the claimed load was held: no verdict"
		return lr
	}
	var outs []judge.Outcome
	var why []string
	for _, ch := range lr.Checks {
		outs = append(outs, ch.Outcome)
		if ch.Outcome != judge.Pass {
			why = append(why, ch.Name+": "+ch.Reason)
		}
	}
	lr.Outcome = judge.Worst(outs...)
	switch lr.Outcome {
	case judge.Pass:
		lr.Summary = "every check holds at " + pctText(c) + " confidence"
	default:
		lr.Summary = strings.Join(why, "; ")
	}
	return lr
}

// stepCalls returns the calls of step k (from 1).
func stepCalls(calls []Call, k int) []Call {
	var out []Call
	for _, c := range calls {
		if c.Step == k {
			out = append(out, c)
		}
	}
	return out
}

// steps measures each step; within is the service line's threshold (claim
// time; 0 for capacity).
func steps(s Setup, calls []Call, within float64) []StepResult {
	out := make([]StepResult, len(s.Steps))
	tol := time.Duration(s.LateToleranceMs * float64(time.Millisecond))
	for i, st := range s.Steps {
		r := &out[i]
		*r = StepResult{Step: i + 1, Fraction: st.Fraction, RateCPS: st.RateCPS, Refusals: map[string]int{}}
		mine := stepCalls(calls, i+1)
		var first, last time.Time
		inside, answered := 0, 0
		wait := 0.0
		for k := range mine {
			c := &mine[k]
			r.Placed++
			if c.ActualStart.Sub(c.IntendedStart) > tol {
				r.Late++
			}
			if first.IsZero() || c.ActualStart.Before(first) {
				first = c.ActualStart
			}
			if c.ActualStart.After(last) {
				last = c.ActualStart
			}
			switch {
			case c.Answered():
				r.Answered++
				if earlyEnd(c, s) {
					r.EndedEarly++
				}
				if s.Line == "service" {
					answered++
					w := c.AnswerDelayMs / 1000 * s.TimeScale
					wait += w
					if w <= within {
						inside++
					}
				}
			case c.Refused():
				r.Refused++
				r.Refusals[refusalKey(c)]++
			case c.Outcome == Abandoned:
				r.Abandoned++
			}
		}
		if r.Placed > 1 && last.After(first) {
			r.AchievedCPS = float64(r.Placed-1) / last.Sub(first).Seconds()
		}
		if s.Line == "service" && r.Placed > 0 {
			r.ServiceLevel = float64(inside) / float64(r.Placed)
			if answered > 0 {
				r.ASASeconds = wait / float64(answered)
			}
		}
		from := s.StartedAt.Add(secs(st.FromSeconds))
		to := s.StartedAt.Add(secs(st.ToSeconds))
		r.MaxUp = maxUp(calls, from, to)
	}
	return out
}

// earlyEnd: the far end hung up an answered call before the caller would
// have (capacity: before the hold time; service: the agent hangs up by
// design, and that is not early).
func earlyEnd(c *Call, s Setup) bool {
	return c.HangupBy == "callee" && s.CallHoldSeconds > 0
}

func refusalKey(c *Call) string {
	switch {
	case c.Outcome == TimedOut:
		return "timeout"
	case c.Outcome == TransportError:
		return "transport"
	case c.FinalStatus > 0:
		return strconv.Itoa(c.FinalStatus)
	}
	return "none"
}

// maxUp is the most answered calls in progress at once in [from, to).
func maxUp(calls []Call, from, to time.Time) int {
	type ev struct {
		t time.Time
		d int
	}
	var evs []ev
	for i := range calls {
		c := &calls[i]
		if c.Answered() {
			evs = append(evs, ev{c.AnsweredAt(), 1}, ev{c.EndedAt(), -1})
		}
	}
	// Ends before starts at the same instant: a call ending as another is
	// answered was not up with it.
	sort.Slice(evs, func(a, b int) bool {
		return evs[a].t.Before(evs[b].t) || (evs[a].t.Equal(evs[b].t) && evs[a].d < evs[b].d)
	})
	n, best, inWindow := 0, 0, false
	for _, e := range evs {
		if !e.t.Before(to) {
			break
		}
		if !inWindow && !e.t.Before(from) {
			best, inWindow = n, true // the calls up as the window opens
		}
		n += e.d
		if inWindow && n > best {
			best = n
		}
	}
	if !inWindow {
		best = n
	}
	return best
}

func capacityClaimed(cc *CapacityLine) string {
	s := fmt.Sprintf("%g calls/s", cc.CallsPerSecond)
	if cc.Concurrent > 0 {
		s += fmt.Sprintf(", %d concurrent", cc.Concurrent)
	}
	s += fmt.Sprintf(", at least %s of the calls answered", pctText(cc.Answered))
	if p := cc.SetupDelay; p != nil {
		s += fmt.Sprintf(", setup delay p%s within %s", pctNum(p.Percentile), msText2(p.WithinMs))
	}
	if p := cc.AnswerDelay; p != nil {
		s += fmt.Sprintf(", answer delay p%s within %s", pctNum(p.Percentile), msText2(p.WithinMs))
	}
	return s
}

func serviceClaimed(sc *ServiceLine) string {
	return fmt.Sprintf("%s answered within %v at %g calls/h", pctText(sc.Share), sc.Within(), sc.CallsPerHour)
}

// serviceNotes say what of the claim the test did not use as such.
func serviceNotes(sc *ServiceLine, s Setup) []string {
	var out []string
	switch {
	case sc.Agents > 0 && s.Embedded && s.TargetAgents != sc.Agents:
		out = append(out, fmt.Sprintf("the claim states %d agents; the embedded center had %d", sc.Agents, s.TargetAgents))
	case sc.Agents > 0 && s.Embedded:
		out = append(out, fmt.Sprintf("the embedded center had the claim's %d agents", sc.Agents))
	case sc.Agents > 0:
		out = append(out, fmt.Sprintf("the claim states %d agents: the vendor's staffing, not seen from the caller's side", sc.Agents))
	}
	if s.Embedded && s.TargetHandleSeconds > 0 && s.TargetHandleSeconds != sc.HandleTimeSeconds {
		out = append(out, fmt.Sprintf("the claim's handle time is %v; the embedded center's %v", sc.HandleTime(), secs(s.TargetHandleSeconds)))
	}
	return out
}

func capacityChecks(cc *CapacityLine, s Setup, calls []Call, st []StepResult, c float64) []Check {
	k := len(s.Steps)
	last := stepCalls(calls, k)
	lastStep := st[k-1]
	var out []Check

	// The load offered: the generator's side of the test.
	lam := cc.CallsPerSecond
	tol := s.LateToleranceMs / 1000
	n := lastStep.Placed
	ofr := Check{Name: "offered load", Claimed: fmt.Sprintf("%g calls/s", lam),
		Measured: fmt.Sprintf("%.2f calls/s placed (%d calls, %d late)", lastStep.AchievedCPS, n, lastStep.Late),
		Method: fmt.Sprintf("the rate of the calls placed at 100%%, from their start times: (placed - 1) / (last start - first start); calls starting within %gms of their schedule give at least the claimed rate x (1 - 2 x %gms x rate / (placed - 1))",
			s.LateToleranceMs, s.LateToleranceMs)}
	if n < 2 {
		ofr.Outcome, ofr.Reason = judge.Inconclusive, fmt.Sprintf("%d call(s) placed at 100%%: hold the claimed load longer", n)
	} else if floor := lam * (1 - 2*tol*lam/float64(n-1)); lastStep.AchievedCPS >= floor {
		ofr.Outcome, ofr.Reason = judge.Pass, fmt.Sprintf("placed at %.2f calls/s (at least %.2f)", lastStep.AchievedCPS, floor)
	} else {
		ofr.Outcome, ofr.Reason = judge.Inconclusive, fmt.Sprintf("the generator placed only %.2f calls/s (%d calls late): the claimed load was not offered; not the platform's doing",
			lastStep.AchievedCPS, lastStep.Late)
	}
	out = append(out, ofr)

	// Calls held: answered, however they ended.
	var ok []bool
	early := 0
	var earlyMs []float64
	for i := range last {
		cl := &last[i]
		if cl.Outcome == Abandoned {
			continue // our own CANCEL (an interrupt): not the platform's
		}
		ok = append(ok, cl.Answered())
		if cl.Answered() && earlyEnd(cl, s) {
			early++
			earlyMs = append(earlyMs, cl.DurationMs)
		}
	}
	p := judge.JudgeProportion(ok, cc.Answered, c)
	held := Check{Name: "calls answered", Claimed: "at least " + pctText(cc.Answered) + " of the calls answered",
		Measured: fmt.Sprintf("%d of %d answered (%s)", p.Successes, p.Calls, pctText(p.Share)),
		Outcome:  p.Outcome, Method: "answered calls count however they ended; " + p.Method(), Proportion: &p}
	refused := fmt.Sprintf("the platform refused or failed %d (%s)", lastStep.Refused, refusalsText(lastStep.Refusals))
	if lastStep.Refused == 0 {
		refused = "the platform refused or failed none"
	}
	endedEarly := fmt.Sprintf("the far end ended %d answered calls early (counted as held)", early)
	held.Reason = boundsReason(p) + "; " + refused + "; " + endedEarly
	addMore(&held, p, lastStep.RateCPS, 1)
	out = append(out, held)

	if cc.Concurrent > 0 {
		up := lastStep.MaxUp
		con := Check{Name: "concurrent calls", Claimed: fmt.Sprintf("%d calls up at once", cc.Concurrent),
			Measured: fmt.Sprintf("at most %d answered calls up at once", up),
			Method:   fmt.Sprintf("the most answered calls in progress at once at 100%%, each from its answer to its end; each call is held (concurrent - 0.5) / calls_per_second = %.3fs, so that the schedule keeps %d calls up with half an interval to spare", s.CallHoldSeconds, cc.Concurrent)}
		switch {
		case up >= cc.Concurrent:
			con.Outcome, con.Reason = judge.Pass, fmt.Sprintf("%d calls were up at once", up)
		case lastStep.Refused > 0:
			con.Outcome, con.Reason = judge.Fail, fmt.Sprintf("at most %d calls were up at once while the platform refused or failed %d (%s)", up, lastStep.Refused, refusalsText(lastStep.Refusals))
		case early > 0:
			sort.Float64s(earlyMs)
			con.Outcome, con.Reason = judge.Inconclusive, fmt.Sprintf("the far end ended %d of the answered calls early (median %s of the %s hold), so at most %d were up at once; the platform refused none: have the far end keep the calls up for the hold time",
				early, msText2(earlyMs[len(earlyMs)/2]), msText2(s.CallHoldSeconds*1000), up)
		default:
			con.Outcome, con.Reason = judge.Inconclusive, fmt.Sprintf("at most %d calls were up at once although none was refused or ended early (calls answered late?)", up)
		}
		out = append(out, con)
	}
	for _, d := range []struct {
		name string
		p    *Percentile
		of   func(*Call) float64
	}{
		{"setup delay", cc.SetupDelay, func(c *Call) float64 {
			if c.SRDMs > 0 {
				return c.SRDMs
			}
			return math.Inf(1)
		}},
		{"answer delay", cc.AnswerDelay, func(c *Call) float64 {
			if c.Answered() {
				return c.AnswerDelayMs
			}
			return math.Inf(1)
		}},
	} {
		if d.p == nil {
			continue
		}
		var xs []float64
		for i := range last {
			if last[i].Outcome != Abandoned {
				xs = append(xs, d.of(&last[i]))
			}
		}
		q := judge.JudgeQuantile(xs, d.p.Percentile, d.p.WithinMs, "ms", c)
		name := fmt.Sprintf("%s p%s", d.name, pctNum(d.p.Percentile))
		ch := Check{Name: name, Claimed: fmt.Sprintf("%s of the calls within %s", pctText(d.p.Percentile), msText2(d.p.WithinMs)),
			Measured: fmt.Sprintf("p%s %s over %d calls", pctNum(d.p.Percentile), msText2(q.Measured), q.Calls),
			Outcome:  q.Outcome, Quantile: &q,
			Method: "order-statistic bounds of the percentile, from the share of calls within the claim (calls never set up count as beyond it); " + q.Share.Method()}
		ch.Reason = fmt.Sprintf("%s-confidence bounds %s to %s (order statistics %d and %d of %d)", pctText(c),
			boundMs(q.Lower, q.LowerRank), boundMs(q.Upper, q.UpperRank), q.LowerRank, q.UpperRank, q.Calls)
		addMore(&ch, q.Share, lastStep.RateCPS, 1)
		out = append(out, ch)
	}
	return out
}

func serviceChecks(sc *ServiceLine, s Setup, calls []Call, st []StepResult, c float64) []Check {
	k := len(s.Steps)
	last := stepCalls(calls, k)
	lastStep := st[k-1]
	T := sc.AnsweredWithinSeconds
	ok := make([]bool, len(last))
	for i := range last {
		cl := &last[i]
		ok[i] = cl.Answered() && cl.AnswerDelayMs/1000*s.TimeScale <= T
	}
	p := judge.JudgeProportion(ok, sc.Share, c)
	ch := Check{Name: "service level", Claimed: fmt.Sprintf("%s answered within %v", pctText(sc.Share), sc.Within()),
		Measured: fmt.Sprintf("%d of %d placed answered within %v (%s); ASA %.1fs", p.Successes, p.Calls, sc.Within(), pctText(p.Share), lastStep.ASASeconds),
		Outcome:  p.Outcome, Proportion: &p,
		Method: fmt.Sprintf("service level = calls answered within the threshold / calls placed (abandoned and refused ones included), answer delays from the intended start x time scale %g; ", s.TimeScale) + p.Method()}
	ch.Reason = boundsReason(p)
	if lastStep.Refused > 0 {
		ch.Reason += fmt.Sprintf("; the platform refused or failed %d (%s)", lastStep.Refused, refusalsText(lastStep.Refusals))
	}
	addMore(&ch, p, lastStep.RateCPS, s.TimeScale)
	return []Check{ch}
}

// boundsReason says why a proportion verdict came out as it did.
func boundsReason(p judge.Proportion) string {
	conf := pctText(p.Confidence)
	switch p.Outcome {
	case judge.Pass:
		return fmt.Sprintf("the %s lower bound %s is at least the claimed %s", conf, pctText(p.Lower), pctText(p.Claimed))
	case judge.Fail:
		return fmt.Sprintf("the %s upper bound %s is below the claimed %s", conf, pctText(p.Upper), pctText(p.Claimed))
	}
	if p.Calls == 0 {
		return "no calls measured"
	}
	s := fmt.Sprintf("the %s bounds %s to %s hold the claimed %s: too few calls to tell", conf, pctText(p.Lower), pctText(p.Upper), pctText(p.Claimed))
	if p.CallsNeeded < 0 {
		s += " (the share measured is the claim: no number of calls decides)"
	}
	return s
}

// addMore fills the calls and time an inconclusive check needs, at the
// rate calls were placed (wall) and the time scale.
func addMore(ch *Check, p judge.Proportion, rate, scale float64) {
	if p.Outcome != judge.Inconclusive {
		return
	}
	if p.CallsNeeded < 0 {
		ch.MoreCalls = -1
		return
	}
	ch.MoreCalls = p.CallsNeeded - p.Calls
	if rate > 0 {
		ch.MoreWallSeconds = float64(ch.MoreCalls) / rate
		ch.MoreClaimSeconds = ch.MoreWallSeconds * scale
	}
	ch.Reason += fmt.Sprintf("; about %d more calls at the claimed load would decide (%s more at 100%%)", ch.MoreCalls, durText(ch.MoreWallSeconds))
	if scale != 1 {
		ch.Reason += fmt.Sprintf(", %s of claim time", durText(ch.MoreClaimSeconds))
	}
}

func refusalsText(m map[string]int) string {
	var parts []string
	for code, n := range m {
		parts = append(parts, fmt.Sprintf("%s x%d", code, n))
	}
	if len(parts) == 0 {
		return "none"
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// pctText writes a share in percent: one decimal, two from 99% to 100%.
func pctText(f float64) string {
	scale := 10.0
	if f >= 0.99 && f < 1 {
		scale = 100
	}
	v := math.Round(f*100*scale) / scale
	if f < 1 && v >= 100 {
		v = 100 - 1/scale
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + "%"
}

// pctNum writes 0.95 as 95 and 0.999 as 99.9.
func pctNum(f float64) string { return strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64) }

func msText2(ms float64) string {
	switch {
	case math.IsInf(ms, 1):
		return "never"
	case ms >= 10000:
		return strconv.FormatFloat(math.Round(ms/100)/10, 'f', -1, 64) + "s"
	case ms >= 1000:
		return strconv.FormatFloat(math.Round(ms)/1000, 'f', -1, 64) + "s"
	}
	return strconv.FormatFloat(math.Round(ms*10)/10, 'f', -1, 64) + "ms"
}

func boundMs(v float64, rank int) string {
	if rank == 0 {
		return "none"
	}
	return msText2(v)
}

func durText(s float64) string {
	d := time.Duration(math.Ceil(s)) * time.Second
	return d.String()
}
