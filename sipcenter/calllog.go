package sipcenter

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// DefaultCallLogMax bounds the call log unless Config.CallLogMax is set.
const DefaultCallLogMax = 1_000_000

// MaxCallLog bounds Config.CallLogMax (about 200 bytes an entry).
const MaxCallLog = 10_000_000

// Outcomes of a call log entry.
const (
	LogAnswered     = "answered"       // an agent took the call (200 OK)
	LogAbandoned    = "abandoned"      // the caller left before the answer (CANCEL, BYE)
	LogClosed       = "closed"         // 480: the queue was outside its opening hours
	LogRejected     = "rejected"       // 503: no trunk free
	LogWaitingAtEnd = "waiting_at_end" // still waiting when the center closed
	LogWaiting      = "waiting"        // still waiting (the center is running)
)

// CallLogEntry is one call as the center saw it, in scenario time: the
// per-call report a vendor's platform keeps, keyed by the SIP Call-ID, so
// that a buyer can set its own measurement of the same calls beside it. A
// transferred call has one entry per queue it was offered to (the second
// with TransferIn set).
type CallLogEntry struct {
	CallID string `json:"call_id"`
	Queue  string `json:"queue"`
	// ArrivedSeconds is the scenario time of the arrival (from Monday
	// 00:00, as the opening hours: Config.ClockStart + wall time x scale).
	ArrivedSeconds float64 `json:"arrived_seconds"`
	Outcome        string  `json:"outcome"`
	// WaitSeconds is the wait from the arrival to the answer (answered),
	// to the caller's hang-up (abandoned) or to the close (waiting at
	// end); 0 for calls refused (closed, rejected).
	WaitSeconds float64 `json:"wait_seconds"`
	// WithinSeconds is the queue's service level threshold; Within says
	// the call was answered within it.
	WithinSeconds float64 `json:"within_seconds"`
	Within        bool    `json:"within"`
	// Group is the agent group that answered.
	Group string `json:"group,omitempty"`
	// TalkSeconds is the talk with the agent, once over (answered calls).
	TalkSeconds float64 `json:"talk_seconds"`
	TransferIn  bool    `json:"transfer_in,omitempty"`
	TransferOut bool    `json:"transfer_out,omitempty"`
}

// callLog keeps the entries under the acd's lock.
type callLog struct {
	max     int
	entries []CallLogEntry
	open    map[*call]int // a call's current entry
	dropped uint64
}

func newCallLog(max int) *callLog {
	if max <= 0 {
		return nil
	}
	return &callLog{max: max, open: map[*call]int{}}
}

// logOffer opens an entry for c at queue q with outcome (LogWaiting for an
// admitted call); transferIn: handed on from another queue. The caller
// holds the lock.
func (a *acd) logOffer(c *call, qi int, outcome string, transferIn bool, now time.Time) {
	l := a.callLog
	if l == nil {
		return
	}
	if len(l.entries) >= l.max {
		l.dropped++
		return
	}
	name := a.c.Queues[qi].Name
	if a.wildcard {
		name = c.queue
	}
	l.entries = append(l.entries, CallLogEntry{CallID: c.id, Queue: name, Outcome: outcome,
		ArrivedSeconds: a.now(now), WithinSeconds: a.queues[qi].within, TransferIn: transferIn})
	if outcome == LogWaiting {
		l.open[c] = len(l.entries) - 1
	}
}

// logEntry is c's open entry, or nil. The caller holds the lock.
func (a *acd) logEntry(c *call) *CallLogEntry {
	if a.callLog == nil {
		return nil
	}
	i, ok := a.callLog.open[c]
	if !ok {
		return nil
	}
	return &a.callLog.entries[i]
}

// logAnswer: c's 200 OK went out at now (an agent took a transferred c).
func (a *acd) logAnswer(c *call, now time.Time) {
	if e := a.logEntry(c); e != nil {
		w := a.now(now) - c.arrivedAt
		e.Outcome, e.WaitSeconds, e.Within = LogAnswered, w, w <= a.queues[c.q].within
		if c.agent != nil {
			e.Group = a.c.Groups[c.agent.group].Name
		}
	}
}

// logLeave: c left its queue unanswered (LogAbandoned, LogWaitingAtEnd).
func (a *acd) logLeave(c *call, outcome string, now time.Time) {
	if e := a.logEntry(c); e != nil {
		e.Outcome, e.WaitSeconds = outcome, a.now(now)-c.arrivedAt
		delete(a.callLog.open, c)
	}
}

// logTalked: c's talk in its current queue is over (talk long); out says
// it is handed on to another queue.
func (a *acd) logTalked(c *call, talk time.Duration, out bool) {
	if e := a.logEntry(c); e != nil {
		e.TalkSeconds, e.TransferOut = talk.Seconds()*a.scale, out
		delete(a.callLog.open, c)
	}
}

// CallLog returns the call log so far (nil unless Config.CallLog), in
// arrival order, and the number of entries left out beyond
// Config.CallLogMax.
func (s *Server) CallLog() ([]CallLogEntry, uint64) {
	a := s.acd
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.callLog == nil {
		return nil, 0
	}
	return append([]CallLogEntry(nil), a.callLog.entries...), a.callLog.dropped
}

// CallLogHeader is the first line of a call log CSV.
var CallLogHeader = []string{"call_id", "queue", "arrived_seconds", "outcome", "wait_seconds",
	"within_seconds", "within", "group", "talk_seconds", "transfer_in", "transfer_out"}

// WriteCallLog writes entries as CSV (CallLogHeader first), times in
// seconds of scenario time with millisecond resolution.
func WriteCallLog(w io.Writer, entries []CallLogEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CallLogHeader); err != nil {
		return fmt.Errorf("write call log: %w", err)
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	for _, e := range entries {
		if err := cw.Write([]string{e.CallID, e.Queue, f(e.ArrivedSeconds), e.Outcome, f(e.WaitSeconds),
			f(e.WithinSeconds), strconv.FormatBool(e.Within), e.Group, f(e.TalkSeconds),
			strconv.FormatBool(e.TransferIn), strconv.FormatBool(e.TransferOut)}); err != nil {
			return fmt.Errorf("write call log: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write call log: %w", err)
	}
	return nil
}

// callLog is the log cfg asks for (nil: none).
func (c Config) callLog() *callLog {
	if !c.CallLog {
		return nil
	}
	n := c.CallLogMax
	if n == 0 {
		n = DefaultCallLogMax
	}
	return newCallLog(n)
}
