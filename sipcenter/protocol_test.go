package sipcenter_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// exchange sends one raw SIP request over UDP and returns the status line of
// the first final (or only) response.
func exchange(t *testing.T, addr, msg string) string {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg = strings.ReplaceAll(msg, "LOCAL", local)
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, "\r\n", "\n"), "\n", "\r\n")
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, err := c.Read(buf)
		if err != nil {
			return "no response: " + err.Error()
		}
		line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		if !strings.HasPrefix(line, "SIP/2.0 1") {
			return line
		}
	}
}

func request(method, callID string, toTag string) string {
	to := "<sip:support@127.0.0.1>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	return fmt.Sprintf(`%[1]s sip:support@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP LOCAL;branch=z9hG4bK-%[2]s
From: <sip:tester@127.0.0.1>;tag=abc
To: %[3]s
Call-ID: %[2]s
CSeq: 1 %[1]s
Max-Forwards: 70
Contact: <sip:tester@LOCAL>
Content-Length: 0

`, method, callID, to)
}

// TestUnexpectedRequests: requests outside any dialog get the RFC 3261
// answers, and the server keeps working.
func TestUnexpectedRequests(t *testing.T) {
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1})
	addr := srv.Addr().String()
	tests := []struct{ name, msg, want string }{
		{"BYE unknown dialog", request("BYE", "bye-1", "x"), "SIP/2.0 481"},
		{"CANCEL unknown", request("CANCEL", "cancel-1", ""), "SIP/2.0 481"},
		{"re-INVITE unknown dialog", request("INVITE", "reinv-1", "x"), "SIP/2.0 481"},
		{"OPTIONS", request("OPTIONS", "opt-1", ""), "SIP/2.0 200"},
		{"MESSAGE", request("MESSAGE", "msg-1", ""), "SIP/2.0 405"},
		{"INVITE without Contact", strings.Replace(request("INVITE", "inv-1", ""), "Contact: <sip:tester@LOCAL>\n", "", 1), "SIP/2.0 400"},
		{"no CSeq", strings.Replace(request("OPTIONS", "opt-2", ""), "CSeq: 1 OPTIONS\n", "", 1), "SIP/2.0 400"},
	}
	for _, tt := range tests {
		if got := exchange(t, addr, tt.msg); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: got %q, want %s", tt.name, got, tt.want)
		}
	}
	// Garbage gets no answer and breaks nothing.
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("\x00\x01garbage\r\n\r\n"))
	c.Close()
	if got := exchange(t, addr, request("OPTIONS", "opt-3", "")); !strings.HasPrefix(got, "SIP/2.0 200") {
		t.Errorf("after garbage: %q", got)
	}
	if st := srv.Stats(); st.Offered != 0 {
		t.Errorf("offered %d", st.Offered)
	}
}

// TestCloseWithCallsInProgress: closing ends the talking call with the
// agent's BYE and the waiting ones with 503; the counts add up.
func TestCloseWithCallsInProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan *loadgen.Result, 1)
	go func() {
		r, _ := loadgen.Run(context.Background(), loadgen.Config{Target: srv.URI("support"), Rate: 20, MaxCalls: 3,
			Duration: time.Minute, Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour}})
		res <- r
	}()
	waitFor(t, func() bool { s := srv.Stats(); return s.Talking == 1 && s.Waiting == 2 })
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	var r *loadgen.Result
	select {
	case r = <-res:
	case <-time.After(30 * time.Second):
		t.Fatal("load did not end")
	}
	st := srv.Stats()
	checkConservation(t, st)
	if st.Offered != 3 || st.Answered != 1 || st.WaitingAtEnd != 2 || st.AgentHangups != 1 || st.Running {
		t.Errorf("target: %+v", st)
	}
	if r == nil || r.Completed != 1 || r.Failed != 2 || r.StatusCodes["503"] != 2 {
		t.Errorf("load: %+v", r)
	}
}
