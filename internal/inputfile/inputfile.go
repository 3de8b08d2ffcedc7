package inputfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Kind is a kind of input file and the most it may hold.
type Kind struct {
	What  string // "scenario", "forecast", ...: names the file in errors
	Limit int64  // bytes
}

// The kinds of files callsim reads, with their limits. Each is far above
// what a real file of its kind holds, and low enough that parsing a file
// of that size stays within a few hundred megabytes.
var (
	Scenario = Kind{"scenario", 1 << 20}
	Forecast = Kind{"forecast", 32 << 20}
	Callers  = Kind{"callers", 16 << 20}
	Billing  = Kind{"billing", 64 << 20}
	CDR      = Kind{"CDR", 64 << 20}
	Claim    = Kind{"claim", 1 << 20}
	Password = Kind{"password", 4 << 10}
	Result   = Kind{"result JSON", 32 << 20}
	Audio    = Kind{"audio", 16 << 20}
	TLSCA    = Kind{"CA certificate", 1 << 20}
)

// Stdin is the name that reads standard input.
const Stdin = "-"

var (
	// ErrTooLarge is wrapped by the error of a file above its kind's limit.
	ErrTooLarge = errors.New("file too large")
	// ErrNotRegular is wrapped by the error of a path that is not a
	// regular file (a FIFO, a device, a directory, a socket).
	ErrNotRegular = errors.New("not a regular file")
)

// Read reads the file at path, of kind k, whole. path "-" reads stdin
// (when stdin is nil, "-" is an error: the command takes no standard
// input). Cancelling ctx ends the read at once with ctx's error.
func Read(ctx context.Context, path string, k Kind, stdin io.Reader) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read the %s file %s: %w", k.What, path, err)
	}
	if path == Stdin {
		if stdin == nil {
			return nil, fmt.Errorf("the %s file cannot be read from standard input here: give a file name", k.What)
		}
		return readStream(ctx, stdin, k, "standard input")
	}
	f, err := open(path)
	if err != nil {
		return nil, err // names the path
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		hint := "give a regular file"
		if stdin != nil {
			hint += `, or "-" to read standard input (e.g. cat ` + path + ` | callsim ... -)`
		}
		return nil, fmt.Errorf("the %s file %s is %s, %w (%s)", k.What, path, describe(fi.Mode()), ErrNotRegular, hint)
	}
	if fi.Size() > k.Limit {
		return nil, tooLarge(k, path, fi.Size())
	}
	data, err := io.ReadAll(io.LimitReader(&ctxReader{ctx: ctx, r: f}, k.Limit+1))
	if err != nil {
		return nil, fmt.Errorf("read the %s file %s: %w", k.What, path, err)
	}
	if int64(len(data)) > k.Limit { // the file grew while it was read
		return nil, tooLarge(k, path, -1)
	}
	return data, nil
}

// open opens path for reading without blocking: opening a FIFO for
// reading would otherwise wait for a writer before Stat could refuse it.
func open(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// readStream reads r up to k's limit in a goroutine, so that a stream that
// never delivers (a terminal, a FIFO with no writer) does not outlive ctx.
// When ctx ends first the goroutine stays blocked in Read until the
// process exits; it holds at most the limit.
func readStream(ctx context.Context, r io.Reader, k Kind, name string) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, k.Limit+1))
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("read the %s from %s: %w", k.What, name, res.err)
		}
		if int64(len(res.data)) > k.Limit {
			return nil, tooLarge(k, name, -1)
		}
		return res.data, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("read the %s from %s: %w", k.What, name, ctx.Err())
	}
}

func tooLarge(k Kind, name string, size int64) error {
	held := "holds"
	if size >= 0 {
		held = "is " + Size(size) + ","
	}
	return fmt.Errorf("the %s file %s %s more than the %s a %s file may hold: %w", k.What, name, held, Size(k.Limit), k.What, ErrTooLarge)
}

// Size formats a byte count as callsim's messages write it: "512 bytes",
// "4 KB", "1 MB", "1.5 GB" (binary multiples).
func Size(n int64) string {
	const k = 1 << 10
	switch {
	case n < k:
		return fmt.Sprintf("%d bytes", n)
	case n < k*k:
		return trim(float64(n)/k) + " KB"
	case n < k*k*k:
		return trim(float64(n)/(k*k)) + " MB"
	default:
		return trim(float64(n)/(k*k*k)) + " GB"
	}
}

func trim(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s
}

func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	default:
		return "a special file (" + m.String() + ")"
	}
}

// ctxReader ends a read once ctx is cancelled (checked between reads: a
// regular file's reads do not block for long).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
