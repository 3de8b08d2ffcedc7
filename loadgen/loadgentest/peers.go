// Package loadgentest starts real SIP peers (SIPp, Kamailio) on loopback for
// tests of the load generator. Peers are started with exec.CommandContext,
// bound to 127.0.0.1 on free ports, and killed by PID when the test ends.
// A test calling these helpers is skipped when the binary is absent.
package loadgentest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// Peer is a running SIP peer.
type Peer struct {
	Port int
	Cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// Exited reports whether the peer has exited.
func (p *Peer) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output returns what the peer printed so far (for failure messages).
func (p *Peer) Output() string {
	s := p.out.String()
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	return s
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 1<<20 {
		s.b.Reset()
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FreePort returns a port free for both UDP and TCP on 127.0.0.1, found by
// binding port 0.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		l.Close()
		if err != nil {
			continue
		}
		pc.Close()
		return port
	}
	t.Fatal("no free port found for UDP and TCP")
	return 0
}

// NeedBinary skips the test when name is not installed.
func NeedBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (Debian: apt-get install %s): %v", name, map[string]string{"sipp": "sip-tester", "kamailio": "kamailio"}[name], err)
	}
	return p
}

// Transport is "udp" or "tcp".
type Transport string

// Transports.
const (
	UDP Transport = "udp"
	TCP Transport = "tcp"
)

func sippMode(tp Transport) string {
	if tp == TCP {
		return "t1"
	}
	return "u1"
}

// StartSIPpUAS starts a SIPp UAS on a free port: scenario is "" for the
// built-in "uas" scenario, or the path of an XML scenario.
func StartSIPpUAS(t testing.TB, tp Transport, scenario string, extra ...string) *Peer {
	t.Helper()
	bin := NeedBinary(t, "sipp")
	var script string
	if scenario != "" {
		abs, err := filepath.Abs(scenario)
		if err != nil {
			t.Fatal(err)
		}
		script = abs
	}
	return startOnFreePort(t, bin, tp, func(port int) ([]string, string) {
		args := []string{"-i", "127.0.0.1", "-p", strconv.Itoa(port), "-t", sippMode(tp), "-nostdin",
			"-max_socket", "1000", "-trace_err", "-error_file", filepath.Join(t.TempDir(), "sipp_err.log")}
		if script == "" {
			args = append(args, "-sn", "uas")
		} else {
			args = append(args, "-sf", script)
		}
		return append(args, extra...), t.TempDir()
	})
}

// startOnFreePort starts a peer on a free port and waits until it listens.
// A port found free can be taken by another process before the peer binds it
// (tests run in parallel, and other programs bind ports too): a peer that
// exits with "Address already in use" is started again on another port, at
// most three times.
func startOnFreePort(t testing.TB, bin string, tp Transport, argsFor func(port int) (args []string, dir string)) *Peer {
	t.Helper()
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		args, dir := argsFor(port)
		p := start(t, bin, args, dir)
		p.Port = port
		if err = waitListening(p, tp, port); err == nil {
			return p
		}
		if !p.Exited() || !strings.Contains(strings.ToLower(p.Output()), "address already in use") {
			break
		}
		t.Logf("%v; starting again on another port", err)
	}
	t.Fatal(err)
	return nil
}

