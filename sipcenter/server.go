package sipcenter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/media"
)

// allowed is the Allow header value: the methods the target handles.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS"

const sdpBody = "v=0\r\no=callsim 1 1 IN IP4 %[1]s\r\ns=callsim target\r\nc=IN IP4 %[1]s\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"

// Server is a running target.
type Server struct {
	cfg       Config
	log       *slog.Logger
	transport string // "UDP" or "TCP"
	addr      net.Addr
	host      string
	ua        *sipgo.UserAgent
	cl        *sipgo.Client
	pc        net.PacketConn
	ln        net.Listener
	laddr     sip.Addr
	contact   sip.ContactHeader
	sdp       []byte
	acd       *acd
	calls     sync.Map // Call-ID -> *call

	// Media (nil ports: no media), see media.go.
	ports   *media.Ports
	sched   *media.Scheduler
	early   *media.Audio
	mediaIP netip.Addr
	// mediaTotals sums the callers' RTP figures as calls end.
	mediaTotals mediaTotals

	mu        sync.Mutex // guards closing and handlers.Add
	closing   bool
	handlers  sync.WaitGroup
	done      chan struct{} // closed: end every call
	hard      chan struct{} // closed: the shutdown period is over, give up waiting
	closeOnce sync.Once
	serveDone chan struct{}
	watchDone chan struct{}

	// The limits' state, see guard.go.
	sipPort                     int
	srcMu                       sync.Mutex
	srcCalls                    map[string]int // calls in progress per signalling source
	expired                     atomic.Uint64
	refusedConns, closedConns   atomic.Uint64
	mediaRefused, earlyWithheld atomic.Uint64
}

// call is one INVITE admitted to the queue.
type call struct {
	id      string
	fromTag string
	toTag   string
	queue   string // Request-URI user part
	q       int    // queue index, under acd.mu
	arrived time.Time

	assigned   chan *agent   // the agent, handed over once (buffered)
	agent      *agent        // under acd.mu
	answeredAt time.Time     // under acd.mu
	waiting    bool          // in its queue, under acd.mu
	timers     []*time.Timer // overflow steps, under acd.mu
	transfer   bool          // the agent transfers it after the talk, under acd.mu
	talked     time.Duration // talk of a call held for a transfer, under acd.mu
	route                    // the center core's view of the call (acd.go), under acd.mu

	media   *callMedia // nil: no RTP
	ack     chan struct{}
	ackOnce sync.Once
	bye     chan struct{} // closed when the caller sent BYE
	byeOnce sync.Once
	ending  atomic.Bool // claimed by whichever side hangs up first
	// confirmed: the 200 went out (a re-INVITE then gets 200).
	confirmed atomic.Bool
}

// Start listens on cfg.Listen and serves calls until ctx is cancelled or
// Close is called.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("target config: %w", err)
	}
	silenceDefaultSIPLogger()
	tp, addr, _ := ParseListen(cfg.Listen)
	s := &Server{cfg: cfg, log: cfg.Logger, transport: strings.ToUpper(tp),
		done: make(chan struct{}), hard: make(chan struct{}), serveDone: make(chan struct{}), watchDone: make(chan struct{}),
		srcCalls: map[string]int{}}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.log = slog.New(newRateLimited(s.log.Handler()))
	s.host, _, _ = net.SplitHostPort(addr)
	// The statistics exist before the first request can arrive.
	var err error
	if s.acd, err = newACD(cfg, time.Now()); err != nil {
		return nil, fmt.Errorf("target config: %w", err)
	}
	if err := s.setupMedia(); err != nil {
		return nil, err
	}
	if err := s.listen(addr); err != nil {
		if s.sched != nil {
			s.sched.Close()
		}
		return nil, err
	}
	go func() {
		defer close(s.watchDone)
		select {
		case <-ctx.Done():
			s.shutdown()
		case <-s.done:
		}
	}()
	s.log.Info("SIP target listening", "transport", s.transport, "addr", s.addr.String(), "agents", len(s.acd.agents))
	return s, nil
}

