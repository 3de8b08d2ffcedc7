package loadgen

import (
	"github.com/callsim/callsim/internal/rxstamp"
	"net"
	"runtime"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// TestTicks: nextTick is the next multiple of the tick after a time,
// tickCeil the first at or after it (timers keep a time already on a tick).
func TestTicks(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	for _, tc := range []struct {
		name       string
		t          time.Time
		tick       time.Duration
		next, ceil time.Time
	}{
		{"off", base.Add(300 * time.Microsecond), 0, base.Add(300 * time.Microsecond), base.Add(300 * time.Microsecond)},
		{"inside", base.Add(300 * time.Microsecond), ms, base.Add(ms), base.Add(ms)},
		{"on a tick", base.Add(2 * ms), ms, base.Add(3 * ms), base.Add(2 * ms)},
		{"coarse", base.Add(7 * ms), 5 * ms, base.Add(10 * ms), base.Add(10 * ms)},
		{"just after a tick", base.Add(8*ms + time.Nanosecond), 4 * ms, base.Add(12 * ms), base.Add(12 * ms)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextTick(tc.t, tc.tick); !got.Equal(tc.next) {
				t.Errorf("nextTick(%v, %v) = %v, want %v", tc.t, tc.tick, got, tc.next)
			}
			if got := tickCeil(tc.t, tc.tick); !got.Equal(tc.ceil) {
				t.Errorf("tickCeil(%v, %v) = %v, want %v", tc.t, tc.tick, got, tc.ceil)
			}
		})
	}
}

// TestRxTimestamps reads a datagram that waited in the socket: its
// arrival time is when it came, not when it was read.
func TestRxTimestamps(t *testing.T) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stamps := rxstamp.Enable(c)
	if runtime.GOOS == "linux" && !stamps {
		t.Fatal("SO_TIMESTAMPNS refused on Linux")
	}
	// Linux turns stamping on for the whole stack a moment after the
	// first socket asks (a deferred static key); until then datagrams are
	// stamped when read.
	time.Sleep(100 * time.Millisecond)
	if _, err := c.WriteToUDP([]byte("x"), c.LocalAddr().(*net.UDPAddr)); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	const wait = 30 * time.Millisecond
	time.Sleep(wait)
	ms := []ipv4.Message{{Buffers: [][]byte{make([]byte, 16)}, OOB: make([]byte, rxstamp.OOBSize)}}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := newBatchConn(c).ReadBatch(ms, 0)
	if err != nil || n != 1 {
		t.Fatalf("ReadBatch: %d, %v", n, err)
	}
	now := time.Now()
	at := rxstamp.Time(ms[0].OOB[:ms[0].NN], now)
	if !stamps {
		if !at.Equal(now) {
			t.Fatalf("no stamps, yet rxTime = now - %v", now.Sub(at))
		}
		return
	}
	if age := now.Sub(at); age < wait && now.Sub(sent) < time.Second {
		t.Errorf("arrival %v before the read, want at least %v (the datagram waited)", age, wait)
	}
	if at.Before(sent.Add(-time.Second)) || at.After(now) {
		t.Errorf("arrival %v outside [sent, read] = [%v, %v]", at, sent, now)
	}
	if got := rxstamp.Time(nil, now); !got.Equal(now) {
		t.Errorf("rxTime without control messages = now - %v, want now", now.Sub(got))
	}
	if got := rxstamp.Time([]byte{1, 2, 3}, now); !got.Equal(now) {
		t.Errorf("rxTime of a truncated control message = now - %v, want now", now.Sub(got))
	}
}

// TestIOTickDefault: an open run coalesces to DefaultIOTick, a closed run
// (whose callers wait for each response) to the shorter
// DefaultClosedIOTick; a tick given, or none (negative), is kept.
func TestIOTickDefault(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want time.Duration
	}{
		{"open", Config{Rate: 10}, DefaultIOTick},
		{"closed", Config{Concurrency: 10}, DefaultClosedIOTick},
		{"given", Config{Concurrency: 10, IOTick: 7 * time.Millisecond}, 7 * time.Millisecond},
		{"none", Config{Rate: 10, IOTick: -1}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg
			c.withDefaults()
			if c.IOTick != tc.want {
				t.Errorf("IOTick %v, want %v", c.IOTick, tc.want)
			}
		})
	}
	if DefaultClosedIOTick >= DefaultIOTick {
		t.Errorf("closed-model tick %v is not shorter than the open model's %v", DefaultClosedIOTick, DefaultIOTick)
	}
}
