package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/callsim/callsim/loadgen"
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

// printWindows prints the windows that failed, and an abort.
func printWindows(w io.Writer, r *loadgen.Result) {
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
				parts = append(parts, checkText(c))
			}
		}
		fmt.Fprintf(w, "  FAIL  window %d (%.1fs-%.1fs, %d calls ended): %s\n", win.Index, win.StartSeconds, win.EndSeconds, win.Calls, strings.Join(parts, "; "))
	}
	if r.Aborted {
		fmt.Fprintf(w, "ABORTED (--abort-on-fail): %s\n", r.AbortReason)
	}
}

func checkText(c loadgen.Check) string {
	if c.Value == nil {
		return c.Expr + ": not measured"
	}
	return fmt.Sprintf("%s: %s%s", c.Expr, strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", *c.Value), "0"), "."), c.Unit)
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
				out = append(out, fmt.Sprintf("window %d (%.0fs-%.0fs) %s", win.Index, win.StartSeconds, win.EndSeconds, checkText(c)))
			}
		}
	}
	if r.Aborted {
		out = append(out, "run aborted (--abort-on-fail)")
	}
	return out
}
