package loadgen

import (
	"strings"
	"testing"
	"time"
)

var testTiming = callTiming{T1: 500 * time.Millisecond, T2: 4 * time.Second, TimerD: 32 * time.Second, Timeout: 40 * time.Second}

var actNames = []string{"count", "count-again", "early-media", "answered", "dialog", "ack-answer", "ack-final", "ack-stale",
	"invite-auth", "resend", "cancel", "start-media", "hangup", "bye", "bye-auth", "sdd", "record", "forget"}

func (a callAct) String() string {
	var parts []string
	for i, n := range actNames {
		if a&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// fsmIn builds a machine in state s as the driver would have left it,
// with the INVITE sent at t0 and now at t0+1s.
func fsmIn(tm *callTiming, s callState, t0 time.Time) *callFSM {
	m := &callFSM{tm: tm}
	m.start(t0, 30*time.Second, 0)
	now := t0.Add(time.Second)
	switch s {
	case csCallingEnd:
		m.step(now, inInterrupt)
	case csProceeding:
		m.step(now, inProvisional)
	case csCancelling:
		m.step(now, inProvisional)
		m.step(now, inPatience)
	case csHolding:
		m.step(now, inAnswer)
	case csByeing:
		m.step(now, inAnswer)
		m.deadline = now
		m.step(now, inDeadline)
	case csLingering:
		m.step(now, inRefused)
	case csEnded:
		m.step(now, inAnswer)
		m.step(now, inRemoteBye)
	}
	if m.state != s {
		panic("fsmIn: got " + m.state.String() + ", want " + s.String())
	}
	return m
}

const none = -1 * time.Nanosecond // a timer that must not be set

// TestCallFSMTable drives the call state machine through each state and
// input of the policy (see callfsm.go) and checks the next state, the
// actions, the outcome and the timers it arms.
func TestCallFSMTable(t *testing.T) {
	tests := []struct {
		name     string
		from     callState
		set      func(m *callFSM)
		in       callInput
		reliable bool
		state    callState
		acts     callAct
		end      Outcome
		by       string
		ok       bool
		retrans  time.Duration // offset of the next retransmission from now; none; 0 = not checked
		deadline time.Duration // likewise for the state's limit
	}{
		// Calling: INVITE sent, nothing back.
		{name: "provisional stops Timer A; the timeout runs from the INVITE", from: csCalling, in: inProvisional,
			state: csProceeding, acts: actCount | actEarlyMedia, retrans: none, deadline: 39 * time.Second},
		{name: "answer: ACK, media, hold", from: csCalling, in: inAnswer, state: csHolding,
			acts: actCount | actAnswered | actDialog | actAckAnswer | actStartMedia, retrans: none, deadline: 30 * time.Second},
		{name: "Timer A doubles", from: csCalling, in: inRetransmit, state: csCalling, acts: actResend, retrans: time.Second},
		{name: "Timer B without a provisional: timed out, no CANCEL", from: csCalling, in: inDeadline, state: csEnded,
			acts: actRecord | actForget, end: OutcomeTimedOut, retrans: none, deadline: none},
		{name: "patience before any provisional: CANCEL must wait", from: csCalling, in: inPatience, state: csCallingEnd, acts: 0},
		{name: "interrupt before any provisional: CANCEL must wait", from: csCalling, in: inInterrupt, state: csCallingEnd, acts: 0},
		{name: "486: ACK, failed, linger for Timer D", from: csCalling, in: inRefused, state: csLingering,
			acts: actCount | actAckFinal | actRecord, end: OutcomeFailed, deadline: 32 * time.Second},
		{name: "486 over TCP: no Timer D", from: csCalling, in: inRefused, reliable: true, state: csEnded,
			acts: actCount | actAckFinal | actRecord | actForget, end: OutcomeFailed},
		{name: "487 without our CANCEL is a failure", from: csCalling, in: inCancelled, state: csLingering,
			acts: actCount | actAckFinal | actRecord, end: OutcomeFailed},
		{name: "challenge with credentials: ACK, INVITE again", from: csCalling, set: func(m *callFSM) { m.canAuth = true },
			in: inChallenge, state: csCalling, acts: actCount | actAckFinal | actInviteAuth, retrans: 500 * time.Millisecond, deadline: 32 * time.Second},
		{name: "challenge without credentials: failed", from: csCalling, in: inChallenge, state: csLingering,
			acts: actCount | actAckFinal | actRecord, end: OutcomeFailed},
		{name: "one digest retry only", from: csCalling, set: func(m *callFSM) { m.canAuth, m.authTried = true, true },
			in: inChallenge, state: csLingering, acts: actCount | actAckFinal | actRecord, end: OutcomeFailed},
		{name: "no credentials could be made: failed, the challenge is re-ACKed for Timer D", from: csCalling, in: inAuthFailed,
			state: csLingering, acts: actRecord, end: OutcomeFailed, deadline: 32 * time.Second},
		{name: "INVITE not sent: transport error", from: csCalling, in: inSendFailed, state: csEnded,
			acts: actRecord | actForget, end: OutcomeTransportError},
		{name: "connection lost: transport error", from: csCalling, in: inConnLost, state: csEnded,
			acts: actRecord | actForget, end: OutcomeTransportError},
		{name: "hard stop: timed out", from: csCalling, in: inHardStop, state: csEnded,
			acts: actRecord | actForget, end: OutcomeTimedOut},
		{name: "a response to the earlier INVITE is ACKed with its branch", from: csCalling, in: inStaleFinal, state: csCalling,
			acts: actCountAgain | actAckStale},

		// CallingEnd: an end is wanted, no provisional yet.
		{name: "the wanted CANCEL goes with the first provisional", from: csCallingEnd, in: inProvisional, state: csCancelling,
			acts: actCount | actEarlyMedia | actCancel, retrans: 500 * time.Millisecond, deadline: 40 * time.Second},
		{name: "the wanted CANCEL over TCP is not retransmitted", from: csCallingEnd, in: inProvisional, reliable: true,
			state: csCancelling, acts: actCount | actEarlyMedia | actCancel, retrans: none, deadline: 40 * time.Second},
		{name: "answer before the CANCEL could go: ACK and BYE", from: csCallingEnd, in: inAnswer, state: csByeing,
			acts: actCount | actAnswered | actDialog | actAckAnswer | actBye, retrans: 500 * time.Millisecond, deadline: 32 * time.Second},
		{name: "INVITE still retransmitted while the CANCEL waits", from: csCallingEnd, in: inRetransmit, state: csCallingEnd,
			acts: actResend, retrans: time.Second},
		{name: "Timer B while waiting to CANCEL: timed out", from: csCallingEnd, in: inDeadline, state: csEnded,
			acts: actRecord | actForget, end: OutcomeTimedOut},
		{name: "487 before our CANCEL went: the wanted outcome", from: csCallingEnd, in: inCancelled, state: csLingering,
			acts: actCount | actAckFinal | actRecord, end: OutcomeAbandoned, by: "interrupt"},
		{name: "no digest retry once an end is wanted", from: csCallingEnd, set: func(m *callFSM) { m.canAuth = true },
			in: inChallenge, state: csLingering, acts: actCount | actAckFinal | actRecord, end: OutcomeFailed},
		{name: "a second end is ignored", from: csCallingEnd, in: inPatience, state: csCallingEnd, acts: 0},

		// Proceeding.
		{name: "patience: CANCEL", from: csProceeding, in: inPatience, state: csCancelling, acts: actCancel,
			retrans: 500 * time.Millisecond, deadline: 40 * time.Second},
		{name: "timeout after a provisional: CANCEL as timed out", from: csProceeding, in: inDeadline, state: csCancelling, acts: actCancel},
		{name: "another 18x", from: csProceeding, in: inProvisional, state: csProceeding, acts: actCount | actEarlyMedia},
		{name: "answer", from: csProceeding, in: inAnswer, state: csHolding,
			acts: actCount | actAnswered | actDialog | actAckAnswer | actStartMedia},
		{name: "challenge after a provisional: INVITE again", from: csProceeding, set: func(m *callFSM) { m.canAuth = true },
			in: inChallenge, state: csCalling, acts: actCount | actAckFinal | actInviteAuth, retrans: 500 * time.Millisecond},
		{name: "no retransmission after a provisional", from: csProceeding, in: inRetransmit, state: csProceeding, acts: 0, retrans: none},

		// Cancelling: CANCEL sent (the caller's patience ran out).
		{name: "487: the wanted outcome", from: csCancelling, in: inCancelled, state: csLingering,
			acts: actCount | actAckFinal | actRecord, end: OutcomeAbandoned, by: "caller"},
		{name: "486 crossing the CANCEL: failed", from: csCancelling, in: inRefused, state: csLingering,
			acts: actCount | actAckFinal | actRecord, end: OutcomeFailed},
		{name: "2xx crossing the CANCEL: ACK and BYE, keeps the wanted outcome", from: csCancelling, in: inAnswer, state: csByeing,
			acts: actCount | actAnswered | actDialog | actAckAnswer | actBye},
		{name: "Timer E doubles", from: csCancelling, in: inRetransmit, state: csCancelling, acts: actResend, retrans: time.Second},
		{name: "Timer E is capped at T2", from: csCancelling, set: func(m *callFSM) { m.retransIv = 4 * time.Second },
			in: inRetransmit, state: csCancelling, acts: actResend, retrans: 4 * time.Second},
		{name: "the CANCEL's 200 stops its retransmission", from: csCancelling, in: inCancelFinal, state: csCancelling,
			acts: actCount, retrans: none, deadline: 40 * time.Second},
		{name: "a provisional does not stop the CANCEL's retransmission", from: csCancelling, in: inProvisional,
			state: csCancelling, acts: actCount | actEarlyMedia, retrans: 500 * time.Millisecond},
		{name: "no 487 a timeout after the CANCEL: the wanted outcome", from: csCancelling, in: inDeadline, state: csEnded,
			acts: actRecord | actForget, end: OutcomeAbandoned, by: "caller"},
		{name: "hard stop after the CANCEL: the wanted outcome", from: csCancelling, in: inHardStop, state: csEnded,
			acts: actRecord | actForget, end: OutcomeAbandoned, by: "caller"},
		{name: "CANCEL not sent: wait for the deadline", from: csCancelling, in: inSendFailed, state: csCancelling, acts: 0},
		{name: "connection lost while cancelling: transport error", from: csCancelling, in: inConnLost, state: csEnded,
			acts: actRecord | actForget, end: OutcomeTransportError},

		// Holding.
		{name: "hold time over: hang up with BYE", from: csHolding, in: inDeadline, state: csByeing, acts: actHangup | actBye,
			retrans: 500 * time.Millisecond, deadline: 32 * time.Second},
		{name: "hold time over over TCP: BYE not retransmitted", from: csHolding, in: inDeadline, reliable: true, state: csByeing,
			acts: actHangup | actBye, retrans: none},
		{name: "interrupt: BYE", from: csHolding, in: inInterrupt, state: csByeing, acts: actHangup | actBye},
		{name: "retransmitted 2xx: ACK again", from: csHolding, in: inAnswer, state: csHolding, acts: actCountAgain | actAckAnswer},
		{name: "far end's BYE: completed by the callee", from: csHolding, in: inRemoteBye, state: csEnded,
			acts: actHangup | actRecord | actForget, end: OutcomeCompleted, by: "callee", ok: true},
		{name: "hard stop while holding: completed by interrupt, no BYE", from: csHolding, in: inHardStop, state: csEnded,
			acts: actHangup | actRecord | actForget, end: OutcomeCompleted, by: "interrupt"},
		{name: "patience does not apply once answered", from: csHolding, in: inPatience, state: csHolding, acts: 0},
		{name: "connection lost while holding: nothing waits", from: csHolding, in: inConnLost, state: csHolding, acts: 0},

		// Byeing: our hang-up after the hold time.
		{name: "BYE answered 200: completed normally", from: csByeing, in: inByeOK, state: csEnded,
			acts: actSDD | actRecord | actForget, end: OutcomeCompleted, by: "caller", ok: true},
		{name: "BYE refused: completed, not normally", from: csByeing, in: inByeRefused, state: csEnded,
			acts: actSDD | actRecord | actForget, end: OutcomeCompleted, by: "caller"},
		{name: "BYE challenged: BYE again with credentials", from: csByeing, set: func(m *callFSM) { m.canAuth = true },
			in: inByeChallenge, state: csByeing, acts: actByeAuth, retrans: 500 * time.Millisecond},
		{name: "BYE challenged twice: not normally", from: csByeing, set: func(m *callFSM) { m.canAuth, m.byeAuthTried = true, true },
			in: inByeChallenge, state: csEnded, acts: actSDD | actRecord | actForget, end: OutcomeCompleted, by: "caller"},
		{name: "BYE's credentials could not be made", from: csByeing, in: inAuthFailed, state: csEnded,
			acts: actSDD | actRecord | actForget, end: OutcomeCompleted, by: "caller"},
		{name: "Timer F: completed, no disconnect delay", from: csByeing, in: inDeadline, state: csEnded,
			acts: actRecord | actForget, end: OutcomeCompleted, by: "caller"},
		{name: "BYE not sent", from: csByeing, in: inSendFailed, state: csEnded, acts: actRecord | actForget, end: OutcomeCompleted, by: "caller"},
		{name: "BYE's Timer E", from: csByeing, in: inRetransmit, state: csByeing, acts: actResend, retrans: time.Second},
		{name: "2xx again during the BYE: ACK again", from: csByeing, in: inAnswer, state: csByeing, acts: actCountAgain | actAckAnswer},
		{name: "crossed 2xx's BYE answered: the wanted outcome, not normal", from: csByeing,
			set: func(m *callFSM) { m.end, m.endBy = OutcomeAbandoned, "caller" }, in: inByeOK, state: csEnded,
			acts: actSDD | actRecord | actForget, end: OutcomeAbandoned, by: "caller"},
		{name: "the far end's BYE crossing ours", from: csByeing, in: inRemoteBye, state: csByeing, acts: 0},

		// Lingering (Timer D) and ended.
		{name: "retransmitted final: ACK again", from: csLingering, in: inRefused, state: csLingering, acts: actCountAgain | actAckFinal},
		{name: "retransmitted challenge: ACK again", from: csLingering, in: inChallenge, state: csLingering, acts: actCountAgain | actAckFinal},
		{name: "Timer D: forget", from: csLingering, in: inDeadline, state: csEnded, acts: actForget},
		{name: "hard stop while lingering: forget, no second outcome", from: csLingering, in: inHardStop, state: csEnded, acts: actForget},
		{name: "late 2xx after the outcome: counted only", from: csEnded, in: inAnswer, state: csEnded, acts: actCountAgain},
	}
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := t0.Add(time.Second)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := testTiming
			tm.Reliable = tt.reliable
			if tt.reliable {
				tm.TimerD = 0
			}
			m := fsmIn(&tm, tt.from, t0)
			if tt.set != nil {
				tt.set(m)
			}
			if tt.from == csCancelling || tt.from == csCallingEnd {
				// An end asked for by the caller's patience, or by the interrupt.
				if tt.from == csCallingEnd {
					m.want, m.wantBy = OutcomeAbandoned, "interrupt"
				}
			}
			if tt.in == inDeadline {
				m.deadline = now
			}
			acts := m.step(now, tt.in)
			if m.state != tt.state || acts != tt.acts {
				t.Fatalf("%s + %s: got %s, %s; want %s, %s", tt.from, tt.in, m.state, acts, tt.state, tt.acts)
			}
			if acts&actRecord != 0 && (m.end != tt.end || m.endBy != tt.by || m.byeOK != tt.ok) {
				t.Errorf("outcome %q by %q ok=%v, want %q by %q ok=%v", m.end, m.endBy, m.byeOK, tt.end, tt.by, tt.ok)
			}
			checkTimer(t, "retransmission", m.retransAt, now, tt.retrans)
			checkTimer(t, "deadline", m.deadline, now, tt.deadline)
		})
	}
}

