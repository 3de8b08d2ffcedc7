package loadgen

import "time"

// The call state machine: the call policy of callsim load, written once.
// A call is in one of a few states; each input (a response, a request of
// the far end, a timer, the end of the run) is handled by the function of
// the state the call is in, which picks the next state and the actions the
// driver performs (wire.go: build and send messages, measure, record). The
// machine itself sends nothing, reads no clock and allocates nothing: it
// is given the time with each input, so a table test drives it through
// every state.
//
// The policy (RFC 3261):
//   - CANCEL only after a provisional response (9.1): an end asked for
//     before one (patience, --timeout, the end of the run) waits for it,
//     and the call gives up as timed out when none comes.
//   - A 2xx crossing our CANCEL is ACKed and the call hung up at once with
//     BYE; it keeps the outcome the CANCEL was for.
//   - A 487 after our CANCEL gives that outcome (abandoned or timed out);
//     any other final >= 300 is a failed call.
//   - One digest retry: a 401/407 to the INVITE is ACKed and the INVITE sent
//     again once with credentials (new CSeq and branch); a 401/407 to the
//     BYE likewise.
//   - Over UDP the INVITE is retransmitted with Timer A (T1, doubling) until
//     Timer B (64 T1, or --timeout if shorter) or a provisional response;
//     CANCEL and BYE with Timer E (T1 doubling, capped at T2) until their
//     final response; BYE is given up after Timer F (64 T1, or --timeout).
//     After a provisional response the INVITE waits --timeout from when it
//     was sent; after CANCEL a further --timeout for the 487.
//   - A non-2xx final is ACKed hop by hop, and ACKed again when
//     retransmitted: over UDP the call lingers for Timer D (32 s) after its
//     outcome. A retransmitted 2xx is ACKed again. A final to an earlier,
//     challenged INVITE is ACKed with that INVITE's branch.
//   - The hard stop (the grace period is over) records every call at once:
//     timed out before an answer (the outcome the CANCEL was for once one is
//     sent), completed by "interrupt" when holding.

// callState is where a call stands.
type callState uint8

const (
	csCalling    callState = iota // INVITE sent, no response yet
	csCallingEnd                  // an end is wanted, but no provisional came yet: CANCEL waits for one
	csProceeding                  // a provisional response came
	csCancelling                  // CANCEL sent; waiting for the INVITE's final response
	csHolding                     // answered and ACKed
	csByeing                      // BYE sent
	csLingering                   // outcome recorded; kept for Timer D to ACK a retransmitted final
	csEnded                       // outcome recorded, forgotten
	numCallStates
)

var callStateNames = [numCallStates]string{"calling", "calling-end", "proceeding", "cancelling", "holding", "byeing", "lingering", "ended"}

func (s callState) String() string {
	if s < numCallStates {
		return callStateNames[s]
	}
	return "invalid"
}

// callInput is what happened to a call.
type callInput uint8

const (
	inProvisional  callInput = iota // 1xx to the current INVITE
	inAnswer                        // 2xx to the current INVITE
	inChallenge                     // 401/407 to the current INVITE
	inCancelled                     // 487 to the current INVITE
	inRefused                       // another final >= 300 to the current INVITE
	inStaleFinal                    // a final >= 300 to an earlier (challenged) INVITE
	inStale                         // another response to an earlier INVITE
	inCancelFinal                   // a final response to the CANCEL
	inByeOK                         // 2xx to the BYE
	inByeChallenge                  // 401/407 to the BYE
	inByeRefused                    // another final to the BYE
	inRemoteBye                     // the far end's BYE (answered 200 by the driver)
	inRetransmit                    // Timer A (INVITE) or E (CANCEL, BYE) fired
	inDeadline                      // the state's limit: Timer B, --timeout, the wait for the 487, the hold time, Timer F, Timer D
	inPatience                      // the caller's patience ran out
	inInterrupt                     // the run is ending: CANCEL before the answer, BYE after
	inHardStop                      // the grace period is over: end now
	inConnLost                      // the connection the call's request went on broke
	inSendFailed                    // the INVITE or BYE just sent could not be
	inAuthFailed                    // no credentials could be made for the challenge just taken up
	numCallInputs
)

