package loadgen

// The fast call path's SIP message scanner. The fast path reads and writes
// SIP itself instead of going through sipgo's parser and transaction layer;
// it only needs a handful of header values of each message (the dialog and
// transaction identifiers, the status, the route set, the authentication
// challenge, the body). scanMessage finds them in place, without copying and
// without allocating once a wireMsg's slices have grown: every field aliases
// the scanned buffer. streamMessage frames messages on a stream transport
// (TCP, TLS) by their Content-Length.
//
// The scanner is lenient where leniency costs nothing (bare LF line ends,
// header folding, compact header names, any letter case in header names and
// parameter names, whitespace around '=') and strict where a wrong guess
// would mislead a call (a start line it cannot read, a CSeq or
// Content-Length that is not a number, a body shorter than announced,
// conflicting Content-Length values, a missing Call-ID, CSeq or Via).

import (
	"bytes"
	"errors"
	"fmt"
)

// wireMsg is a SIP message scanned in place: every []byte field aliases the
// scanned buffer (valid until the buffer is reused). A zero wireMsg is ready;
// scanMessage resets it and reuses its slices' backing arrays.
type wireMsg struct {
	request      bool
	method       []byte   // request: method (as written, e.g. "BYE")
	ruri         []byte   // request: Request-URI
	status       int      // response: status code (100..699)
	reason       []byte   // response: reason phrase
	callID       []byte   // Call-ID value (trimmed)
	cseq         uint32   // CSeq number
	cseqMethod   []byte   // CSeq method
	from, to     []byte   // raw From / To header values (trimmed), as written
	toTag        []byte   // the tag parameter of To (nil when none)
	vias         [][]byte // every Via entry in order, raw value, trimmed; a comma-joined Via line gives several entries
	branch       []byte   // the branch parameter of the top Via (nil when none)
	contact      []byte   // the URI of the first Contact entry: inside < > if present, else up to the first ';' (trimmed); nil if none or "*"
	recordRoutes [][]byte // every Record-Route entry in order, raw (e.g. "<sip:p1.example.com;lr>"), comma-joined values split into entries
	wwwAuth      []byte   // first WWW-Authenticate value
	proxyAuth    []byte   // first Proxy-Authenticate value
	contentType  []byte
	body         []byte // the body: Content-Length bytes after the blank line (the rest of the datagram when there is no Content-Length)
}

// reset empties m, keeping the backing arrays of its slices.
func (m *wireMsg) reset() {
	vias, rrs := m.vias[:0], m.recordRoutes[:0]
	*m = wireMsg{vias: vias, recordRoutes: rrs}
}

// The errors of the scanner. They are fixed values so that rejecting a
// message costs no allocation either; the wrapping error names the place.
var (
	errWireEmpty         = errors.New("empty message (no start line)")
	errWireStartLine     = errors.New("start line is neither a SIP request line nor a status line")
	errWireVersion       = errors.New("SIP version is not SIP/2.0")
	errWireStatus        = errors.New("status code is not a number in 100..699")
	errWireNoHeaderEnd   = errors.New("no blank line ends the header section")
	errWireHeaderLine    = errors.New("header line without a ':'")
	errWireNoCallID      = errors.New("no Call-ID")
	errWireNoCSeq        = errors.New("no CSeq")
	errWireBadCSeq       = errors.New("CSeq is not \"number method\" with a number below 2^31")
	errWireNoVia         = errors.New("no Via")
	errWireBadCL         = errors.New("Content-Length is not a number")
	errWireConflictingCL = errors.New("Content-Length headers disagree")
	errWireTruncated     = errors.New("body shorter than its Content-Length")
	errWireNoCL          = errors.New("no Content-Length (required on a stream transport, RFC 3261 18.3)")
	errWireTooLarge      = errors.New("header section larger than the limit")
)

// wireError is a scanner error with the offset where it was found (it
// allocates, but only on the error path).
type wireError struct {
	off int
	err error
}

func (e *wireError) Error() string {
	return fmt.Sprintf("SIP message at byte %d: %v", e.off, e.err)
}

