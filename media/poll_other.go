//go:build !linux

package media

import "syscall"

// canPoll: no polled streams here; each stream has its reader.
const canPoll = false

type pollScratch struct{}

func newPollScratch() *pollScratch { return &pollScratch{} }

func (s *Stream) drain(*pollScratch) bool { return false }

func (s *Stream) rawConn() syscall.RawConn { return nil }
