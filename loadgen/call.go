package loadgen

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// callResult is what a finished call hands to the collector.
type callResult struct {
	rec        CallRecord
	srdWire    time.Duration
	answerWire time.Duration
	sdd        time.Duration
	byeOK      bool
}

// call is one attempted call (or OPTIONS/REGISTER transaction).
type call struct {
	e        *engine
	n        uint64
	ep       *endpoint
	p        *callParams
	callID   string
	intended time.Time
	actual   time.Time
	late     bool
	done     chan struct{}

	invite      *sip.Request
	answer      *sip.Response
	srd         time.Duration // from the intended start
	srdWire     time.Duration // from the INVITE
	answerDelay time.Duration
	answerWire  time.Duration
	answeredAt  time.Time
	finalStatus int

	// Hold phase: ending is claimed once, by the hold timer, a BYE from the
	// far end, or the end of the run.
	ending    atomic.Bool
	holdTimer *time.Timer
	finished  atomic.Bool

	// Media: the call's RTP stream and its figures.
	callMedia
}

const sdpBody = "v=0\r\no=callsim 1 1 IN IP4 %s\r\ns=callsim\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"

func (c *call) run() {
	e := c.e
	c.ep = e.endpointFor(c.n)
	c.p = e.par.params(c.n)
	c.callID = e.idPrefix + "-" + strconv.FormatUint(c.n, 10) + "@callsim"
	c.actual = time.Now()
	c.late = c.actual.Sub(c.intended) > e.cfg.LateTolerance
	e.col.started(c.intended, c.actual, c.late)
	switch e.cfg.Mode {
	case ModeCall:
		c.invitePhase()
	default:
		c.single()
	}
}

// finish records the call's outcome exactly once.
func (c *call) finish(o Outcome, hangupBy string, duration, sdd time.Duration, byeOK bool) {
	if !c.finished.CompareAndSwap(false, true) {
		return
	}
	e := c.e
	c.stopMedia(c.e)
	rec := CallRecord{CallID: c.callID, Seq: c.n, IntendedStart: c.intended, ActualStart: c.actual,
		SRD: c.srd, AnswerDelay: c.answerDelay, Duration: duration, FinalStatus: c.finalStatus,
		Outcome: o, HangupBy: hangupBy, Late: c.late, Media: c.stats}
	if c.p != nil {
		to := c.p.reqURI
		if e.cfg.Mode == ModeRegister {
			to = c.registrarURI()
		}
		rec.From, rec.To = c.p.from, to.String()
	}
	e.col.finished(&callResult{rec: rec, srdWire: c.srdWire, answerWire: c.answerWire, sdd: sdd, byeOK: byeOK}, time.Now())
	e.calls.Delete(c.callID)
	e.inflight.Add(-1)
	close(c.done)
	e.wg.Done()
}

// registrarURI is the Request-URI of a REGISTER: the target without a user.
func (c *call) registrarURI() sip.Uri {
	u := c.e.tgt.uri
	return sip.Uri{Scheme: u.Scheme, Host: u.Host, Port: u.Port, UriParams: u.UriParams}
}

// reqOption adds a Via (new branch) and pins the local socket.
func (c *call) reqOption(cl *sipgo.Client, r *sip.Request) error {
	if err := sipgo.ClientRequestAddVia(cl, r); err != nil {
		return err
	}
	c.pin(r)
	return nil
}

func (c *call) pin(r *sip.Request) {
	if c.ep.laddr.IP != nil {
		r.Laddr = c.ep.laddr
	}
}

func keepVia(*sipgo.Client, *sip.Request) error { return nil }

