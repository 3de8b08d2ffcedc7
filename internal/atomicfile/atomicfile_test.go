package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	for _, content := range []string{"first\n", "second, longer\n", ""} {
		if err := WriteFile(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != content {
			t.Fatalf("content %q, %v; want %q", b, err, content)
		}
		fi, _ := os.Stat(p)
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644", fi.Mode().Perm())
		}
		if got := entries(t, dir); len(got) != 1 {
			t.Errorf("directory holds %v: a temporary file was left", got)
		}
	}
	// A directory that does not exist: an error naming the file.
	bad := filepath.Join(dir, "missing", "r.json")
	if err := WriteFile(bad, []byte("x")); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("err = %v, want one naming %s", err, bad)
	}
}

func TestCreateCommitAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cdr.csv")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Until Commit, readers see the old content.
	f, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(strings.Repeat("row\n", 100000))); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old\n" {
		t.Fatalf("destination changed before Commit: %.20q", b)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); len(b) != 400000 {
		t.Fatalf("after Commit: %d bytes", len(b))
	}
	f.Abort() // no-op after Commit
	if err := f.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal("Abort after Commit removed the file")
	}
	// Abort leaves the destination alone and no temporary file behind.
	f, err = Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half a fi"))
	f.Abort()
	if b, _ := os.ReadFile(p); len(b) != 400000 {
		t.Fatalf("Abort changed the destination: %d bytes", len(b))
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v after Abort", got)
	}
}

// TestRefusesNonRegular: a symbolic link, a directory, a FIFO or a device
// at the destination is refused, by Check before a run and by Create and
// WriteFile; the link and its target are left as they were.
func TestRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.json")
	if err := os.WriteFile(target, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
		is         error
	}{
		{link, "is a symbolic link (to " + target + "): callsim replaces only regular files", ErrSymlink},
		{sub, "is not a regular file (a directory)", ErrNotRegular},
		{fifo, "is not a regular file (a named pipe)", ErrNotRegular},
		{"/dev/zero", "is not a regular file (a device)", ErrNotRegular},
		{filepath.Join(dir, "missing", "r.json"), "no such file or directory", nil},
	} {
		for name, f := range map[string]func(string) error{
			"Check":     Check,
			"WriteFile": func(p string) error { return WriteFile(p, []byte("new\n")) },
			"Create": func(p string) error {
				f, err := Create(p)
				if err == nil {
					f.Abort()
				}
				return err
			},
		} {
			err := f(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) || tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%s(%s): %v, want %q", name, tc.path, err, tc.want)
			}
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "keep\n" {
		t.Errorf("the link's target changed: %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}
	if got := entries(t, dir); len(got) != 4 {
		t.Errorf("directory holds %v: a temporary file was left", got)
	}
	// The null device discards.
	if err := WriteFile(os.DevNull, []byte("x")); err != nil {
		t.Errorf("WriteFile(%s): %v", os.DevNull, err)
	}
	// A regular destination and a new one pass Check, which changes nothing.
	if err := Check(target); err != nil {
		t.Error(err)
	}
	if err := Check(filepath.Join(dir, "new.json")); err != nil {
		t.Error(err)
	}
	if got := entries(t, dir); len(got) != 4 {
		t.Errorf("Check left %v", got)
	}
	if err := CheckDir(filepath.Join(dir, "a", "b")); err != nil {
		t.Error(err)
	}
	if err := CheckDir(target); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("CheckDir on a file: %v", err)
	}
}

// TestTemps: the temporary files of writes in progress are removed by
// RemoveTemps; those of a process that was killed are named by Stale.
func TestTemps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cdr.csv")
	f, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("row\n"))
	if s := Stale(p); len(s) != 0 {
		t.Errorf("a write in progress is stale: %v", s)
	}
	if n := RemoveTemps(); n != 1 {
		t.Errorf("RemoveTemps removed %d files, want 1", n)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v after RemoveTemps", got)
	}
	// A leftover of a killed process, and an unrelated file.
	left := filepath.Join(dir, ".cdr.csv.123456.tmp")
	os.WriteFile(left, nil, 0o600)
	os.WriteFile(filepath.Join(dir, ".other.csv.1.tmp"), nil, 0o600)
	if s := Stale(p); len(s) != 1 || s[0] != left {
		t.Errorf("Stale = %v, want [%s]", s, left)
	}
}