func (e *wireError) Unwrap() error { return e.err }

func wireErr(off int, err error) error { return &wireError{off: off, err: err} }

// The headers the scanner looks at.
const (
	hdrOther = iota
	hdrCallID
	hdrCSeq
	hdrVia
	hdrFrom
	hdrTo
	hdrContact
	hdrRecordRoute
	hdrWWWAuth
	hdrProxyAuth
	hdrContentType
	hdrContentLength
)

// lowerASCII returns c in lower case if it is an ASCII upper-case letter.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold reports whether b equals the lower-case ASCII string s, ignoring
// the case of b's letters.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		if lowerASCII(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// headerKind identifies a header name (full or compact form, any case).
func headerKind(name []byte) int {
	switch len(name) {
	case 1:
		switch lowerASCII(name[0]) {
		case 'i':
			return hdrCallID
		case 'v':
			return hdrVia
		case 'f':
			return hdrFrom
		case 't':
			return hdrTo
		case 'm':
			return hdrContact
		case 'l':
			return hdrContentLength
		case 'c':
			return hdrContentType
		}
	case 2:
		if equalFold(name, "to") {
			return hdrTo
		}
	case 3:
		if equalFold(name, "via") {
			return hdrVia
		}
	case 4:
		switch {
		case equalFold(name, "cseq"):
			return hdrCSeq
		case equalFold(name, "from"):
			return hdrFrom
		}
	case 7:
		switch {
		case equalFold(name, "call-id"):
			return hdrCallID
		case equalFold(name, "contact"):
			return hdrContact
		}
	case 12:
		switch {
		case equalFold(name, "record-route"):
			return hdrRecordRoute
		case equalFold(name, "content-type"):
			return hdrContentType
		}
	case 14:
		if equalFold(name, "content-length") {
			return hdrContentLength
		}
	case 16:
		if equalFold(name, "www-authenticate") {
			return hdrWWWAuth
		}
	case 18:
		if equalFold(name, "proxy-authenticate") {
			return hdrProxyAuth
		}
	}
	return hdrOther
}

func isWS(c byte) bool { return c == ' ' || c == '\t' }

// trimWS trims spaces and tabs (LWS once unfolded) from both ends of b.
func trimWS(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isWS(b[i]) {
		i++
	}
	for j > i && isWS(b[j-1]) {
		j--
	}
	return b[i:j]
}

// indexLF returns the index of the first LF of b at or after from, or -1.
func indexLF(b []byte, from int) int {
	if i := bytes.IndexByte(b[from:], '\n'); i >= 0 {
		return from + i
	}
	return -1
}

// logicalLine finds the line starting at pos together with the folded
// continuation lines after it (lines starting with SP or HT). It returns
// end, the end of its content (its last CR LF or LF excluded), and next, the
// position after its line end; ok is false when no LF ends it. With unfold,
// the line ends inside the logical line are overwritten with spaces.
func logicalLine(b []byte, pos int, unfold bool) (end, next int, ok bool) {
	for {
		i := indexLF(b, pos)
		if i < 0 {
			return 0, 0, false
		}
		end, next = i, i+1
		if end > pos && b[end-1] == '\r' {
			end--
		}
		if end == pos || next >= len(b) || !isWS(b[next]) {
			// No continuation. An empty line never continues: it
			// ends the header section, whatever follows.
			return end, next, true
		}
		if unfold {
			for k := end; k < next; k++ {
				b[k] = ' '
			}
		}
		pos = next
	}
}

// parseDecimal parses a run of ASCII digits of at most 10 digits; ok is
// false for an empty run, another byte or a value above max.
func parseDecimal(b []byte, max uint64) (v uint64, ok bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, v <= max
}

// isToken reports whether b is a non-empty RFC 3261 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '!', c == '%', c == '*', c == '_', c == '+', c == '`', c == '\'', c == '~':
		default:
			return false
		}
	}
	return true
}

// isSIP20 reports whether b is the SIP version "SIP/2.0" (the protocol name
// in any case).
func isSIP20(b []byte) bool { return equalFold(b, "sip/2.0") }

