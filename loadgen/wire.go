package loadgen

// The fast call path ("--engine fast", the default for calls): the load
// generator writes and reads SIP itself on a call's hot path instead of
// going through sipgo's transaction layer. A call is a small state machine
// driven by the socket's reader goroutine (responses, requests of the far
// end) and by one timer (retransmissions, patience, timeouts, hold time);
// no goroutine, no transaction object and no parsed message is kept per
// call, so a held call costs well under a kilobyte. Requests follow RFC
// 3261: INVITE retransmitted with Timer A and given up with Timer B over
// UDP, non-2xx finals ACKed hop by hop (and re-ACKed when retransmitted,
// for Timer D), 2xx ACKed end to end along the route set, CANCEL and BYE
// retransmitted with Timer E until a final response or Timer F. Every
// request goes to the target address (or its transport connection), as
// SIPp does; Request-URI and Route headers follow the dialog.

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/callsim/callsim/media"
)

// Engine names (Config.Engine).
const (
	EngineFast  = "fast"
	EngineSipgo = "sipgo"
)

// wire is the fast path's state in an engine.
type wire struct {
	eps      []*wireEP
	t1, t2   time.Duration // RFC 3261 T1 and T2
	timerD   time.Duration
	static   *wireParams // the call parameters when they never vary
	dest     string      // target host:port (for stream dials)
	tls      *tls.Config
	next     atomic.Uint64
	warnOnce sync.Once
	// noMedia is the SDP offer with media off (port 9), shared read-only.
	noMedia []byte
}

// wireParams are the rendered parameter parts of a call's requests.
type wireParams struct {
	ruri string // Request-URI
	from string // From value without the tag
	to   string // To value of the INVITE (no tag)
	p    *callParams
}

// wireEP is one local UDP socket or one TCP/TLS connection.
type wireEP struct {
	w     *wire
	e     *engine
	udp   *net.UDPConn
	raddr netip.AddrPort // UDP: where every request goes
	host  string         // local address for Via, From, Contact
	proto string         // UDP, TCP, TLS
	ids   atomic.Pointer[wireIDs]

	smu    sync.Mutex // stream connection and writes
	stream net.Conn
	gen    atomic.Uint32 // connection generation (streams)
	dialAt time.Time     // last failed dial

	mu    sync.Mutex
	calls map[string]*wcall // by Call-ID
}

// wireIDs are the local socket's Via prefix and Contact line, which change
// when a stream connection is made again.
type wireIDs struct {
	via     string // "Via: SIP/2.0/UDP host:port;rport;branch="
	contact string // "Contact: <sip:user@host:port>\r\n"
}

// Call states.
const (
	wsCalling    uint8 = iota // INVITE sent, nothing back
	wsProceeding              // a provisional response came
	wsHolding                 // answered, ACKed, holding
	wsBye                     // BYE sent
	wsDone                    // outcome recorded; kept to re-ACK a retransmitted final
)

// wcall is one call on the fast path. Its fields are guarded by mu.
type wcall struct {
	mu   sync.Mutex
	e    *engine
	ep   *wireEP
	n    uint64
	wp   *wireParams
	done chan struct{} // nil unless a closed-loop caller waits

	callID  string
	fromTag string
	branch  string // the INVITE's branch
	cseq    uint32 // the INVITE's CSeq
	gen     uint32 // stream connection generation the call was sent on
	auth    string // Authorization / Proxy-Authorization line of the INVITE, if challenged

	intended, actual, sent time.Time
	late                   bool
	state                  uint8
	timer                  *time.Timer

	retrans   []byte // request being retransmitted (UDP), nil when none
	retransAt time.Time
	retransIv time.Duration
	deadline  time.Time // state's give-up time (Timer B, timeouts, hold end, Timer D)
	patience  time.Time

	provisional  bool
	authTried    bool
	cancelWanted Outcome
	cancelBy     string
	cancelSent   bool
	cancelDone   bool

	srd, srdWire, answerDelay, answerWire time.Duration
	answeredAt                            time.Time
	finalStatus                           int

	// Dialog (after the 2xx): the To of the answer, the remote target and
	// the route set (Route header values, in order).
	toHdr  string
	target string
	routes []string

	// BYE.
	byeCSeq   uint32
	byeBranch string
	byeSent   time.Time
	byeAuth   string
	byeTried  bool
	endAs     Outcome // outcome once the BYE ends
	endBy     string
	duration  time.Duration

	callMedia
	finished bool
}

