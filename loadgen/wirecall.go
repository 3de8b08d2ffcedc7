package loadgen

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// wcall is one call on the call path: its state machine (callfsm.go), the
// parts of its requests, and what it measured. It classifies what comes
// in as the machine's inputs and performs the machine's actions. Its
// fields are guarded by mu.
type wcall struct {
	mu   sync.Mutex
	e    *engine
	ep   *wireEP
	n    uint64
	wp   *wireParams
	done chan struct{} // nil unless a closed-loop caller waits
	m    callFSM

	callID  string
	fromTag string
	branch  string // the current INVITE's branch
	cseq    uint32 // the current INVITE's CSeq
	gen     uint32 // stream connection generation the call was sent on
	auth    string // Authorization / Proxy-Authorization line of the INVITE, if challenged

	intended, actual, sent time.Time // sent: the first INVITE
	late                   bool
	timer                  *time.Timer
	// q, while set, takes what the call sends to the target, for the
	// goroutine handling the call to write in one batch (sendQueue).
	q *sendQueue

	srd, srdWire, answerDelay, answerWire time.Duration
	answeredAt                            time.Time
	finalStatus                           int
	duration, sdd                         time.Duration

	// Dialog (after the 2xx): the To of the answer, the remote target and
	// the route set (Route header values, in order).
	toHdr  string
	target string
	routes []string

	// BYE.
	byeCSeq   uint32
	byeBranch string
	byeAuth   string
	byeSent   time.Time

	callMedia
}

// startWire places call n. With q set, the call goes out on q's socket
// and its INVITE into q, for the caller to flush; else it goes out on the
// next socket in turn, at once.
func (e *engine) startWire(n uint64, intended time.Time, wait bool, q *sendQueue) <-chan struct{} {
	w := e.wire
	var ep *wireEP
	if q != nil {
		ep = q.ep
	} else {
		ep = w.eps[int(w.next.Add(1)-1)%len(w.eps)]
	}
	c := &wcall{e: e, ep: ep, n: n, intended: intended, q: q}
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
	c.m = callFSM{tm: &w.timing, canAuth: c.wp.p.password != ""}
	id := strconv.AppendUint(append(append(make([]byte, 0, 40), e.idPrefix...), '-'), n, 10)
	c.callID = string(append(id, "@callsim"...))
	c.fromTag = strconv.FormatUint(n, 36) + "x" + e.idPrefix[:6]
	c.actual = time.Now()
	c.late = c.actual.Sub(intended) > e.cfg.LateTolerance
	e.col.started(intended, c.actual, c.late)

	c.mu.Lock()
	defer c.mu.Unlock()
	defer func() { c.q = nil }()
	body, err := c.offer()
	if err != nil {
		e.log.Warn("call not placed", "call", c.callID, "error", err)
		e.col.media.portErrors.Add(1)
		c.act(c.actual, c.m.record(OutcomeTransportError, "", false), nil)
		return c.done
	}
	c.cseq = 1
	c.branch = c.newBranch(0)
	hold := e.sampleHold()
	patience := e.patienceOf(c.n)
	ep.mu.Lock()
	ep.calls[c.callID] = c
	ep.mu.Unlock()
	c.timer = time.AfterFunc(time.Hour, c.onTimer)
	err = c.send(c.invite(body), true)
	c.sent = time.Now()
	c.gen = ep.gen.Load()
	c.m.start(c.sent, hold, patience)
	if err != nil {
		e.log.Debug("INVITE not sent", "call", c.callID, "error", err)
		c.feed(c.sent, inSendFailed, nil)
		return c.done
	}
	select {
	case <-e.stop:
		c.feed(c.sent, inInterrupt, nil)
	default:
	}
	c.arm()
	return c.done
}

// send writes b to the target, or queues it while the call is handled
// from a batch (failIsInput: a failure to write it is an input of the
// machine, fed when the batch is written).
func (c *wcall) send(b []byte, failIsInput bool) error {
	if c.q != nil {
		c.q.add(c, b, failIsInput)
		return nil
	}
	return c.ep.send(b)
}

// feed hands an input to the call's machine and performs its actions; m
// is the message the input came from (nil for timers and events).
func (c *wcall) feed(now time.Time, in callInput, m *wireMsg) {
	c.act(now, c.m.step(now, in), m)
}