// scanStartLine reads the request line or status line into m.
func scanStartLine(line []byte, m *wireMsg) error {
	sp := -1
	for i, c := range line {
		if c == ' ' {
			sp = i
			break
		}
	}
	if sp <= 0 {
		return errWireStartLine
	}
	first := line[:sp]
	if len(first) >= 4 && equalFold(first[:4], "sip/") {
		// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
		if !isSIP20(first) {
			return errWireVersion
		}
		rest := line[sp+1:]
		if len(rest) < 3 || len(rest) > 3 && rest[3] != ' ' {
			return errWireStatus
		}
		code, ok := parseDecimal(rest[:3], 699)
		if !ok || code < 100 {
			return errWireStatus
		}
		m.status = int(code)
		if len(rest) > 3 {
			m.reason = rest[4:]
		} else {
			m.reason = rest[3:]
		}
		return nil
	}
	// Request-Line = Method SP Request-URI SP SIP-Version
	if !isToken(first) {
		return errWireStartLine
	}
	last := -1
	for i := len(line) - 1; i > sp; i-- {
		if line[i] == ' ' {
			last = i
			break
		}
	}
	if last < 0 {
		return errWireStartLine
	}
	if !isSIP20(line[last+1:]) {
		return errWireVersion
	}
	ruri := line[sp+1 : last]
	if len(ruri) == 0 {
		return errWireStartLine
	}
	for _, c := range ruri {
		if c <= ' ' || c == 0x7f {
			return errWireStartLine
		}
	}
	m.request = true
	m.method = first
	m.ruri = ruri
	return nil
}

// scanMessage scans the complete SIP message b (a datagram, or a message
// framed by streamMessage) into m. It returns an error (never panics) for a
// message it cannot use: no start line, bad status code or SIP version,
// missing Call-ID, CSeq or Via, bad CSeq, Content-Length larger than the
// bytes present or not a number.
//
// scanMessage modifies b: folded header lines are unfolded in place (their
// CR and LF bytes become spaces). Leading CR/LF bytes are skipped. When a
// header that m holds once (Call-ID, CSeq, From, To, Contact, ...) appears
// several times, the first one counts.
func scanMessage(b []byte, m *wireMsg) error {
	m.reset()
	pos := 0
	for pos < len(b) && (b[pos] == '\r' || b[pos] == '\n') {
		pos++
	}
	if pos == len(b) {
		return wireErr(pos, errWireEmpty)
	}
	i := indexLF(b, pos)
	if i < 0 {
		return wireErr(pos, errWireNoHeaderEnd)
	}
	end := i
	if end > pos && b[end-1] == '\r' {
		end--
	}
	if err := scanStartLine(b[pos:end], m); err != nil {
		return wireErr(pos, err)
	}
	pos = i + 1

	var (
		haveCallID, haveCSeq, haveFrom, haveTo, haveContact bool
		haveCL                                              bool
		cl                                                  uint64
	)
	for {
		end, next, ok := logicalLine(b, pos, true)
		if !ok {
			return wireErr(pos, errWireNoHeaderEnd)
		}
		if end == pos {
			pos = next
			break
		}
		line := b[pos:end]
		colon := -1
		for k, c := range line {
			if c == ':' {
				colon = k
				break
			}
		}
		if colon < 0 {
			return wireErr(pos, errWireHeaderLine)
		}
		value := trimWS(line[colon+1:])
		switch headerKind(trimWS(line[:colon])) {
		case hdrCallID:
			if !haveCallID && len(value) > 0 {
				haveCallID = true
				m.callID = value
			}
		case hdrCSeq:
			if !haveCSeq {
				if !scanCSeq(value, m) {
					return wireErr(pos, errWireBadCSeq)
				}
				haveCSeq = true
			}
		case hdrVia:
			m.vias = splitEntries(value, m.vias)
		case hdrFrom:
			if !haveFrom {
				haveFrom = true
				m.from = value
			}
		case hdrTo:
			if !haveTo {
				haveTo = true
				m.to = value
				m.toTag = headerParam(value, "tag", true)
			}
		case hdrContact:
			if !haveContact {
				haveContact = true
				m.contact = contactURI(value)
			}
		case hdrRecordRoute:
			m.recordRoutes = splitEntries(value, m.recordRoutes)
		case hdrWWWAuth:
			if m.wwwAuth == nil {
				m.wwwAuth = value
			}
		case hdrProxyAuth:
			if m.proxyAuth == nil {
				m.proxyAuth = value
			}
		case hdrContentType:
			if m.contentType == nil {
				m.contentType = value
			}
		case hdrContentLength:
			v, ok := parseDecimal(value, 1<<31-1)
			if !ok {
				return wireErr(pos, errWireBadCL)
			}
			if haveCL && v != cl {
				return wireErr(pos, errWireConflictingCL)
			}
			haveCL, cl = true, v
		}
		pos = next
	}
	if !haveCallID {
		return wireErr(pos, errWireNoCallID)
	}
	if !haveCSeq {
		return wireErr(pos, errWireNoCSeq)
	}
	if len(m.vias) == 0 {
		return wireErr(pos, errWireNoVia)
	}
	m.branch = headerParam(m.vias[0], "branch", false)
	if haveCL {
		if cl > uint64(len(b)-pos) {
			return wireErr(pos, errWireTruncated)
		}
		m.body = b[pos : pos+int(cl)]
	} else {
		m.body = b[pos:]
	}
	return nil
}