// setupWire opens the fast path's sockets or connections.
func (e *engine) setupWire(localIP string, tlsConf *tls.Config) error {
	w := &wire{t1: sip.T1, t2: sip.T2, timerD: sip.Timer_D, dest: e.destination(), tls: tlsConf}
	if w.t1 <= 0 {
		w.t1 = 500 * time.Millisecond
	}
	if w.t2 < w.t1 {
		w.t2 = 8 * w.t1
	}
	if e.tgt.transport != "UDP" {
		w.timerD = 0
	}
	w.noMedia = []byte(sprintf2(sdpBody, localIP))
	e.wire = w
	if e.par.static != nil {
		w.static = e.wireParamsFor(e.par.static, localIP)
	}
	n := e.cfg.Sockets
	if n < 1 {
		n = 1
	}
	var raddr netip.AddrPort
	if e.tgt.transport == "UDP" {
		ua, err := net.ResolveUDPAddr("udp", w.dest)
		if err != nil {
			return fmt.Errorf("resolve target %s: %w", w.dest, err)
		}
		raddr = ua.AddrPort()
		raddr = netip.AddrPortFrom(raddr.Addr().Unmap(), raddr.Port())
	}
	for i := 0; i < n; i++ {
		ep := &wireEP{w: w, e: e, host: localIP, proto: e.tgt.transport, raddr: raddr, calls: make(map[string]*wcall)}
		if err := ep.open(); err != nil {
			ep.close()
			return err
		}
		w.eps = append(w.eps, ep)
	}
	return nil
}

func (e *engine) wireParamsFor(p *callParams, host string) *wireParams {
	from := p.fromHeader(host)
	to := p.reqURI
	to.UriParams, to.Headers, to.Port = nil, nil, 0
	return &wireParams{ruri: p.reqURI.String(), from: from.Value(), to: (&sip.ToHeader{Address: to}).Value(), p: p}
}

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}

// open binds the UDP socket or dials the connection, and starts its reader.
func (ep *wireEP) open() error {
	e := ep.e
	user := e.contactUser()
	switch ep.proto {
	case "UDP":
		la, err := net.ResolveUDPAddr("udp", hostPort(ep.host, 0))
		if err != nil {
			return fmt.Errorf("local address %s: %w", ep.host, err)
		}
		c, err := net.ListenUDP("udp", la)
		if err != nil {
			return fmt.Errorf("listen udp on %s: %w (free a port or lower --sockets)", ep.host, err)
		}
		_ = c.SetReadBuffer(udpBuffer)
		_ = c.SetWriteBuffer(udpBuffer)
		ep.udp = c
		port := c.LocalAddr().(*net.UDPAddr).Port
		ep.ids.Store(&wireIDs{via: "Via: SIP/2.0/UDP " + hostPort(ep.host, port) + ";rport;branch=",
			contact: "Contact: <sip:" + user + "@" + hostPort(ep.host, port) + ">\r\n"})
		go ep.readUDP()
		return nil
	default:
		// A target that cannot be reached is not a set-up error: each
		// call tries to connect and counts as a transport error.
		ep.smu.Lock()
		defer ep.smu.Unlock()
		if _, err := ep.dialLocked(); err != nil {
			ep.w.warnOnce.Do(func() { e.log.Warn("no connection to the target; calls will try again", "error", err) })
			ep.ids.Store(&wireIDs{via: "Via: SIP/2.0/" + ep.proto + " " + hostPort(ep.host, 9) + ";branch=",
				contact: "Contact: <sip:" + user + "@" + hostPort(ep.host, 9) + ">\r\n"})
		}
		return nil
	}
}

// dialLocked connects to the target (ep.smu held) and starts the reader.
func (ep *wireEP) dialLocked() (net.Conn, error) {
	e := ep.e
	timeout := 5 * time.Second
	if e.cfg.InviteTimeout < timeout {
		timeout = e.cfg.InviteTimeout
	}
	d := net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ep.host)}}
	var c net.Conn
	var err error
	if ep.proto == "TLS" {
		conf := ep.w.tls.Clone()
		if conf.ServerName == "" && !conf.InsecureSkipVerify {
			conf.ServerName = e.tgt.uri.Host
		}
		c, err = tls.DialWithDialer(&d, "tcp", ep.w.dest, conf)
	} else {
		c, err = d.Dial("tcp", ep.w.dest)
	}
	if err != nil {
		ep.dialAt = time.Now()
		return nil, fmt.Errorf("connect to %s over %s: %w", ep.w.dest, ep.proto, err)
	}
	la := c.LocalAddr().(*net.TCPAddr)
	scheme, tp := "sip", strings.ToLower(ep.proto)
	if e.tgt.uri.IsEncrypted() {
		scheme = "sips"
	}
	ep.ids.Store(&wireIDs{via: "Via: SIP/2.0/" + ep.proto + " " + hostPort(ep.host, la.Port) + ";branch=",
		contact: "Contact: <" + scheme + ":" + e.contactUser() + "@" + hostPort(ep.host, la.Port) + ";transport=" + tp + ">\r\n"})
	ep.stream = c
	gen := ep.gen.Add(1)
	go ep.readStream(c, gen)
	return c, nil
}

