//go:build !linux

package main

import "os"

// peakRSS is 0 off Linux: the unit of getrusage's ru_maxrss differs by
// system (bytes on macOS) and Windows has none.
func peakRSS(*os.ProcessState) int64 { return 0 }