func checkTimer(t *testing.T, name string, at, now time.Time, want time.Duration) {
	t.Helper()
	switch {
	case want == 0:
	case want == none && !at.IsZero():
		t.Errorf("%s set at +%v, want none", name, at.Sub(now))
	case want != none && (at.IsZero() || at.Sub(now) != want):
		t.Errorf("%s at %v, want +%v", name, at.Sub(now), want)
	}
}

// TestCallFSMTimers follows the timers through whole calls: Timer A
// doubles until Timer B, Timer E is capped at T2, and the timeout runs
// from the INVITE once a provisional came.
func TestCallFSMTimers(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	run := func(m *callFSM, until time.Duration) (resends []time.Duration, last callAct, at time.Duration) {
		for now := t0; now.Sub(t0) <= until && m.state != csEnded; {
			next := m.next()
			if next.IsZero() {
				break
			}
			now = next
			in, ok := m.due(now)
			if !ok {
				t.Fatalf("next %v but nothing due", next.Sub(t0))
			}
			a := m.step(now, in)
			if a&actResend != 0 {
				resends = append(resends, now.Sub(t0))
			}
			last, at = a, now.Sub(t0)
		}
		return
	}
	ms := time.Millisecond
	// Silence: INVITE at 0, retransmitted at 0.5, 1.5, 3.5, 7.5, 15.5 and
	// 31.5 s, given up at 32 s (Timer B = 64 T1) as timed out.
	m := &callFSM{tm: &testTiming}
	m.start(t0, time.Minute, 0)
	resends, last, at := run(m, time.Hour)
	want := []time.Duration{500 * ms, 1500 * ms, 3500 * ms, 7500 * ms, 15500 * ms, 31500 * ms}
	if !equalDurations(resends, want) || last != actRecord|actForget || at != 32*time.Second || m.end != OutcomeTimedOut {
		t.Errorf("silent target: resends %v, last %s at %v (%s); want %v, record at 32s (timed_out)", resends, last, at, m.end, want)
	}
	// --timeout 10s shortens Timer B.
	short := testTiming
	short.Timeout = 10 * time.Second
	m = &callFSM{tm: &short}
	m.start(t0, time.Minute, 0)
	if _, _, at = run(m, time.Hour); at != 10*time.Second {
		t.Errorf("Timer B with --timeout 10s at %v", at)
	}
	// Ringing, patience 5 s: CANCEL at 5 s, retransmitted at 5.5, 6.5,
	// 8.5, 12.5, 16.5 s ... (Timer E capped at T2 = 4 s), abandoned a
	// timeout (40 s) after the CANCEL with no 487.
	m = &callFSM{tm: &testTiming}
	m.start(t0, time.Minute, 5*time.Second)
	m.step(t0.Add(100*ms), inProvisional)
	resends, last, at = run(m, time.Hour)
	want = []time.Duration{5500 * ms, 6500 * ms, 8500 * ms, 12500 * ms, 16500 * ms, 20500 * ms}
	if !equalDurations(resends[:6], want) || at != 45*time.Second || m.end != OutcomeAbandoned || m.endBy != "caller" {
		t.Errorf("ringing: CANCEL resends %v, record at %v (%s by %s); want %v..., 45s abandoned by caller", resends, at, m.end, m.endBy, want)
	}
	// Ringing, no patience: the timeout (40 s from the INVITE) sends CANCEL
	// as timed out.
	m = &callFSM{tm: &testTiming}
	m.start(t0, time.Minute, 0)
	m.step(t0.Add(100*ms), inProvisional)
	m.retransAt = time.Time{}
	for m.state == csProceeding {
		now := m.next()
		in, _ := m.due(now)
		if a := m.step(now, in); a&actCancel != 0 && now.Sub(t0) != 40*time.Second {
			t.Errorf("CANCEL at %v, want 40s", now.Sub(t0))
		}
	}
	if m.state != csCancelling || m.want != OutcomeTimedOut {
		t.Errorf("after the timeout: %s, want %q; want cancelling, timed_out", m.state, m.want)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCallFSMOutcomeOnce: from every state, whatever the inputs, the
// outcome is recorded exactly once, and an ended call sends nothing.
func TestCallFSMOutcomeOnce(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	sends := actAckAnswer | actAckFinal | actInviteAuth | actResend | actCancel | actBye | actByeAuth | actStartMedia
	for s := csCalling; s < numCallStates; s++ {
		for _, reliable := range []bool{false, true} {
			if s == csLingering && reliable {
				continue // no Timer D over TCP
			}
			// Every input in turn, twice, starting from s.
			tm := testTiming
			tm.Reliable = reliable
			if reliable {
				tm.TimerD = 0
			}
			m := fsmIn(&tm, s, t0)
			m.canAuth = true
			records := 0
			if s >= csLingering {
				records = 1
			}
			now := t0.Add(2 * time.Second)
			for round := 0; round < 2; round++ {
				for in := callInput(0); in < numCallInputs; in++ {
					wasEnded := m.state == csEnded
					a := m.step(now, in)
					if a&actRecord != 0 {
						records++
					}
					if wasEnded && a&(sends|actRecord|actForget) != 0 {
						t.Errorf("from %s: ended call acted on %s: %s", s, in, a)
					}
					now = now.Add(time.Second)
				}
			}
			if records != 1 {
				t.Errorf("from %s (reliable %v): outcome recorded %d times", s, reliable, records)
			}
		}
	}
}