func (ep *wireEP) close() {
	if ep.udp != nil {
		_ = ep.udp.Close()
	}
	ep.smu.Lock()
	if ep.stream != nil {
		_ = ep.stream.Close()
		ep.stream = nil
	}
	ep.smu.Unlock()
}

// send writes one message to the target.
func (ep *wireEP) send(b []byte) error {
	if ep.udp != nil {
		_, err := ep.udp.WriteToUDPAddrPort(b, ep.raddr)
		return err
	}
	ep.smu.Lock()
	defer ep.smu.Unlock()
	c := ep.stream
	if c == nil {
		// The connection broke: connect again, at most every 200 ms.
		if time.Since(ep.dialAt) < 200*time.Millisecond {
			return errors.New("no connection to the target")
		}
		var err error
		if c, err = ep.dialLocked(); err != nil {
			return err
		}
	}
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(b); err != nil {
		_ = c.Close()
		if ep.stream == c {
			ep.stream = nil
		}
		return err
	}
	return nil
}

// sendTo answers a request of the far end (UDP: to where it came from).
func (ep *wireEP) sendTo(b []byte, to netip.AddrPort) {
	if ep.udp != nil {
		_, _ = ep.udp.WriteToUDPAddrPort(b, to)
		return
	}
	_ = ep.send(b)
}

func (ep *wireEP) readUDP() {
	buf := make([]byte, 65535)
	var m wireMsg
	for {
		n, from, err := ep.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		ep.handle(buf[:n], &m, from)
	}
}

// maxStreamHeader bounds a message's header section on a stream.
const maxStreamHeader = 64 << 10

func (ep *wireEP) readStream(c net.Conn, gen uint32) {
	buf := make([]byte, 0, 64<<10)
	var m wireMsg
	defer ep.streamBroken(c, gen)
	for {
		if len(buf) == cap(buf) {
			if cap(buf) >= 4*maxStreamHeader {
				ep.e.log.Debug("SIP message too large on stream; closing", "conn", c.LocalAddr())
				return
			}
			nb := make([]byte, len(buf), 2*cap(buf))
			copy(nb, buf)
			buf = nb
		}
		n, err := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		for {
			skip, ln, serr := streamMessage(buf, maxStreamHeader)
			if serr != nil {
				ep.e.log.Debug("bad SIP message on stream; closing", "conn", c.LocalAddr(), "error", serr)
				return
			}
			if ln == 0 {
				if skip > 0 {
					buf = buf[:copy(buf, buf[skip:])]
				}
				break
			}
			ep.handle(buf[skip:skip+ln], &m, netip.AddrPort{})
			buf = buf[:copy(buf, buf[skip+ln:])]
		}
		if err != nil {
			return
		}
	}
}

// streamBroken ends the calls of a broken connection that wait for a
// response on it: their requests can get no answer any more.
func (ep *wireEP) streamBroken(c net.Conn, gen uint32) {
	ep.smu.Lock()
	if ep.stream == c {
		ep.stream = nil
	}
	ep.smu.Unlock()
	_ = c.Close()
	if ep.e.closing.Load() {
		return
	}
	for _, wc := range ep.snapshot() {
		wc.connectionLost(gen)
	}
}

func (ep *wireEP) snapshot() []*wcall {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	out := make([]*wcall, 0, len(ep.calls))
	for _, c := range ep.calls {
		out = append(out, c)
	}
	return out
}

func (ep *wireEP) lookup(id []byte) *wcall {
	ep.mu.Lock()
	c := ep.calls[string(id)]
	ep.mu.Unlock()
	return c
}

func (ep *wireEP) forget(c *wcall) {
	ep.mu.Lock()
	if ep.calls[c.callID] == c {
		delete(ep.calls, c.callID)
	}
	ep.mu.Unlock()
}

// handle dispatches one received message.
func (ep *wireEP) handle(b []byte, m *wireMsg, from netip.AddrPort) {
	e := ep.e
	if err := scanMessage(b, m); err != nil {
		e.log.Debug("malformed SIP message dropped", "error", err)
		return
	}
	if m.request {
		ep.onRequest(m, from)
		return
	}
	c := ep.lookup(m.callID)
	if c == nil {
		// A response to a call that has ended: a retransmission.
		e.col.retransmissions.Add(1)
		return
	}
	c.onResponse(m)
}

// onRequest answers a request of the far end: BYE ends its call, OPTIONS
// gets 200, ACK nothing, anything else 501.
func (ep *wireEP) onRequest(m *wireMsg, from netip.AddrPort) {
	method := string(m.method)
	switch method {
	case "ACK":
		return
	case "BYE":
		c := ep.lookup(m.callID)
		if c == nil {
			ep.sendTo(respond(m, 481, "Call/Transaction Does Not Exist"), from)
			return
		}
		ep.sendTo(respond(m, 200, "OK"), from)
		c.remoteBye()
	case "OPTIONS":
		ep.sendTo(respond(m, 200, "OK"), from)
	case "CANCEL":
		ep.sendTo(respond(m, 481, "Call/Transaction Does Not Exist"), from)
	default:
		ep.sendTo(respond(m, 501, "Not Implemented"), from)
	}
}

