package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/callsim/callsim/internal/jsonout"
	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/scenarios"
)

// loadScenario reads a scenario file; when no file of that name exists but a
// built-in scenario does, the built-in is used.
func loadScenario(arg string) (*scenarios.Scenario, error) {
	sc, err := scenarios.Load(arg)
	if err == nil {
		return sc, nil
	}
	if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(arg, `/\.`) {
		if b, berr := scenarios.LoadBuiltin(arg); berr == nil {
			return b, nil
		}
		return nil, fmt.Errorf("%w\n(no built-in scenario is called %q either; see \"callsim scenarios list\")", err, arg)
	}
	return nil, err
}

// writeJSON prints v as indented JSON (a number JSON cannot hold, NaN or
// ±Inf, as null).
func writeJSON(w io.Writer, v any) error { return jsonout.Encode(w, v) }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar draws a progress bar with an ETA on a terminal, once the work
// has run for a second (short runs stay quiet). Elsewhere (a log file, CI)
// it prints a plain line every plainEvery instead.
type progressBar struct {
	mu        sync.Mutex
	w         io.Writer
	label     string
	start     time.Time
	drawn     bool
	enabled   bool
	terminal  bool
	lastPlain time.Time
}

// plainEvery is how often progress is printed when stderr is not a terminal.
const plainEvery = 10 * time.Second

func newProgressBar(w io.Writer, label string, quiet bool) *progressBar {
	t := time.Now()
	return &progressBar{w: w, label: label, start: t, enabled: !quiet, terminal: isTerminal(w), lastPlain: t}
}

// update is safe to call from any goroutine.
func (p *progressBar) update(done, total int64) {
	if !p.enabled || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.start)
	if el < time.Second {
		return
	}
	frac := min(float64(done)/float64(total), 1)
	if !p.terminal {
		if time.Since(p.lastPlain) >= plainEvery {
			p.lastPlain = time.Now()
			fmt.Fprintf(p.w, "%s: %.0f%%, %s calls, %s elapsed\n", p.label, 100*frac, reports.Rate(float64(done)), el.Round(time.Second))
		}
		return
	}
	const width = 30
	bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
	eta := "?"
	if frac > 0 {
		eta = (time.Duration(float64(el)/frac) - el).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%% %s calls, ETA %s  ", p.label, bar, 100*frac, reports.Rate(float64(done)), eta)
	p.drawn = true
}

// finish clears the bar's line.
func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 80))
	}
}

// Colour: the text summaries on stdout mark verdicts in colour (a missed
// target, NO, FAIL in red; PASS in green), only when stdout is a terminal,
// $NO_COLOR is unset or empty (https://no-color.org) and --no-color is not
// given; never in files or pipes. The hooks let tests fake a terminal.
var (
	colorTerminal = isTerminal
	colorGetenv   = os.Getenv
)

// verdictWords are the words coloured; whole words, upper case, as the
// summaries print them.
var verdictWords = regexp.MustCompile(`\b(MISSED|NO|FAIL|PASS)\b`)

const (
	ansiRed   = "\x1b[1;31m"
	ansiGreen = "\x1b[32m"
	ansiReset = "\x1b[0m"
)

// useColor reports whether text for w may be coloured.
func (e *env) useColor(w io.Writer) bool {
	return !e.noColor && colorGetenv("NO_COLOR") == "" && colorTerminal(w)
}

// summary writes a text summary to stdout through write: as it is, or,
// when colour is allowed, with its verdict words coloured after the
// layout (so columns stay aligned: the escapes take no room on a terminal).
func (e *env) summary(write func(w io.Writer) error) error {
	if !e.useColor(e.stdout) {
		return write(e.stdout)
	}
	var b bytes.Buffer
	err := write(&b)
	if _, werr := io.WriteString(e.stdout, colorVerdicts(b.String())); err == nil {
		err = werr
	}
	return err
}

// colorVerdicts wraps each verdict word of s in ANSI colour.
func colorVerdicts(s string) string {
	return verdictWords.ReplaceAllStringFunc(s, func(w string) string {
		if w == "PASS" {
			return ansiGreen + w + ansiReset
		}
		return ansiRed + w + ansiReset
	})
}
