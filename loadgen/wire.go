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
)

// EngineFast names the call path (Config.Engine).
const EngineFast = "fast"

// wire is the fast path's state in an engine.
type wire struct {
	eps      []*wireEP
	timing   callTiming
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
	udp   udpSocket      // UDP: read and written in batches
	raddr netip.AddrPort // UDP: where every request goes
	// raddrUDP is raddr for batched writes, shared read-only.
	raddrUDP *net.UDPAddr
	host     string // local address for Via, From, Contact
	proto    string // UDP, TCP, TLS
	ids      atomic.Pointer[wireIDs]

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

// setupWire opens the fast path's sockets or connections.
func (e *engine) setupWire(localIP string, tlsConf *tls.Config) error {
	tm := callTiming{T1: sip.T1, T2: sip.T2, TimerD: sip.Timer_D, Timeout: e.cfg.InviteTimeout}
	if tm.T1 <= 0 {
		tm.T1 = 500 * time.Millisecond
	}
	if tm.T2 < tm.T1 {
		tm.T2 = 8 * tm.T1
	}
	if e.tgt.transport != "UDP" {
		tm.TimerD, tm.Reliable = 0, true
	}
	w := &wire{timing: tm, dest: e.destination(), tls: tlsConf}
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
		if quietSockets && e.cfg.IOTick > 0 && la.Zone == "" && ep.raddr.Addr().Zone() == "" {
			// The reader rests between ticks: outside Go's poller, the
			// datagrams arriving meanwhile wake nothing. (IPv6 link-local
			// addresses with a zone keep the net package's socket, which
			// knows the zone's interface.)
			ep.udp, err = listenQuietUDP(la, udpBuffer)
		} else {
			var c *net.UDPConn
			if c, err = net.ListenUDP("udp", la); err == nil {
				_ = c.SetReadBuffer(udpBuffer)
				_ = c.SetWriteBuffer(udpBuffer)
				ep.udp = newStdUDP(c)
			}
		}
		if err != nil {
			return fmt.Errorf("listen udp on %s: %w (free a port or lower --sockets)", ep.host, err)
		}
		ep.raddrUDP = net.UDPAddrFromAddrPort(ep.raddr)
		port := ep.udp.LocalAddr().(*net.UDPAddr).Port
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
		if err == nil && quietSockets && e.cfg.IOTick > 0 {
			// The reader rests between ticks: out of Go's poller, the
			// bytes arriving meanwhile wake nothing.
			c, err = quietTCP(c)
		}
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
	return ep.sendStream([][]byte{b})
}

// sendStream writes messages to the target's connection in one write,
// connecting again first if it broke.
func (ep *wireEP) sendStream(bufs [][]byte) error {
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
	var err error
	if qc, ok := c.(interface{ writeBuffers([][]byte) error }); ok {
		err = qc.writeBuffers(bufs)
	} else if len(bufs) == 1 {
		_, err = c.Write(bufs[0])
	} else {
		nb := net.Buffers(bufs)
		_, err = nb.WriteTo(c)
	}
	if err != nil {
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

func isClosed(err error) bool { return errors.Is(err, net.ErrClosed) }

// addrPortOf is the address of a datagram's sender.
func addrPortOf(a net.Addr) netip.AddrPort {
	if ua, ok := a.(*net.UDPAddr); ok {
		ap := ua.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

// maxStreamHeader bounds a message's header section on a stream.
const maxStreamHeader = 64 << 10

func (ep *wireEP) readStream(c net.Conn, gen uint32) {
	buf := make([]byte, 0, 64<<10)
	var m wireMsg
	q := &sendQueue{ep: ep}
	tick := ep.e.cfg.IOTick
	defer ep.streamBroken(c, gen)
	defer q.flush()
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
		free := cap(buf) - len(buf)
		n, err := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		woke := time.Now()
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
			ep.handle(buf[skip:skip+ln], &m, netip.AddrPort{}, woke, q)
			buf = buf[:copy(buf, buf[skip+ln:])]
		}
		q.flush()
		if err != nil && !wouldBlock(err) {
			return
		}
		rest(tick, woke, n == free)
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

// handle dispatches one received message that arrived at at; the
// requests it causes go into q.
func (ep *wireEP) handle(b []byte, m *wireMsg, from netip.AddrPort, at time.Time, q *sendQueue) {
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
	c.onResponse(m, at, q)
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
		c.event(inRemoteBye)
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

// sdpBody is the offer with media off (port 9): two %s for the origin and the connection address.
const sdpBody = "v=0\r\no=callsim 1 1 IN IP4 %s\r\ns=callsim\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"

func sprintf2(format, host string) string {
	// Two %s for the origin and the connection address.
	out := make([]byte, 0, len(format)+2*len(host))
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 's' && n < 2 {
			out = append(out, host...)
			i++
			n++
			continue
		}
		out = append(out, format[i])
	}
	return string(out)
}
