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

	srd         time.Duration // from the intended start
	srdWire     time.Duration // from the INVITE
	answerDelay time.Duration
	answerWire  time.Duration
	answeredAt  time.Time
	finalStatus int

	finished atomic.Bool
}

func (c *call) run() {
	e := c.e
	c.ep = e.endpointFor(c.n)
	c.p = e.par.params(c.n)
	c.callID = e.idPrefix + "-" + strconv.FormatUint(c.n, 10) + "@callsim"
	c.actual = time.Now()
	c.late = c.actual.Sub(c.intended) > e.cfg.LateTolerance
	e.col.started(c.intended, c.actual, c.late)
	c.single()
}

// finish records the call's outcome exactly once.
func (c *call) finish(o Outcome, hangupBy string, duration, sdd time.Duration, byeOK bool) {
	if !c.finished.CompareAndSwap(false, true) {
		return
	}
	e := c.e
	rec := CallRecord{CallID: c.callID, Seq: c.n, IntendedStart: c.intended, ActualStart: c.actual,
		SRD: c.srd, AnswerDelay: c.answerDelay, Duration: duration, FinalStatus: c.finalStatus,
		Outcome: o, HangupBy: hangupBy, Late: c.late}
	if c.p != nil {
		to := c.p.reqURI
		if e.cfg.Mode == ModeRegister {
			to = c.registrarURI()
		}
		rec.From, rec.To = c.p.from, to.String()
	}
	e.col.finished(&callResult{rec: rec, srdWire: c.srdWire, answerWire: c.answerWire, sdd: sdd, byeOK: byeOK}, time.Now())
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

func (c *call) txContext() (context.Context, context.CancelFunc) {
	if c.e.tgt.transport == "UDP" {
		// A bound UDP socket sends without dialling: no deadline (no timer) needed.
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), c.e.cfg.InviteTimeout)
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