func (s *Server) listen(addr string) error {
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("callsim-target"),
		sipgo.WithUserAgentHostname(s.host),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(s.log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(s.log)),
	)
	if err != nil {
		return fmt.Errorf("create SIP user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(s.log))
	if err != nil {
		_ = ua.Close()
		return fmt.Errorf("create SIP server: %w", err)
	}
	srv.OnInvite(s.checked(s.onInvite))
	srv.OnAck(s.checked(s.onAck))
	srv.OnBye(s.checked(s.onBye))
	srv.OnCancel(s.checked(s.onCancel))
	srv.OnOptions(s.checked(func(req *sip.Request, tx sip.ServerTransaction) {
		s.respond(tx, req, sip.StatusOK, "OK", sip.NewHeader("Allow", allowed))
	}))
	srv.OnNoRoute(s.checked(func(req *sip.Request, tx sip.ServerTransaction) {
		if req.IsAck() {
			return
		}
		s.respond(tx, req, sip.StatusMethodNotAllowed, "Method Not Allowed", sip.NewHeader("Allow", allowed))
	}))
	var port int
	var serve func() error
	switch s.transport {
	case "UDP":
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			_ = ua.Close()
			return fmt.Errorf("listen udp %s: %w", addr, err)
		}
		s.pc, s.addr = pc, pc.LocalAddr()
		ua4 := pc.LocalAddr().(*net.UDPAddr)
		port = ua4.Port
		s.laddr = sip.Addr{IP: ua4.IP, Port: ua4.Port, Hostname: s.host}
		s.cl, err = sipgo.NewClient(ua, sipgo.WithClientLogger(s.log), sipgo.WithClientHostname(s.host),
			sipgo.WithClientConnectionAddr(pc.LocalAddr().String()))
		if err != nil {
			_ = pc.Close()
			_ = ua.Close()
			return fmt.Errorf("create SIP client: %w", err)
		}
		serve = func() error { return srv.ServeUDP(pc) }
	default:
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			_ = ua.Close()
			return fmt.Errorf("listen tcp %s: %w", addr, err)
		}
		ln = &guardListener{Listener: ln, s: s}
		s.ln, s.addr = ln, ln.Addr()
		port = ln.Addr().(*net.TCPAddr).Port
		s.cl, err = sipgo.NewClient(ua, sipgo.WithClientLogger(s.log), sipgo.WithClientHostname(s.host))
		if err != nil {
			_ = ln.Close()
			_ = ua.Close()
			return fmt.Errorf("create SIP client: %w", err)
		}
		serve = func() error { return srv.ServeTCP(ln) }
	}
	s.ua = ua
	s.sipPort = port
	s.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "agent", Host: s.host, Port: port}}
	if s.transport == "TCP" {
		s.contact.Address.UriParams = sip.HeaderParams{{K: "transport", V: "tcp"}}
	}
	ip := s.host
	if strings.Contains(ip, ":") {
		s.sdp = []byte(strings.ReplaceAll(fmt.Sprintf(sdpBody, ip), "IP4", "IP6"))
	} else {
		s.sdp = []byte(fmt.Sprintf(sdpBody, ip))
	}
	// Serve only once every field the handlers read is set.
	go func() { defer close(s.serveDone); _ = serve() }()
	return nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() net.Addr { return s.addr }

// Transport is "udp" or "tcp".
func (s *Server) Transport() string { return strings.ToLower(s.transport) }

// URI is a SIP URI that reaches queue on this server.
func (s *Server) URI(queue string) string {
	u := "sip:" + queue + "@" + s.addr.String()
	if s.transport == "TCP" {
		u += ";transport=tcp"
	}
	return u
}

