// Package atomicfile writes files so that a reader, or a run that is
// interrupted, never leaves half of one: the data goes to a temporary file
// in the same directory, which is synced and then renamed over the
// destination. The destination holds either its old content or the new,
// complete one.
//
// Every result file callsim writes (--json FILE, --cdr, the files of an
// --out directory) goes through this package. The destination must be a
// regular file or not exist: a symbolic link is refused (renaming over it
// would replace the link, and a link planted in a shared directory could
// point the write elsewhere), and so are a directory, a FIFO, a device or
// a socket; os.DevNull is accepted and discards what is written. Check tests a destination before a long run; the temporary
// files of writes in progress are known (RemoveTemps drops them when the
// process must end at once), and Stale names those an earlier process
// left behind when it was killed.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

var (
	// ErrSymlink is wrapped by the error for a destination that is a
	// symbolic link.
	ErrSymlink = errors.New("is a symbolic link")
	// ErrNotRegular is wrapped by the error for a destination that exists
	// and is not a regular file.
	ErrNotRegular = errors.New("is not a regular file")
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

// checkDest refuses a destination that exists and is not a regular file.
func checkDest(path string) error {
	if path == os.DevNull {
		return nil
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("write %s: %w", path, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		to, _ := os.Readlink(path)
		return fmt.Errorf("write %s: it %w (to %s): callsim replaces only regular files; give the link's target as the path, or remove the link", path, ErrSymlink, to)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("write %s: it %w (%s): give the path of a file to create or replace", path, ErrNotRegular, kind(fi.Mode()))
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.String()
}

// Check reports whether path can be written as Create and Commit would
// write it, without changing it: the destination is a regular file or
// does not exist, and a temporary file can be made in its directory (which
// must exist). Commands call it for each output before a long run, so a
// bad path is found before the work, not after.
func Check(path string) error {
	if err := checkDest(path); err != nil || path == os.DevNull {
		return err
	}
	f, err := createTemp(path)
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	forget(name)
	return nil
}

// CheckDir reports whether files can be written into dir, creating it
// (and its parents) if need be.
func CheckDir(dir string) error {
	if fi, err := os.Lstat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("write into %s: it is %s, not a directory", dir, kind(fi.Mode()))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write into %s: %w", dir, err)
	}
	return Check(filepath.Join(dir, "check"))
}

// Stale lists the temporary files of path that are in its directory: left
// by an earlier process that was killed while writing (or by one still
// writing the same path).
func Stale(path string) []string {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".*.tmp"))
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for _, m := range matches {
		if !live[m] {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// The temporary files being written now, by their names.
var (
	mu   sync.Mutex
	live = map[string]bool{}
)

func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	mu.Lock()
	live[f.Name()] = true
	mu.Unlock()
	return f, nil
}

func forget(name string) {
	mu.Lock()
	delete(live, name)
	mu.Unlock()
}

// RemoveTemps removes the temporary files of every write in progress (the
// destinations keep their old content) and reports how many it removed.
// The CLI calls it when a second signal ends the process at once.
func RemoveTemps() int {
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for name := range live {
		if os.Remove(name) == nil {
			n++
		}
		delete(live, name)
	}
	return n
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
// A destination that is a symbolic link or not a regular file is refused.
func Create(path string) (*File, error) {
	if err := checkDest(path); err != nil {
		return nil, err
	}
	if path == os.DevNull {
		return &File{path: path, bw: bufio.NewWriter(io.Discard)}, nil
	}
	f, err := createTemp(path)
	if err != nil {
		return nil, err
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
	if f.f == nil { // os.DevNull
		f.done = true
		return nil
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
		err = checkDest(f.path) // it may have changed during the run
		if err != nil {
			os.Remove(f.f.Name())
			forget(f.f.Name())
			f.done = true
			return err
		}
	}
	if err == nil {
		err = os.Rename(f.f.Name(), f.path)
	}
	f.done = true
	forget(f.f.Name())
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
	if f.f == nil {
		return
	}
	f.f.Close()
	os.Remove(f.f.Name())
	forget(f.f.Name())
}