var callInputNames = [numCallInputs]string{"provisional", "answer", "challenge", "cancelled", "refused", "stale-final", "stale",
	"cancel-final", "bye-ok", "bye-challenge", "bye-refused", "remote-bye", "retransmit", "deadline", "patience",
	"interrupt", "hard-stop", "conn-lost", "send-failed", "auth-failed"}

func (in callInput) String() string {
	if in < numCallInputs {
		return callInputNames[in]
	}
	return "invalid"
}

// callAct is a set of actions for the driver, performed in the order of
// the constants.
type callAct uint32

const (
	actCount      callAct = 1 << iota // count the response (status code, setup delay, final status)
	actCountAgain                     // count a retransmission
	actEarlyMedia                     // take the SDP of a 183 for early media
	actAnswered                       // the INVITE was answered: measure the answer delay
	actDialog                         // take the dialog from the 2xx: To tag, remote target, route set
	actAckAnswer                      // ACK the 2xx, end to end along the route set
	actAckFinal                       // ACK the non-2xx final, hop by hop (the INVITE's branch)
	actAckStale                       // ACK a final to an earlier INVITE (with its branch)
	actInviteAuth                     // send the INVITE again with credentials (new CSeq and branch)
	actResend                         // retransmit the request (INVITE, CANCEL or BYE)
	actCancel                         // send CANCEL
	actStartMedia                     // start RTP
	actHangup                         // the caller hangs up now: measure the session duration, stop RTP
	actBye                            // send BYE
	actByeAuth                        // send the BYE again with credentials
	actSDD                            // the BYE got its final response: measure the disconnect delay
	actRecord                         // the outcome is decided: callFSM.end, endBy, byeOK
	actForget                         // drop the call: no input can concern it any more
)

// callTiming holds the RFC 3261 timers of an engine's calls.
type callTiming struct {
	T1, T2   time.Duration
	TimerD   time.Duration // 0 over TCP/TLS
	Timeout  time.Duration // --timeout: the INVITE's limit after a provisional, the wait for the 487
	Reliable bool          // TCP/TLS: nothing is retransmitted
}

// callFSM is one call's state.
type callFSM struct {
	tm    *callTiming
	state callState

	canAuth      bool // credentials are configured
	authTried    bool // the INVITE was sent again with credentials
	byeAuthTried bool // the BYE was sent again with credentials
	cancelDone   bool // the CANCEL got its final response

	want   Outcome // the outcome of an end asked for before the answer ("" none)
	wantBy string
	end    Outcome // the outcome, once known (after the BYE, or recorded)
	endBy  string
	byeOK  bool // the call ended normally (our BYE got a 2xx, or the far end's BYE)

	hold      time.Duration // how long the call holds once answered
	sent      time.Time     // the current INVITE went out
	retransAt time.Time     // next retransmission (zero: none)
	retransIv time.Duration
	deadline  time.Time // the state's limit (zero: none)
	patience  time.Time // the caller hangs up before the answer (zero: never)
}

// start enters Calling: the INVITE went out at now.
func (m *callFSM) start(now time.Time, hold, patience time.Duration) {
	m.state = csCalling
	m.hold = hold
	if patience > 0 {
		m.patience = now.Add(patience)
	}
	m.inviteSent(now)
}

// inviteSent arms Timer A and B for an INVITE sent at now.
func (m *callFSM) inviteSent(now time.Time) {
	m.sent = now
	m.deadline = now.Add(min(m.tm.Timeout, 64*m.tm.T1))
	m.retransmit(now)
}

// retransmit starts retransmitting the request just sent (UDP only).
func (m *callFSM) retransmit(now time.Time) {
	if m.tm.Reliable {
		m.retransAt = time.Time{}
		return
	}
	m.retransIv = m.tm.T1
	m.retransAt = now.Add(m.retransIv)
}

// next is the earliest time a timer input is due (zero: none).
func (m *callFSM) next() time.Time {
	var t time.Time
	for _, x := range [...]time.Time{m.retransAt, m.patience, m.deadline} {
		if !x.IsZero() && (t.IsZero() || x.Before(t)) {
			t = x
		}
	}
	return t
}

// due reports the first timer input due at now: retransmission, then
// patience, then the deadline.
func (m *callFSM) due(now time.Time) (callInput, bool) {
	switch {
	case m.state == csEnded:
		return 0, false
	case !m.retransAt.IsZero() && !now.Before(m.retransAt):
		return inRetransmit, true
	case !m.patience.IsZero() && !now.Before(m.patience):
		return inPatience, true
	case !m.deadline.IsZero() && !now.Before(m.deadline):
		return inDeadline, true
	}
	return 0, false
}