// Stats returns the statistics so far (frozen once the server is closed).
func (s *Server) Stats() Stats {
	st := s.acd.stats(time.Now())
	if s.ports != nil {
		m := s.mediaTotals.stats()
		m.Unclaimed = s.sched.Unclaimed()
		st.Media = &m
	}
	g := s.Guard()
	st.Guard = &g
	return st
}

// Done is closed when the server starts shutting down (Close or the
// context given to Start).
func (s *Server) Done() <-chan struct{} { return s.done }

// Close ends every call (waiting callers get 503, talking calls a BYE,
// within Config.Shutdown), stops the listener and waits for the server's
// goroutines. It is safe to call more than once.
func (s *Server) Close() error {
	s.shutdown()
	<-s.watchDone
	return nil
}

func (s *Server) shutdown() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.acd.close(time.Now())
		close(s.done)
		finished := make(chan struct{})
		go func() { s.handlers.Wait(); close(finished) }()
		t := time.NewTimer(s.cfg.Shutdown)
		select {
		case <-finished:
		case <-t.C:
			close(s.hard)
			s.log.Warn("calls still ending after the shutdown period; giving up on them", "period", s.cfg.Shutdown)
			<-finished
		}
		t.Stop()
		_ = s.ua.Close()
		if s.pc != nil {
			_ = s.pc.Close()
		}
		if s.ln != nil {
			_ = s.ln.Close()
		}
		<-s.serveDone
		if s.sched != nil {
			s.sched.Close()
		}
	})
}

func (s *Server) respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		s.log.Debug("response not sent", "code", code, "method", req.Method, "error", err)
	}
}

func (s *Server) retryAfter() sip.Header {
	sec := int(s.cfg.RetryAfter.Round(time.Second) / time.Second)
	return sip.NewHeader("Retry-After", strconv.Itoa(max(sec, 1)))
}

func tagOf(p sip.HeaderParams) string {
	v, _ := p.Get("tag")
	return v
}

// enter registers a request handler with the shutdown wait group; false if
// the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.handlers.Add(1)
	return true
}

func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	from, to, cid := req.From(), req.To(), req.CallID()
	if from == nil || to == nil || cid == nil || req.CSeq() == nil || req.Contact() == nil {
		s.respond(tx, req, sip.StatusBadRequest, "Missing From, To, Call-ID, CSeq or Contact")
		return
	}
	if tagOf(to.Params) != "" {
		// A re-INVITE: for a dialog we know, the session as it is.
		s.reInvite(req, tx)
		return
	}
	if !s.enter() {
		s.respond(tx, req, sip.StatusServiceUnavailable, "Service Unavailable", s.retryAfter())
		return
	}
	defer s.handlers.Done()
	c := &call{id: cid.Value(), fromTag: tagOf(from.Params), toTag: sip.GenerateTagN(16), queue: req.Recipient.User,
		arrived: time.Now(), assigned: make(chan *agent, 1), ack: make(chan struct{}), bye: make(chan struct{})}
	if _, dup := s.calls.LoadOrStore(c.id, c); dup {
		// A second INVITE with the same Call-ID outside the dialog (RFC 3261 8.2.2.2).
		s.respond(tx, req, sip.StatusLoopDetected, "Loop Detected")
		return
	}
	defer s.calls.Delete(c.id)
	defer s.holdSource(req.Source())()
	s.respond(tx, req, sip.StatusTrying, "Trying")
	m, err := s.offerMedia(req)
	if m != nil && !signalledFrom(req, m.remote) {
		// Early media only to the address the INVITE came from: an INVITE
		// must not point the center's audio at a third party.
		m.noEarly = true
		s.earlyWithheld.Add(1)
	}
	if err != nil {
		s.respond(tx, req, sip.StatusNotAcceptableHere, "Not Acceptable Here", sip.NewHeader("Warning", `399 callsim "`+err.Error()+`"`))
		return
	}
	c.media = m
	defer s.closeMedia(c.media)
	switch s.acd.admit(c, c.arrived) {
	case noTrunk, shuttingDown:
		s.respond(tx, req, sip.StatusServiceUnavailable, "Service Unavailable", s.retryAfter())
		return
	case unknownQueue:
		s.respond(tx, req, sip.StatusNotFound, fmt.Sprintf("Not Found (no queue %q; queues: %s)",
			c.queue, strings.Join(s.QueueNames(), ", ")))
		return
	case queueClosed:
		s.respond(tx, req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable (queue closed)")
		return
	}
	s.handleCall(c, req, tx)
}

