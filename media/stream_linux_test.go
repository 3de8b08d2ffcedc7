//go:build linux

package media

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// settle waits (at most 10 s) until every packet c sent came back.
func settle(t *testing.T, c ...*Stream) {
	t.Helper()
	for range 1000 {
		done := true
		for _, s := range c {
			if st := s.Stats(0); st.Received < st.Sent {
				done = false
				break
			}
		}
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pair opens a caller stream pointed at an echoing stream.
func pair(t *testing.T, ports *Ports, sc *Scheduler, ip netip.Addr) (caller, echo *Stream) {
	t.Helper()
	ca, err := ports.Listen(ip)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := ports.Listen(ip)
	if err != nil {
		t.Fatal(err)
	}
	caller, echo = NewStream(ca, nil, ports, sc), NewStream(cb, nil, ports, sc)
	echo.SetEcho(true)
	caller.SetRemote(echo.LocalAddr(), PCMU)
	return caller, echo
}

// readBy reports whether s says its wheel reads it (on a slot or in the
// epoll set) and whether the wheel holds it there, under the wheel's lock.
func readBy(s *Stream) (says, held bool) {
	w := s.home
	w.mu.Lock()
	defer w.mu.Unlock()
	for k := range w.rslots {
		for _, x := range w.rslots[k] {
			held = held || x == s
		}
	}
	for _, x := range w.table {
		held = held || x == s
	}
	return s.rslot >= 0 || s.idx >= 0, held
}

func TestStreamLeavesWheelOnClose(t *testing.T) {
	ports, err := NewPorts(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScheduler(2)
	defer sc.Close()
	var streams []*Stream
	for range 10 {
		c, e := pair(t, ports, sc, loopback)
		streams = append(streams, c, e)
	}
	for _, s := range streams {
		if says, held := readBy(s); !says || !held {
			t.Fatalf("stream not read by its wheel (says %v, held %v)", says, held)
		}
		if s.echo.Load() != (s.idx >= 0) || s.echo.Load() == (s.rslot >= 0) {
			t.Fatalf("echo %v: read on slot %d, epoll entry %d", s.echo.Load(), s.rslot, s.idx)
		}
	}
	streams[0].Send()
	for _, s := range streams {
		fd := s.fd
		s.Close(0)
		if says, held := readBy(s); says || held {
			t.Errorf("closed stream still read by its wheel (says %v, held %v)", says, held)
		}
		if s.wheel.Load() != nil {
			t.Error("closed stream still sending")
		}
		// The descriptor is closed (nothing here opens another meanwhile).
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
			t.Errorf("fd %d of a closed stream: %v, want EBADF", fd, err)
		}
	}
	if ports.InUse() != 0 {
		t.Errorf("%d ports in use", ports.InUse())
	}
	for _, w := range sc.wheels {
		w.mu.Lock()
		for k := range w.rslots {
			if len(w.rslots[k]) != 0 {
				t.Errorf("slot %d still reads %d streams", k, len(w.rslots[k]))
			}
		}
		w.mu.Unlock()
	}
}

// Many streams on two wheels: every packet sent is echoed and comes back.
func TestManyStreamsEcho(t *testing.T) {
	ports, err := NewPorts(20000, 40000)
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScheduler(2)
	defer sc.Close()
	const n = 200
	var callers, echoes []*Stream
	for range n {
		c, e := pair(t, ports, sc, loopback)
		callers, echoes = append(callers, c), append(echoes, e)
	}
	for _, c := range callers {
		c.Expect(time.Now())
		c.Send()
	}
	time.Sleep(time.Second)
	for _, c := range callers {
		c.StopSending()
	}
	settle(t, callers...)
	var sent uint64
	for i, c := range callers {
		st, es := c.Close(0), echoes[i].Close(0)
		sent += st.Sent
		if st.Sent == 0 || st.Received != st.Sent || es.Received != st.Sent || es.Sent != st.Sent || st.Lost != 0 {
			t.Errorf("call %d: caller sent %d received %d lost %d; echo received %d sent %d", i, st.Sent, st.Received, st.Lost, es.Received, es.Sent)
		}
	}
	if sent < n*35 {
		t.Errorf("%d streams sent %d packets in 1 s", n, sent)
	}
}

// Streams closed while their wheel sends and reads them, from many
// goroutines; then new streams (most likely on the closed descriptors'
// numbers) measure only their own packets.
func TestCloseWhileSending(t *testing.T) {
	ports, err := NewPorts(20000, 40000)
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScheduler(2)
	defer sc.Close()
	var wg sync.WaitGroup
	for i := range 50 {
		c, e := pair(t, ports, sc, loopback)
		c.Send()
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%7) * 30 * time.Millisecond)
			go c.Send() // a Send racing with Close
			c.Close(0)
			e.Close(0)
		}()
	}
	wg.Wait()
	if ports.InUse() != 0 {
		t.Errorf("%d ports in use after closing", ports.InUse())
	}
	c, e := pair(t, ports, sc, loopback)
	c.Expect(time.Now())
	c.Send()
	time.Sleep(500 * time.Millisecond)
	c.StopSending()
	settle(t, c)
	st, es := c.Close(0), e.Close(0)
	if st.Sent == 0 || st.Received != st.Sent || es.Received != st.Sent || st.Expected != st.Sent || st.Lost != 0 {
		t.Errorf("new call: caller sent %d received %d expected %d; echo received %d", st.Sent, st.Received, st.Expected, es.Received)
	}
}

