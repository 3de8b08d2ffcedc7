package main

import (
	"os"
	"syscall"
)

// peakRSS is a finished process's peak resident memory in bytes (0 when
// the system does not say).
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // Linux gives KiB
	}
	return 0
}
