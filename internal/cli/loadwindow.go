package cli

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/reports"
)

// windowHelp explains --window and --abort-on-fail.
const windowHelp = `Thresholds over time: with --window D every --threshold is also judged on
the calls that ended in each window of D (each call counted once, with its
one outcome: attempted = completed + failed + abandoned + timed_out +
transport_errors in every window), besides the whole run; a failed window
makes the exit code 99. --abort-on-fail ends the run at the end of the first
window that fails (to protect a production platform): no call starts after
it, calls in progress are ended with CANCEL or BYE within --grace, and the
result is marked "aborted" with the reason.`

func (f *loadFlags) addWindowFlags(fl *pflag.FlagSet) {
	fl.DurationVar(&f.window, "window", 0, "also judge every --threshold on the calls that ended in each window of this length (e.g. 10s)")
	fl.BoolVar(&f.abortOnFail, "abort-on-fail", false, "end the run at the end of the first --window in which a threshold fails (result marked aborted)")
}

// windowFailures lists the failed windows for the exit message.
func windowFailures(r *loadgen.Result) []string {
	var out []string
	for _, win := range r.Windows {
		if win.Pass {
			continue
		}
		for _, c := range win.Checks {
			if !c.Pass {
				out = append(out, fmt.Sprintf("window %d (%.0fs-%.0fs) %s", win.Index, win.StartSeconds, win.EndSeconds, reports.CheckText(c)))
			}
		}
	}
	if r.Aborted {
		out = append(out, "run aborted (--abort-on-fail)")
	}
	return out
}
