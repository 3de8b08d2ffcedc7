package inputfile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var small = Kind{"test", 100}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.yaml")
	if err := os.WriteFile(ok, []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 101), 0o644); err != nil {
		t.Fatal(err)
	}
	exact := filepath.Join(dir, "exact.yaml")
	if err := os.WriteFile(exact, bytes.Repeat([]byte("x"), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(ok, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	ctx := context.Background()
	for _, tc := range []struct {
		name, path string
		stdin      io.Reader
		want       string // error substring; "" for success
		is         error
	}{
		{"regular", ok, nil, "", nil},
		{"at the limit", exact, nil, "", nil},
		{"symlink to a regular file", link, nil, "", nil},
		{"over the limit", big, nil, "the test file " + big + " is 101 bytes, more than the 100 bytes a test file may hold", ErrTooLarge},
		{"missing", filepath.Join(dir, "missing"), nil, "no such file", os.ErrNotExist},
		{"directory", dir, nil, "is a directory, not a regular file", ErrNotRegular},
		{"fifo", fifo, strings.NewReader(""), "is a named pipe (FIFO), not a regular file (give a regular file, or \"-\" to read standard input", ErrNotRegular},
		{"device", "/dev/zero", nil, "is a character device, not a regular file (give a regular file)", ErrNotRegular},
		{"stdin", "-", strings.NewReader("name: x\n"), "", nil},
		{"stdin over the limit", "-", bytes.NewReader(make([]byte, 101)), "standard input holds more than the 100 bytes", ErrTooLarge},
		{"endless stdin", "-", zeros{}, "standard input holds more than the 100 bytes", ErrTooLarge},
		{"no stdin", "-", nil, "cannot be read from standard input here", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Read(ctx, tc.path, small, tc.stdin)
			if tc.want == "" {
				if err != nil || len(data) == 0 {
					t.Fatalf("Read: %q, %v", data, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// blocked never delivers, as a terminal or a FIFO with no writer.
type blocked struct{ ch chan struct{} }

func (b blocked) Read([]byte) (int, error) { <-b.ch; return 0, io.EOF }

// TestReadCancelled: a stream that never delivers ends with the context.
func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b := blocked{make(chan struct{})}
	defer close(b.ch)
	done := make(chan error, 1)
	go func() {
		_, err := Read(ctx, "-", small, b)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read outlived its context")
	}
	// Cancelled before the start: no read at all.
	if _, err := Read(ctx, "/dev/zero", small, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KB", 1536: "1.5 KB", 1 << 20: "1 MB", 100 << 20: "100 MB", 3 << 30: "3 GB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
