package loadgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unsafe"

	"github.com/emiago/sipgo/sip"
)

// FuzzScanMessage: scanMessage and streamMessage never panic; a message
// scanMessage accepts satisfies its invariants; streamMessage frames a
// message the same whatever follows it and asks for more bytes on any
// prefix of it; and when sipgo's parser
// also accepts it as a request or response with a Call-ID, a CSeq and a Via,
// the two agree on the kind of message, the status code or method, the
// Call-ID, the CSeq number and method, the To tag and the body. The seeds
// are the table inputs and the RFC 4475 torture messages.
//
// Where the two legitimately differ, the comparison allows for it:
//   - A header that appears several times (Call-ID, CSeq, To): sipgo keeps
//     the last one, the scanner the first. Not compared then.
//   - White space: sipgo trims Unicode white space (\v, \f, \r, U+0085 ...)
//     and folds a continuation line to one space; the scanner trims SP and
//     HT (RFC 3261 LWS) and unfolds CR LF to two spaces. LWS is equivalent
//     to one space, so values are compared with white space runs collapsed.
//   - The request method: sipgo upper-cases it, the scanner keeps it as
//     written (methods are case-sensitive, RFC 3261 7.1). Compared ignoring
//     case.
//   - The CSeq method: sipgo keeps everything after the first SP or HT
//     (leading white space included); the scanner wants one token.
//   - The To tag: sipgo matches the parameter name "tag" exactly (case and
//     surrounding white space included) and keeps the value up to ';'; the
//     scanner matches the name in any case, allows LWS around '=' and ends
//     the value at ';', ',' or white space, and takes the first of repeated
//     tags where sipgo takes the last. Compared only when the header
//     parameters of To have none of these (no white space, '"' or ',', one
//     "tag" in lower case).
//   - Line ends: sipgo ends a line at CR LF only, a bare LF is part of the
//     line; the scanner also accepts a bare LF as a line end. Not compared
//     when the header section holds a bare LF.
//   - A start line whose third part starts with "SIP" and has no space
//     ("SIP/2.0 200 SIP/2.0") is a request to sipgo (method "SIP/2.0"); the
//     scanner reads a start line beginning with "SIP/" as a status line
//     (a method cannot contain '/'). Not compared.
func FuzzScanMessage(f *testing.F) {
	for _, tc := range wmCases {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte(wm200 + wmResp("180 Ringing", "", "")))
	files, _ := filepath.Glob("../sipcenter/testdata/rfc4475/*/*.dat")
	if len(files) < 40 {
		f.Fatalf("found %d RFC 4475 torture messages in sipcenter/testdata/rfc4475, want them all", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var m wireMsg
	f.Fuzz(func(t *testing.T, data []byte) {
		b := bytes.Clone(data)
		err := scanMessage(b, &m)
		for _, max := range []int{0, 64, 4096} {
			skip, n, serr := streamMessage(data, max)
			if skip < 0 || n < 0 || skip+n > len(data) || serr != nil && n != 0 {
				t.Fatalf("streamMessage(max %d) = %d, %d, %v for %d bytes", max, skip, n, serr, len(data))
			}
		}
		// A message framed in a buffer is framed the same when nothing
		// follows it, and a prefix of it asks for more bytes.
		if skip, n, serr := streamMessage(data, 4096); serr == nil && n > 0 {
			end := skip + n
			if s2, n2, e2 := streamMessage(data[:end], 4096); s2 != skip || n2 != n || e2 != nil {
				t.Fatalf("framed %d+%d, alone %d+%d (%v)", skip, n, s2, n2, e2)
			}
			for _, k := range []int{end - 1, end / 2, skip + 1} {
				if k < 0 || k >= end {
					continue
				}
				if _, n2, e2 := streamMessage(data[:k], 4096); n2 != 0 || e2 != nil {
					t.Fatalf("framed %d+%d; its prefix of %d bytes gives n %d, %v", skip, n, k, n2, e2)
				}
			}
		}
		if err != nil {
			return
		}
		wmInvariants(t, b, &m)

		if wmBareLF(data) {
			return
		}
		msg, ok := wmSipgoParse(data)
		if !ok {
			return
		}
		switch x := msg.(type) {
		case *sip.Request:
			if strings.HasPrefix(strings.ToUpper(string(x.Method)), "SIP/") {
				return // see above: "SIP/2.0 200 SIP/2.0"
			}
			if !m.request {
				t.Fatalf("sipgo reads a %s request, scanMessage a %d response", x.Method, m.status)
			}
			if !strings.EqualFold(string(m.method), string(x.Method)) {
				t.Fatalf("method %q, sipgo %q", m.method, x.Method)
			}
		case *sip.Response:
			if m.request {
				t.Fatalf("sipgo reads a %d response, scanMessage a %s request", x.StatusCode, m.method)
			}
			if m.status != x.StatusCode {
				t.Fatalf("status %d, sipgo %d", m.status, x.StatusCode)
			}
		}
		if len(msg.GetHeaders("Call-ID")) == 1 {
			if got, want := wmLWS(m.callID), wmLWS([]byte(*msg.CallID())); got != want {
				t.Fatalf("Call-ID %q, sipgo %q", got, want)
			}
		}
		if len(msg.GetHeaders("CSeq")) == 1 {
			cs := msg.CSeq()
			if m.cseq != cs.SeqNo || wmLWS(m.cseqMethod) != wmLWS([]byte(cs.MethodName)) {
				t.Fatalf("CSeq %d %q, sipgo %d %q", m.cseq, m.cseqMethod, cs.SeqNo, cs.MethodName)
			}
		}
		if to := msg.To(); to != nil && len(msg.GetHeaders("To")) == 1 && wmPlainParams(m.to) {
			tag, ok := to.Params.Get("tag")
			if ok != (m.toTag != nil) || ok && tag != string(m.toTag) {
				t.Fatalf("To %q: tag %q (%v), sipgo %q (%v)", m.to, m.toTag, m.toTag != nil, tag, ok)
			}
		}
		if !bytes.Equal(m.body, msg.Body()) {
			t.Fatalf("body %q, sipgo %q", m.body, msg.Body())
		}
	})
}

// wmSipgoParse parses data with sipgo; ok is false unless it is a request
// or response with a Call-ID, a CSeq and a Via.
func wmSipgoParse(data []byte) (msg sip.Message, ok bool) {
	defer func() {
		if recover() != nil { // sipgo's problem, not the scanner's
			msg, ok = nil, false
		}
	}()
	msg, err := sip.ParseMessage(bytes.Clone(data))
	if err != nil || msg == nil {
		return nil, false
	}
	return msg, msg.CallID() != nil && msg.CSeq() != nil && msg.Via() != nil
}

// wmInvariants checks what scanMessage promises of a message it accepted.
func wmInvariants(t *testing.T, b []byte, m *wireMsg) {
	t.Helper()
	if m.request {
		if len(m.method) == 0 || len(m.ruri) == 0 || m.status != 0 {
			t.Fatalf("request with method %q, URI %q, status %d", m.method, m.ruri, m.status)
		}
	} else if m.status < 100 || m.status > 699 {
		t.Fatalf("response with status %d", m.status)
	}
	if len(m.callID) == 0 || len(m.cseqMethod) == 0 || len(m.vias) == 0 || m.cseq > 1<<31-1 {
		t.Fatalf("accepted with Call-ID %q, CSeq %d %q, %d Via", m.callID, m.cseq, m.cseqMethod, len(m.vias))
	}
	fields := [][]byte{m.method, m.ruri, m.reason, m.callID, m.cseqMethod, m.from, m.to, m.toTag, m.branch, m.contact,
		m.wwwAuth, m.proxyAuth, m.contentType, m.body}
	fields = append(fields, m.vias...)
	fields = append(fields, m.recordRoutes...)
	for _, f := range fields {
		if len(f) > 0 && !wmWithin(b, f) {
			t.Fatalf("field %q does not alias the scanned buffer", f)
		}
	}
	for _, e := range append(append([][]byte(nil), m.vias...), m.recordRoutes...) {
		if len(e) == 0 || len(bytes.TrimLeft(e, " \t")) != len(e) || len(bytes.TrimRight(e, " \t")) != len(e) {
			t.Fatalf("entry %q empty or not trimmed", e)
		}
	}
	if m.toTag != nil && !bytes.Contains(bytes.ToLower(m.to), []byte("tag")) {
		t.Fatalf("tag %q found in To %q", m.toTag, m.to)
	}
}

// wmWithin reports whether f lies inside b's memory.
func wmWithin(b, f []byte) bool {
	lo, hi := uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(unsafe.Pointer(unsafe.SliceData(f)))
	return hi >= lo && hi+uintptr(len(f)) <= lo+uintptr(len(b))
}

// wmBareLF reports whether the header section of data (up to the first
// CR LF CR LF) holds an LF without a CR before it.
func wmBareLF(data []byte) bool {
	h := data
	if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
		h = data[:i+4]
	}
	for i, c := range h {
		if c == '\n' && (i == 0 || h[i-1] != '\r') {
			return true
		}
	}
	return false
}

// wmLWS collapses runs of white space to one space and trims the ends.
func wmLWS(b []byte) string { return strings.Join(strings.FieldsFunc(string(b), unicode.IsSpace), " ") }

// wmPlainParams reports whether the header parameters of the To value v
// are plain enough for sipgo and the scanner to read the tag the same way
// (see FuzzScanMessage).
func wmPlainParams(v []byte) bool {
	p := v
	if i := bytes.LastIndexByte(v, '>'); i >= 0 {
		if bytes.Count(v, []byte("<")) != 1 || bytes.Count(v, []byte(">")) != 1 || !bytes.Contains(v[:i], []byte("<")) {
			return false // not one <...> pair: malformed, read differently
		}
		p = v[i+1:]
	} else if bytes.ContainsAny(v, "<\"") {
		return false
	}
	if bytes.ContainsAny(p, " \t\r\n\v\f\",<>") || strings.Count(strings.ToLower(string(p)), "tag") > strings.Count(string(p), ";tag=") {
		return false
	}
	for _, param := range strings.Split(string(p), ";") {
		// A value holding "=" is no token (RFC 3261 25.1): scanMessage
		// keeps it whole, sipgo drops the parameter; neither is wrong.
		if strings.Count(param, "=") > 1 {
			return false
		}
	}
	return strings.Count(string(p), ";tag=") <= 1
}
