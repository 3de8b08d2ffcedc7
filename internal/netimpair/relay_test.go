package netimpair

import (
	"context"
	"encoding/binary"
	"net"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// echo starts a UDP server on loopback that sends every datagram back to its
// source; it stops with the test.
func echo(t *testing.T) *net.UDPAddr {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			_, _ = c.WriteToUDP(buf[:n], from)
		}
	}()
	return c.LocalAddr().(*net.UDPAddr)
}

func newRelay(t *testing.T, cfg Config) *Relay {
	t.Helper()
	r, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func client(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange sends n numbered datagrams to the relay (pausing every 20 so the
// loopback buffers never overflow) and collects what comes back until quiet
// has passed without a datagram.
func exchange(t *testing.T, c *net.UDPConn, to *net.UDPAddr, n int, quiet time.Duration) []uint32 {
	t.Helper()
	// Read while sending, so the client's receive buffer never overflows.
	res := make(chan []uint32, 1)
	go func() { res <- collectQuiet(c, quiet) }()
	for i := range n {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(i))
		if _, err := c.WriteToUDP(b[:], to); err != nil {
			t.Fatal(err)
		}
		if i%20 == 19 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	return <-res
}

func collectQuiet(c *net.UDPConn, quiet time.Duration) []uint32 {
	var got []uint32
	buf := make([]byte, 64)
	for {
		_ = c.SetReadDeadline(time.Now().Add(quiet))
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			return got
		}
		if n == 4 {
			got = append(got, binary.BigEndian.Uint32(buf[:4]))
		}
	}
}

func TestForwardBothWays(t *testing.T) {
	r := newRelay(t, Config{Upstream: echo(t).String()})
	a, b := client(t), client(t)
	gotA := exchange(t, a, r.Addr(), 100, 300*time.Millisecond)
	gotB := exchange(t, b, r.Addr(), 30, 300*time.Millisecond)
	if len(gotA) != 100 || len(gotB) != 30 {
		t.Fatalf("echoed %d and %d datagrams, want 100 and 30", len(gotA), len(gotB))
	}
	for i, v := range gotA {
		if v != uint32(i) {
			t.Fatalf("without jitter datagram %d arrived as %d: want order kept", i, v)
		}
	}
	if r.Clients() != 2 {
		t.Errorf("clients = %d, want 2 (one socket per client)", r.Clients())
	}
	s := r.Stats()
	want := DirStats{Received: 130, Forwarded: 130}
	if s.Up != want || s.Down != want {
		t.Errorf("stats = %+v, want %+v both ways", s, want)
	}
}

func TestImpairments(t *testing.T) {
	const n = 200
	tests := []struct {
		name     string
		up, down Impairment
		check    func(t *testing.T, got []uint32, s Stats)
	}{
		{"all lost up", Impairment{Loss: 1}, Impairment{}, func(t *testing.T, got []uint32, s Stats) {
			if len(got) != 0 || s.Up.Dropped != n || s.Up.Forwarded != 0 || s.Down.Received != 0 {
				t.Errorf("got %d back, stats %+v: want nothing through, %d dropped", len(got), s, n)
			}
		}},
		{"all lost down", Impairment{}, Impairment{Loss: 1}, func(t *testing.T, got []uint32, s Stats) {
			if len(got) != 0 || s.Up.Forwarded != n || s.Down.Dropped != n {
				t.Errorf("got %d back, stats %+v: want %d up, all dropped down", len(got), s, n)
			}
		}},
		{"30% loss up", Impairment{Loss: 0.3}, Impairment{}, func(t *testing.T, got []uint32, s Stats) {
			// Binomial(200, 0.3): mean 60, sd 6.5; 5 sd either side.
			if s.Up.Dropped < 28 || s.Up.Dropped > 92 {
				t.Errorf("dropped %d of %d at 30%% loss", s.Up.Dropped, n)
			}
			if uint64(len(got)) != n-s.Up.Dropped || s.Up.Dropped+s.Up.Forwarded != n {
				t.Errorf("got %d back, stats %+v: every datagram is dropped or forwarded", len(got), s)
			}
		}},
		{"duplicate all", Impairment{Duplicate: 1}, Impairment{}, func(t *testing.T, got []uint32, s Stats) {
			if len(got) != 2*n || s.Up.Duplicated != n || s.Up.Forwarded != 2*n || s.Down.Forwarded != 2*n {
				t.Errorf("got %d back, stats %+v: want every datagram twice", len(got), s)
			}
		}},
		{"jitter reorders", Impairment{Jitter: 30 * time.Millisecond}, Impairment{Delay: 5 * time.Millisecond}, func(t *testing.T, got []uint32, s Stats) {
			if len(got) != n {
				t.Fatalf("got %d back, want %d (jitter loses nothing)", len(got), n)
			}
			inversions := 0
			seen := map[uint32]bool{}
			for i, v := range got {
				seen[v] = true
				if i > 0 && v < got[i-1] {
					inversions++
				}
			}
			if len(seen) != n {
				t.Errorf("%d distinct datagrams, want %d", len(seen), n)
			}
			if inversions == 0 {
				t.Errorf("30 ms of jitter reordered nothing")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRelay(t, Config{Upstream: echo(t).String(), Up: tt.up, Down: tt.down, Seed: 7})
			got := exchange(t, client(t), r.Addr(), n, 400*time.Millisecond)
			tt.check(t, got, r.Stats())
		})
	}
}

func TestSeedFixesDecisions(t *testing.T) {
	run := func(seed uint64) []uint32 {
		r := newRelay(t, Config{Upstream: echo(t).String(), Up: Impairment{Loss: 0.5}, Seed: seed})
		return exchange(t, client(t), r.Addr(), 100, 300*time.Millisecond)
	}
	a, b, c := run(3), run(3), run(4)
	if len(a) != len(b) {
		t.Fatalf("same seed: %d and %d datagrams through", len(a), len(b))
	}
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different datagrams lost: %v vs %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 3 and 4 lost the same datagrams")
	}
}

func TestBlackHoleAndBack(t *testing.T) {
	r := newRelay(t, Config{Upstream: echo(t).String()})
	c := client(t)
	if got := exchange(t, c, r.Addr(), 10, 200*time.Millisecond); len(got) != 10 {
		t.Fatalf("before: %d back, want 10", len(got))
	}
	r.SetBlackHole(true)
	if !r.BlackHole() {
		t.Fatal("BlackHole() = false after SetBlackHole(true)")
	}
	if got := exchange(t, c, r.Addr(), 10, 200*time.Millisecond); len(got) != 0 {
		t.Fatalf("black hole: %d back, want 0", len(got))
	}
	r.SetBlackHole(false)
	if got := exchange(t, c, r.Addr(), 10, 200*time.Millisecond); len(got) != 10 {
		t.Fatalf("after: %d back, want 10", len(got))
	}
	s := r.Stats()
	if s.Up.BlackHoled != 10 || s.Up.Received != 30 || s.Up.Forwarded != 20 || s.Down.Forwarded != 20 {
		t.Errorf("stats %+v: want 10 black-holed of 30, 20 forwarded each way", s)
	}
}

func TestSetImpairment(t *testing.T) {
	r := newRelay(t, Config{Upstream: echo(t).String()})
	c := client(t)
	if err := r.SetImpairment(Impairment{Loss: 1}, Impairment{}); err != nil {
		t.Fatal(err)
	}
	if got := exchange(t, c, r.Addr(), 10, 200*time.Millisecond); len(got) != 0 {
		t.Fatalf("loss 1: %d back", len(got))
	}
	if err := r.SetImpairment(Impairment{}, Impairment{}); err != nil {
		t.Fatal(err)
	}
	if got := exchange(t, c, r.Addr(), 10, 200*time.Millisecond); len(got) != 10 {
		t.Fatalf("loss 0: %d back, want 10", len(got))
	}
	if err := r.SetImpairment(Impairment{Loss: 2}, Impairment{}); err == nil {
		t.Error("loss 2 accepted")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no upstream", Config{}, "no upstream"},
		{"bad upstream", Config{Upstream: "nohost"}, "upstream"},
		{"loss", Config{Upstream: "127.0.0.1:9", Up: Impairment{Loss: 1.5}}, "up loss"},
		{"duplicate", Config{Upstream: "127.0.0.1:9", Down: Impairment{Duplicate: -1}}, "down duplicate"},
		{"delay", Config{Upstream: "127.0.0.1:9", Up: Impairment{Delay: -time.Second}}, "must not be negative"},
		{"listen", Config{Upstream: "127.0.0.1:9", Listen: "256.0.0.1:0"}, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(context.Background(), tt.cfg)
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestMaxClients(t *testing.T) {
	r := newRelay(t, Config{Upstream: echo(t).String(), MaxClients: 1})
	if got := exchange(t, client(t), r.Addr(), 5, 200*time.Millisecond); len(got) != 5 {
		t.Fatalf("first client: %d back, want 5", len(got))
	}
	if got := exchange(t, client(t), r.Addr(), 5, 200*time.Millisecond); len(got) != 0 {
		t.Fatalf("second client over the limit: %d back, want 0", len(got))
	}
	if s := r.Stats(); s.Up.Dropped != 5 {
		t.Errorf("dropped %d, want 5", s.Up.Dropped)
	}
}

func TestCloseAndCancelStop(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	up := echo(t)
	r, err := New(ctx, Config{Upstream: up.String(), Up: Impairment{Delay: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	c := client(t)
	exchange(t, c, r.Addr(), 20, 50*time.Millisecond) // 20 datagrams held for an hour
	cancel()
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return after the context was cancelled")
	}
	if _, err := c.WriteToUDP([]byte("x"), r.Addr()); err == nil {
		if got := collectQuiet(c, 100*time.Millisecond); len(got) != 0 {
			t.Errorf("closed relay still forwards")
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+2 {
		t.Errorf("goroutines: %d before, %d after Close", before, g)
	}
}