// scanCSeq reads "number LWS method" into m.
func scanCSeq(v []byte, m *wireMsg) bool {
	sp := 0
	for sp < len(v) && !isWS(v[sp]) {
		sp++
	}
	n, ok := parseDecimal(v[:sp], 1<<31-1)
	if !ok {
		return false
	}
	method := trimWS(v[sp:])
	if !isToken(method) {
		return false
	}
	m.cseq = uint32(n)
	m.cseqMethod = method
	return true
}

// skipQuoted returns the position after the quoted string starting at the
// '"' at b[i] (len(b) if it is not closed).
func skipQuoted(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// nextComma returns the index of the first ',' of b at or after i that is
// neither inside <...> nor inside a quoted string, or len(b).
func nextComma(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case '"':
			i = skipQuoted(b, i)
			continue
		case '<':
			for i < len(b) && b[i] != '>' {
				i++
			}
		case ',':
			return i
		}
		i++
	}
	return len(b)
}

// splitEntries appends the comma-separated entries of the header value v
// to dst, trimmed; empty entries are left out.
func splitEntries(v []byte, dst [][]byte) [][]byte {
	for i := 0; i <= len(v); {
		j := nextComma(v, i)
		if e := trimWS(v[i:j]); len(e) > 0 {
			dst = append(dst, e)
		}
		i = j + 1
	}
	return dst
}

// contactURI returns the URI of the first entry of a Contact value: the
// part inside < > if there is one, else the part before the first ';'. It
// returns nil for "*" and for an entry it cannot read (an unclosed '<').
func contactURI(v []byte) []byte {
	e := trimWS(v[:nextComma(v, 0)])
	if len(e) == 0 || len(e) == 1 && e[0] == '*' {
		return nil
	}
	for i := 0; i < len(e); {
		switch e[i] {
		case '"':
			i = skipQuoted(e, i)
			continue
		case '<':
			for j := i + 1; j < len(e); j++ {
				if e[j] == '>' {
					return trimWS(e[i+1 : j])
				}
			}
			return nil
		case ';':
			return trimWS(e[:i])
		}
		i++
	}
	return e
}

