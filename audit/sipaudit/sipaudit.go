package sipaudit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/callsim/callsim/audit"
	"github.com/callsim/callsim/loadgen"
)

// Run places the audit's calls (obs, if set, is told of each: live
// metrics) and reports them. A cancelled ctx ends the
// audit early: the report holds the calls placed so far, marked
// Interrupted.
func Run(ctx context.Context, cfg audit.Config, obs loadgen.Observer) (*audit.Report, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	n := cfg.Intervals() * cfg.CallsPerInterval
	slot := cfg.Wall(cfg.Interval) / time.Duration(cfg.CallsPerInterval)
	epoch := cfg.Epoch
	if epoch.IsZero() {
		epoch = time.Now().Add(100 * time.Millisecond) // the sockets' setup
	}
	var mu sync.Mutex
	recs := make([]loadgen.CallRecord, 0, n)
	// Every message is handled at once (no I/O tick): at a time scale K a
	// tick's delay is K times longer in scenario time.
	lc := loadgen.Config{Target: cfg.Target, Transport: cfg.Transport, From: cfg.Caller, Sockets: 1, IOTick: -1,
		Rate: 1 / slot.Seconds(), MaxCalls: uint64(n), Duration: cfg.Wall(cfg.To - cfg.From),
		StartAt:  epoch.Add(slot / 2),
		Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: cfg.Wall(cfg.Hold)},
		Patience: loadgen.Dist{Kind: loadgen.DistConstant, Mean: cfg.Wall(cfg.Patience)},
		// The patience ends an unanswered call; the timeout is a backstop.
		InviteTimeout: max(loadgen.DefaultInviteTimeout, cfg.Wall(cfg.Patience)+10*time.Second),
		NoMedia:       cfg.NoMedia, Seed: cfg.Seed, Logger: cfg.Logger, Observer: obs,
		OnCall: func(r loadgen.CallRecord) { mu.Lock(); recs = append(recs, r); mu.Unlock() }}
	if err := lc.Validate(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	started := time.Now()
	res, err := loadgen.Run(ctx, lc)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	mu.Lock()
	calls := make([]audit.Call, 0, len(recs))
	for _, r := range recs {
		calls = append(calls, call(&cfg, r, epoch))
	}
	mu.Unlock()
	rep := audit.Summarize(cfg.Settings(), calls)
	rep.Started, rep.Ended = started.UTC(), time.Now().UTC()
	rep.Epoch = epoch.UTC()
	rep.Interrupted = res.Interrupted || ctx.Err() != nil
	rep.NotPlaced = n - len(calls)
	return rep, nil
}

// call turns a call record into the audit's call.
func call(c *audit.Config, r loadgen.CallRecord, epoch time.Time) audit.Call {
	k := c.TimeScale
	sc := func(d time.Duration) float64 { return d.Seconds() * k }
	clock := c.From.Seconds() + sc(r.IntendedStart.Sub(epoch))
	iv := int(math.Floor((clock - c.From.Seconds()) / c.Interval.Seconds()))
	iv = min(max(iv, 0), c.Intervals()-1)
	out := audit.Call{CallID: r.CallID, Interval: iv, ClockSeconds: clock, IntendedStart: r.IntendedStart.UTC(),
		Outcome: string(r.Outcome), FinalStatus: r.FinalStatus, HangupBy: r.HangupBy, AudioPackets: -1}
	late := max(0, r.ActualStart.Sub(r.IntendedStart))
	out.LateSeconds = sc(late)
	if r.AnswerDelay > 0 {
		d := max(r.AnswerDelay-late, time.Nanosecond)
		out.Answered = true
		out.AnswerDelaySeconds = sc(d)
		out.Within = d <= c.Wall(c.Within)
		out.DurationSeconds = sc(r.Duration)
	}
	if r.Media != nil {
		out.AudioPackets = int64(r.Media.ReceivedExpected)
	}
	need := min(c.MinTalk, c.Hold)
	// The hold is timed on the wall clock; a millisecond of slack.
	out.ReachedAgent = out.Answered && r.Duration >= c.Wall(need)-time.Millisecond && (c.NoMedia || out.AudioPackets > 0)
	return out
}
