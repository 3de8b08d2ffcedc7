package sipcenter_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// FuzzTargetRequest feeds arbitrary datagrams to a running target: each one
// is parsed by sipgo's parser (the target's parser), a request's response
// is built as the target builds it, and the datagram is sent to an
// in-process target over UDP, which must then still answer an OPTIONS. The
// seeds are the RFC 4475 torture messages (testdata/rfc4475) and ordinary
// requests of every method. "LOCAL" in an input becomes the sender's
// address.
//
// Inputs with a Record-Route are parsed but not sent: the target would send
// its BYE to the route's host, and tests talk to loopback only.
func FuzzTargetRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/rfc4475/*/*.dat")
	if len(files) < 40 {
		f.Fatalf("found %d RFC 4475 torture messages in testdata/rfc4475, want them all", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for i, m := range []string{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "MESSAGE"} {
		f.Add([]byte(crlf(request(m, fmt.Sprintf("seed-%d", i), ""))))
		f.Add([]byte(crlf(request(m, fmt.Sprintf("seed-tag-%d", i), "x"))))
	}
	f.Add([]byte("\x00\x01garbage\r\n\r\n"))
	f.Add([]byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP LOCAL;branch=z9hG4bK1\r\nCall-ID: r\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte(crlf(strings.Replace(request("INVITE", "big-cl", ""), "Content-Length: 0", "Content-Length: 99999999", 1))))

	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		// Fuzzing: short SIP timers, so the transactions and half-open
		// calls the inputs leave behind end within seconds.
		sip.SetTimers(20*time.Millisecond, 80*time.Millisecond, 100*time.Millisecond)
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 2, Trunks: 4,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 100 * time.Millisecond}, Shutdown: time.Second, Logger: testLogger()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = srv.Close() })
	addr := srv.Addr().(*net.UDPAddr)
	snd, err := net.ListenUDP("udp", &net.UDPAddr{IP: addr.IP})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { snd.Close() })
	probe, err := net.ListenUDP("udp", &net.UDPAddr{IP: addr.IP})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { probe.Close() })
	local := []byte(snd.LocalAddr().String())
	var probes atomic.Uint64

	f.Fuzz(func(t *testing.T, data []byte) {
		data = bytes.ReplaceAll(data, []byte("LOCAL"), local)
		parseLikeTarget(data)
		if len(data) > 65507 || bytes.Contains(bytes.ToLower(data), []byte("record-route")) {
			return
		}
		if _, err := snd.WriteToUDP(data, addr); err != nil {
			t.Fatalf("send: %v", err)
		}
		id := fmt.Sprintf("probe-%d-%d", os.Getpid(), probes.Add(1))
		msg := crlf(strings.ReplaceAll(request("OPTIONS", id, ""), "LOCAL", probe.LocalAddr().String()))
		if _, err := probe.WriteToUDP([]byte(msg), addr); err != nil {
			t.Fatalf("probe: %v", err)
		}
		buf := make([]byte, 65535)
		deadline := time.Now().Add(10 * time.Second)
		for {
			_ = probe.SetReadDeadline(deadline)
			n, _, err := probe.ReadFromUDP(buf)
			if err != nil {
				t.Fatalf("the target did not answer OPTIONS after the input (%v):\n%q", err, data)
			}
			res := string(buf[:n])
			if strings.Contains(res, "Call-ID: "+id+"\r\n") {
				if !strings.HasPrefix(res, "SIP/2.0 200 ") {
					t.Fatalf("OPTIONS after the input: %q", res)
				}
				return
			}
		}
	})
}

// parseLikeTarget parses data as the target's transport does and, for a
// request, reads the headers its handlers read and builds a response.
func parseLikeTarget(data []byte) {
	msg, err := sip.NewParser().ParseSIP(data)
	if err != nil {
		return
	}
	req, ok := msg.(*sip.Request)
	if !ok {
		_ = msg.String()
		return
	}
	_, _, _, _, _ = req.From(), req.To(), req.CallID(), req.CSeq(), req.Contact()
	_ = req.Via()
	_ = req.GetHeaders("Record-Route")
	_ = req.IsAck()
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	_ = res.String()
	_ = req.Clone().String()
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
