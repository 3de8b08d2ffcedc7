//go:build !linux

package loadgen

import (
	"net"
	"time"
)

// rxOOBSize: no receive timestamps on this system.
const rxOOBSize = 0

func enableRxTimestamps(*net.UDPConn) bool { return false }

func rxTime(_ []byte, now time.Time) time.Time { return now }