// RunSIPpUAC runs "sipp -sn uac" against dest to completion and returns its
// output; it is used by benchmarks to compare with SIPp.
func RunSIPpUAC(ctx context.Context, tp Transport, dest string, rate, calls int, extra ...string) (string, error) {
	args := []string{dest, "-sn", "uac", "-i", "127.0.0.1", "-t", sippMode(tp), "-r", strconv.Itoa(rate),
		"-m", strconv.Itoa(calls), "-nostdin", "-max_socket", "1000"}
	args = append(args, extra...)
	cmd := exec.CommandContext(ctx, "sipp", args...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// KamailioConfig fills testdata/kamailio.cfg.
type KamailioConfig struct {
	Port       int
	UASPort    int
	Transport  Transport
	ModulePath string
}

// StartKamailio starts Kamailio from the template cfgTemplate, relaying to
// a UAS on uasPort over tp.
func StartKamailio(t testing.TB, cfgTemplate string, tp Transport, uasPort int) *Peer {
	t.Helper()
	bin := NeedBinary(t, "kamailio")
	tmpl, err := template.ParseFiles(cfgTemplate)
	if err != nil {
		t.Fatalf("kamailio config: %v", err)
	}
	return startOnFreePort(t, bin, tp, func(port int) ([]string, string) {
		dir := t.TempDir()
		kc := KamailioConfig{Port: port, UASPort: uasPort, Transport: tp, ModulePath: kamailioModules()}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, kc); err != nil {
			t.Fatalf("kamailio config: %v", err)
		}
		cfg := filepath.Join(dir, "kamailio.cfg")
		if err := os.WriteFile(cfg, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		// -DD: stay in the foreground (children are still forked), -E: log to stderr.
		return []string{"-f", cfg, "-DD", "-E", "-m", "64", "-M", "8", "-Y", dir,
			"-P", filepath.Join(dir, "kamailio.pid"), "-w", dir}, dir
	})
}

func kamailioModules() string {
	for _, d := range []string{"/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/aarch64-linux-gnu/kamailio/modules",
		"/usr/lib/kamailio/modules", "/usr/local/lib64/kamailio/modules", "/usr/local/lib/kamailio/modules"} {
		if _, err := os.Stat(filepath.Join(d, "tm.so")); err == nil {
			return d
		}
	}
	return "/usr/lib/x86_64-linux-gnu/kamailio/modules"
}

func start(t testing.TB, bin string, args []string, dir string) *Peer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Stdin = nil
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p := &Peer{Cmd: cmd, out: out, done: done}
	t.Cleanup(func() {
		killGroup(cmd)
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Logf("%s (pid %d) did not exit", bin, cmd.Process.Pid)
		}
	})
	go func() {
		<-done
		cancel()
	}()
	return p
}

// waitListening waits until the peer has bound its port (at most 15 s).
// A UDP port is looked up in the kernel's socket table, never probed by
// binding it: a probe that binds the port for a moment can make the peer's
// own bind fail.
func waitListening(p *Peer, tp Transport, port int) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; time.Now().Before(deadline) && i < 1500; i++ {
		if p.Exited() {
			return fmt.Errorf("peer %s exited before listening on %s/%s; output:\n%s", p.Cmd.Path, addr, tp, p.Output())
		}
		var bound bool
		if tp == TCP {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
				bound = true
			}
		} else {
			bound = udpBound(port)
		}
		if bound {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("peer %s did not listen on %s/%s within 15s; output:\n%s", p.Cmd.Path, addr, tp, p.Output())
}

// udpBound reports whether a UDP socket is bound to port on 127.0.0.1 (or
// every address), from /proc/net/udp; where that table cannot be read it
// falls back to a probe bind.
func udpBound(port int) bool {
	data, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return errors.Is(err, syscallEADDRINUSE()) || strings.Contains(err.Error(), "address already in use")
		}
		pc.Close()
		return false
	}
	return udpTableHas(string(data), port)
}

// udpTableHas reports whether a /proc/net/udp table lists a socket whose
// local address is 127.0.0.1:port or 0.0.0.0:port.
func udpTableHas(table string, port int) bool {
	suffix := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasSuffix(f[1], suffix) {
			continue
		}
		if host := strings.TrimSuffix(f[1], suffix); host == "0100007F" || host == "00000000" {
			return true
		}
	}
	return false
}

// String describes the peer.
func (p *Peer) String() string {
	return fmt.Sprintf("%s pid %d port %d", filepath.Base(p.Cmd.Path), p.Cmd.Process.Pid, p.Port)
}