// step handles input in at now and returns the driver's actions.
func (m *callFSM) step(now time.Time, in callInput) callAct {
	switch in {
	case inRetransmit:
		return m.onRetransmit(now)
	case inPatience:
		m.patience = time.Time{}
	case inDeadline:
		m.deadline = time.Time{}
	case inStale:
		return actCountAgain
	case inStaleFinal:
		return actCountAgain | actAckStale
	}
	switch m.state {
	case csCalling, csCallingEnd, csProceeding, csCancelling:
		return m.inviting(now, in)
	case csHolding:
		return m.holding(now, in)
	case csByeing:
		return m.byeing(now, in)
	case csLingering:
		return m.lingering(in)
	}
	return m.ended(in)
}

// onRetransmit sends the request again: Timer A doubles without bound
// (Timer B ends it), Timer E is capped at T2.
func (m *callFSM) onRetransmit(now time.Time) callAct {
	switch m.state {
	case csCalling, csCallingEnd:
		m.retransIv *= 2
	case csCancelling, csByeing:
		m.retransIv = min(2*m.retransIv, m.tm.T2)
	default:
		m.retransAt = time.Time{}
		return 0
	}
	m.retransAt = now.Add(m.retransIv)
	return actResend
}

// inviting: the INVITE waits for its final response (Calling, CallingEnd,
// Proceeding, Cancelling).
func (m *callFSM) inviting(now time.Time, in callInput) callAct {
	switch in {
	case inProvisional:
		switch m.state {
		case csCalling:
			m.state = csProceeding
			m.retransAt = time.Time{}
			// Timer B no longer applies; the call's own timeout does.
			m.deadline = m.sent.Add(m.tm.Timeout)
		case csCallingEnd:
			return actCount | actEarlyMedia | m.sendCancel(now)
		}
		return actCount | actEarlyMedia
	case inAnswer:
		a := actCount | actAnswered | actDialog | actAckAnswer
		m.retransAt, m.patience = time.Time{}, time.Time{}
		if m.want != "" {
			// The answer crossed our CANCEL (or came before the CANCEL
			// could go): hang up at once.
			m.end, m.endBy = m.want, m.wantBy
			return a | m.sendBye(now)
		}
		m.state = csHolding
		m.deadline = now.Add(m.hold)
		return a | actStartMedia
	case inChallenge:
		if m.canAuth && !m.authTried && m.want == "" {
			m.authTried = true
			m.state = csCalling
			m.inviteSent(now)
			return actCount | actAckFinal | actInviteAuth
		}
		return m.refused(now, OutcomeFailed, "")
	case inCancelled:
		if m.want != "" {
			return m.refused(now, m.want, m.wantBy)
		}
		return m.refused(now, OutcomeFailed, "")
	case inRefused:
		return m.refused(now, OutcomeFailed, "")
	case inCancelFinal:
		if m.state != csCancelling {
			return actCountAgain
		}
		if !m.cancelDone {
			m.cancelDone = true
			m.retransAt = time.Time{}
		}
		return actCount
	case inPatience:
		return m.wantEnd(now, OutcomeAbandoned, "caller")
	case inInterrupt:
		return m.wantEnd(now, OutcomeAbandoned, "interrupt")
	case inDeadline:
		switch m.state {
		case csProceeding:
			return m.wantEnd(now, OutcomeTimedOut, "")
		case csCancelling:
			// CANCEL sent a timeout ago and still no final response.
			return m.record(m.want, m.wantBy, false)
		}
		// No provisional response, so no CANCEL is allowed: give up.
		return m.record(OutcomeTimedOut, "", false)
	case inHardStop:
		if m.state == csCancelling {
			return m.record(m.want, m.wantBy, false)
		}
		return m.record(OutcomeTimedOut, "", false)
	case inConnLost, inSendFailed:
		if in == inSendFailed && m.state == csCancelling {
			return 0 // the CANCEL was not sent; wait for the deadline
		}
		return m.record(OutcomeTransportError, "", false)
	case inAuthFailed:
		// The challenge was counted and ACKed: keep ACKing it for Timer D.
		return m.refused(now, OutcomeFailed, "") &^ (actCount | actAckFinal)
	case inByeOK, inByeChallenge, inByeRefused:
		return actCountAgain
	}
	return 0
}

