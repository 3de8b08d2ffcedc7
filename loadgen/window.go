package loadgen

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// MinWindow is the shortest Config.Window.
const MinWindow = 100 * time.Millisecond

// CheckOf turns a threshold result into a Check.
func CheckOf(r ThresholdResult) Check {
	c := Check{Expr: r.Expr, Unit: r.Unit, Pass: r.Pass}
	if !math.IsNaN(r.Actual) {
		v := r.Actual
		c.Value = &v
	}
	return c
}

// windowJudge judges thresholds window by window on the calls that ended
// in each; it is the run's Observer (with the caller's) and keeps one
// Tally, reset at each window's end.
type windowJudge struct {
	start  time.Time
	length time.Duration
	ths    []Threshold
	abort  bool
	tally  *Tally

	mu      sync.Mutex
	windows []Window
	reason  string        // the first failure, when aborting
	aborted chan struct{} // closed on the first failure when abort is set
	once    sync.Once
	done    chan struct{}
	stopped chan struct{}
}

func newWindowJudge(start time.Time, cfg *Config, withMedia bool) *windowJudge {
	return &windowJudge{start: start, length: cfg.Window, ths: cfg.WindowThresholds, abort: cfg.AbortOnFail,
		tally:   NewTally(start, time.Time{}, withMedia, cfg.MOSThreshold),
		aborted: make(chan struct{}), done: make(chan struct{}), stopped: make(chan struct{})}
}

func (j *windowJudge) CallStarted(at time.Time, late bool, n int64) { j.tally.CallStarted(at, late, n) }
func (j *windowJudge) CallDropped(at time.Time)                     { j.tally.CallDropped(at) }
func (j *windowJudge) CallEnded(c *EndedCall, n int64)              { j.tally.CallEnded(c, n) }

// run judges each window as it ends, until finish.
func (j *windowJudge) run() {
	defer close(j.stopped)
	t := time.NewTimer(j.length)
	defer t.Stop()
	for k := 1; ; k++ {
		select {
		case <-j.done:
			return
		case <-t.C:
		}
		end := j.start.Add(time.Duration(k) * j.length)
		j.judge(end, false)
		t.Reset(max(time.Until(end.Add(j.length)), 0))
	}
}

// judge closes the window ending at end.
func (j *windowJudge) judge(end time.Time, partial bool) {
	r := j.tally.Cut(end)
	j.mu.Lock()
	defer j.mu.Unlock()
	w := Window{Index: len(j.windows), StartSeconds: r.StartedAt.Sub(j.start).Seconds(), EndSeconds: end.Sub(j.start).Seconds(),
		Partial: partial, Calls: r.Attempted, Completed: r.Completed, SER: r.SER, SRDP99: r.SRD.P99, Pass: true}
	if r.Attempted == 0 && r.Dropped == 0 {
		// No call ended and none was dropped: nothing to judge. A
		// window is recorded all the same, so gaps show.
		j.windows = append(j.windows, w)
		return
	}
	var failed []string
	for _, th := range j.ths {
		c := th.Check(r)
		w.Checks = append(w.Checks, CheckOf(c))
		if !c.Pass {
			w.Pass = false
			failed = append(failed, c.String())
		}
	}
	j.windows = append(j.windows, w)
	if !w.Pass && j.abort && j.reason == "" {
		j.reason = fmt.Sprintf("window %d (%.1fs-%.1fs, %d calls): %s", w.Index, w.StartSeconds, w.EndSeconds, w.Calls, strings.Join(failed, "; "))
		close(j.aborted)
	}
}

// finish stops judging at end, judging the last, partial window if any
// call ended in it.
func (j *windowJudge) finish(end time.Time) {
	j.once.Do(func() {
		close(j.done)
		<-j.stopped
		if n, _ := j.tally.Ended(); n > 0 {
			j.judge(end, true)
		}
	})
}

// result returns the windows and, when aborted, why.
func (j *windowJudge) result() ([]Window, string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Window(nil), j.windows...), j.reason
}
