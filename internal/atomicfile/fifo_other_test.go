//go:build !unix

package atomicfile

import "testing"

// mkfifo skips the test: named pipes and /dev files as tested here are Unix's.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	t.Skip("named pipes and device files are tested on Unix only")
}