// act performs the machine's actions, in the order of their constants. A
// request that cannot be sent is an input of its own, fed at once; the
// actions after it are then dropped (the machine moved on).
func (c *wcall) act(now time.Time, a callAct, m *wireMsg) {
	e := c.e
	if a&(actCount|actCountAgain) != 0 {
		c.count(now, a, m)
	}
	if a&actEarlyMedia != 0 && m.status > 100 && !c.negotiated {
		_ = c.takeSDP(e, m.body) // early media: 183 Session Progress with SDP
	}
	if a&actAnswered != 0 {
		c.answerDelay = now.Sub(c.intended)
		c.answerWire = now.Sub(c.sent)
		c.answeredAt = now
		e.col.answered(now)
	}
	if a&actDialog != 0 {
		c.takeDialog(m)
	}
	if a&actAckAnswer != 0 {
		if err := c.send(c.inDialog("ACK", c.newBranch(900), c.cseq, ""), false); err != nil {
			e.log.Debug("ACK not sent", "call", c.callID, "error", err)
		}
	}
	if a&actAckFinal != 0 {
		_ = c.send(c.ackNon2xx(c.branch, c.cseq, m.to), false)
	}
	if a&actAckStale != 0 {
		_ = c.send(c.ackNon2xx(string(m.branch), m.cseq, m.to), false)
	}
	if a&actInviteAuth != 0 && !c.inviteAuth(now, m) {
		return
	}
	if a&actResend != 0 {
		_ = c.send(c.pending(), false)
	}
	if a&actCancel != 0 {
		if err := c.send(c.cancel(), true); err != nil {
			e.log.Debug("CANCEL not sent", "call", c.callID, "error", err)
			c.feed(now, inSendFailed, nil)
			return
		}
	}
	if a&actStartMedia != 0 {
		c.startMedia(e, m.body, now, c.callID)
	}
	if a&actHangup != 0 {
		c.duration = now.Sub(c.answeredAt)
		c.stopMedia(e)
	}
	if a&actBye != 0 {
		c.byeCSeq, c.byeBranch, c.byeAuth, c.byeSent = c.cseq+1, c.newBranch(901), "", now
		if err := c.send(c.bye(), true); err != nil {
			e.log.Debug("BYE not sent", "call", c.callID, "error", err)
			c.feed(now, inSendFailed, nil)
			return
		}
	}
	if a&actByeAuth != 0 {
		auth, err := c.authorize(m, "BYE", c.target)
		if err != nil {
			e.log.Debug("digest authentication failed", "call", c.callID, "error", err)
			c.feed(now, inAuthFailed, nil)
			return
		}
		c.byeAuth, c.byeCSeq, c.byeBranch = auth, c.byeCSeq+1, c.newBranch(902)
		if err := c.send(c.bye(), true); err != nil {
			c.feed(now, inSendFailed, nil)
			return
		}
	}
	if a&actSDD != 0 {
		c.sdd = now.Sub(c.byeSent)
	}
	if a&actRecord != 0 {
		c.record(now)
	}
	if a&actForget != 0 {
		if c.timer != nil {
			c.timer.Stop()
		}
		c.ep.forget(c)
	}
}

// count counts a response: its status code, the setup delay of the first
// 18x or 2xx, the INVITE's final status; or a retransmission.
func (c *wcall) count(now time.Time, a callAct, m *wireMsg) {
	e := c.e
	if a&actCountAgain != 0 {
		e.col.retransmissions.Add(1)
		return
	}
	code := m.status
	e.col.response(code)
	if string(m.cseqMethod) != "INVITE" {
		return // the CANCEL's response
	}
	if code > 100 && code < 300 && c.srd == 0 {
		c.srd = now.Sub(c.intended)
		c.srdWire = now.Sub(c.sent)
	}
	if code >= 200 && a&actInviteAuth == 0 {
		c.finalStatus = code
	}
	if code >= 300 && a&actInviteAuth == 0 {
		e.log.Debug("INVITE refused", "call", c.callID, "status", code, "reason", string(m.reason))
	}
}

// takeDialog keeps the dialog of a 2xx: its To, the remote target (its
// Contact) and the route set (its Record-Route, reversed: RFC 3261 12.1.2).
func (c *wcall) takeDialog(m *wireMsg) {
	c.toHdr = string(m.to)
	c.target = c.wp.ruri
	if len(m.contact) > 0 {
		c.target = string(m.contact)
	}
	if n := len(m.recordRoutes); n > 0 {
		c.routes = make([]string, n)
		for i, r := range m.recordRoutes {
			c.routes[n-1-i] = string(r)
		}
	}
}

// inviteAuth sends the INVITE again with credentials for challenge m; it
// reports false when the machine was fed a failure instead.
func (c *wcall) inviteAuth(now time.Time, m *wireMsg) bool {
	e := c.e
	e.log.Debug("INVITE challenged; sending it again with credentials", "call", c.callID, "status", m.status, "user", c.wp.p.user)
	auth, err := c.authorize(m, "INVITE", c.wp.ruri)
	if err != nil {
		e.log.Debug("digest authentication failed", "call", c.callID, "error", err)
		c.finalStatus = m.status
		c.feed(now, inAuthFailed, nil)
		return false
	}
	c.auth = auth
	c.cseq++
	c.branch = c.newBranch(1)
	if err := c.send(c.invite(c.offerAgain()), true); err != nil {
		c.feed(now, inSendFailed, nil)
		return false
	}
	return true
}

