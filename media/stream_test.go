package media

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

var loopback = netip.MustParseAddr("127.0.0.1")

func TestStreamEchoLoopback(t *testing.T) {
	ports, err := NewPorts(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := ports.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := ports.Listen(loopback)
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScheduler(1)
	defer sc.Close()
	caller := NewStream(ca, Tone(), ports, sc)
	echo := NewStream(cb, nil, ports, sc)
	echo.SetEcho(true)
	caller.SetRemote(echo.LocalAddr(), PCMA)
	caller.Expect(time.Now())
	caller.Send()
	time.Sleep(time.Second)
	caller.StopSending()
	time.Sleep(100 * time.Millisecond)
	st := caller.Close(0)
	es := echo.Close(0)
	if ports.InUse() != 0 {
		t.Errorf("%d ports still in use", ports.InUse())
	}
	// About 50 packets in a second (a busy machine may send a few fewer).
	if st.Sent < 35 || st.Sent > 55 {
		t.Errorf("sent %d packets in 1 s", st.Sent)
	}
	if st.Received != st.Sent || es.Received != st.Sent || es.Sent != st.Sent {
		t.Errorf("caller sent %d received %d; echo received %d sent %d", st.Sent, st.Received, es.Received, es.Sent)
	}
	if st.Lost != 0 || st.LossPct != 0 || st.MOS < 4.0 || st.JitterMs > 20 {
		t.Errorf("clean loopback: %+v", st)
	}
}

func TestWAV(t *testing.T) {
	pcm := make([]int16, 800)
	for i := range pcm {
		pcm[i] = int16(i * 40)
	}
	var b bytes.Buffer
	if err := WriteWAV(&b, pcm); err != nil {
		t.Fatal(err)
	}
	a, err := ReadWAV(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if a.Frames() != 5 || a.Frame(1, PTPCMU)[0] != LinearToUlaw(160*40) || a.Frame(6, PTPCMA)[0] != LinearToAlaw(160*40) {
		t.Errorf("frames %d, payload not the file's samples", a.Frames())
	}
	bad := b.Bytes()
	bad[24] = 0x44 // 8000 Hz -> 16452 Hz
	bad[25] = 0xac
	if _, err := ReadWAV(bytes.NewReader(bad)); err == nil {
		t.Error("a 44.1 kHz WAV was accepted")
	}
	if _, err := ReadWAV(bytes.NewReader([]byte("RIFF...."))); err == nil {
		t.Error("a short file was accepted")
	}
	if _, err := ParseAudio("/nonexistent.wav"); err == nil {
		t.Error("a missing file was accepted")
	}
}

func TestPortsExhausted(t *testing.T) {
	// Use a range in the ephemeral area: bind probes only.
	p, err := NewPorts(40000, 40003)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for range 3 {
		c, err := p.Listen(loopback)
		if err != nil {
			break
		}
		defer c.Close()
		n++
	}
	if n > 2 {
		t.Errorf("allocated %d even ports from 40000-40003", n)
	}
	if _, err := p.Listen(loopback); err == nil {
		t.Error("a third port came out of a two-port range")
	}
	if _, _, err := ParsePortRange("5000"); err == nil {
		t.Error("ParsePortRange accepted 5000")
	}
	if lo, hi, err := ParsePortRange("16384-32767"); err != nil || lo != 16384 || hi != 32767 {
		t.Errorf("ParsePortRange: %d %d %v", lo, hi, err)
	}
}