func TestStreamEchoIPv6(t *testing.T) {
	ip := netip.IPv6Loopback()
	ports, err := NewPorts(20000, 40000)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := ports.Listen(ip)
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	ports.Release(probe)
	_ = probe.Close()
	sc := NewScheduler(1)
	defer sc.Close()
	c, e := pair(t, ports, sc, ip)
	c.Expect(time.Now())
	c.Send()
	time.Sleep(300 * time.Millisecond)
	c.StopSending()
	settle(t, c)
	st, es := c.Close(0), e.Close(0)
	if st.Sent == 0 || st.Received != st.Sent || es.Received != st.Sent {
		t.Errorf("IPv6: caller sent %d received %d; echo received %d", st.Sent, st.Received, es.Received)
	}
}

// A stream made on a closed scheduler receives nothing and closes cleanly.
func TestStreamOnClosedScheduler(t *testing.T) {
	ports, err := NewPorts(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScheduler(1)
	sc.Close()
	c, e := pair(t, ports, sc, loopback)
	c.Send()
	if c.wheel.Load() != nil {
		t.Error("a closed scheduler took a stream to send")
	}
	if says, held := readBy(e); says || held {
		t.Error("a closed scheduler reads a stream")
	}
	c.Close(0)
	e.Close(0)
	if ports.InUse() != 0 {
		t.Errorf("%d ports in use", ports.InUse())
	}
}

// An echo turned off goes back to being read on a slot, and on again to
// the epoll set; it echoes only while on.
func TestEchoToggle(t *testing.T) {
	ports, err := NewPorts(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScheduler(1)
	defer sc.Close()
	c, e := pair(t, ports, sc, loopback)
	e.SetEcho(false)
	if e.idx >= 0 || e.rslot < 0 {
		t.Fatalf("echo off: slot %d, epoll entry %d", e.rslot, e.idx)
	}
	c.Send()
	time.Sleep(200 * time.Millisecond)
	if st := c.Stats(0); st.Received != 0 {
		t.Errorf("a stream not echoing sent %d packets back", st.Received)
	}
	e.SetEcho(true)
	if e.idx < 0 || e.rslot >= 0 {
		t.Fatalf("echo on: slot %d, epoll entry %d", e.rslot, e.idx)
	}
	time.Sleep(200 * time.Millisecond)
	c.StopSending()
	time.Sleep(100 * time.Millisecond)
	if st := c.Stats(0); st.Received == 0 {
		t.Error("nothing echoed once echo was on")
	}
	c.Close(0)
	e.Close(0)
	if ports.InUse() != 0 {
		t.Errorf("%d ports in use", ports.InUse())
	}
}
