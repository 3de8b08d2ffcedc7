//go:build !unix

package loadgen

// dontWait is 0 where reads cannot be made non-blocking per call: the
// reader waits for the socket as it would without a tick.
const dontWait = 0

func wouldBlock(error) bool { return false }