func (c *call) newRequest(method sip.RequestMethod) *sip.Request {
	e := c.e
	req := sip.NewRequest(method, c.p.reqURI) // NewRequest copies the URI's parameters
	from := c.p.fromHeader(c.ep.host)
	from.Params.Add("tag", sip.GenerateTagN(12))
	toURI := c.p.reqURI
	toURI.UriParams = nil
	toURI.Headers = nil
	toURI.Port = 0
	to := &sip.ToHeader{Address: toURI}
	if method == sip.REGISTER {
		to = &sip.ToHeader{Address: sip.Uri{Scheme: from.Address.Scheme, User: c.p.from, Host: toURI.Host}}
	}
	callID := sip.CallIDHeader(c.callID)
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: method})
	req.AppendHeader(&maxFwd)
	if method == sip.INVITE || method == sip.REGISTER {
		contact := c.ep.contact
		req.AppendHeader(&contact)
	}
	req.AppendHeader(sip.NewHeader("User-Agent", "callsim"))
	req.SetTransport(e.tgt.transport)
	if c.p.reqURI.Host != e.tgt.uri.Host || c.p.reqURI.Port != e.tgt.uri.Port {
		req.SetDestination(e.destination())
	}
	return req
}

// inviteRequest builds the initial INVITE, with an SDP offer for an RTP
// port of its own unless media is off.
func (c *call) inviteRequest() (*sip.Request, error) {
	e := c.e
	req := c.newRequest(sip.INVITE)
	ct := sip.ContentTypeHeader("application/sdp")
	req.AppendHeader(&ct)
	if e.ports == nil {
		req.SetBody([]byte(sprintf2(sdpBody, c.ep.host)))
		return req, nil
	}
	st, offer, err := e.newStream(c.n)
	if err != nil {
		return nil, err
	}
	c.media = st
	req.SetBody(offer)
	return req, nil
}

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

func (c *call) txContext() (context.Context, context.CancelFunc) {
	if c.e.tgt.transport == "UDP" {
		// A bound UDP socket sends without dialling: no deadline (no timer) needed.
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), c.e.cfg.InviteTimeout)
}

