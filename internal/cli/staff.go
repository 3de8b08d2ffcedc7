package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/reports"
	"github.com/callsim/callsim/wfm"
)

func init() { register(newStaffCmd) }

func newStaffCmd(e *env) *cobra.Command {
	var (
		asJSON       bool
		quiet        bool
		outDir       string
		analytic     bool
		shrinkage    string
		criterion    string
		margin       string
		rounds       int
		seed         uint64
		replications int
		shifts       bool
		shiftLengths []string
		shiftStep    time.Duration
		shiftBreak   time.Duration
		breakFrom    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "staff FILE",
		Short: "Staffing requirement per interval of the day, by Erlang and verified by simulation",
		Long: `Compute, for each queue and interval of the day, the agents needed to meet
the queue's service-level target, then verify the plan by simulation.

Analytic: the offered rate is rate x profile x weekday factor of the queue's
busiest weekday (the plan is one day's headcount, used every day, so it is
sized for the day that needs most). Erlang A (exponential patience with the
mean of the queue's patience) or Erlang C (no patience) gives the least
number of agents, with AHT = mean talk time (times the group's
handle_time_factor) + mean wrap-up; Erlang treats AHT as exponential and each
interval as a steady state.

Verified: the scenario is simulated with the requirement as
agents_by_interval of each queue's dedicated group (shrinkage off: the
figure is agents available for calls) and arrivals at the busiest weekday
every day. Every interval whose simulated service level misses the target
gets one more agent, and the plan is simulated again, until every interval
meets the target or --rounds is reached. --criterion lower (default) judges
an interval by the lower end of its 95% confidence interval, point by its
point estimate; --margin adds to the target. Finally the plan is simulated
with fresh seeds (seed+1000) and judged on point estimates against the bare
target. Scenarios where a group serves several queues, or a queue several
groups, cannot be verified this way; --analytic prints the Erlang figures.

Scheduled = ceil(verified / (1 - shrinkage)), with shrinkage from
--shrinkage or the queue's group.

--shifts then covers each queue's scheduled agents with shifts at the least
paid hours it finds: starts every --shift-step, lengths --shift-lengths, one
break of --shift-break in the middle of shifts of --break-from or more. It
prints a shifts: block for the queue's group (every day), the paid hours, a
proven lower bound on the paid hours of any plan with those shifts, and the
gap between them.

--out DIR also writes a report directory: report.html (agents required
against scheduled per interval, simulated service level against the
target), report.md, result.json (as --json prints it) and staffing.csv (one
row per queue and interval of the day).`,
		Example: `  callsim staff single-queue
  callsim staff my-center.yaml --shrinkage 30% --json
  callsim staff two-skills --analytic
  callsim staff my-center.yaml --shifts --shift-lengths 4h,6h,8h --shift-step 30m
  callsim staff sales-day --out staffing/   # HTML with charts, Markdown, CSV, JSON`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt := wfm.StaffOptions{Verify: !analytic, MaxRounds: rounds, Criterion: criterion}
			if cmd.Flags().Changed("shrinkage") {
				s, err := parseFraction(shrinkage)
				if err != nil || s < 0 || s >= 1 {
					return usageError{fmt.Errorf("--shrinkage %q: want a percentage below 100%% (30%%) or a fraction (0.3)", shrinkage)}
				}
				opt.Shrinkage = &s
			}
			if criterion != wfm.CriterionLower && criterion != wfm.CriterionPoint {
				return usageError{fmt.Errorf("--criterion %q: want lower or point", criterion)}
			}
			m, err := parseFraction(margin)
			if err != nil || m < 0 || m >= 1 {
				return usageError{fmt.Errorf("--margin %q: want a percentage (1%%) or a fraction (0.01)", margin)}
			}
			opt.Margin = m
			var shiftOpt wfm.ShiftOptions
			if shifts {
				shiftOpt = wfm.ShiftOptions{Step: shiftStep, BreakLength: shiftBreak, BreakFrom: breakFrom}
				for _, l := range shiftLengths {
					d, err := time.ParseDuration(strings.TrimSpace(l))
					if err != nil || d <= 0 || d > 24*time.Hour {
						return usageError{fmt.Errorf("--shift-lengths: %q is not a duration in (0, 24h] (4h, 7h30m)", l)}
					}
					shiftOpt.Lengths = append(shiftOpt.Lengths, d)
				}
				if len(shiftOpt.Lengths) == 0 {
					return usageError{fmt.Errorf("--shift-lengths: give at least one length")}
				}
				if shiftStep <= 0 || shiftBreak < 0 {
					return usageError{fmt.Errorf("--shift-step must be positive and --shift-break at least 0")}
				}
			}
			if rounds < 1 {
				return usageError{fmt.Errorf("--rounds must be at least 1, got %d", rounds)}
			}
			if cmd.Flags().Changed("replications") && replications < 1 {
				return usageError{fmt.Errorf("--replications must be at least 1, got %d", replications)}
			}
			sc, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if err := checkOutputs(e, output{"--out", outDir, true}); err != nil {
				return err
			}
			if cmd.Flags().Changed("seed") {
				sc.Seed = seed
			}
			if cmd.Flags().Changed("replications") {
				sc.Replications = replications
			}
			if !quiet && isTerminal(e.stderr) {
				opt.Progress = func(round, missed int) {
					fmt.Fprintf(e.stderr, "staff: round %d, %d interval(s) missing the target\n", round, missed)
				}
			}
			plan, err := wfm.Staff(e.ctx, sc, opt)
			if err != nil {
				return err
			}
			if shifts {
				shiftOpt.Interval = sc.Interval
				if err := wfm.PlanQueueShifts(plan, shiftOpt); err != nil {
					return usageError{err}
				}
				if plan.Verified {
					if err := wfm.SimulateShifts(e.ctx, sc, plan, nil); err != nil {
						return err
					}
				}
			}
			if asJSON {
				err = writeJSON(e.stdout, plan)
			} else {
				err = reports.WriteStaffText(e.stdout, plan)
			}
			if err != nil {
				return err
			}
			if outDir != "" {
				return writeReportDir(e, outDir, func() ([]string, error) { return reports.WriteStaffFiles(outDir, plan) })
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the plan as JSON on stdout")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output on stderr")
	f.StringVar(&outDir, "out", "", "also write report.html (charts: required against scheduled agents), report.md, result.json and staffing.csv into this directory")
	f.BoolVar(&analytic, "analytic", false, "Erlang figures only, no verification by simulation")
	f.StringVar(&shrinkage, "shrinkage", "", "share of paid time not available (30% or 0.3); default: the queue's group's")
	f.StringVar(&criterion, "criterion", wfm.CriterionLower, "verification judges an interval by its SL's lower 95% bound (lower) or point estimate (point)")
	f.StringVar(&margin, "margin", "0", "added to each target during verification (1% or 0.01)")
	f.IntVar(&rounds, "rounds", 20, "most verification rounds")
	f.BoolVar(&shifts, "shifts", false, "also plan shifts covering the scheduled agents and print them as a shifts: block")
	f.StringSliceVar(&shiftLengths, "shift-lengths", []string{"4h", "6h", "8h"}, "allowed shift lengths")
	f.DurationVar(&shiftStep, "shift-step", 30*time.Minute, "grid of shift start times")
	f.DurationVar(&shiftBreak, "shift-break", 30*time.Minute, "break in the middle of long shifts (0: none)")
	f.DurationVar(&breakFrom, "break-from", 6*time.Hour, "shifts at least this long get the break")
	f.Uint64Var(&seed, "seed", 0, "override the scenario's seed")
	f.IntVar(&replications, "replications", 0, "override the scenario's number of replications")
	return cmd
}

// parseFraction reads "30%" or "0.3".
func parseFraction(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	if strings.HasSuffix(s, "%") {
		s, div = strings.TrimSpace(strings.TrimSuffix(s, "%")), 100
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	return v / div, nil
}