// wantEnd asks for the call to end before an answer: CANCEL once a
// provisional response has come (RFC 3261 9.1), else when one comes.
func (m *callFSM) wantEnd(now time.Time, o Outcome, by string) callAct {
	if m.want != "" {
		return 0
	}
	m.want, m.wantBy = o, by
	switch m.state {
	case csCalling:
		m.state = csCallingEnd
	case csProceeding:
		return m.sendCancel(now)
	}
	return 0
}

func (m *callFSM) sendCancel(now time.Time) callAct {
	m.state = csCancelling
	m.retransmit(now)
	// Wait a further timeout for the 487.
	m.deadline = now.Add(m.tm.Timeout)
	return actCancel
}

func (m *callFSM) sendBye(now time.Time) callAct {
	m.state = csByeing
	m.retransmit(now)
	m.deadline = now.Add(min(m.tm.Timeout, 64*m.tm.T1))
	return actBye
}

// refused ends the INVITE on a non-2xx final: ACK it, record o, and linger
// for Timer D over UDP.
func (m *callFSM) refused(now time.Time, o Outcome, by string) callAct {
	a := actCount | actAckFinal | m.record(o, by, false)
	if m.tm.TimerD > 0 && !m.tm.Reliable {
		m.state = csLingering
		m.deadline = now.Add(m.tm.TimerD)
		return a &^ actForget
	}
	return a
}

// record decides the outcome; the call is then forgotten.
func (m *callFSM) record(o Outcome, by string, ok bool) callAct {
	m.end, m.endBy, m.byeOK = o, by, ok
	m.state = csEnded
	m.retransAt, m.deadline, m.patience = time.Time{}, time.Time{}, time.Time{}
	return actRecord | actForget
}

// holding: answered, until the hold time ends or a side hangs up.
func (m *callFSM) holding(now time.Time, in callInput) callAct {
	switch in {
	case inAnswer:
		return actCountAgain | actAckAnswer
	case inDeadline:
		m.end, m.endBy = OutcomeCompleted, "caller"
		return actHangup | m.sendBye(now)
	case inInterrupt:
		m.end, m.endBy = OutcomeCompleted, "interrupt"
		return actHangup | m.sendBye(now)
	case inRemoteBye:
		return actHangup | m.record(OutcomeCompleted, "callee", true)
	case inHardStop:
		return actHangup | m.record(OutcomeCompleted, "interrupt", false)
	case inProvisional, inChallenge, inCancelled, inRefused, inCancelFinal, inByeOK, inByeChallenge, inByeRefused:
		return actCountAgain
	}
	return 0
}

// byeing: the BYE waits for its final response.
func (m *callFSM) byeing(now time.Time, in callInput) callAct {
	switch in {
	case inAnswer:
		return actCountAgain | actAckAnswer
	case inByeOK:
		return actSDD | m.record(m.end, m.endBy, m.end == OutcomeCompleted)
	case inByeChallenge:
		if m.canAuth && !m.byeAuthTried {
			m.byeAuthTried = true
			m.retransmit(now)
			return actByeAuth
		}
		return actSDD | m.record(m.end, m.endBy, false)
	case inByeRefused, inAuthFailed:
		return actSDD | m.record(m.end, m.endBy, false)
	case inDeadline, inHardStop, inConnLost, inSendFailed:
		return m.record(m.end, m.endBy, false)
	case inProvisional, inChallenge, inCancelled, inRefused, inCancelFinal:
		return actCountAgain
	}
	return 0
}

// lingering: the outcome is recorded; a retransmitted final is ACKed again
// until Timer D.
func (m *callFSM) lingering(in callInput) callAct {
	switch in {
	case inChallenge, inCancelled, inRefused:
		return actCountAgain | actAckFinal
	case inDeadline, inHardStop:
		m.state = csEnded
		return actForget
	case inProvisional, inAnswer, inCancelFinal, inByeOK, inByeChallenge, inByeRefused:
		return actCountAgain
	}
	return 0
}

func (m *callFSM) ended(in callInput) callAct {
	switch in {
	case inProvisional, inAnswer, inChallenge, inCancelled, inRefused, inCancelFinal, inByeOK, inByeChallenge, inByeRefused:
		return actCountAgain
	}
	return 0
}