// invitePhase sends the INVITE and follows it to a final response, sending
// CANCEL when the caller's patience runs out, the timeout expires after a
// provisional response, or the run is ending.
func (c *call) invitePhase() {
	e := c.e
	cl := c.ep.client
	inv, err := c.inviteRequest()
	if err != nil {
		e.log.Warn("call not placed", "call", c.callID, "error", err)
		e.col.media.portErrors.Add(1)
		c.finish(OutcomeTransportError, "", 0, 0, false)
		return
	}
	c.invite = inv
	ctx, cancelCtx := c.txContext()
	tx, err := cl.TransactionRequest(ctx, c.invite, c.reqOption)
	cancelCtx()
	if err != nil {
		e.log.Debug("INVITE not sent", "call", c.callID, "error", err)
		c.finish(OutcomeTransportError, "", 0, 0, false)
		return
	}
	sent := time.Now()

	timeout := time.NewTimer(e.cfg.InviteTimeout)
	defer timeout.Stop()
	var patienceC <-chan time.Time
	if !e.cfg.Patience.IsZero() {
		pt := time.NewTimer(e.samplePatience())
		defer pt.Stop()
		patienceC = pt.C
	}
	stopC := (<-chan struct{})(e.stop)
	hardC := (<-chan struct{})(e.hard)

	var (
		provisional  bool
		authTried    bool
		cancelWanted Outcome // non-empty: a CANCEL is due or sent, with this outcome
		cancelBy     string
		cancelSent   bool
		cancelTx     sip.ClientTransaction
		cancelResp   <-chan *sip.Response
	)
	sendCancel := func() {
		cancelSent = true
		ct, err := c.sendCancel()
		if err != nil {
			e.log.Debug("CANCEL not sent", "call", c.callID, "error", err)
			return
		}
		cancelTx = ct
		cancelResp = ct.Responses()
		// Wait a further timeout for the 487.
		timeout.Reset(e.cfg.InviteTimeout)
	}
	defer func() {
		if cancelTx != nil {
			cancelTx.Terminate()
		}
	}()
	want := func(o Outcome, by string) {
		if cancelWanted != "" {
			return
		}
		cancelWanted, cancelBy = o, by
		if provisional {
			sendCancel()
		}
	}

	for {
		select {
		case res := <-tx.Responses():
			now := time.Now()
			e.col.response(res.StatusCode)
			code := res.StatusCode
			if (code > 100 && code < 300) && c.srd == 0 {
				c.srd = now.Sub(c.intended)
				c.srdWire = now.Sub(sent)
			}
			switch {
			case code < 200:
				provisional = true
				if code > 100 && !c.negotiated {
					_ = c.takeSDP(c.e, res.Body()) // early media: 183 Session Progress with SDP
				}
				if cancelWanted != "" && !cancelSent {
					sendCancel()
				}
			case code < 300:
				c.finalStatus = code
				c.answerDelay = now.Sub(c.intended)
				c.answerWire = now.Sub(sent)
				c.answer = res
				c.answeredAt = now
				e.col.answered(now)
				c.sendAck(tx)
				if cancelWanted == "" {
					c.startMedia(c.e, res.Body(), now, c.callID)
				}
				if cancelWanted != "" {
					// The answer crossed our CANCEL: hang up at once.
					c.answeredThenAbandoned(cancelWanted, cancelBy)
					return
				}
				c.hold()
				return
			case (code == 401 || code == 407) && c.p.password != "" && !authTried && cancelWanted == "":
				authTried = true
				ctx, cancelCtx := c.txContext()
				ntx, err := cl.TransactionDigestAuth(ctx, c.invite, res, sipgo.DigestAuth{Username: c.p.user, Password: c.p.password})
				cancelCtx()
				if err != nil {
					c.finalStatus = code
					c.finish(OutcomeFailed, "", 0, 0, false)
					return
				}
				c.pin(c.invite)
				tx = ntx
				provisional = false
			default:
				c.finalStatus = code
				if cancelWanted != "" && code == sip.StatusRequestTerminated {
					c.finish(cancelWanted, cancelBy, 0, 0, false)
				} else {
					c.finish(OutcomeFailed, "", 0, 0, false)
				}
				return
			}
		case <-tx.Done():
			err := tx.Err()
			switch {
			case cancelSent && cancelWanted != "":
				c.finish(cancelWanted, cancelBy, 0, 0, false)
			case errors.Is(err, sip.ErrTransactionTimeout):
				c.finish(OutcomeTimedOut, "", 0, 0, false)
			default:
				e.log.Debug("INVITE transaction ended", "call", c.callID, "error", err)
				c.finish(OutcomeTransportError, "", 0, 0, false)
			}
			return
		case <-patienceC:
			patienceC = nil
			want(OutcomeAbandoned, "caller")
		case <-stopC:
			stopC = nil
			want(OutcomeAbandoned, "interrupt")
		case <-timeout.C:
			if cancelSent {
				// CANCEL sent a timeout ago and still no final response.
				tx.Terminate()
				c.finish(cancelWanted, cancelBy, 0, 0, false)
				return
			}
			want(OutcomeTimedOut, "")
			if !cancelSent {
				// No provisional response, so no CANCEL is allowed: give up.
				tx.Terminate()
				c.finish(OutcomeTimedOut, "", 0, 0, false)
				return
			}
		case <-hardC:
			tx.Terminate()
			if cancelWanted == "" || !cancelSent {
				c.finish(OutcomeTimedOut, "", 0, 0, false)
			} else {
				c.finish(cancelWanted, cancelBy, 0, 0, false)
			}
			return
		case res := <-cancelResp:
			e.col.response(res.StatusCode)
			if res.StatusCode >= 200 {
				cancelResp = nil
			}
		}
	}
}

func (c *call) sendCancel() (sip.ClientTransaction, error) {
	inv := c.invite
	cancel := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	cancel.AppendHeader(sip.HeaderClone(inv.Via()))
	cancel.AppendHeader(sip.HeaderClone(inv.From()))
	cancel.AppendHeader(sip.HeaderClone(inv.To()))
	cancel.AppendHeader(sip.HeaderClone(inv.CallID()))
	maxFwd := sip.MaxForwardsHeader(70)
	cancel.AppendHeader(&maxFwd)
	cancel.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	sip.CopyHeaders("Route", inv, cancel)
	cancel.SetBody(nil)
	cancel.SetTransport(inv.Transport())
	cancel.SetDestination(inv.Destination())
	c.pin(cancel)
	ctx, cancelCtx := c.txContext()
	defer cancelCtx()
	return c.ep.client.TransactionRequest(ctx, cancel, keepVia)
}