// respond builds a response to request m (RFC 3261 8.2.6.2).
func respond(m *wireMsg, code int, reason string) []byte {
	b := make([]byte, 0, 512)
	b = append(b, "SIP/2.0 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, reason...)
	b = append(b, "\r\n"...)
	for _, v := range m.vias {
		b = append(b, "Via: "...)
		b = append(b, v...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "From: "...)
	b = append(b, m.from...)
	b = append(b, "\r\nTo: "...)
	b = append(b, m.to...)
	if m.toTag == nil && code > 100 {
		b = append(b, ";tag=callsim"...)
	}
	b = append(b, "\r\nCall-ID: "...)
	b = append(b, m.callID...)
	b = append(b, "\r\nCSeq: "...)
	b = strconv.AppendUint(b, uint64(m.cseq), 10)
	b = append(b, ' ')
	b = append(b, m.cseqMethod...)
	b = append(b, "\r\nServer: callsim\r\nContent-Length: 0\r\n\r\n"...)
	return b
}

// startWire places call n on the fast path.
func (e *engine) startWire(n uint64, intended time.Time, wait bool) <-chan struct{} {
	w := e.wire
	ep := w.eps[int(w.next.Add(1)-1)%len(w.eps)]
	c := &wcall{e: e, ep: ep, n: n, intended: intended}
	if wait {
		c.done = make(chan struct{})
	}
	e.inflight.Add(1)
	e.wg.Add(1)
	if w.static != nil {
		c.wp = w.static
	} else {
		c.wp = e.wireParamsFor(e.par.params(n), ep.host)
	}
	id := strconv.AppendUint(append(append(make([]byte, 0, 40), e.idPrefix...), '-'), n, 10)
	c.callID = string(append(id, "@callsim"...))
	c.fromTag = strconv.FormatUint(n, 36) + "x" + e.idPrefix[:6]
	c.actual = time.Now()
	c.late = c.actual.Sub(intended) > e.cfg.LateTolerance
	e.col.started(intended, c.actual, c.late)

	c.mu.Lock()
	defer c.mu.Unlock()
	body, err := c.offer()
	if err != nil {
		e.log.Warn("call not placed", "call", c.callID, "error", err)
		e.col.media.portErrors.Add(1)
		c.finish(OutcomeTransportError, "", 0, 0, false)
		return c.done
	}
	c.cseq = 1
	c.branch = c.newBranch(0)
	inv := c.invite(body)
	ep.mu.Lock()
	ep.calls[c.callID] = c
	ep.mu.Unlock()
	c.timer = time.AfterFunc(time.Hour, c.onTimer)
	if err := ep.send(inv); err != nil {
		e.log.Debug("INVITE not sent", "call", c.callID, "error", err)
		c.finish(OutcomeTransportError, "", 0, 0, false)
		return c.done
	}
	c.sent = time.Now()
	c.gen = ep.gen.Load()
	c.state = wsCalling
	c.deadline = c.sent.Add(min(e.cfg.InviteTimeout, 64*w.t1))
	if ep.udp != nil {
		c.retrans, c.retransIv = inv, w.t1
		c.retransAt = c.sent.Add(w.t1)
	}
	if !e.cfg.Patience.IsZero() {
		c.patience = c.sent.Add(e.samplePatience())
	}
	select {
	case <-e.stop:
		c.want(OutcomeAbandoned, "interrupt")
	default:
	}
	c.arm()
	return c.done
}

// newBranch is a branch unique to this call and attempt k.
func (c *wcall) newBranch(k int) string {
	b := make([]byte, 0, 40)
	b = append(b, "z9hG4bK"...)
	b = append(b, c.e.idPrefix...)
	b = append(b, '.')
	b = strconv.AppendUint(b, c.n, 36)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(k), 10)
	return string(b)
}

// offer is the INVITE's SDP: a real RTP port unless media is off.
func (c *wcall) offer() ([]byte, error) {
	e := c.e
	if e.ports == nil {
		return c.ep.w.noMedia, nil
	}
	st, offer, err := e.newStream(c.n)
	if err != nil {
		return nil, err
	}
	c.media = st
	return offer, nil
}

// head appends a request line and the headers every request of the call
// has: Via (with branch), Max-Forwards, From, Call-ID, CSeq.
func (c *wcall) head(b []byte, method, ruri, branch string, cseq uint32) []byte {
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, ruri...)
	b = append(b, " SIP/2.0\r\n"...)
	b = append(b, c.ep.ids.Load().via...)
	b = append(b, branch...)
	b = append(b, "\r\nMax-Forwards: 70\r\nFrom: "...)
	b = append(b, c.wp.from...)
	b = append(b, ";tag="...)
	b = append(b, c.fromTag...)
	b = append(b, "\r\nCall-ID: "...)
	b = append(b, c.callID...)
	b = append(b, "\r\nCSeq: "...)
	b = strconv.AppendUint(b, uint64(cseq), 10)
	b = append(b, ' ')
	b = append(b, method...)
	b = append(b, "\r\n"...)
	return b
}

