package sipcenter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Limits that keep the center from being turned against others or itself.
// Each has a Config field; these are the defaults Start applies.
const (
	// DefaultMaxWait is how long a caller may wait in a queue (wall
	// time) before the center gives up on it: 480 Temporarily
	// Unavailable, counted as abandoned (and in Stats.Expired). Without it a
	// caller that vanished without a CANCEL would wait, and hold its early
	// media, for ever when the trunks are unlimited.
	DefaultMaxWait = 10 * time.Minute
	// DefaultEarlyMediaMax bounds the early media a single waiting caller
	// gets (wall time); the caller then waits on in silence.
	DefaultEarlyMediaMax = time.Minute
	// DefaultTCPIdle closes a TCP connection that carries no call and has
	// sent nothing for this long.
	DefaultTCPIdle = 30 * time.Second
	// DefaultTCPHeaderTimeout closes a TCP connection whose message has
	// begun and not reached the blank line ending its header in this time
	// (a slow sender holding the connection with a trickle of bytes).
	DefaultTCPHeaderTimeout = 10 * time.Second
	// DefaultTCPBuffer caps the bytes a TCP connection may send without a
	// blank line (the end of a header): a message's header and the body of
	// the one before it. SIP messages are far smaller; sipgo's parser takes
	// at most 64 KiB a message.
	DefaultTCPBuffer = 32 << 10
	// DefaultMaxConns caps the TCP connections open at once; the next ones
	// are closed as soon as they are accepted.
	DefaultMaxConns = 1024
	// maxUserParts caps the distinct Request-URI user parts counted in
	// Stats.Queues (simple mode answers them all); the others are counted
	// under otherUserParts.
	maxUserParts   = 64
	otherUserParts = "(other)"
	// logBurst log records with the same message are written per
	// logInterval; the rest are counted and reported once the interval is
	// over.
	logBurst    = 10
	logInterval = 10 * time.Second
)

// countUserPart counts an offered call's Request-URI user part, up to
// maxUserParts distinct ones; the caller holds a.mu.
func (a *acd) countUserPart(user string) {
	if _, ok := a.userParts[user]; ok || len(a.userParts) < maxUserParts {
		a.userParts[user]++
		return
	}
	a.userParts[otherUserParts]++
}

// checkRequest is the check every request goes through before its handler:
// a Call-ID and a CSeq whose method is the request's (RFC 3261 8.1.1.5,
// 20.16). It answers a bad request 400 (an ACK is dropped: it has no
// response) and returns false.
func (s *Server) checkRequest(req *sip.Request, tx sip.ServerTransaction) bool {
	var why string
	cid, cseq := req.CallID(), req.CSeq()
	switch {
	case cid == nil || cid.Value() == "":
		why = "Missing Call-ID"
	case cseq == nil:
		why = "Missing CSeq"
	case cseq.MethodName != req.Method:
		why = fmt.Sprintf("CSeq method %s does not match the request's %s", cseq.MethodName, req.Method)
	default:
		return true
	}
	s.log.Debug("bad request", "method", req.Method, "source", req.Source(), "reason", why)
	if !req.IsAck() {
		s.respond(tx, req, sip.StatusBadRequest, "Bad Request ("+why+")")
	}
	return false
}

// checked wraps a request handler with checkRequest.
func (s *Server) checked(h func(*sip.Request, sip.ServerTransaction)) func(*sip.Request, sip.ServerTransaction) {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if s.checkRequest(req, tx) {
			h(req, tx)
		}
	}
}

// reInvite answers an INVITE within a dialog: 200 with the SDP the center
// already answered (the session does not change) once the call is
// answered, 500 with Retry-After while the first INVITE is pending (RFC
// 3261 14.2), 481 for a dialog the center does not know.
func (s *Server) reInvite(req *sip.Request, tx sip.ServerTransaction) {
	c := s.lookup(req)
	if c == nil {
		s.respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	if !c.confirmed.Load() {
		s.respond(tx, req, sip.StatusInternalServerError, "Server Internal Error (the first INVITE is pending)",
			sip.NewHeader("Retry-After", "1"))
		return
	}
	sdp := s.sdp
	if c.media != nil {
		sdp = c.media.answer
	}
	ok := sip.NewSDPResponseFromRequest(req, sdp)
	ok.AppendHeader(sip.HeaderClone(&s.contact))
	if err := tx.Respond(ok); err != nil {
		s.log.Debug("re-INVITE 200 not sent", "call", c.id, "error", err)
	}
}

// ownAddr says whether ap is one of the center's own sockets: its SIP port
// or an RTP port it holds, on its own address (or any loopback address
// when the center listens on loopback or on every address).
func (s *Server) ownAddr(ap netip.AddrPort) bool {
	ip := ap.Addr().Unmap()
	own := s.mediaIP
	if !own.IsValid() {
		own, _ = netip.ParseAddr(s.host)
		own = own.Unmap()
	}
	local := ip == own || (ip.IsLoopback() && (own.IsLoopback() || own.IsUnspecified())) || (own.IsUnspecified() && ip.IsUnspecified())
	if !local {
		return false
	}
	if int(ap.Port()) == s.sipPort {
		return true
	}
	return s.ports != nil && s.ports.Holds(int(ap.Port()))
}

// signalledFrom says whether the media address ip is the address the
// INVITE came from (UDP: its datagram's source; TCP: the connection's
// peer), so that early media goes only to a peer that asked for it.
func signalledFrom(req *sip.Request, ip netip.Addr) bool {
	src, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return false
	}
	return src.Addr().Unmap() == ip.Unmap()
}