// inDialog builds an ACK or BYE within the dialog of the 2xx answer.
func (c *call) inDialog(method sip.RequestMethod, seq uint32) *sip.Request {
	inv, res := c.invite, c.answer
	recipient := inv.Recipient
	if cont := res.Contact(); cont != nil {
		recipient = cont.Address
	}
	req := sip.NewRequest(method, *recipient.Clone())
	req.AppendHeader(sip.HeaderClone(inv.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(inv.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	// The route set is the Record-Route of the answer, reversed (RFC 3261 12.1.2).
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		req.AppendHeader(sip.NewHeader("Route", rr[i].Value()))
	}
	if len(rr) > 0 {
		if rh := req.Route(); rh != nil && !rh.Address.UriParams.Has("lr") {
			req.Recipient = rh.Address // strict router
		}
	}
	req.SetBody(nil)
	req.SetTransport(inv.Transport())
	return req
}

func (c *call) sendAck(tx sip.ClientTransaction) {
	e := c.e
	ack := c.inDialog(sip.ACK, c.invite.CSeq().SeqNo)
	if err := c.reqOption(c.ep.client, ack); err != nil {
		e.log.Debug("ACK not built", "call", c.callID, "error", err)
		return
	}
	// A retransmitted 2xx is rare: rebuild the same ACK then (same Via).
	via := ack.Via().Clone()
	tx.OnRetransmission(func(r *sip.Response) {
		e.col.retransmissions.Add(1)
		if r.IsSuccess() {
			again := c.inDialog(sip.ACK, c.invite.CSeq().SeqNo)
			again.PrependHeader(via.Clone())
			c.pin(again)
			_ = c.ep.client.WriteRequest(again, keepVia)
		}
	})
	if err := c.ep.client.WriteRequest(ack, keepVia); err != nil {
		e.log.Debug("ACK not sent", "call", c.callID, "error", err)
	}
}

// hold keeps an answered call up for its hold time, then hangs up.
func (c *call) hold() {
	e := c.e
	// The timer exists before the call is published in e.calls, where a
	// remote BYE may find it and stop it from another goroutine.
	d := e.sampleHold()
	c.holdTimer = time.AfterFunc(time.Hour, func() { c.hangup("caller") })
	c.holdTimer.Stop()
	e.calls.Store(c.callID, c)
	c.holdTimer.Reset(d)
	select {
	case <-e.stop:
		c.hangupSoon("interrupt")
	default:
	}
}

// hangupSoon ends a holding call now (the run is ending).
func (c *call) hangupSoon(by string) {
	if c.holdTimer != nil && c.holdTimer.Stop() {
		go c.hangup(by)
	}
}

func (c *call) remoteHangup() {
	if !c.ending.CompareAndSwap(false, true) {
		return
	}
	if c.holdTimer != nil {
		c.holdTimer.Stop()
	}
	c.stopMedia(c.e)
	c.finish(OutcomeCompleted, "callee", time.Since(c.answeredAt), 0, true)
}

func (c *call) answeredThenAbandoned(o Outcome, by string) {
	c.ending.Store(true)
	ok, sdd := c.bye()
	_ = ok
	c.finish(o, by, 0, sdd, false)
}

// hangup sends BYE and records the call as completed.
func (c *call) hangup(by string) {
	if !c.ending.CompareAndSwap(false, true) {
		return
	}
	dur := time.Since(c.answeredAt)
	c.stopMedia(c.e)
	ok, sdd := c.bye()
	c.finish(OutcomeCompleted, by, dur, sdd, ok)
}

// bye sends a BYE and waits for its final response; it reports whether a
// 2xx came back, and the session disconnect delay if any final did.
func (c *call) bye() (bool, time.Duration) {
	e := c.e
	cl := c.ep.client
	bye := c.inDialog(sip.BYE, c.invite.CSeq().SeqNo+1)
	ctx, cancelCtx := c.txContext()
	tx, err := cl.TransactionRequest(ctx, bye, c.reqOption)
	cancelCtx()
	if err != nil {
		e.log.Debug("BYE not sent", "call", c.callID, "error", err)
		return false, 0
	}
	sent := time.Now()
	defer func() { tx.Terminate() }()
	timeout := time.NewTimer(e.cfg.InviteTimeout)
	defer timeout.Stop()
	authTried := false
	for {
		select {
		case res := <-tx.Responses():
			if res.StatusCode < 200 {
				continue
			}
			if (res.StatusCode == 401 || res.StatusCode == 407) && c.p.password != "" && !authTried {
				authTried = true
				ctx, cancelCtx := c.txContext()
				ntx, err := cl.TransactionDigestAuth(ctx, bye, res, sipgo.DigestAuth{Username: c.p.user, Password: c.p.password})
				cancelCtx()
				if err != nil {
					return false, time.Since(sent)
				}
				tx.Terminate()
				tx = ntx
				continue
			}
			return res.IsSuccess(), time.Since(sent)
		case <-tx.Done():
			return false, 0
		case <-timeout.C:
			return false, 0
		case <-e.hard:
			return false, 0
		}
	}
}

// single runs one OPTIONS or REGISTER transaction as a "call": completed on
// a 2xx, failed on another final response. SRD and answer delay are both the
// time to the final response (for REGISTER: the registration request delay).
func (c *call) single() {
	e := c.e
	cl := c.ep.client
	method := sip.OPTIONS
	if e.cfg.Mode == ModeRegister {
		method = sip.REGISTER
	}
	req := c.newRequest(method)
	if method == sip.REGISTER {
		req.Recipient = c.registrarURI()
		exp := sip.ExpiresHeader(3600)
		req.AppendHeader(&exp)
	}
	req.SetBody(nil)
	ctx, cancelCtx := c.txContext()
	tx, err := cl.TransactionRequest(ctx, req, c.reqOption)
	cancelCtx()
	if err != nil {
		c.finish(OutcomeTransportError, "", 0, 0, false)
		return
	}
	sent := time.Now()
	timeout := time.NewTimer(e.cfg.InviteTimeout)
	defer timeout.Stop()
	authTried := false
	for {
		select {
		case res := <-tx.Responses():
			e.col.response(res.StatusCode)
			if res.StatusCode < 200 {
				continue
			}
			if (res.StatusCode == 401 || res.StatusCode == 407) && c.p.password != "" && !authTried {
				authTried = true
				ctx, cancelCtx := c.txContext()
				ntx, err := cl.TransactionDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: c.p.user, Password: c.p.password})
				cancelCtx()
				tx.Terminate()
				if err != nil {
					c.finalStatus = res.StatusCode
					c.finish(OutcomeFailed, "", 0, 0, false)
					return
				}
				tx = ntx
				continue
			}
			now := time.Now()
			c.finalStatus = res.StatusCode
			tx.Terminate()
			if res.IsSuccess() {
				c.srd, c.srdWire = now.Sub(c.intended), now.Sub(sent)
				c.answerDelay, c.answerWire = c.srd, c.srdWire
				e.col.answered(now)
				c.finish(OutcomeCompleted, "", 0, 0, true)
			} else {
				c.finish(OutcomeFailed, "", 0, 0, false)
			}
			return
		case <-tx.Done():
			if errors.Is(tx.Err(), sip.ErrTransactionTimeout) {
				c.finish(OutcomeTimedOut, "", 0, 0, false)
			} else {
				c.finish(OutcomeTransportError, "", 0, 0, false)
			}
			return
		case <-timeout.C:
			tx.Terminate()
			c.finish(OutcomeTimedOut, "", 0, 0, false)
			return
		case <-e.hard:
			tx.Terminate()
			c.finish(OutcomeTimedOut, "", 0, 0, false)
			return
		}
	}
}
