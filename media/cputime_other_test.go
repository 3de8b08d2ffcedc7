//go:build !unix

package media

import "time"

// cpuTime is not measured here (cpu_us/packet reads 0).
func cpuTime() time.Duration { return 0 }