// handleCall follows an admitted call: ringing while it waits, the answer,
// the talk, the hang-up.
func (s *Server) handleCall(c *call, req *sip.Request, tx sip.ServerTransaction) {
	inv := req.Clone() // responses carry our To tag
	inv.To().Params.Add("tag", c.toTag)
	reply := func(code int, reason string, body []byte, hdrs ...sip.Header) error {
		res := sip.NewResponseFromRequest(inv, code, reason, body)
		if code < 300 {
			res.AppendHeader(sip.HeaderClone(&s.contact))
		}
		for _, h := range hdrs {
			res.AppendHeader(h)
		}
		return tx.Respond(res)
	}
	var earlyEnd <-chan time.Time
	if c.media != nil {
		// 183 with the SDP answer, and early media while the caller waits
		// (for at most EarlyMediaMax).
		ct := sip.ContentTypeHeader("application/sdp")
		_ = reply(sip.StatusSessionInProgress, "Session Progress", c.media.answer, &ct)
		if c.media.startEarly() {
			t := time.NewTimer(s.cfg.EarlyMediaMax)
			defer t.Stop()
			earlyEnd = t.C
		}
	} else {
		_ = reply(sip.StatusRinging, "Ringing", nil)
	}
	maxWait := time.NewTimer(s.cfg.MaxWait)
	defer maxWait.Stop()

	// A CANCEL is the caller's abandonment at once: the transaction itself
	// ends only after the 487's ACK and Timer I, seconds later.
	cancelled := make(chan struct{})
	var cancelOnce sync.Once
	if !tx.OnCancel(func(*sip.Request) { cancelOnce.Do(func() { close(cancelled) }) }) {
		cancelOnce.Do(func() { close(cancelled) })
	}

wait:
	select {
	case <-earlyEnd:
		c.media.stream.StopSending()
		earlyEnd = nil
		goto wait
	case <-maxWait.C:
		// The caller has waited the longest the center lets anyone wait.
		s.expired.Add(1)
		s.acd.abandon(c, time.Now())
		_ = reply(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable (maximum wait reached)", nil)
		return
	case <-c.assigned:
	case <-cancelled:
		s.acd.abandon(c, time.Now())
		return
	case <-tx.Done():
		// CANCEL (sipgo's transaction layer answered it 200 and the INVITE
		// 487) or the connection went away.
		s.acd.abandon(c, time.Now())
		return
	case <-c.bye:
		// BYE on the early dialog (RFC 3261 15.1.2): end it like a CANCEL.
		_ = reply(sip.StatusRequestTerminated, "Request Terminated", nil)
		s.acd.abandon(c, time.Now())
		return
	case <-s.done:
		_ = reply(sip.StatusServiceUnavailable, "Service Unavailable", nil, s.retryAfter())
		s.acd.leaveAtEnd(c, time.Now())
		return
	}

	// Answer, unless a CANCEL got there first.
	canceled := func() bool { return errors.Is(tx.Err(), sip.ErrTransactionCanceled) }
	if canceled() || c.ending.Load() {
		s.acd.abandon(c, time.Now())
		return
	}
	sdp := s.sdp
	if c.media != nil {
		sdp = c.media.answer
		c.media.answered()
	}
	ok := sip.NewSDPResponseFromRequest(inv, sdp)
	ok.AppendHeader(sip.HeaderClone(&s.contact))
	c.confirmed.Store(true) // before the 200: a re-INVITE may follow it at once
	if err := tx.Respond(ok); err != nil || canceled() {
		s.log.Debug("200 OK not sent", "call", c.id, "error", err)
		s.acd.abandon(c, time.Now())
		return
	}
	c.media.sentAnswer()
	handle := time.NewTimer(s.acd.answer(c, time.Now()))
	defer handle.Stop()

	// Wait for the ACK, retransmitting the 2xx over UDP (RFC 3261 13.3.1.4).
	acked := s.waitAck(c, tx, ok)
	if acked == ackByBye {
		s.acd.finish(c, true, time.Now())
		return
	}
	if acked == ackOK {
	talk:
		for {
			select {
			case <-handle.C:
				next, d := s.handOn(c, req, inv)
				if next == callOver {
					return
				}
				if next == talkAgain {
					handle.Reset(d)
					continue
				}
			case <-c.bye:
				s.acd.finish(c, true, time.Now())
				return
			case <-s.done:
			}
			break talk
		}
	}
	if !c.ending.CompareAndSwap(false, true) {
		// The caller's BYE crossed the agent's hang-up.
		s.acd.finish(c, true, time.Now())
		return
	}
	s.hangup(c, req, inv)
	s.acd.finish(c, false, time.Now())
}

// afterTalk is what follows an agent's talk.
type afterTalk int

const (
	hangUp    afterTalk = iota // the agent hangs up
	callOver                   // the call has ended (and been counted)
	talkAgain                  // transferred: an agent of the next queue talks
)

// handOn plays a transfer at the end of an agent's talk, if the agent
// transfers the call (see acd.endTalk): the caller is held during the
// agent's wrap-up, then waits in the transfer_to queue, still in the SIP
// dialog (no BYE; media echo goes on), until an agent there takes the call.
// It returns talkAgain with that agent's handle time, hangUp when there is
// no transfer, or callOver once the call has ended meanwhile.
func (s *Server) handOn(c *call, req, inv *sip.Request) (afterTalk, time.Duration) {
	hold, ok := s.acd.endTalk(c, time.Now())
	if !ok {
		return hangUp, 0
	}
	t := time.NewTimer(hold)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.bye:
		s.acd.finishHeld(c, true)
		return callOver, 0
	case <-s.done:
	}
	if s.acd.handOn(c, time.Now()) != admitted {
		// Closing, or the transfer_to queue is closed: the agent hangs up.
		if !c.ending.CompareAndSwap(false, true) {
			s.acd.finishHeld(c, true)
			return callOver, 0
		}
		s.hangup(c, req, inv)
		s.acd.finishHeld(c, false)
		return callOver, 0
	}
	select {
	case <-c.assigned:
	case <-c.gaveUp:
		// The caller's patience in this queue ran out (acd.handOn): an
		// abandonment, counted; the center ends the call.
		if c.ending.CompareAndSwap(false, true) {
			s.hangup(c, req, inv)
		}
		return callOver, 0
	case <-c.bye:
		// The caller hung up while waiting: an abandonment of this queue.
		s.acd.abandon(c, time.Now())
		return callOver, 0
	case <-s.done:
		s.acd.leaveAtEnd(c, time.Now())
		if c.ending.CompareAndSwap(false, true) {
			s.hangup(c, req, inv)
		}
		return callOver, 0
	}
	if c.ending.Load() {
		s.acd.abandon(c, time.Now())
		return callOver, 0
	}
	return talkAgain, s.acd.answer(c, time.Now())
}