func (c *wcall) invite(body []byte) []byte {
	b := make([]byte, 0, 640+len(body))
	b = c.head(b, "INVITE", c.wp.ruri, c.branch, c.cseq)
	b = append(b, "To: "...)
	b = append(b, c.wp.to...)
	b = append(b, "\r\n"...)
	b = append(b, c.ep.ids.Load().contact...)
	b = append(b, c.auth...)
	b = append(b, "User-Agent: callsim\r\nContent-Type: application/sdp\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, body...)
}

// ackNon2xx is the hop-by-hop ACK of a non-2xx final (RFC 3261 17.1.1.3).
func (c *wcall) ackNon2xx(to []byte) []byte {
	b := make([]byte, 0, 400)
	b = c.head(b, "ACK", c.wp.ruri, c.branch, c.cseq)
	b = append(b, "To: "...)
	b = append(b, to...)
	return append(b, "\r\nContent-Length: 0\r\n\r\n"...)
}

func (c *wcall) cancel() []byte {
	b := make([]byte, 0, 400)
	b = c.head(b, "CANCEL", c.wp.ruri, c.branch, c.cseq)
	b = append(b, "To: "...)
	b = append(b, c.wp.to...)
	return append(b, "\r\nContent-Length: 0\r\n\r\n"...)
}

// inDialog builds the ACK of the 2xx or a BYE.
func (c *wcall) inDialog(method, branch string, cseq uint32, auth string) []byte {
	ruri := c.target
	if len(c.routes) > 0 && !strings.Contains(c.routes[0], ";lr") {
		ruri = routeURI(c.routes[0]) // strict router (RFC 3261 12.2.1.1)
	}
	b := make([]byte, 0, 512)
	b = c.head(b, method, ruri, branch, cseq)
	for _, r := range c.routes {
		b = append(b, "Route: "...)
		b = append(b, r...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "To: "...)
	b = append(b, c.toHdr...)
	b = append(b, "\r\n"...)
	b = append(b, auth...)
	return append(b, "Content-Length: 0\r\n\r\n"...)
}

// routeURI is the URI of a Route value ("<sip:p;lr>" gives "sip:p;lr").
func routeURI(r string) string {
	if i := strings.IndexByte(r, '<'); i >= 0 {
		if j := strings.IndexByte(r[i:], '>'); j > 0 {
			return r[i+1 : i+j]
		}
	}
	return r
}

// arm sets the timer to the earliest pending deadline.
func (c *wcall) arm() {
	var next time.Time
	for _, t := range [...]time.Time{c.retransAt, c.deadline, c.patience} {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if next.IsZero() || c.timer == nil {
		return
	}
	c.timer.Reset(time.Until(next))
}

// onTimer handles whichever deadlines have passed.
func (c *wcall) onTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == wsDone {
		if !c.deadline.IsZero() && !time.Now().Before(c.deadline) {
			c.ep.forget(c)
		}
		return
	}
	now := time.Now()
	if !c.retransAt.IsZero() && !now.Before(c.retransAt) {
		if c.retrans != nil {
			_ = c.ep.send(c.retrans)
			c.retransIv *= 2
			if c.state != wsCalling && c.retransIv > c.ep.w.t2 {
				c.retransIv = c.ep.w.t2 // Timer E is capped at T2
			}
			c.retransAt = now.Add(c.retransIv)
		} else {
			c.retransAt = time.Time{}
		}
	}
	if !c.patience.IsZero() && !now.Before(c.patience) {
		c.patience = time.Time{}
		if c.state <= wsProceeding {
			c.want(OutcomeAbandoned, "caller")
		}
	}
	if !c.deadline.IsZero() && !now.Before(c.deadline) {
		c.deadline = time.Time{}
		switch c.state {
		case wsCalling, wsProceeding:
			switch {
			case c.cancelSent:
				// CANCEL sent a timeout ago and still no final response.
				c.finish(c.cancelWanted, c.cancelBy, 0, 0, false)
			case c.provisional:
				c.want(OutcomeTimedOut, "")
			default:
				// No provisional response, so no CANCEL is allowed: give up.
				c.finish(OutcomeTimedOut, "", 0, 0, false)
			}
		case wsHolding:
			c.hangup("caller")
		case wsBye:
			c.finish(c.endAs, c.endBy, c.duration, 0, false)
		}
	}
	if c.state != wsDone {
		c.arm()
	}
}

// want asks for the call to end before an answer: CANCEL once a
// provisional response has come (RFC 3261 9.1), else when one comes.
func (c *wcall) want(o Outcome, by string) {
	if c.cancelWanted != "" {
		return
	}
	c.cancelWanted, c.cancelBy = o, by
	if c.provisional {
		c.sendCancel()
	}
}

func (c *wcall) sendCancel() {
	c.cancelSent = true
	b := c.cancel()
	if err := c.ep.send(b); err != nil {
		c.e.log.Debug("CANCEL not sent", "call", c.callID, "error", err)
		return
	}
	if c.ep.udp != nil {
		c.retrans, c.retransIv = b, c.ep.w.t1
		c.retransAt = time.Now().Add(c.retransIv)
	}
	// Wait a further timeout for the 487.
	c.deadline = time.Now().Add(c.e.cfg.InviteTimeout)
	c.arm()
}

// onResponse follows a response of the call's INVITE, CANCEL or BYE.
func (c *wcall) onResponse(m *wireMsg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch string(m.cseqMethod) {
	case "INVITE":
		c.onInviteResponse(m)
	case "CANCEL":
		if c.state > wsProceeding {
			return
		}
		c.e.col.response(m.status)
		if m.status >= 200 && !c.cancelDone {
			c.cancelDone = true
			c.retrans, c.retransAt = nil, time.Time{}
		}
	case "BYE":
		c.onByeResponse(m)
	default:
		c.e.col.retransmissions.Add(1)
	}
}

func (c *wcall) onInviteResponse(m *wireMsg) {
	e := c.e
	code := m.status
	if m.cseq != c.cseq || c.state > wsProceeding {
		// A final response again (or one to an earlier, challenged INVITE).
		e.col.retransmissions.Add(1)
		switch {
		case code >= 200 && code < 300 && (c.state == wsHolding || c.state == wsBye) && m.cseq == c.cseq:
			_ = c.ep.send(c.inDialog("ACK", c.newBranch(900), c.cseq, ""))
		case code >= 300 && m.cseq == c.cseq && c.state == wsDone:
			_ = c.ep.send(c.ackNon2xx(m.to))
		case code >= 300 && m.cseq < c.cseq:
			b := c.branch
			c.branch = string(m.branch)
			_ = c.ep.send(c.ackNon2xx(m.to))
			c.branch = b
		}
		return
	}
	now := time.Now()
	e.col.response(code)
	if code > 100 && code < 300 && c.srd == 0 {
		c.srd = now.Sub(c.intended)
		c.srdWire = now.Sub(c.sent)
	}
	switch {
	case code < 200:
		c.provisional = true
		c.state = wsProceeding
		c.retrans, c.retransAt = nil, time.Time{}
		if c.deadline.IsZero() || !c.cancelSent {
			// Timer B no longer applies; the call's own timeout does.
			c.deadline = c.sent.Add(e.cfg.InviteTimeout)
		}
		if code > 100 && !c.negotiated {
			_ = c.takeSDP(e, m.body) // early media: 183 Session Progress with SDP
		}
		if c.cancelWanted != "" && !c.cancelSent {
			c.sendCancel()
		}
		c.arm()
	case code < 300:
		c.finalStatus = code
		c.answerDelay = now.Sub(c.intended)
		c.answerWire = now.Sub(c.sent)
		c.answeredAt = now
		e.col.answered(now)
		c.toHdr = string(m.to)
		c.target = c.wp.ruri
		if len(m.contact) > 0 {
			c.target = string(m.contact)
		}
		if n := len(m.recordRoutes); n > 0 {
			// The route set is the Record-Route of the answer, reversed (RFC 3261 12.1.2).
			c.routes = make([]string, n)
			for i, r := range m.recordRoutes {
				c.routes[n-1-i] = string(r)
			}
		}
		c.retrans, c.retransAt, c.patience = nil, time.Time{}, time.Time{}
		if err := c.ep.send(c.inDialog("ACK", c.newBranch(900), c.cseq, "")); err != nil {
			e.log.Debug("ACK not sent", "call", c.callID, "error", err)
		}
		if c.cancelWanted != "" {
			// The answer crossed our CANCEL: hang up at once.
			c.endAs, c.endBy = c.cancelWanted, c.cancelBy
			c.sendBye()
			return
		}
		c.startMedia(e, m.body, now, c.callID)
		c.state = wsHolding
		c.deadline = now.Add(e.sampleHold())
		select {
		case <-e.stop:
			c.hangup("interrupt")
			return
		default:
		}
		c.arm()
	case (code == 401 || code == 407) && c.wp.p.password != "" && !c.authTried && c.cancelWanted == "":
		c.authTried = true
		_ = c.ep.send(c.ackNon2xx(m.to))
		e.log.Debug("INVITE challenged; sending it again with credentials", "call", c.callID, "status", code, "user", c.wp.p.user)
		auth, err := c.authorize(m, "INVITE", c.wp.ruri)
		if err != nil {
			e.log.Debug("digest authentication failed", "call", c.callID, "error", err)
			c.finalStatus = code
			c.failed()
			return
		}
		c.auth = auth
		c.cseq++
		c.branch = c.newBranch(1)
		body, err := c.offerAgain()
		if err != nil {
			c.finalStatus = code
			c.failed()
			return
		}
		inv := c.invite(body)
		if err := c.ep.send(inv); err != nil {
			c.finish(OutcomeTransportError, "", 0, 0, false)
			return
		}
		c.state, c.provisional = wsCalling, false
		c.deadline = time.Now().Add(min(e.cfg.InviteTimeout, 64*c.ep.w.t1))
		if c.ep.udp != nil {
			c.retrans, c.retransIv = inv, c.ep.w.t1
			c.retransAt = time.Now().Add(c.retransIv)
		}
		c.arm()
	default:
		c.finalStatus = code
		_ = c.ep.send(c.ackNon2xx(m.to))
		e.log.Debug("INVITE refused", "call", c.callID, "status", code, "reason", string(m.reason))
		if c.cancelWanted != "" && code == 487 {
			c.finish(c.cancelWanted, c.cancelBy, 0, 0, false)
		} else {
			c.finish(OutcomeFailed, "", 0, 0, false)
		}
		c.linger()
	}
}

// failed ends the call on a final response it cannot go on from.
func (c *wcall) failed() {
	c.finish(OutcomeFailed, "", 0, 0, false)
	c.linger()
}

// linger keeps an ended call for Timer D (UDP) to ACK a retransmitted final.
func (c *wcall) linger() {
	if c.ep.w.timerD <= 0 || c.timer == nil {
		return
	}
	c.ep.mu.Lock()
	c.ep.calls[c.callID] = c
	c.ep.mu.Unlock()
	c.deadline = time.Now().Add(c.ep.w.timerD)
	c.timer.Reset(c.ep.w.timerD)
}

// offerAgain is the SDP of a re-sent INVITE: the same media port.
func (c *wcall) offerAgain() ([]byte, error) {
	if c.media == nil {
		return c.ep.w.noMedia, nil
	}
	return media.Offer(c.e.mediaIP, int(c.media.LocalAddr().Port()), c.n+1, media.DefaultOffer, ""), nil
}

// authorize answers a 401/407 challenge: the Authorization or
// Proxy-Authorization header line (with CRLF).
func (c *wcall) authorize(m *wireMsg, method, uri string) (string, error) {
	name, chalHdr := "Authorization", m.wwwAuth
	if m.status == 407 {
		name, chalHdr = "Proxy-Authorization", m.proxyAuth
	}
	if len(chalHdr) == 0 {
		return "", fmt.Errorf("%d without a challenge header", m.status)
	}
	chal, err := digest.ParseChallenge(string(chalHdr))
	if err != nil {
		return "", fmt.Errorf("parse challenge: %w", err)
	}
	chal.Algorithm = strings.ToUpper(chal.Algorithm)
	var u sip.Uri
	if err := sip.ParseUri(uri, &u); err == nil {
		uri = u.Addr()
	}
	cred, err := digest.Digest(chal, digest.Options{Method: method, URI: uri, Username: c.wp.p.user, Password: c.wp.p.password})
	if err != nil {
		return "", fmt.Errorf("digest: %w", err)
	}
	return name + ": " + cred.String() + "\r\n", nil
}

// hangup ends a holding call with a BYE (c.mu held).
func (c *wcall) hangup(by string) {
	if c.state != wsHolding {
		return
	}
	c.endAs, c.endBy = OutcomeCompleted, by
	c.duration = time.Since(c.answeredAt)
	c.stopMedia(c.e)
	c.sendBye()
}

func (c *wcall) sendBye() {
	c.state = wsBye
	c.byeCSeq = c.cseq + 1
	c.byeBranch = c.newBranch(901)
	b := c.inDialog("BYE", c.byeBranch, c.byeCSeq, "")
	c.byeSent = time.Now()
	if err := c.ep.send(b); err != nil {
		c.e.log.Debug("BYE not sent", "call", c.callID, "error", err)
		c.finish(c.endAs, c.endBy, c.duration, 0, false)
		return
	}
	c.retrans, c.retransAt = nil, time.Time{}
	if c.ep.udp != nil {
		c.retrans, c.retransIv = b, c.ep.w.t1
		c.retransAt = c.byeSent.Add(c.retransIv)
	}
	c.deadline = c.byeSent.Add(min(c.e.cfg.InviteTimeout, 64*c.ep.w.t1))
	c.arm()
}

func (c *wcall) onByeResponse(m *wireMsg) {
	if c.state != wsBye || m.cseq != c.byeCSeq {
		c.e.col.retransmissions.Add(1)
		return
	}
	if m.status < 200 {
		return
	}
	if (m.status == 401 || m.status == 407) && c.wp.p.password != "" && !c.byeTried {
		c.byeTried = true
		auth, err := c.authorize(m, "BYE", c.target)
		if err == nil {
			c.byeCSeq++
			c.byeBranch = c.newBranch(902)
			b := c.inDialog("BYE", c.byeBranch, c.byeCSeq, auth)
			if err := c.ep.send(b); err == nil {
				if c.ep.udp != nil {
					c.retrans, c.retransIv = b, c.ep.w.t1
					c.retransAt = time.Now().Add(c.retransIv)
				}
				c.arm()
				return
			}
		}
	}
	ok := m.status < 300
	sdd := time.Since(c.byeSent)
	if c.endAs != OutcomeCompleted {
		ok = false
	}
	c.finish(c.endAs, c.endBy, c.duration, sdd, ok)
}

// remoteBye ends an answered call the far end hung up.
func (c *wcall) remoteBye() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != wsHolding {
		return
	}
	c.stopMedia(c.e)
	c.finish(OutcomeCompleted, "callee", time.Since(c.answeredAt), 0, true)
}

// connectionLost ends a call whose connection broke while it waited.
func (c *wcall) connectionLost(gen uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	switch c.state {
	case wsCalling, wsProceeding:
		c.finish(OutcomeTransportError, "", 0, 0, false)
	case wsBye:
		c.finish(c.endAs, c.endBy, c.duration, 0, false)
	}
}

// interrupt ends the call because the run is stopping: CANCEL before an
// answer, BYE after.
func (c *wcall) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.state {
	case wsCalling, wsProceeding:
		c.want(OutcomeAbandoned, "interrupt")
		c.arm()
	case wsHolding:
		c.hangup("interrupt")
	}
}