// headerParam returns the value of the header parameter name (lower case;
// matched in any case) of the entry v, or nil when it has none. For an
// address (To, From), the parameters are those after the closing '>' or,
// without brackets, after the URI; otherwise (Via) those after the first
// ';'. A value runs up to ';', ',', whitespace or the end; a parameter
// without '=' has an empty value.
func headerParam(v []byte, name string, addr bool) []byte {
	i := 0
	// Find the first ';' that starts the header parameters.
	for i < len(v) {
		c := v[i]
		if c == ';' {
			break
		}
		if addr && c == '"' {
			i = skipQuoted(v, i)
			continue
		}
		if addr && c == '<' {
			for i < len(v) && v[i] != '>' {
				i++
			}
		}
		i++
	}
	for i < len(v) && v[i] == ';' {
		i++
		for i < len(v) && isWS(v[i]) {
			i++
		}
		ns := i
		for i < len(v) && v[i] != '=' && v[i] != ';' && v[i] != ',' && !isWS(v[i]) {
			i++
		}
		pname := v[ns:i]
		for i < len(v) && isWS(v[i]) {
			i++
		}
		var val []byte
		if i < len(v) && v[i] == '=' {
			i++
			for i < len(v) && isWS(v[i]) {
				i++
			}
			vs := i
			if i < len(v) && v[i] == '"' {
				i = skipQuoted(v, i)
			} else {
				for i < len(v) && v[i] != ';' && v[i] != ',' && !isWS(v[i]) {
					i++
				}
			}
			val = v[vs:i]
		} else {
			val = v[i:i]
		}
		if equalFold(pname, name) {
			return val
		}
		// Skip to the next parameter; a ',' ends the entry.
		for i < len(v) && v[i] != ';' {
			if v[i] == ',' {
				return nil
			}
			if v[i] == '"' {
				i = skipQuoted(v, i)
				continue
			}
			i++
		}
	}
	return nil
}

// streamMessage finds the first complete message in a stream buffer (TCP,
// TLS). It returns skip, the number of leading CR/LF keep-alive bytes to
// drop, and n, the length of the message after them (0: more bytes are
// needed). A message whose header section exceeds max bytes, or with a
// missing or bad Content-Length (required on streams, RFC 3261 18.3), is an
// error. It does not modify b and does not check the message otherwise
// (scanMessage does).
func streamMessage(b []byte, max int) (skip, n int, err error) {
	for skip < len(b) && (b[skip] == '\r' || b[skip] == '\n') {
		skip++
	}
	rest := b[skip:]
	if len(rest) == 0 {
		return skip, 0, nil
	}
	i := indexLF(rest, 0)
	if i < 0 {
		if len(rest) > max {
			return skip, 0, wireErr(skip, errWireTooLarge)
		}
		return skip, 0, nil
	}
	pos := i + 1
	var (
		haveCL bool
		cl     uint64
	)
	for {
		if pos > max {
			return skip, 0, wireErr(skip, errWireTooLarge)
		}
		end, next, ok := logicalLine(rest, pos, false)
		if ok && end > pos && next == len(rest) {
			// The next bytes may continue this header line (folding):
			// read it once they are here.
			ok = false
		}
		if !ok {
			if len(rest) > max {
				return skip, 0, wireErr(skip, errWireTooLarge)
			}
			return skip, 0, nil
		}
		if end == pos {
			pos = next
			break
		}
		line := rest[pos:end]
		colon := -1
		for k, c := range line {
			if c == ':' {
				colon = k
				break
			}
		}
		if colon < 0 {
			return skip, 0, wireErr(skip+pos, errWireHeaderLine)
		}
		if headerKind(trimWS(line[:colon])) == hdrContentLength {
			v, ok := parseDecimal(trimLWS(line[colon+1:]), 1<<31-1)
			if !ok {
				return skip, 0, wireErr(skip+pos, errWireBadCL)
			}
			if haveCL && v != cl {
				return skip, 0, wireErr(skip+pos, errWireConflictingCL)
			}
			haveCL, cl = true, v
		}
		pos = next
	}
	if pos > max {
		return skip, 0, wireErr(skip, errWireTooLarge)
	}
	if !haveCL {
		return skip, 0, wireErr(skip, errWireNoCL)
	}
	if cl > uint64(len(rest)-pos) {
		return skip, 0, nil
	}
	return skip, pos + int(cl), nil
}

// trimLWS trims spaces, tabs, CR and LF (a folded value not unfolded) from
// both ends of b.
func trimLWS(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && (isWS(b[i]) || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	for j > i && (isWS(b[j-1]) || b[j-1] == '\r' || b[j-1] == '\n') {
		j--
	}
	return b[i:j]
}
