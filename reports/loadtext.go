package reports

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/callsim/callsim/loadresult"
)

func loadPct(v float64) string { return fmt.Sprintf("%.2f%%", v*100) }

// ThresholdLine is a threshold's verdict as a load summary lists it.
type ThresholdLine struct {
	Pass bool
	Text string // e.g. "srd_p99<250ms: 312.5ms (FAILED, over by 62.5ms)"
}

// WriteLoadText writes a load result's summary as callsim load prints it:
// the calls by outcome, the schedule, the RFC 6076 ratios, the final
// codes, the delay percentiles, the media figures and the thresholds.
func WriteLoadText(w io.Writer, r *loadresult.Result, checks []ThresholdLine) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	state := "complete"
	if r.Interrupted {
		state = "INTERRUPTED"
	}
	fmt.Fprintf(tw, "callsim load: %s (%s, %.1fs)\n", r.Settings.Target, state, r.WallSeconds)
	fmt.Fprintf(tw, "calls\tattempted %d\tcompleted %d\tfailed %d\tabandoned %d\ttimed_out %d\ttransport_errors %d\n",
		r.Attempted, r.Completed, r.Failed, r.Abandoned, r.TimedOut, r.TransportErrors)
	fmt.Fprintf(tw, "schedule\tlate %d\tdropped %d\tachieved %.2f cps\tmax concurrent %d\t\t\n", r.Late, r.Dropped, r.AchievedCPS, r.MaxConcurrent)
	fmt.Fprintf(tw, "ratios\tSER %s\tSEER %s\tISA %s\tSCR %s\t\t\n", loadPct(r.SER), loadPct(r.SEER), loadPct(r.ISA), loadPct(r.SCR))
	codes := make([]string, 0, len(r.StatusCodes))
	for c := range r.StatusCodes {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%s x%d", c, r.StatusCodes[c]))
	}
	fmt.Fprintf(tw, "final codes\t%s\n", strings.Join(parts, ", "))
	fmt.Fprintf(tw, "other\tbye failures %d\tremote hangups %d\tretransmissions %d\t\t\t\n", r.ByeFailures, r.RemoteHangups, r.Retransmissions)
	tw.Flush()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "delay (ms)\tcount\tp50\tp90\tp95\tp99\tp99.9\tmax\t")
	for _, row := range []struct {
		name string
		l    loadresult.Latency
	}{{"SRD", r.SRD}, {"answer delay", r.AnswerDelay}, {"SDD", r.SDD}, {"session duration", r.SessionDuration}, {"start lag", r.StartLag}} {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", row.name, row.l.Count, row.l.P50, row.l.P90, row.l.P95, row.l.P99, row.l.P999, row.l.Max)
	}
	tw.Flush()
	writeMediaText(w, r.Media)
	if len(checks) > 0 {
		fmt.Fprintln(w, "thresholds:")
		for _, c := range checks {
			mark := "PASS"
			if !c.Pass {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  %s  %s\n", mark, c.Text)
		}
	}
}

// writeMediaText prints the media figures of a run, if it had media.
func writeMediaText(w io.Writer, m *loadresult.MediaSummary) {
	if m == nil {
		return
	}
	fmt.Fprintf(w, "media: %d calls, packets sent %d, received %d, lost %d; below MOS %.1f: %d (%s); one-way audio %d, no audio %d",
		m.Calls, m.PacketsSent, m.PacketsReceived, m.PacketsLost, m.MOSThreshold, m.BelowMOS, loadPct(m.BelowMOSShare), m.OneWayAudio, m.NoAudio)
	if m.SDPErrors > 0 || m.PortErrors > 0 {
		fmt.Fprintf(w, "; unusable SDP answers %d, calls without an RTP port %d", m.SDPErrors, m.PortErrors)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "media per call	count	min	p5	p50	p95	p99	max	")
	for _, row := range []struct {
		name string
		d    loadresult.MediaDist
		prec int
	}{{"MOS", m.MOS, 2}, {"loss (%)", m.LossPct, 2}, {"jitter (ms)", m.JitterMs, 2}, {"longest gap (ms)", m.MaxGapMs, 1}} {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', row.prec, 64) }
		d := row.d
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", row.name, d.Count, f(d.Min), f(d.P5), f(d.P50), f(d.P95), f(d.P99), f(d.Max))
	}
	tw.Flush()
}

// WriteLoadWindowsText writes the windows of a load result that failed
// their thresholds, and an abort, as callsim load prints them after its
// summary (nothing when the thresholds were not judged per window).
func WriteLoadWindowsText(w io.Writer, r *loadresult.Result) {
	if len(r.Windows) == 0 {
		return
	}
	bad := 0
	for _, win := range r.Windows {
		if !win.Pass {
			bad++
		}
	}
	fmt.Fprintf(w, "windows: %d of %gs, %d failed\n", len(r.Windows), r.WindowSeconds, bad)
	for _, win := range r.Windows {
		if win.Pass {
			continue
		}
		var parts []string
		for _, c := range win.Checks {
			if !c.Pass {
				parts = append(parts, CheckText(c))
			}
		}
		fmt.Fprintf(w, "  FAIL  window %d (%.1fs-%.1fs, %d calls ended): %s\n", win.Index, win.StartSeconds, win.EndSeconds, win.Calls, strings.Join(parts, "; "))
	}
	if r.Aborted {
		fmt.Fprintf(w, "ABORTED (--abort-on-fail): %s\n", r.AbortReason)
	}
}

// CheckText is a threshold's expression and the value measured, e.g.
// "srd_p99<250ms: 312.5ms" ("not measured" without a value).
func CheckText(c loadresult.Check) string {
	if c.Value == nil {
		return c.Expr + ": not measured"
	}
	return fmt.Sprintf("%s: %s%s", c.Expr, strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", *c.Value), "0"), "."), c.Unit)
}
