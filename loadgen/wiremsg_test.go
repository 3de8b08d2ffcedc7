package loadgen

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// wmCRLF turns the LF line ends of a readable test message into CR LF.
func wmCRLF(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

const wmSDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"

// wm200 is a realistic 200 OK to an INVITE: two Via, two Record-Route, a
// Contact and an SDP body.
var wm200 = wmCRLF("SIP/2.0 200 OK\n"+
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-c1-1;rport=5060;received=192.0.2.10\n"+
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-proxy-7\n"+
	"Record-Route: <sip:p1.example.com;lr>\n"+
	"Record-Route: <sip:p2.example.com;lr>\n"+
	"From: \"Alice\" <sip:alice@example.com>;tag=a-1\n"+
	"To: <sip:bob@example.com>;tag=b-2\n"+
	"Call-ID: c1@192.0.2.10\n"+
	"CSeq: 1 INVITE\n"+
	"Contact: <sip:bob@192.0.2.20:5060;transport=udp>\n"+
	"Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\n"+
	"Content-Type: application/sdp\n"+
	"Content-Length: ") + strconv.Itoa(len(wmSDP)) + "\r\n\r\n" + wmSDP

// wmWant is what a scanned message must hold: the fields of wireMsg as
// strings ("<nil>" for a nil slice where that matters).
type wmWant struct {
	request      bool
	method, ruri string
	status       int
	reason       string
	callID       string
	cseq         uint32
	cseqMethod   string
	from, to     string
	toTag        string
	vias         []string
	branch       string
	contact      string
	recordRoutes []string
	wwwAuth      string
	proxyAuth    string
	contentType  string
	body         string
}

const wmNil = "<nil>"

func wmStr(b []byte) string {
	if b == nil {
		return wmNil
	}
	return string(b)
}

func wmStrs(bs [][]byte) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

func (w wmWant) check(t *testing.T, m *wireMsg) {
	t.Helper()
	eq := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if m.request != w.request {
		t.Errorf("request = %v, want %v", m.request, w.request)
	}
	if w.request {
		eq("method", string(m.method), w.method)
		eq("ruri", string(m.ruri), w.ruri)
	} else {
		if m.status != w.status {
			t.Errorf("status = %d, want %d", m.status, w.status)
		}
		eq("reason", string(m.reason), w.reason)
	}
	eq("callID", string(m.callID), w.callID)
	if m.cseq != w.cseq {
		t.Errorf("cseq = %d, want %d", m.cseq, w.cseq)
	}
	eq("cseqMethod", string(m.cseqMethod), w.cseqMethod)
	eq("from", string(m.from), w.from)
	eq("to", string(m.to), w.to)
	eq("toTag", wmStr(m.toTag), orNil(w.toTag))
	eq("vias", strings.Join(wmStrs(m.vias), " | "), strings.Join(w.vias, " | "))
	eq("branch", wmStr(m.branch), orNil(w.branch))
	eq("contact", wmStr(m.contact), orNil(w.contact))
	eq("recordRoutes", strings.Join(wmStrs(m.recordRoutes), " | "), strings.Join(w.recordRoutes, " | "))
	eq("wwwAuth", string(m.wwwAuth), w.wwwAuth)
	eq("proxyAuth", string(m.proxyAuth), w.proxyAuth)
	eq("contentType", string(m.contentType), w.contentType)
	eq("body", string(m.body), w.body)
}

// orNil maps "" to wmNil: in wmWant an empty toTag, branch or contact means
// "none".
func orNil(s string) string {
	if s == "" {
		return wmNil
	}
	return s
}

// wmResp builds a response with the usual headers around extra ones.
func wmResp(status string, extra string, body string) string {
	s := "SIP/2.0 " + status + "\n" +
		"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\n" +
		"From: <sip:a@example.com>;tag=f1\n" +
		"To: <sip:b@example.com>;tag=t1\n" +
		"Call-ID: cid-1\n" +
		"CSeq: 1 INVITE\n" + extra
	return wmCRLF(s+"Content-Length: "+strconv.Itoa(len(body))+"\n\n") + body
}

var wmRespWant = wmWant{callID: "cid-1", cseq: 1, cseqMethod: "INVITE", from: "<sip:a@example.com>;tag=f1",
	to: "<sip:b@example.com>;tag=t1", toTag: "t1", vias: []string{"SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1"},
	branch: "z9hG4bK-1"}

func wmWith(w wmWant, f func(*wmWant)) wmWant { f(&w); return w }

var wmCases = []struct {
	name string
	in   string
	want wmWant
	err  bool
}{
	{name: "100", in: wmResp("100 Trying", "", ""), want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason = 100, "Trying" })},
	{name: "180", in: wmResp("180 Ringing", "Contact: <sip:b@192.0.2.20>\n", ""),
		want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason, w.contact = 180, "Ringing", "sip:b@192.0.2.20" })},
	{name: "183 with SDP", in: wmResp("183 Session Progress", "Content-Type: application/sdp\n", wmSDP),
		want: wmWith(wmRespWant, func(w *wmWant) {
			w.status, w.reason, w.contentType, w.body = 183, "Session Progress", "application/sdp", wmSDP
		})},
	{name: "200 with Contact and Record-Route", in: wm200, want: wmWant{status: 200, reason: "OK", callID: "c1@192.0.2.10",
		cseq: 1, cseqMethod: "INVITE", from: `"Alice" <sip:alice@example.com>;tag=a-1`, to: "<sip:bob@example.com>;tag=b-2",
		toTag: "b-2", vias: []string{"SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-c1-1;rport=5060;received=192.0.2.10",
			"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-proxy-7"}, branch: "z9hG4bK-c1-1",
		contact: "sip:bob@192.0.2.20:5060;transport=udp", recordRoutes: []string{"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"},
		contentType: "application/sdp", body: wmSDP}},
	{name: "401", in: wmResp("401 Unauthorized", `WWW-Authenticate: Digest realm="example.com", nonce="abc,def", algorithm=MD5, qop="auth"`+"\n", ""),
		want: wmWith(wmRespWant, func(w *wmWant) {
			w.status, w.reason, w.wwwAuth = 401, "Unauthorized", `Digest realm="example.com", nonce="abc,def", algorithm=MD5, qop="auth"`
		})},
	{name: "407", in: wmResp("407 Proxy Authentication Required", "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n1\"\nProxy-Authenticate: Digest realm=\"q\", nonce=\"n2\"\n", ""),
		want: wmWith(wmRespWant, func(w *wmWant) {
			w.status, w.reason, w.proxyAuth = 407, "Proxy Authentication Required", `Digest realm="p", nonce="n1"`
		})},
	{name: "486", in: wmResp("486 Busy Here", "", ""), want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason = 486, "Busy Here" })},
	{name: "487", in: wmResp("487 Request Terminated", "", ""), want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason = 487, "Request Terminated" })},
	{name: "empty reason", in: strings.Replace(wmResp("100 X", "", ""), "100 X", "100 ", 1),
		want: wmWith(wmRespWant, func(w *wmWant) { w.status = 100 })},
	{name: "BYE with 2 Vias", in: wmCRLF("BYE sip:alice@192.0.2.10:5060 SIP/2.0\n" +
		"Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-p\n" +
		"Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-b;rport\n" +
		"Max-Forwards: 69\n" +
		"From: <sip:bob@example.com>;tag=b-2\n" +
		"To: \"Alice\" <sip:alice@example.com>;tag=a-1\n" +
		"Call-ID: c1@192.0.2.10\n" +
		"CSeq: 2 BYE\n" +
		"Content-Length: 0\n\n"),
		want: wmWant{request: true, method: "BYE", ruri: "sip:alice@192.0.2.10:5060", callID: "c1@192.0.2.10", cseq: 2, cseqMethod: "BYE",
			from: "<sip:bob@example.com>;tag=b-2", to: `"Alice" <sip:alice@example.com>;tag=a-1`, toTag: "a-1",
			vias: []string{"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-p", "SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-b;rport"}, branch: "z9hG4bK-p"}},
	{name: "OPTIONS", in: wmCRLF("OPTIONS sip:pbx.example.com SIP/2.0\n" +
		"Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-o\n" +
		"From: <sip:mon@example.com>;tag=m\n" +
		"To: <sip:pbx.example.com>\n" +
		"Call-ID: opt-1\n" +
		"CSeq: 7 OPTIONS\n" +
		"Accept: application/sdp\n" +
		"Content-Length: 0\n\n"),
		want: wmWant{request: true, method: "OPTIONS", ruri: "sip:pbx.example.com", callID: "opt-1", cseq: 7, cseqMethod: "OPTIONS",
			from: "<sip:mon@example.com>;tag=m", to: "<sip:pbx.example.com>", vias: []string{"SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-o"},
			branch: "z9hG4bK-o"}},
	{name: "ACK with To tag in the URI only", in: wmCRLF("ACK sip:bob@192.0.2.20 SIP/2.0\n" +
		"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-a\n" +
		"From: <sip:a@example.com>;tag=f1\n" +
		"To: <sip:b@example.com;tag=uri>\n" +
		"Call-ID: ack-1\n" +
		"CSeq: 1 ACK\n\n"),
		want: wmWant{request: true, method: "ACK", ruri: "sip:bob@192.0.2.20", callID: "ack-1", cseq: 1, cseqMethod: "ACK",
			from: "<sip:a@example.com>;tag=f1", to: "<sip:b@example.com;tag=uri>", vias: []string{"SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-a"},
			branch: "z9hG4bK-a"}},
	{name: "compact forms and case", in: wmCRLF("SIP/2.0 200 OK\n" +
		"v: SIP/2.0/UDP h1;BRANCH=z9hG4bK-x\n" +
		"f: <sip:a@h>;tag=1\n" +
		"t: sip:b@h ; TAG = 2\n" +
		"i: compact-1\n" +
		"CSEQ: 5 invite\n" +
		"m: <sip:b@h2>\n" +
		"c: application/sdp\n" +
		"l: 3\n\nabcdef"),
		want: wmWant{status: 200, reason: "OK", callID: "compact-1", cseq: 5, cseqMethod: "invite", from: "<sip:a@h>;tag=1",
			to: "sip:b@h ; TAG = 2", toTag: "2", vias: []string{"SIP/2.0/UDP h1;BRANCH=z9hG4bK-x"}, branch: "z9hG4bK-x",
			contact: "sip:b@h2", contentType: "application/sdp", body: "abc"}},
	{name: "folding", in: wmCRLF("SIP/2.0 180 Ringing\n" +
		"Via: SIP/2.0/UDP h1;branch=z9hG4bK-1,\n" +
		"  SIP/2.0/UDP h2;branch=z9hG4bK-2\n" +
		"To:\n" +
		"\t<sip:b@h>\n" +
		"  ;tag=x9\n" +
		"Call-ID: fold-1\n" +
		"CSeq:\n 3\n  INVITE\n" +
		"Content-Length: 0\n\n"),
		want: wmWant{status: 180, reason: "Ringing", callID: "fold-1", cseq: 3, cseqMethod: "INVITE",
			to: "<sip:b@h>    ;tag=x9", toTag: "x9", vias: []string{"SIP/2.0/UDP h1;branch=z9hG4bK-1", "SIP/2.0/UDP h2;branch=z9hG4bK-2"},
			branch: "z9hG4bK-1"}},
	{name: "LF-only lines", in: "SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bK-lf\nTo: <sip:b@h>;tag=lf\nCall-ID: lf-1\nCSeq: 9 BYE\nContent-Length: 2\n\nhi",
		want: wmWant{status: 200, reason: "OK", callID: "lf-1", cseq: 9, cseqMethod: "BYE", to: "<sip:b@h>;tag=lf", toTag: "lf",
			vias: []string{"SIP/2.0/UDP h;branch=z9hG4bK-lf"}, branch: "z9hG4bK-lf", body: "hi"}},
	{name: "comma-joined Via and Record-Route", in: wmCRLF("SIP/2.0 200 OK\n" +
		"Via: SIP/2.0/UDP h1;branch=z9hG4bK-1 , SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK-2\n" +
		"v: SIP/2.0/UDP h3;branch=z9hG4bK-3\n" +
		"Record-Route: <sip:p1;lr>, \"A, B\" <sip:p2;lr;x=\"a,b\">,<sip:p3,x;lr>\n" +
		"Record-Route: <sip:p4;lr>\n" +
		"Call-ID: rr\n" +
		"CSeq: 1 INVITE\n\n"),
		want: wmWant{status: 200, reason: "OK", callID: "rr", cseq: 1, cseqMethod: "INVITE",
			vias:         []string{"SIP/2.0/UDP h1;branch=z9hG4bK-1", "SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK-2", "SIP/2.0/UDP h3;branch=z9hG4bK-3"},
			branch:       "z9hG4bK-1",
			recordRoutes: []string{"<sip:p1;lr>", `"A, B" <sip:p2;lr;x="a,b">`, "<sip:p3,x;lr>", "<sip:p4;lr>"}}},
	{name: "Contact with brackets and params", in: wmResp("200 OK", "Contact: <sip:a@h:5060;transport=tcp>;expires=3\n", ""),
		want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason, w.contact = 200, "OK", "sip:a@h:5060;transport=tcp" })},
	{name: "Contact without brackets", in: wmResp("200 OK", "Contact: sip:a@h:5060;expires=3\n", ""),
		want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason, w.contact = 200, "OK", "sip:a@h:5060" })},
	{name: "Contact with display name", in: wmResp("200 OK", "m: \"Name <x>; y\" <sip:a@h>, <sip:second@h>\nContact: <sip:third@h>\n", ""),
		want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason, w.contact = 200, "OK", "sip:a@h" })},
	{name: "Contact star", in: wmResp("200 OK", "Contact: *\n", ""),
		want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason = 200, "OK" })},
	{name: "To tag with quoted display name", in: strings.Replace(wmResp("200 OK", "", ""), "To: <sip:b@example.com>;tag=t1", `To: "B;tag=no <x>" <sip:b@example.com;tag=uri>;x=1;Tag=real;y`, 1),
		want: wmWith(wmRespWant, func(w *wmWant) {
			w.status, w.reason, w.to, w.toTag = 200, "OK", `"B;tag=no <x>" <sip:b@example.com;tag=uri>;x=1;Tag=real;y`, "real"
		})},
	{name: "no Content-Length: rest of the datagram", in: wmCRLF("SIP/2.0 200 OK\nVia: SIP/2.0/UDP h\nCall-ID: x\nCSeq: 1 INVITE\n\n") + "body\r\n",
		want: wmWant{status: 200, reason: "OK", callID: "x", cseq: 1, cseqMethod: "INVITE", vias: []string{"SIP/2.0/UDP h"}, body: "body\r\n"}},
	{name: "leading CRLF", in: "\r\n\r\n" + wmResp("486 Busy Here", "", ""), want: wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason = 486, "Busy Here" })},

	{name: "truncated body", in: wmResp("200 OK", "", wmSDP)[:len(wmResp("200 OK", "", wmSDP))-5], err: true},
	{name: "bad Content-Length", in: strings.Replace(wmResp("200 OK", "", ""), "Content-Length: 0", "Content-Length: 1x", 1), err: true},
	{name: "negative Content-Length", in: strings.Replace(wmResp("200 OK", "", ""), "Content-Length: 0", "Content-Length: -1", 1), err: true},
	{name: "conflicting Content-Length", in: strings.Replace(wmResp("200 OK", "", "ab"), "Content-Length: 2", "l: 2\r\nContent-Length: 1", 1), err: true},
	{name: "huge Content-Length", in: strings.Replace(wmResp("200 OK", "", ""), "Content-Length: 0", "Content-Length: 99999999999999999999", 1), err: true},
	{name: "garbage", in: "\x00\x01garbage\r\n\r\n", err: true},
	{name: "empty", in: "", err: true},
	{name: "keep-alive only", in: "\r\n\r\n", err: true},
	{name: "bad status code", in: strings.Replace(wmResp("200 OK", "", ""), "200 OK", "20 OK", 1), err: true},
	{name: "status code out of range", in: strings.Replace(wmResp("200 OK", "", ""), "200 OK", "700 OK", 1), err: true},
	{name: "status code too long", in: strings.Replace(wmResp("200 OK", "", ""), "200 OK", "2000 OK", 1), err: true},
	{name: "bad version", in: strings.Replace(wmResp("200 OK", "", ""), "SIP/2.0 200", "SIP/7.0 200", 1), err: true},
	{name: "bad request version", in: wmCRLF("BYE sip:a@h SIP/1.0\nVia: SIP/2.0/UDP h\nCall-ID: x\nCSeq: 1 BYE\n\n"), err: true},
	{name: "space in Request-URI", in: wmCRLF("BYE sip:a@h x SIP/2.0\nVia: SIP/2.0/UDP h\nCall-ID: x\nCSeq: 1 BYE\n\n"), err: true},
	{name: "no Call-ID", in: strings.Replace(wmResp("200 OK", "", ""), "Call-ID: cid-1\r\n", "", 1), err: true},
	{name: "empty Call-ID", in: strings.Replace(wmResp("200 OK", "", ""), "Call-ID: cid-1", "Call-ID:  ", 1), err: true},
	{name: "no CSeq", in: strings.Replace(wmResp("200 OK", "", ""), "CSeq: 1 INVITE\r\n", "", 1), err: true},
	{name: "no Via", in: strings.Replace(wmResp("200 OK", "", ""), "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\n", "", 1), err: true},
	{name: "bad CSeq", in: strings.Replace(wmResp("200 OK", "", ""), "CSeq: 1 INVITE", "CSeq: one INVITE", 1), err: true},
	{name: "CSeq without method", in: strings.Replace(wmResp("200 OK", "", ""), "CSeq: 1 INVITE", "CSeq: 1", 1), err: true},
	{name: "CSeq too large", in: strings.Replace(wmResp("200 OK", "", ""), "CSeq: 1 INVITE", "CSeq: 2147483648 INVITE", 1), err: true},
	{name: "no blank line", in: strings.TrimSuffix(wmResp("200 OK", "", ""), "\r\n"), err: true},
	{name: "header line without colon", in: strings.Replace(wmResp("200 OK", "", ""), "CSeq: 1 INVITE", "CSeq 1 INVITE", 1), err: true},
}

