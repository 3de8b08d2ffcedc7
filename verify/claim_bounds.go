package verify

import (
	"fmt"
	"time"
)

// positiveUpTo reads a positive number of at most limit: a claim is
// driven at its load, so a capacity or a headcount beyond what the load
// generator and the embedded center can play is refused where it is read.
func positiveUpTo(s string, limit float64) (float64, error) {
	f, err := positive(s)
	if err != nil {
		return 0, err
	}
	if f > limit {
		return 0, fmt.Errorf("want at most %g", limit)
	}
	return f, nil
}

// durUpTo reads a duration of at most limit.
func durUpTo(s string, limit time.Duration) (time.Duration, error) {
	d, err := parseDur(s)
	if err != nil {
		return 0, err
	}
	if d > limit {
		return 0, fmt.Errorf("want at most %v", limit)
	}
	return d, nil
}
