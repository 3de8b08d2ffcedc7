package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/internal/inputfile"
	"github.com/callsim/callsim/scenarios"
)

func init() { register(newScenariosCmd) }

func newScenariosCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List, show, write out and check scenarios",
		Long: `A scenario is a YAML file describing a contact center: call types (queues),
agent groups with their skills, routing, targets and how long to simulate.
callsim ships with built-in scenarios to start from; "init" writes one out for
you to edit, and "check" validates a file, reporting every problem with its
line and column.

The format, every key and every default: "callsim scenarios reference".`,
		Example: `  callsim scenarios list
  callsim scenarios show single-queue
  callsim scenarios init two-skills my-center.yaml
  callsim scenarios check my-center.yaml`,
		Args: scenariosArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newScenariosListCmd(e),
		newScenariosShowCmd(e),
		newScenariosInitCmd(e),
		newScenariosCheckCmd(e),
		newScenariosReferenceCmd(e),
	)
	return cmd
}

func newScenariosListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the built-in scenarios",
		Example: `  callsim scenarios list`,
		Args:    scenariosArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			for _, b := range scenarios.Builtin() {
				fmt.Fprintf(w, "%s\t%s\n", b.Name, b.Summary)
			}
			return w.Flush()
		},
	}
}

func newScenariosShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Print the YAML of a built-in scenario",
		Example: `  callsim scenarios show single-queue
  callsim scenarios show two-skills > center.yaml`,
		Args:              scenariosArgs(1, 1),
		ValidArgsFunction: completeBuiltinScenarios,
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := scenariosBuiltinSource(args[0])
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(src)
			return err
		},
	}
}

func newScenariosInitCmd(e *env) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init NAME [FILE]",
		Short: "Write a built-in scenario to a file, to edit",
		Long: `Write the YAML of the built-in scenario NAME to FILE (default NAME.yaml).
An existing file is never overwritten unless --force is given.`,
		Example: `  callsim scenarios init single-queue
  callsim scenarios init two-skills center.yaml
  callsim scenarios init two-skills center.yaml --force`,
		Args:              scenariosArgs(1, 2),
		ValidArgsFunction: completeBuiltinScenarios,
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := scenariosBuiltinSource(args[0])
			if err != nil {
				return err
			}
			file := args[0] + ".yaml"
			if len(args) == 2 {
				file = args[1]
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(file, flags, 0o644)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists; use --force to overwrite it", file)
			}
			if err != nil {
				return fmt.Errorf("write scenario: %w", err)
			}
			if _, err := f.Write(src); err != nil {
				f.Close()
				return fmt.Errorf("write scenario: %w", err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("write scenario: %w", err)
			}
			fmt.Fprintf(e.stdout, "wrote %s; edit it, then run: callsim scenarios check %s\n", file, file)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite FILE if it exists")
	return cmd
}

func newScenariosCheckCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE...",
		Short: "Parse and validate scenario files",
		Long: `Parse and validate each FILE ("-" reads standard input). A valid file prints
"FILE: ok"; an invalid one prints every problem it has, one per line, as
FILE:LINE:COL: KEY.PATH: message (hint: ...). The exit code is 1 if any file
has a problem.`,
		Example: `  callsim scenarios check center.yaml
  callsim scenarios check *.yaml
  callsim scenarios show two-skills | callsim scenarios check -`,
		Args: scenariosArgs(1, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := 0
			for _, file := range args {
				var err error
				if file == "-" {
					var data []byte
					if data, err = inputfile.Read(e.ctx, "-", inputfile.Scenario, e.stdin); err == nil {
						_, err = scenarios.Parse("<stdin>", data)
					}
				} else {
					_, err = scenarios.Load(file)
				}
				if err != nil {
					failed++
					fmt.Fprintln(e.stdout, err)
					continue
				}
				fmt.Fprintf(e.stdout, "%s: ok\n", file)
			}
			if failed > 0 {
				return withCode(ExitError, fmt.Errorf("%d of %d scenario files have errors", failed, len(args)))
			}
			return nil
		},
	}
}

func newScenariosReferenceCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "reference",
		Short:   "Print the scenario format: every key, its type, default and meaning",
		Example: `  callsim scenarios reference | less`,
		Args:    scenariosArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := io.WriteString(e.stdout, scenarios.Reference())
			return err
		},
	}
}

// scenariosBuiltinSource returns a built-in's YAML; an unknown name is a usage error.
func scenariosBuiltinSource(name string) ([]byte, error) {
	src, err := scenarios.BuiltinSource(name)
	if errors.Is(err, scenarios.ErrUnknownBuiltin) {
		return nil, usageError{err}
	}
	return src, err
}

func completeBuiltinScenarios(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveDefault
	}
	var out []string
	for _, b := range scenarios.Builtin() {
		out = append(out, b.Name+"\t"+b.Summary)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// scenariosArgs accepts lo to hi arguments (hi < 0: no upper bound) and
// reports anything else as a usage error.
func scenariosArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < lo || (hi >= 0 && len(args) > hi):
			want := fmt.Sprintf("%d to %d arguments", lo, hi)
			switch {
			case hi < 0:
				want = fmt.Sprintf("at least %d argument(s)", lo)
			case lo == hi && lo == 0:
				want = "no arguments"
			case lo == hi:
				want = fmt.Sprintf("%d argument(s)", lo)
			}
			return usageError{fmt.Errorf("%s takes %s, got %d (see --help)", cmd.CommandPath(), want, len(args))}
		}
		return nil
	}
}
