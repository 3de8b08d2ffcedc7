package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/reports"
)

func init() { register(newReportCmd) }

// reportFormats are the values of report --format.
var reportFormats = []string{"text", "markdown", "html"}

func newReportCmd(e *env) *cobra.Command {
	var (
		outDir    string
		format    string
		intervals bool
	)
	cmd := &cobra.Command{
		Use:   "report RESULT.json...",
		Short: "Render saved simulate, compare, staff, sweep or load results as text, Markdown, HTML with charts, or a report directory",
		Long: `Render results saved with "callsim simulate --json", "callsim compare --json",
"callsim staff --json", "callsim sweep --json", "callsim load --json FILE" or
"callsim verify --claim FILE --json" (or an evidence bundle's verdicts.json)
(or the result.json of an --out directory) again, later. What a file holds
is told by its keys ("variants": a comparison, "axes" and "points": a
sweep, "kpis": a simulation, "attempted": a load test, "queues" and
"verified": a staffing plan).

Without --out the report goes to stdout in --format: text (the summary the
commands print), markdown (tables), or html (one self-contained file with
charts: no network access needed to view it). With --out DIR the whole
report is written into DIR: report.html, report.md, result.json and CSV
files (intervals.csv, queues.csv, groups.csv; variants.csv for a
comparison; series.csv and delays.csv for a load test; staffing.csv for a
staffing plan; points.csv for a sweep). With several files and --out, each gets a subdirectory of DIR
named after the file.

A saved comparison carries each variant's figures per interval of the day,
so its report is the one "callsim compare --out" writes (comparisons saved
by older versions, without them, show the variants' totals only).`,
		Example: `  callsim simulate two-skills --json > two-skills.json
  callsim report two-skills.json                      # text summary
  callsim report two-skills.json --format markdown > two-skills.md
  callsim report two-skills.json --format html > two-skills.html
  callsim report two-skills.json comparison.json --out reports/`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			format = strings.ToLower(format)
			if !contains(reportFormats, format) {
				return usageError{fmt.Errorf("--format must be one of %s, got %q", strings.Join(reportFormats, ", "), format)}
			}
			if outDir != "" && cmd.Flags().Changed("format") {
				return usageError{fmt.Errorf("--format and --out do not go together: --out writes every format")}
			}
			if outDir == "" && format == "html" && len(args) > 1 {
				return usageError{fmt.Errorf("--format html renders one file at a time on stdout; use --out DIR for %d files", len(args))}
			}
			saved := make([]*reports.Saved, 0, len(args))
			for _, a := range args {
				s, err := reports.ReadResult(a)
				if err != nil {
					return err
				}
				saved = append(saved, s)
			}
			if outDir != "" {
				dirs := reportDirs(outDir, args)
				for i, s := range saved {
					dir := dirs[i]
					if err := writeReportDir(e, dir, func() ([]string, error) { return writeSaved(dir, s) }); err != nil {
						return fmt.Errorf("%s: %w", s.Path, err)
					}
				}
				return nil
			}
			for i, s := range saved {
				if i > 0 && format != "html" {
					fmt.Fprintln(e.stdout)
				}
				if err := renderSaved(e, s, format, intervals); err != nil {
					return fmt.Errorf("%s: %w", s.Path, err)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&outDir, "out", "o", "", "write report.html, report.md, result.json and CSV files into this directory")
	f.StringVarP(&format, "format", "f", "text", "report on stdout: "+strings.Join(reportFormats, ", "))
	f.BoolVar(&intervals, "intervals", false, "text format: also print the table of intervals of the day")
	cmd.AddCommand(newReportMergeCmd(e)) // report merge: merge.go
	return cmd
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// reportDirs gives each input file its output directory: dir itself for
// one file, else a subdirectory named after the file (made unique).
func reportDirs(dir string, files []string) []string {
	if len(files) == 1 {
		return []string{dir}
	}
	seen := map[string]int{}
	out := make([]string, len(files))
	for i, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if name == "" || name == "." {
			name = "result"
		}
		seen[name]++
		if n := seen[name]; n > 1 {
			name = fmt.Sprintf("%s-%d", name, n)
		}
		out[i] = filepath.Join(dir, name)
	}
	return out
}

func writeSaved(dir string, s *reports.Saved) ([]string, error) {
	switch s.Kind {
	case reports.KindCompare:
		return reports.WriteCompareFiles(dir, s.Comparison)
	case reports.KindLoad:
		return reports.WriteLoadFiles(dir, s.Load)
	case reports.KindStaff:
		return reports.WriteStaffFiles(dir, s.Staff)
	case reports.KindSweep:
		return reports.WriteSweepFiles(dir, s.Sweep)
	case reports.KindOptimize:
		return reports.WriteOptimizeFiles(dir, s.Optimize)
	case reports.KindClaim:
		return reports.WriteClaimFiles(dir, s.Claim)
	case reports.KindAudit:
		return reports.WriteAuditFiles(dir, s.Audit)
	}
	return reports.WriteSimulateFiles(dir, s.Result)
}

func renderSaved(e *env, s *reports.Saved, format string, intervals bool) error {
	switch {
	case s.Kind == reports.KindAudit && format == "text":
		return reports.WriteAuditText(e.stdout, s.Audit)
	case s.Kind == reports.KindAudit && format == "markdown":
		return reports.WriteAuditMarkdown(e.stdout, s.Audit)
	case s.Kind == reports.KindAudit:
		return reports.WriteAuditHTML(e.stdout, s.Audit)
	case s.Kind == reports.KindClaim && format == "text":
		return reports.WriteClaimText(e.stdout, s.Claim)
	case s.Kind == reports.KindClaim && format == "markdown":
		return reports.WriteClaimMarkdown(e.stdout, s.Claim)
	case s.Kind == reports.KindClaim:
		return reports.WriteClaimHTML(e.stdout, s.Claim, nil, "")
	case s.Kind == reports.KindStaff && format == "text":
		return reports.WriteStaffText(e.stdout, s.Staff)
	case s.Kind == reports.KindStaff && format == "markdown":
		return reports.WriteStaffMarkdown(e.stdout, s.Staff)
	case s.Kind == reports.KindStaff:
		return reports.WriteStaffHTML(e.stdout, s.Staff)
	case s.Kind == reports.KindOptimize && format == "text":
		return reports.WriteOptimizeText(e.stdout, s.Optimize)
	case s.Kind == reports.KindOptimize && format == "markdown":
		return reports.WriteOptimizeMarkdown(e.stdout, s.Optimize)
	case s.Kind == reports.KindOptimize:
		return reports.WriteOptimizeHTML(e.stdout, s.Optimize)
	case s.Kind == reports.KindSweep && format == "text":
		return reports.WriteSweepText(e.stdout, s.Sweep)
	case s.Kind == reports.KindSweep && format == "markdown":
		return reports.WriteSweepMarkdown(e.stdout, s.Sweep)
	case s.Kind == reports.KindSweep:
		return reports.WriteSweepHTML(e.stdout, s.Sweep)
	case s.Kind == reports.KindLoad && format == "text":
		printSummary(e.stdout, s.Load, nil)
		return nil
	case s.Kind == reports.KindLoad && format == "markdown":
		return reports.WriteLoadMarkdown(e.stdout, s.Load)
	case s.Kind == reports.KindLoad:
		return reports.WriteLoadHTML(e.stdout, s.Load)
	case s.Kind == reports.KindCompare && format == "text":
		return reports.WriteCompareText(e.stdout, s.Comparison)
	case s.Kind == reports.KindCompare && format == "markdown":
		return reports.WriteCompareMarkdown(e.stdout, s.Comparison)
	case s.Kind == reports.KindCompare:
		return reports.WriteCompareHTML(e.stdout, s.Comparison)
	case format == "text":
		return reports.WriteSimulateText(e.stdout, s.Result, reports.TextOptions{Intervals: intervals})
	case format == "markdown":
		return reports.WriteSimulateMarkdown(e.stdout, s.Result)
	default:
		return reports.WriteSimulateHTML(e.stdout, s.Result)
	}
}

// writeReportDir runs write (which fills dir) and tells on stderr where
// the report went; stdout stays as the command left it.
func writeReportDir(e *env, dir string, write func() ([]string, error)) error {
	paths, err := write()
	if err != nil {
		return fmt.Errorf("report in %s: %w", dir, err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	fmt.Fprintf(e.stderr, "report written to %s: %s\n", dir, strings.Join(names, ", "))
	return nil
}
