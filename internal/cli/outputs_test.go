package cli

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// countingPeer counts the datagrams sent to it (and never answers).
func countingPeer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	var n atomic.Int64
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			n.Add(1)
		}
	}()
	return "sip:support@" + pc.LocalAddr().String(), &n
}

// TestOutputsCheckedFirst: an output that cannot be written (a directory
// that does not exist, a symbolic link, a FIFO, a directory where a file
// goes, a file where a directory goes) fails before the first call or
// replication, naming the flag and the path; a symbolic link is left as
// it was.
func TestOutputsCheckedFirst(t *testing.T) {
	uri, sent := countingPeer(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "target.json")
	os.WriteFile(target, []byte("keep\n"), 0o644)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no", "such", "dir", "r.json")
	load := []string{"load", uri, "--rate", "50", "--max-calls", "20", "--no-media", "-q"}
	sc := writeFile(t, "s.yaml", minimal)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"load --json missing dir", append(load, "--json", missing), "--json: write " + missing},
		{"load --json symlink", append(load, "--json", link), "--json: write " + link + ": it is a symbolic link (to " + target + ")"},
		{"load --cdr symlink", append(load, "--cdr", link), "--cdr: write " + link + ": it is a symbolic link"},
		{"load --out file", append(load, "--out", target), "--out: write into " + target + ": it is "},
		{"load --json dir", append(load, "--json", dir), "--json: write " + dir + ": it is not a regular file (a directory)"},
		{"simulate --out file", []string{"simulate", sc, "-q", "--out", target}, "--out: write into " + target},
		{"merge -o symlink", []string{"report", "merge", "testdata/merge/load-0.json", "testdata/merge/load-1.json", "-o", link}, "--output: write " + link + ": it is a symbolic link"},
		{"reconcile --json missing", []string{"reconcile", "--cdr", "x.csv", "--billing", "y.csv", "--json", missing}, "--json: write " + missing},
		{"target --json symlink", []string{"target", "--listen", "udp:127.0.0.1:0", "--json", link}, "--json: write " + link + ": it is a symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, stdout, stderr := run(t, tc.args...)
			if code != ExitError || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "(nothing was run)") {
				t.Errorf("exit %d, stderr %q; want 1 with %q", code, stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q: the run started", stdout)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v: the check came after the run", d)
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	if n := sent.Load(); n != 0 {
		t.Errorf("%d datagrams reached the target: calls were placed before the outputs were checked", n)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep\n" {
		t.Errorf("the link's target changed: %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced")
	}
}

// TestOutputLostAtEnd: when an output cannot be written at the end (its
// directory went away during the run), the summary is still printed and
// the error says what was not written; a stale temporary file of an
// earlier, killed run is named before the run.
func TestOutputLostAtEnd(t *testing.T) {
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 20, NoMedia: true,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "out")
	os.Mkdir(dir, 0o755)
	jsonPath := filepath.Join(dir, "r.json")
	stale := filepath.Join(dir, ".r.json.4242.tmp")
	os.WriteFile(stale, nil, 0o600)
	go func() {
		time.Sleep(700 * time.Millisecond)
		os.RemoveAll(dir)
	}()
	code, stdout, stderr := run(t, "load", "sip:support@"+srv.Addr().String(), "--rate", "20", "--duration", "1500ms", "--no-media", "-q", "--json", jsonPath)
	if code != ExitError || !strings.Contains(stderr, "the run finished, but not every result was written (the summary above was printed):\n  --json: write "+jsonPath) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stderr, "--json: temporary files left by an earlier run that was killed: "+stale) {
		t.Errorf("the stale temporary file was not named: %q", stderr)
	}
	if !strings.Contains(stdout, "attempted") {
		t.Errorf("no summary on stdout: %q", stdout)
	}
}