// pending is the request being retransmitted, built again: the INVITE
// (Timer A), CANCEL or BYE (Timer E).
func (c *wcall) pending() []byte {
	switch c.m.state {
	case csCancelling:
		return c.cancel()
	case csByeing:
		return c.bye()
	}
	return c.invite(c.offerAgain())
}

// record hands the call's outcome to the collector (once: the machine
// records in one transition only).
func (c *wcall) record(now time.Time) {
	e := c.e
	c.stopMedia(e)
	rec := CallRecord{CallID: c.callID, Seq: c.n, IntendedStart: c.intended, ActualStart: c.actual,
		SRD: c.srd, AnswerDelay: c.answerDelay, FinalStatus: c.finalStatus,
		Outcome: c.m.end, HangupBy: c.m.endBy, Late: c.late, Media: c.stats,
		From: c.wp.p.from, To: c.wp.ruri}
	if c.m.end == OutcomeCompleted {
		rec.Duration = c.duration
	}
	e.col.finished(&callResult{rec: rec, srdWire: c.srdWire, answerWire: c.answerWire, sdd: c.sdd, byeOK: c.m.byeOK}, now)
	e.inflight.Add(-1)
	if c.done != nil {
		close(c.done)
	}
	e.wg.Done()
}

// arm sets the timer to the machine's next timer input.
func (c *wcall) arm() {
	if c.m.state == csEnded || c.timer == nil {
		return
	}
	if next := c.m.next(); !next.IsZero() {
		// With a tick, timers fall on the ticks too, so that the calls'
		// timers due in one tick (hold times ending, retransmissions)
		// fire in one wake-up of the process, with the readers'.
		c.timer.Reset(time.Until(tickCeil(next, c.e.cfg.IOTick)))
	}
}

// onTimer feeds the machine the timer inputs that are due.
func (c *wcall) onTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for {
		in, ok := c.m.due(now)
		if !ok {
			break
		}
		c.feed(now, in, nil)
	}
	c.arm()
}

// onResponse classifies a response of the call's INVITE, CANCEL or BYE,
// which arrived at now; what the call sends goes into q. Timer inputs due
// by then (a zero hold time) are fed at once, not from the timer.
func (c *wcall) onResponse(m *wireMsg, now time.Time, q *sendQueue) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.q = q
	defer func() { c.q = nil }()
	in := inStale
	code := m.status
	switch string(m.cseqMethod) {
	case "INVITE":
		switch {
		case m.cseq != c.cseq:
			if m.cseq < c.cseq && code >= 300 {
				in = inStaleFinal
			}
		case code < 200:
			in = inProvisional
		case code < 300:
			in = inAnswer
		case code == 401 || code == 407:
			in = inChallenge
		case code == 487:
			in = inCancelled
		default:
			in = inRefused
		}
	case "CANCEL":
		if code < 200 {
			return
		}
		in = inCancelFinal
	case "BYE":
		switch {
		case m.cseq != c.byeCSeq:
		case code < 200:
			return
		case code < 300:
			in = inByeOK
		case code == 401 || code == 407:
			in = inByeChallenge
		default:
			in = inByeRefused
		}
	}
	c.feed(now, in, m)
	for {
		in, ok := c.m.due(now)
		if !ok {
			break
		}
		c.feed(now, in, nil)
	}
	c.arm()
}

// event feeds the machine an input from outside the call's messages and
// timers (the far end's BYE, the end of the run, a broken connection).
func (c *wcall) event(in callInput) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feed(time.Now(), in, nil)
	c.arm()
}

// connectionLost ends a call whose connection broke while it waited.
func (c *wcall) connectionLost(gen uint32) {
	c.mu.Lock()
	same := c.gen == gen
	c.mu.Unlock()
	if same {
		c.event(inConnLost)
	}
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

// offerAgain is the SDP of an INVITE sent again: the same media port.
func (c *wcall) offerAgain() []byte {
	if c.media == nil {
		return c.ep.w.noMedia
	}
	return c.e.offerFor(c.media, c.n)
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

// ackNon2xx is the hop-by-hop ACK of a non-2xx final (RFC 3261 17.1.1.3)
// to the INVITE with the given branch and CSeq.
func (c *wcall) ackNon2xx(branch string, cseq uint32, to []byte) []byte {
	b := make([]byte, 0, 400)
	b = c.head(b, "ACK", c.wp.ruri, branch, cseq)
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

func (c *wcall) bye() []byte {
	return c.inDialog("BYE", c.byeBranch, c.byeCSeq, c.byeAuth)
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

// endWireCalls asks every call in progress to end (CANCEL or BYE).
func (e *engine) endWireCalls() {
	for _, ep := range e.wire.eps {
		for _, c := range ep.snapshot() {
			c.event(inInterrupt)
		}
	}
}

// hardStopWire ends every call at once.
func (e *engine) hardStopWire() {
	for _, ep := range e.wire.eps {
		for _, c := range ep.snapshot() {
			c.event(inHardStop)
		}
	}
}
