//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// dieBy ends the process by signal s, with its default handling restored,
// so that the shell sees the process killed by it.
func dieBy(s os.Signal) {
	signal.Reset(s)
	if sig, ok := s.(syscall.Signal); ok {
		_ = syscall.Kill(os.Getpid(), sig)
	}
}
