package rxstamp

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// TestTime: a datagram that waited in the socket arrived when it came,
// not when it was read; without a stamp the read's time stands in.
func TestTime(t *testing.T) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	on := Enable(c)
	if runtime.GOOS == "linux" && !on {
		t.Fatal("SO_TIMESTAMPNS refused on Linux")
	}
	time.Sleep(100 * time.Millisecond) // Linux turns stamping on a moment after the first ask
	if _, err := c.WriteToUDP([]byte("x"), c.LocalAddr().(*net.UDPAddr)); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	const wait = 30 * time.Millisecond
	time.Sleep(wait)
	buf, oob := make([]byte, 16), make([]byte, OOBSize)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, oobn, _, _, err := c.ReadMsgUDP(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	at := Time(oob[:oobn], now)
	if !on {
		if !at.Equal(now) {
			t.Fatalf("no stamps, yet Time = now - %v", now.Sub(at))
		}
		return
	}
	if age := now.Sub(at); age < wait && now.Sub(sent) < time.Second {
		t.Errorf("arrived %v before the read, want at least %v", age, wait)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, make([]byte, 64)} {
		if got := Time(bad, now); !got.Equal(now) {
			t.Errorf("Time(%x) = now - %v, want now", bad, now.Sub(got))
		}
	}
}
