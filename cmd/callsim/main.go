// Command callsim simulates contact centers and load-tests SIP platforms.
// See the README for the commands and the scenario format.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/callsim/callsim/internal/atomicfile"
	"github.com/callsim/callsim/internal/cli"
)

func main() {
	// The first SIGINT or SIGTERM cancels ctx: the command stops and writes
	// what it has, marked interrupted. A second one ends the process at
	// once: the temporary files of results being written are removed (the
	// results are left unwritten, never half-written) and the process ends
	// by that signal. When the signal was ignored at start (a background
	// job of a non-interactive shell), restoring its handling would ignore
	// the second one too: the process then exits with 128 + the signal.
	ignored := map[os.Signal]bool{os.Interrupt: signal.Ignored(os.Interrupt), syscall.SIGTERM: signal.Ignored(syscall.SIGTERM)}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-sigs
		cancel()
		s := <-sigs
		n := atomicfile.RemoveTemps()
		fmt.Fprintf(os.Stderr, "callsim: %v again: stopped at once (%d unfinished result files removed)\n", s, n)
		if !ignored[s] {
			dieBy(s)
		}
		code := 130 // SIGINT
		if s == syscall.SIGTERM {
			code = 143
		}
		os.Exit(code)
	}()
	code := cli.Execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	cancel()
	os.Exit(code)
}
