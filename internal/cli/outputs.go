package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/callsim/callsim/internal/atomicfile"
)

// output is a file (or, dir, a directory of report files) a command will
// write, named by its flag.
type output struct {
	flag, path string
	dir        bool
}

// checkOutputs tests every output before a command starts its work, so
// that an unwritable --json, --out or --cdr fails before the first call
// or replication, not after the last. It names the temporary files an
// earlier run left in the outputs' directories when it was killed.
func checkOutputs(e *env, outs ...output) error {
	var errs []error
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		var err error
		var stale []string
		if o.dir {
			err = atomicfile.CheckDir(o.path)
			stale, _ = filepath.Glob(filepath.Join(o.path, ".*.tmp"))
		} else {
			err = atomicfile.Check(o.path)
			stale = atomicfile.Stale(o.path)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.flag, err))
		}
		if len(stale) > 0 {
			fmt.Fprintf(e.stderr, "callsim: warning: %s: temporary files left by an earlier run that was killed: %s (remove them)\n",
				o.flag, strings.Join(stale, ", "))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w (nothing was run)", errors.Join(errs...))
	}
	return nil
}

// lostResults is the error of a run whose results could not all be
// written at the end (the disk filled up, the directory went away): the
// summary has been printed, and the error says what was lost.
func lostResults(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	var what []string
	for _, err := range errs {
		what = append(what, err.Error())
	}
	return fmt.Errorf("the run finished, but not every result was written (the summary above was printed):\n  %s", strings.Join(what, "\n  "))
}
