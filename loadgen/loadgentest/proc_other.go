//go:build !unix

package loadgentest

import (
	"errors"
	"os/exec"
)

// setProcessGroup: no process groups here; killGroup ends the process we
// started only.
func setProcessGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// syscallEADDRINUSE matches nothing here: the error text is checked too.
func syscallEADDRINUSE() error { return errors.New("address already in use") }