type ackState int

const (
	ackOK      ackState = iota
	ackByBye            // the caller hung up
	ackMissing          // no ACK in 64*T1, or shutting down: hang up
)

func (s *Server) waitAck(c *call, tx sip.ServerTransaction, ok *sip.Response) ackState {
	var retrans <-chan time.Time
	interval := sip.T1
	var rt *time.Timer
	if s.transport == "UDP" {
		rt = time.NewTimer(interval)
		defer rt.Stop()
		retrans = rt.C
	}
	giveUp := time.NewTimer(64 * sip.T1)
	defer giveUp.Stop()
	for {
		select {
		case <-c.ack:
			return ackOK
		case <-c.bye:
			return ackByBye
		case <-retrans:
			if err := tx.Respond(ok); err != nil {
				s.log.Debug("2xx retransmission failed", "call", c.id, "error", err)
			}
			interval = min(2*interval, sip.T2)
			rt.Reset(interval)
		case <-giveUp.C:
			s.log.Debug("no ACK for 2xx; hanging up", "call", c.id)
			return ackMissing
		case <-s.done:
			return ackMissing
		}
	}
}

// hangup sends the agent's BYE and waits for its final response.
func (s *Server) hangup(c *call, req, inv *sip.Request) {
	target := req.Contact().Address
	bye := sip.NewRequest(sip.BYE, *target.Clone())
	from := inv.To().AsFrom()
	to := inv.From().AsTo()
	bye.AppendHeader(&from)
	bye.AppendHeader(&to)
	bye.AppendHeader(sip.HeaderClone(req.CallID()))
	bye.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.BYE})
	maxFwd := sip.MaxForwardsHeader(70)
	bye.AppendHeader(&maxFwd)
	// The UAS route set is the INVITE's Record-Route, in order (RFC 3261 12.1.1).
	rr := req.GetHeaders("Record-Route")
	for _, h := range rr {
		bye.AppendHeader(sip.NewHeader("Route", h.Value()))
	}
	if len(rr) == 0 {
		// Send where the INVITE came from: the caller's connection (TCP) or
		// socket, whatever its Contact says.
		bye.SetDestination(req.Source())
	} else if r := bye.Route(); r != nil {
		bye.SetDestination(r.Address.HostPort())
	}
	bye.SetTransport(req.Transport())
	bye.SetBody(nil)
	if s.transport == "UDP" {
		bye.Laddr = s.laddr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	tx, err := s.cl.TransactionRequest(ctx, bye, sipgo.ClientRequestAddVia)
	if err != nil {
		s.log.Debug("BYE not sent", "call", c.id, "error", err)
		return
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.StatusCode >= 200 {
				if !res.IsSuccess() {
					s.log.Debug("BYE refused", "call", c.id, "code", res.StatusCode)
				}
				return
			}
		case <-tx.Done():
			s.log.Debug("BYE transaction ended", "call", c.id, "error", tx.Err())
			return
		case <-ctx.Done():
			return
		case <-s.hard:
			return
		}
	}
}