func TestScanMessage(t *testing.T) {
	var m wireMsg
	for _, tc := range wmCases {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.in)
			err := scanMessage(b, &m)
			if tc.err {
				if err == nil {
					t.Fatalf("scanMessage(%q) accepted it: %+v", tc.in, m)
				}
				if !strings.Contains(err.Error(), "SIP message at byte") {
					t.Errorf("error %q does not say where", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("scanMessage(%q): %v", tc.in, err)
			}
			tc.want.check(t, &m)
		})
	}
}

// TestScanMessageFoldingInPlace: unfolding overwrites the line ends of a
// folded header with spaces and nothing else.
func TestScanMessageFoldingInPlace(t *testing.T) {
	in := wmCRLF("SIP/2.0 200 OK\nVia: SIP/2.0/UDP h\nCall-ID:\n abc\nCSeq: 1 BYE\n\n")
	b := []byte(in)
	var m wireMsg
	if err := scanMessage(b, &m); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(in, "Call-ID:\r\n abc", "Call-ID:   abc", 1)
	if string(b) != want {
		t.Errorf("buffer after scan = %q, want %q", b, want)
	}
	if string(m.callID) != "abc" {
		t.Errorf("callID = %q", m.callID)
	}
}

// TestScanMessageReuse: a wireMsg scanned twice holds only the second
// message (no Via or Record-Route left over from the first).
func TestScanMessageReuse(t *testing.T) {
	var m wireMsg
	if err := scanMessage([]byte(wm200), &m); err != nil {
		t.Fatal(err)
	}
	if err := scanMessage([]byte(wmResp("100 Trying", "", "")), &m); err != nil {
		t.Fatal(err)
	}
	wmWith(wmRespWant, func(w *wmWant) { w.status, w.reason = 100, "Trying" }).check(t, &m)
}

