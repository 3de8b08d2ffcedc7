// Command callsim simulates contact centers and load-tests SIP platforms.
// See the README for the commands and the scenario format.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/callsim/callsim/internal/cli"
)

func main() {
	// The first SIGINT or SIGTERM cancels ctx: the command stops and writes
	// what it has, marked interrupted. Once ctx is cancelled the default
	// handling is back, so a second signal ends the process at once (files
	// being written are then left unwritten, never half-written).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := cli.Execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
