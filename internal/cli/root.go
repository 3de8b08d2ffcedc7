package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sort"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	ExitOK        = 0
	ExitError     = 1  // bad input, failed run
	ExitUsage     = 2  // wrong flags or arguments
	ExitThreshold = 99 // a --threshold failed
)

// version is set at build time with -ldflags "-X github.com/callsim/callsim/internal/cli.version=v1.2.3";
// otherwise it comes from the module build information.
var version = ""

// commandFactories holds the constructors of every subcommand; files add
// themselves with register from an init function.
var commandFactories []func(*env) *cobra.Command

func register(f func(*env) *cobra.Command) { commandFactories = append(commandFactories, f) }

// env is what a command may touch: its streams and a logger. Commands never
// use os.Stdout or os.Stderr directly, so tests can run them in-process.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	// noColor: --no-color (see useColor).
	noColor bool
	// args is the command line (without the program name), for records of
	// how a result was made.
	args []string
}

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that the process exits with code.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// NewRoot builds the root command with every registered subcommand.
func NewRoot(e *env) *cobra.Command {
	var verbose bool
	root := &cobra.Command{
		Use:   "callsim",
		Short: "Plan and prove contact centers: simulate staffing and sourcing, load-test SIP platforms",
		Long: `callsim answers two questions with one scenario file:

  Plan:  should the contact center run in-house, outsourced, or mixed?
         A discrete-event simulator reports service level, waiting, abandonment,
         occupancy and cost per interval, with 95% confidence intervals.
  Prove: can the platform carry that load? (SIP load generation)

Start with "callsim demo", then "callsim scenarios list".`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelDebug
			}
			e.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
		},
	}
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log details to stderr")
	root.PersistentFlags().BoolVar(&e.noColor, "no-color", false, "no colour in text summaries (colour is used only on a terminal, and never when $NO_COLOR is set)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	cmds := make([]*cobra.Command, 0, len(commandFactories))
	for _, f := range commandFactories {
		cmds = append(cmds, f(e))
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name() < cmds[j].Name() })
	root.AddCommand(cmds...)
	return root
}

// Execute runs the command line args and returns the process exit code.
func Execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, args: args,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	root := NewRoot(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != ExitThreshold {
			fmt.Fprintln(stderr, "callsim:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "callsim:", err)
	if isUsageError(err) {
		return ExitUsage
	}
	return ExitError
}

// usageError marks errors in flags or arguments.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func isUsageError(err error) bool {
	var u usageError
	return errors.As(err, &u)
}
