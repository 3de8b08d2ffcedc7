package cli

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// fakeTerminal makes every writer look like a terminal (or not) for the
// colour decision, and controls $NO_COLOR, for the test's duration.
func fakeTerminal(t *testing.T, terminal bool, noColor string) {
	t.Helper()
	term, getenv := colorTerminal, colorGetenv
	colorTerminal = func(io.Writer) bool { return terminal }
	colorGetenv = func(k string) string {
		if k == "NO_COLOR" {
			return noColor
		}
		return getenv(k)
	}
	t.Cleanup(func() { colorTerminal, colorGetenv = term, getenv })
}

func TestColorOnlyOnATerminal(t *testing.T) {
	// Too few agents: the queue misses its target.
	file := writeFile(t, "short.yaml", strings.NewReplacer("horizon: 200h", "horizon: 4h", "replications: 5", "replications: 2",
		"agents: 32", "agents: 28").Replace(minimal))
	tests := []struct {
		name     string
		terminal bool
		noColor  string
		flags    []string
		colour   bool
	}{
		{"terminal", true, "", nil, true},
		{"pipe or file", false, "", nil, false},
		{"terminal with NO_COLOR", true, "1", nil, false},
		{"terminal with --no-color", true, "", []string{"--no-color"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeTerminal(t, tt.terminal, tt.noColor)
			code, out, errOut := run(t, append([]string{"simulate", file, "-q"}, tt.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, "MISSED") {
				t.Fatalf("the target is met, nothing to colour:\n%s", out)
			}
			if got := strings.Contains(out, ansiRed+"MISSED"+ansiReset); got != tt.colour {
				t.Errorf("coloured %v, want %v:\n%q", got, tt.colour, out)
			}
			if !tt.colour && strings.Contains(out, "\x1b[") {
				t.Errorf("escape codes without colour:\n%q", out)
			}
		})
	}
}

func TestColorVerdicts(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		t.Run(fmt.Sprint("terminal=", terminal), func(t *testing.T) {
			fakeTerminal(t, terminal, "")
			var out strings.Builder
			e := &env{stdout: &out}
			err := e.summary(func(w io.Writer) error {
				_, err := io.WriteString(w, "thresholds:\n  PASS  ser>=99.9\n  FAIL  srd_p99<250ms (got 300ms)\nmeets targets  yes  NO\nNOTE: PASSED, FAILURE, No\n")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			want := "thresholds:\n  PASS  ser>=99.9\n  FAIL  srd_p99<250ms (got 300ms)\nmeets targets  yes  NO\nNOTE: PASSED, FAILURE, No\n"
			if terminal {
				want = "thresholds:\n  " + ansiGreen + "PASS" + ansiReset + "  ser>=99.9\n  " + ansiRed + "FAIL" + ansiReset +
					"  srd_p99<250ms (got 300ms)\nmeets targets  yes  " + ansiRed + "NO" + ansiReset + "\nNOTE: PASSED, FAILURE, No\n"
			}
			if out.String() != want {
				t.Errorf("got\n%q\nwant\n%q", out.String(), want)
			}
		})
	}
}