// rateLimited is a slog.Handler that writes at most logBurst records with
// the same message per logInterval, and then one record saying how many it
// dropped. A flood of bad input (RTP sent to the SIP port, garbage over
// TCP) is logged, not written out line by line.
type rateLimited struct {
	next  slog.Handler
	state *logState
}

type logState struct {
	mu   sync.Mutex
	msgs map[string]*logCount
}

type logCount struct {
	start   time.Time
	n       int
	dropped int
	level   slog.Level
}

// maxLogKeys bounds the messages tracked at once (they come from code, so
// few; an attacker cannot make new ones, but the bound is cheap).
const maxLogKeys = 1024

func newRateLimited(h slog.Handler) *rateLimited {
	return &rateLimited{next: h, state: &logState{msgs: map[string]*logCount{}}}
}

func (h *rateLimited) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *rateLimited) WithAttrs(as []slog.Attr) slog.Handler {
	return &rateLimited{next: h.next.WithAttrs(as), state: h.state}
}

func (h *rateLimited) WithGroup(name string) slog.Handler {
	return &rateLimited{next: h.next.WithGroup(name), state: h.state}
}

func (h *rateLimited) Handle(ctx context.Context, r slog.Record) error {
	now := r.Time
	if now.IsZero() {
		now = time.Now()
	}
	st := h.state
	st.mu.Lock()
	c := st.msgs[r.Message]
	var report int
	var reportLevel slog.Level
	switch {
	case c == nil:
		if len(st.msgs) >= maxLogKeys {
			for k, v := range st.msgs {
				if now.Sub(v.start) >= logInterval && v.dropped == 0 {
					delete(st.msgs, k)
				}
			}
		}
		c = &logCount{start: now}
		st.msgs[r.Message] = c
	case now.Sub(c.start) >= logInterval:
		report, reportLevel = c.dropped, c.level
		c.start, c.n, c.dropped = now, 0, 0
	}
	c.n++
	if c.n > logBurst {
		c.dropped++
		c.level = max(c.level, r.Level)
		st.mu.Unlock()
		return nil
	}
	st.mu.Unlock()
	if report > 0 {
		sum := slog.NewRecord(now, reportLevel, "log records dropped (rate limit)", 0)
		sum.AddAttrs(slog.String("message", r.Message), slog.Int("dropped", report), slog.Duration("interval", logInterval))
		if err := h.next.Handle(ctx, sum); err != nil {
			return err
		}
	}
	return h.next.Handle(ctx, r)
}

// guardListener enforces the TCP limits: MaxConns at once, and on each
// connection the idle timeout, the header timeout and the buffer cap.
type guardListener struct {
	net.Listener
	s    *Server
	open atomic.Int64
}

func (l *guardListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > int64(l.s.cfg.MaxConns) {
			l.open.Add(-1)
			l.s.refusedConns.Add(1)
			l.s.log.Warn("TCP connection refused: connection limit reached", "peer", c.RemoteAddr().String(), "limit", l.s.cfg.MaxConns)
			_ = c.Close()
			continue
		}
		return &guardConn{Conn: c, l: l, peer: c.RemoteAddr().String()}, nil
	}
}

// errGuard is returned by a guarded connection's Read when it closes the
// connection; sipgo then drops the connection.
var errGuard = errors.New("connection closed by the center's limits")

type guardConn struct {
	net.Conn
	l    *guardListener
	peer string
	// Reads happen on sipgo's one reading goroutine: no lock.
	hdr      []byte    // the header read so far of the message begun
	bodyLeft int       // bytes of the current message's body still to come
	started  time.Time // when the current message began (zero: between messages)
	closeOne sync.Once
}

