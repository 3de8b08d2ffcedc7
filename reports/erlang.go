package reports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/callsim/callsim/sim/erlang"
)

// ErlangInput is what callsim erlang was asked, as its summary restates
// it: the calls an hour and their handle time, the service level
// threshold, the mean patience (Erlang A) and whether the headcount (or
// the trunks) was sized to the target rather than given.
type ErlangInput struct {
	CallsPerHour float64
	AHT          time.Duration
	Within       time.Duration
	Patience     time.Duration
	Staffed      bool
}

// ErlangTarget is the target judged on an Erlang C or A result (the
// target of callsim erlang --json).
type ErlangTarget struct {
	ServiceLevel   *float64 `json:"service_level,omitempty"`
	Within         float64  `json:"within_seconds"`
	MaxASA         *float64 `json:"max_asa_seconds,omitempty"`
	MaxAbandonRate *float64 `json:"max_abandon_rate,omitempty"`
	Met            bool     `json:"met"`
}

// ErlangBTarget is the blocking target judged on an Erlang B result.
type ErlangBTarget struct {
	Blocking float64 `json:"blocking"`
	Met      bool    `json:"met"`
}

// WriteErlangBText writes an Erlang B result for an offered load (in
// erlangs) as callsim erlang --trunks prints it, with the blocking target
// (t nil: none).
func WriteErlangBText(out io.Writer, in ErlangInput, load float64, r erlang.LinesResult, t *ErlangBTarget) error {
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "Erlang B (M/M/N/N: blocked calls are lost)")
	fmt.Fprintf(w, "  offered load\t%.4g erlangs\t%g calls/h × AHT %v\n", load, in.CallsPerHour, in.AHT)
	note := ""
	if in.Staffed && t != nil {
		note = fmt.Sprintf("minimum for blocking ≤ %s", erlangPct(t.Blocking))
	}
	fmt.Fprintf(w, "  trunks\t%d\t%s\n", r.Trunks, note)
	fmt.Fprintf(w, "  blocking\t%s\tcalls that find every trunk busy\n", erlangPct(r.Blocking))
	fmt.Fprintf(w, "  carried load\t%.4g erlangs\t\n", r.CarriedLoad)
	if t != nil && !in.Staffed {
		fmt.Fprintf(w, "  target\t%s\tblocking ≤ %s\n", erlangMet(t.Met), erlangPct(t.Blocking))
	}
	return erlangFlush(out, w, &buf)
}

// WriteErlangText writes an Erlang C or A result as callsim erlang prints
// it, with the target judged on it (t nil: none).
func WriteErlangText(stdout io.Writer, in ErlangInput, r erlang.Result, t *ErlangTarget) error {
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	if r.Model == erlang.ModelA {
		fmt.Fprintf(w, "Erlang A (M/M/N+M: callers hang up after an exponential patience, mean %v)\n", in.Patience)
	} else {
		fmt.Fprintln(w, "Erlang C (M/M/N: callers never abandon)")
	}
	within := in.Within
	fmt.Fprintf(w, "  offered load\t%.4g erlangs\t%g calls/h × AHT %v\n", r.OfferedLoad, in.CallsPerHour, in.AHT)
	note := ""
	if in.Staffed {
		note = "minimum that meets the target"
	}
	fmt.Fprintf(w, "  agents\t%d\t%s\n", r.Agents, note)
	fmt.Fprintf(w, "  p(wait)\t%s\tcallers who find every agent busy\n", erlangPct(r.PWait))
	fmt.Fprintf(w, "  service level\t%s\tanswered within %v, of all offered calls\n", erlangPct(r.ServiceLevel), within)
	fmt.Fprintf(w, "  ASA\t%s\tmean wait of answered calls\n", erlangSecs(r.ASA))
	fmt.Fprintf(w, "  abandon rate\t%s\t\n", erlangPct(r.AbandonRate))
	fmt.Fprintf(w, "  occupancy\t%s\t\n", erlangPct(r.Occupancy))
	fmt.Fprintf(w, "  mean wait\t%s\tall callers\n", erlangSecs(r.MeanWait))
	fmt.Fprintf(w, "  mean queue length\t%.3g calls\t\n", r.MeanQueueLength)
	if t != nil {
		var parts []string
		if t.ServiceLevel != nil {
			parts = append(parts, fmt.Sprintf("service level ≥ %s within %v", erlangPct(*t.ServiceLevel), within))
		}
		if t.MaxASA != nil {
			parts = append(parts, "ASA ≤ "+erlangSecs(*t.MaxASA))
		}
		if t.MaxAbandonRate != nil {
			parts = append(parts, "abandon rate ≤ "+erlangPct(*t.MaxAbandonRate))
		}
		fmt.Fprintf(w, "  target\t%s\t%s\n", erlangMet(t.Met), strings.Join(parts, ", "))
	}
	return erlangFlush(stdout, w, &buf)
}

// erlangFlush writes the table in buf to out without trailing blanks.
func erlangFlush(out io.Writer, w *tabwriter.Writer, buf *bytes.Buffer) error {
	if err := w.Flush(); err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if _, err := io.WriteString(out, strings.Join(lines, "\n")+"\n"); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

func erlangMet(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// erlangPct formats a fraction as a percentage with two decimals; values that
// would round to 0.00 or 100.00 without being exactly so are shown as
// "<0.01 %" and ">99.99 %".
func erlangPct(x float64) string {
	switch {
	case x > 0 && x < 0.00005:
		return "<0.01 %"
	case x < 1 && x > 0.99995:
		return ">99.99 %"
	}
	return fmt.Sprintf("%.2f %%", 100*x)
}

func erlangSecs(x float64) string {
	if x > 0 && x < 0.005 {
		return "<0.01 s"
	}
	return fmt.Sprintf("%.2f s", x)
}