func TestScanMessageAllocs(t *testing.T) {
	src := []byte(wm200)
	b := make([]byte, len(src))
	var m wireMsg
	allocs := testing.AllocsPerRun(200, func() {
		copy(b, src)
		if err := scanMessage(b, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("scanMessage of a 200 OK with SDP, 2 Via and 2 Record-Route: %v allocs/op, want 0", allocs)
	}
	if len(m.vias) != 2 || len(m.recordRoutes) != 2 || len(m.body) != len(wmSDP) {
		t.Errorf("scanned %d Via, %d Record-Route, %d body bytes", len(m.vias), len(m.recordRoutes), len(m.body))
	}
}

func BenchmarkScanMessage(b *testing.B) {
	src := []byte(wm200)
	buf := make([]byte, len(src))
	var m wireMsg
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, src)
		if err := scanMessage(buf, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func TestStreamMessage(t *testing.T) {
	msgA := wmResp("180 Ringing", "", "")
	msgB := wmResp("200 OK", "Content-Type: application/sdp\n", wmSDP)
	noCL := wmCRLF("SIP/2.0 200 OK\nVia: SIP/2.0/TCP h\nCall-ID: x\nCSeq: 1 INVITE\n\n")
	folded := wmCRLF("SIP/2.0 200 OK\nVia: SIP/2.0/TCP h\nContent-Length:\n  4\n\n") + "abcd"
	long := wmCRLF("SIP/2.0 200 OK\nX-Long: " + strings.Repeat("x", 2000) + "\nContent-Length: 0\n\n")
	for _, tc := range []struct {
		name    string
		in      string
		max     int
		skip, n int
		err     error
	}{
		{name: "one message", in: msgA, max: 4096, n: len(msgA)},
		{name: "two back to back", in: msgB + msgA, max: 4096, n: len(msgB)},
		{name: "partial header", in: msgB[:40], max: 4096},
		{name: "partial body", in: msgB[:len(msgB)-1], max: 4096},
		{name: "partial last line", in: msgB[:strings.Index(msgB, "\r\n\r\n")+2], max: 4096},
		{name: "leading CRLFs", in: "\r\n\r\n\n" + msgA, max: 4096, skip: 5, n: len(msgA)},
		{name: "keep-alive only", in: "\r\n\r\n", max: 4096, skip: 4},
		{name: "empty", in: "", max: 4096},
		{name: "folded Content-Length", in: folded + msgA, max: 4096, n: len(folded)},
		{name: "Content-Length folded after the read", in: "SIP/2.0 200 OK\r\nContent-Length:\r\n", max: 4096},
		{name: "LF-only", in: "SIP/2.0 200 OK\nVia: x\nl: 2\n\nhiSIP", max: 4096, n: len("SIP/2.0 200 OK\nVia: x\nl: 2\n\nhi")},
		{name: "missing Content-Length", in: noCL, max: 4096, err: errWireNoCL},
		{name: "bad Content-Length", in: strings.Replace(msgA, "Content-Length: 0", "Content-Length: zero", 1), max: 4096, err: errWireBadCL},
		{name: "oversized header section", in: long, max: 1024, err: errWireTooLarge},
		{name: "oversized and incomplete", in: long[:1500], max: 1024, err: errWireTooLarge},
		{name: "oversized first line", in: strings.Repeat("x", 1100), max: 1024, err: errWireTooLarge},
		{name: "header section at the limit", in: long, max: len(long), n: len(long)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			skip, n, err := streamMessage([]byte(tc.in), tc.max)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if skip != tc.skip || n != tc.n {
				t.Fatalf("skip, n = %d, %d; want %d, %d", skip, n, tc.skip, tc.n)
			}
		})
	}
}

// TestStreamThenScan: framing a stream of messages (split at every byte
// offset) and scanning each gives back every message whole.
func TestStreamThenScan(t *testing.T) {
	msgs := []string{wm200, wmResp("180 Ringing", "", ""), wmResp("183 Session Progress", "", wmSDP)}
	all := "\r\n" + strings.Join(msgs, "\r\n\r\n")
	for cut := 0; cut <= len(all); cut += 7 {
		var buf []byte
		var got []string
		feed := func(p string) {
			buf = append(buf, p...)
			for {
				skip, n, err := streamMessage(buf, 4096)
				if err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				buf = buf[skip:]
				if n == 0 {
					return
				}
				msg := append([]byte(nil), buf[:n]...)
				var m wireMsg
				if err := scanMessage(msg, &m); err != nil {
					t.Fatalf("cut %d: scanning a framed message: %v", cut, err)
				}
				got = append(got, string(buf[:n]))
				buf = buf[n:]
			}
		}
		feed(all[:cut])
		feed(all[cut:])
		if len(got) != len(msgs) || len(buf) != 0 {
			t.Fatalf("cut %d: framed %d messages, %d bytes left; want %d, 0", cut, len(got), len(buf), len(msgs))
		}
		for i := range msgs {
			if !bytes.Equal([]byte(got[i]), []byte(msgs[i])) {
				t.Fatalf("cut %d: message %d = %q, want %q", cut, i, got[i], msgs[i])
			}
		}
	}
}
