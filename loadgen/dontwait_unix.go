//go:build unix

package loadgen

import (
	"errors"
	"syscall"
)

// dontWait makes a read return at once when nothing waits.
const dontWait = syscall.MSG_DONTWAIT

func wouldBlock(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK)
}