func (s *Server) lookup(req *sip.Request) *call {
	cid := req.CallID()
	if cid == nil {
		return nil
	}
	v, ok := s.calls.Load(cid.Value())
	if !ok {
		return nil
	}
	c := v.(*call)
	from, to := req.From(), req.To()
	if from == nil || to == nil || tagOf(from.Params) != c.fromTag || tagOf(to.Params) != c.toTag {
		return nil
	}
	return c
}

func (s *Server) onAck(req *sip.Request, _ sip.ServerTransaction) {
	if c := s.lookup(req); c != nil {
		c.ackOnce.Do(func() { close(c.ack) })
	}
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := s.lookup(req)
	if c == nil {
		s.respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	s.respond(tx, req, sip.StatusOK, "OK")
	if c.ending.CompareAndSwap(false, true) {
		c.byeOnce.Do(func() { close(c.bye) })
	}
}

// onCancel sees only a CANCEL that matches no INVITE transaction (sipgo's
// transaction layer handles the others).
func (s *Server) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	s.respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

var quietSIPLogs sync.Once

// silenceDefaultSIPLogger routes sipgo's package-level logger away from the
// process's stderr, unless an application already configured it.
func silenceDefaultSIPLogger() {
	quietSIPLogs.Do(func() {
		if sip.DefaultLogger() == slog.Default() {
			sip.SetDefaultLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
		}
	})
}