// hardStop ends the call at once: the grace period is over.
func (c *wcall) hardStop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.state {
	case wsCalling, wsProceeding:
		if c.cancelWanted == "" || !c.cancelSent {
			c.finish(OutcomeTimedOut, "", 0, 0, false)
		} else {
			c.finish(c.cancelWanted, c.cancelBy, 0, 0, false)
		}
	case wsHolding:
		c.stopMedia(c.e)
		c.finish(OutcomeCompleted, "interrupt", time.Since(c.answeredAt), 0, false)
	case wsBye:
		c.finish(c.endAs, c.endBy, c.duration, 0, false)
	}
	c.ep.forget(c)
}

// finish records the call's outcome exactly once (c.mu held).
func (c *wcall) finish(o Outcome, hangupBy string, duration, sdd time.Duration, byeOK bool) {
	if c.finished {
		return
	}
	c.finished = true
	c.state = wsDone
	c.retrans, c.retransAt, c.patience, c.deadline = nil, time.Time{}, time.Time{}, time.Time{}
	if c.timer != nil {
		c.timer.Stop()
	}
	c.ep.forget(c)
	e := c.e
	c.stopMedia(c.e)
	rec := CallRecord{CallID: c.callID, Seq: c.n, IntendedStart: c.intended, ActualStart: c.actual,
		SRD: c.srd, AnswerDelay: c.answerDelay, Duration: duration, FinalStatus: c.finalStatus,
		Outcome: o, HangupBy: hangupBy, Late: c.late, Media: c.stats,
		From: c.wp.p.from, To: c.wp.ruri}
	e.col.finished(&callResult{rec: rec, srdWire: c.srdWire, answerWire: c.answerWire, sdd: sdd, byeOK: byeOK}, time.Now())
	e.inflight.Add(-1)
	if c.done != nil {
		close(c.done)
	}
	e.wg.Done()
}

// endWireCalls asks every call in progress to end (CANCEL or BYE).
func (e *engine) endWireCalls() {
	for _, ep := range e.wire.eps {
		for _, c := range ep.snapshot() {
			c.interrupt()
		}
	}
}

// hardStopWire ends every call at once.
func (e *engine) hardStopWire() {
	for _, ep := range e.wire.eps {
		for _, c := range ep.snapshot() {
			c.hardStop()
		}
	}
}

func (e *engine) closeWire() {
	e.closing.Store(true)
	for _, ep := range e.wire.eps {
		ep.close()
		for _, c := range ep.snapshot() {
			c.mu.Lock()
			if c.timer != nil {
				c.timer.Stop()
			}
			c.mu.Unlock()
		}
	}
}
