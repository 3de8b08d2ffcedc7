package sipcenter_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// FuzzTargetTCPStream writes an arbitrary byte stream on one TCP
// connection to a running center (several messages, partial ones, keep-alive
// CRLFs, bodies shorter or longer than their Content-Length), split in two
// writes at an arbitrary point; the center must then still answer an
// OPTIONS on a new connection. "LOCAL" in an input becomes the connection's
// address.
func FuzzTargetTCPStream(f *testing.F) {
	opt := crlf(strings.ReplaceAll(request("OPTIONS", "s1", ""), "SIP/2.0/UDP", "SIP/2.0/TCP"))
	inv := crlf(strings.ReplaceAll(request("INVITE", "s2", ""), "SIP/2.0/UDP", "SIP/2.0/TCP"))
	f.Add([]byte(opt), uint16(10))
	f.Add([]byte(opt+opt+"\r\n\r\n"+opt), uint16(200))
	f.Add([]byte(inv), uint16(3))
	f.Add([]byte(inv[:len(inv)/2]), uint16(0))
	f.Add([]byte(strings.Replace(opt, "Content-Length: 0", "Content-Length: 40", 1)+"v=0\r\n"), uint16(5))
	f.Add([]byte(strings.Replace(opt, "Content-Length: 0", "Content-Length: 99999999", 1)), uint16(7))
	f.Add([]byte(strings.Replace(opt, "CSeq: 1 OPTIONS", "CSeq: 1 BYE", 1)), uint16(1))
	f.Add([]byte("\r\n\r\n\r\n"), uint16(2))
	f.Add([]byte("\x00\x01\x02garbage\r\n\r\n"), uint16(4))
	f.Add([]byte("OPTIONS sip:x SIP/2.0\r\nX: "+strings.Repeat("a", 40000)), uint16(30000))

	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "tcp:127.0.0.1:0", Agents: 2, Trunks: 4, NoMedia: true,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 50 * time.Millisecond}, Shutdown: time.Second,
		TCPIdle: time.Second, TCPHeaderTimeout: time.Second, Logger: testLogger()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = srv.Close() })
	addr := srv.Addr().String()
	var probes atomic.Uint64

	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		if len(data) > 256<<10 || bytes.Contains(bytes.ToLower(data), []byte("record-route")) {
			return // the center would send its BYE to the route's host
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		data = bytes.ReplaceAll(data, []byte("LOCAL"), []byte(c.LocalAddr().String()))
		k := min(int(split), len(data))
		_, _ = c.Write(data[:k])
		_, _ = c.Write(data[k:])
		// Read what comes back for a moment, then hang up.
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		_, _ = io.Copy(io.Discard, c)
		c.Close()

		p, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial after the input: %v", err)
		}
		defer p.Close()
		id := fmt.Sprintf("probe-%d-%d", os.Getpid(), probes.Add(1))
		msg := crlf(strings.ReplaceAll(strings.ReplaceAll(request("OPTIONS", id, ""), "SIP/2.0/UDP", "SIP/2.0/TCP"), "LOCAL", p.LocalAddr().String()))
		if _, err := p.Write([]byte(msg)); err != nil {
			t.Fatalf("probe: %v", err)
		}
		_ = p.SetReadDeadline(time.Now().Add(10 * time.Second))
		var got []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(got, []byte("\r\n\r\n")) {
			n, err := p.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				t.Fatalf("the center did not answer OPTIONS after the input (%v; got %q):\n%q", err, got, data)
			}
		}
		if !bytes.HasPrefix(got, []byte("SIP/2.0 200 ")) || !bytes.Contains(got, []byte("Call-ID: "+id+"\r\n")) {
			t.Fatalf("OPTIONS after the input: %q", got)
		}
	})
}