func (c *guardConn) Read(b []byte) (int, error) {
	s := c.l.s
	for {
		deadline := time.Now().Add(s.cfg.TCPIdle)
		if !c.started.IsZero() {
			deadline = c.started.Add(s.cfg.TCPHeaderTimeout)
		}
		_ = c.Conn.SetReadDeadline(deadline)
		n, err := c.Conn.Read(b)
		if n > 0 {
			if gerr := c.account(b[:n]); gerr != nil {
				return 0, gerr
			}
			return n, nil
		}
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			if !c.started.IsZero() {
				s.log.Info("TCP connection closed: message not completed in time", "peer", c.peer, "timeout", s.cfg.TCPHeaderTimeout)
				s.closedConns.Add(1)
				return 0, errGuard
			}
			if s.callsFrom(c.peer) > 0 {
				continue // a call in progress: the connection is quiet, not idle
			}
			s.log.Info("TCP connection closed: idle", "peer", c.peer, "timeout", s.cfg.TCPIdle)
			s.closedConns.Add(1)
			return 0, errGuard
		}
		return n, err
	}
}

var blankLine = []byte("\r\n\r\n")

// account follows the message boundaries in p: a header up to its blank
// line, then Content-Length bytes of body. Keep-alive CRLFs between
// messages (RFC 5626) are skipped.
func (c *guardConn) account(p []byte) error {
	s := c.l.s
	for len(p) > 0 {
		if c.bodyLeft > 0 {
			k := min(c.bodyLeft, len(p))
			c.bodyLeft -= k
			p = p[k:]
			if c.bodyLeft == 0 {
				c.started = time.Time{}
			}
			continue
		}
		if len(c.hdr) == 0 {
			p = bytes.TrimLeft(p, "\r\n")
			if len(p) == 0 {
				break
			}
			if c.started.IsZero() {
				c.started = time.Now()
			}
		}
		from := max(0, len(c.hdr)-3)
		c.hdr = append(c.hdr, p...)
		i := bytes.Index(c.hdr[from:], blankLine)
		if i < 0 {
			if len(c.hdr) > s.cfg.TCPBuffer {
				s.log.Info("TCP connection closed: header longer than the buffer cap", "peer", c.peer, "limit", s.cfg.TCPBuffer)
				s.closedConns.Add(1)
				return errGuard
			}
			break
		}
		end := from + i + len(blankLine)
		c.bodyLeft = contentLength(c.hdr[:end])
		p = c.hdr[end:]
		c.hdr = nil
		if c.bodyLeft == 0 {
			c.started = time.Time{}
		}
	}
	return nil
}

// contentLength reads a header's Content-Length (or its compact form l),
// 0 when absent or unreadable (sipgo's parser then judges the message).
func contentLength(hdr []byte) int {
	for line := range bytes.SplitSeq(hdr, []byte("\r\n")) {
		name, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		name = bytes.TrimSpace(name)
		if !bytes.EqualFold(name, []byte("content-length")) && !bytes.EqualFold(name, []byte("l")) {
			continue
		}
		n := 0
		for _, ch := range bytes.TrimSpace(val) {
			if ch < '0' || ch > '9' {
				return 0
			}
			n = min(n*10+int(ch-'0'), sip.ParseMaxMessageLength)
		}
		return n
	}
	return 0
}

func (c *guardConn) Close() error {
	err := c.Conn.Close()
	c.closeOne.Do(func() { c.l.open.Add(-1) })
	return err
}

// holdSource counts a call in progress from src (a TCP connection's
// peer), so that its connection is not closed as idle; the returned
// function ends it.
func (s *Server) holdSource(src string) func() {
	s.srcMu.Lock()
	s.srcCalls[src]++
	s.srcMu.Unlock()
	return func() {
		s.srcMu.Lock()
		if s.srcCalls[src]--; s.srcCalls[src] <= 0 {
			delete(s.srcCalls, src)
		}
		s.srcMu.Unlock()
	}
}

func (s *Server) callsFrom(src string) int {
	s.srcMu.Lock()
	defer s.srcMu.Unlock()
	return s.srcCalls[src]
}

// GuardStats counts what the center's limits did.
type GuardStats struct {
	// Expired callers reached the maximum wait (also counted abandoned).
	Expired uint64 `json:"expired"`
	// ConnsRefused: TCP connections closed at accept (connection limit);
	// ConnsClosed: TCP connections closed as idle, slow or oversized.
	ConnsRefused uint64 `json:"tcp_conns_refused"`
	ConnsClosed  uint64 `json:"tcp_conns_closed"`
	// MediaRefused: offers refused for pointing at the center's own
	// sockets; EarlyMediaWithheld: calls that got no early media because
	// their media address is not where their INVITE came from.
	MediaRefused       uint64 `json:"media_refused"`
	EarlyMediaWithheld uint64 `json:"early_media_withheld"`
}

// Guard returns what the center's limits did so far.
func (s *Server) Guard() GuardStats {
	return GuardStats{Expired: s.expired.Load(), ConnsRefused: s.refusedConns.Load(), ConnsClosed: s.closedConns.Load(),
		MediaRefused: s.mediaRefused.Load(), EarlyMediaWithheld: s.earlyWithheld.Load()}
}
