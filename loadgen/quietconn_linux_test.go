//go:build linux

package loadgen

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestQuietTCP: a connection out of the poller reads without waiting
// (EAGAIN when nothing is there), writes every buffer, sees the peer's
// close as io.EOF, and fails with net.ErrClosed once closed.
func TestQuietTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	d, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	q, err := quietTCP(d)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	peer := <-accepted
	if peer == nil {
		t.Fatal("no connection accepted")
	}
	defer peer.Close()
	if q.RemoteAddr().String() != l.Addr().String() {
		t.Errorf("remote %v, want %v", q.RemoteAddr(), l.Addr())
	}
	buf := make([]byte, 1<<20)
	if n, err := q.Read(buf); n != 0 || !wouldBlock(err) {
		t.Fatalf("nothing sent: read %d, %v; want EAGAIN", n, err)
	}
	// A write larger than the socket buffers completes once the peer reads.
	big := strings.Repeat("x", 8<<20)
	got := make(chan string, 1)
	go func() {
		b := make([]byte, len(big)+3)
		n, _ := io.ReadFull(peer, b)
		got <- string(b[:n])
	}()
	_ = q.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := q.(interface{ writeBuffers([][]byte) error }).writeBuffers([][]byte{[]byte("ab"), nil, []byte(big), []byte("c")}); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "ab"+big+"c" {
		t.Fatalf("peer read %d bytes, not the %d written in order", len(s), len(big)+3)
	}
	if _, err := peer.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	var read string
	for deadline := time.Now().Add(2 * time.Second); len(read) < 5 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		n, err := q.Read(buf)
		if err != nil && !wouldBlock(err) {
			t.Fatal(err)
		}
		read += string(buf[:n])
	}
	if read != "hello" {
		t.Fatalf("read %q, want hello", read)
	}
	peer.Close()
	var rerr error
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, rerr = q.Read(buf); !wouldBlock(rerr) {
			break
		}
	}
	if !errors.Is(rerr, io.EOF) {
		t.Errorf("after the peer closed: %v, want io.EOF", rerr)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Read(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	if _, err := q.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
}
