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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
