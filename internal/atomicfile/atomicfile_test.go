package atomicfile

import (
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
