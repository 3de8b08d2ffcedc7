package reports

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/callsim/callsim/reconcile"
)

// WriteReconcileText writes the summary of a reconciliation as callsim
// reconcile prints it: the counts, the seconds billed and measured, the
// disputed time, then each list of lines (at most list lines each; the
// rest is in the JSON) and, with recordings, theirs.
func WriteReconcileText(w io.Writer, r *reconcile.Report, list int) {
	fmt.Fprintf(w, "calls      %d in our CDR (%d answered), %d billing lines; matched %d (%d by call id, %d by start time within %gs, %d of them with the caller)\n",
		r.CDRCalls, r.CDRAnswered, r.BillingLines, r.Matched, r.MatchedByID, r.MatchedByTime, r.ToleranceSeconds, r.MatchedByCaller)
	fmt.Fprintf(w, "seconds    billed %.1f, measured %.1f, billed - measured %+.1f (matched calls: billed %.1f, measured %.1f)\n",
		r.BilledSeconds, r.MeasuredSeconds, r.DiffSeconds, r.BilledMatchedSeconds, r.MeasuredMatchedSeconds)
	amount := ""
	if r.DisputedAmount > 0 {
		amount = fmt.Sprintf(", amount %.2f", r.DisputedAmount)
	}
	fmt.Fprintf(w, "disputed   %.1f s (%.2f min)%s: %d over-billed, %d billed never placed; %d placed never billed (increment %gs)\n",
		r.DisputedSeconds, r.DisputedSeconds/60, amount, len(r.OverBilled), len(r.BilledNotPlaced), len(r.PlacedNotBilled), r.IncrementSeconds)
	section := func(title string, lines []reconcile.Line) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d)\n", title, len(lines))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  call id\tcaller\tcdr line\tbilling line\tmeasured s\tbilled s\tdisputed s\treason\t")
		for i, l := range lines {
			if i == list {
				fmt.Fprintf(tw, "  ... %d more (see --json)\t\t\t\t\t\t\t\t\n", len(lines)-list)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%s\t\n", dash(l.CallID), dash(l.Caller), lineNo(l.CDRLine),
				lineNo(l.BillingLine), l.MeasuredSeconds, l.BilledSeconds, l.DisputedSeconds, l.Reason)
		}
		tw.Flush()
	}
	section("over-billed", r.OverBilled)
	notPlaced := "billed, never placed"
	if r.Recordings > 0 {
		notPlaced = "billed, no call and no recording"
	}
	section(notPlaced, r.BilledNotPlaced)
	section("placed, never billed", r.PlacedNotBilled)
	if r.Recordings == 0 {
		return
	}
	fmt.Fprintf(w, "\nrecordings %d (%.1f s); billed seconds without a recording %.1f; %d much shorter than billed, %d calls of ours missing one, %d billed lines backed only by a recording, %d not billed, %d unreadable\n",
		r.Recordings, r.RecordedSeconds, r.BilledWithoutRecordingSeconds, len(r.RecordingShort), len(r.MissingRecordings),
		len(r.BilledRecorded), len(r.RecordingsNotBilled), len(r.UnreadableRecordings))
	section("recording much shorter than billed", r.RecordingShort)
	section("missing recordings (calls of ours)", r.MissingRecordings)
	for _, x := range []struct {
		title string
		recs  []reconcile.Recording
	}{{"recordings not billed", r.RecordingsNotBilled}, {"unreadable recordings", r.UnreadableRecordings}} {
		if len(x.recs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", x.title, len(x.recs))
		for i, rec := range x.recs {
			if i == list {
				fmt.Fprintf(w, "  ... %d more (see --json)\n", len(x.recs)-list)
				break
			}
			if rec.Error != "" {
				fmt.Fprintf(w, "  %s  %s: %s\n", rec.CallID, rec.File, rec.Error)
			} else {
				fmt.Fprintf(w, "  %s  %s  %.1f s\n", rec.CallID, rec.File, rec.Seconds)
			}
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func lineNo(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
