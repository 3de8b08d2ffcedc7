// Package atomicfile writes files so that a reader, or a run that is
// interrupted, never leaves half of one: the data goes to a temporary file
// in the same directory, which is synced and then renamed over the
// destination. The destination holds either its old content or the new,
// complete one.
//
// Every result file callsim writes (--json FILE, --cdr, the files of an
// --out directory) goes through this package.
package atomicfile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically, with mode 0644.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// File is a file being written: Write to it, then Commit to rename it into
// place or Abort to drop it.
type File struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	done bool
}

// Create starts writing path: a temporary file is made in its directory.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &File{path: path, f: f, bw: bufio.NewWriterSize(f, 1<<16)}, nil
}

// Write implements io.Writer.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.bw.Write(p)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", f.path, err)
	}
	return n, nil
}

// Commit flushes, syncs and closes the temporary file and renames it to the
// destination. After an error the temporary file is removed.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("write %s: already committed or aborted", f.path)
	}
	err := f.bw.Flush()
	if err == nil {
		err = f.f.Chmod(0o644)
	}
	if err == nil {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.f.Name(), f.path)
	}
	f.done = true
	if err != nil {
		os.Remove(f.f.Name())
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort drops the temporary file; the destination is left as it was. It is
// a no-op after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}
