package sipcenter_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// TestCallLog: the center's per-call log names every call the caller
// placed by its Call-ID, with the outcome the caller saw, a wait no longer
// than the caller's answer delay (measured from the intended start, so it
// includes the signalling) and not much shorter, and counts that add up to
// the center's own statistics.
func TestCallLog(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const scale = 10
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 2, TimeScale: scale, NoMedia: true, CallLog: true,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 3 * time.Second}})
	var mu sync.Mutex
	recs := map[string]loadgen.CallRecord{}
	const n = 40
	runLoad(t, loadgen.Config{Target: srv.URI("sales"), Rate: 20, MaxCalls: n, Duration: time.Minute, NoMedia: true,
		Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: 10 * time.Second},
		Patience: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 400 * time.Millisecond},
		OnCall:   func(r loadgen.CallRecord) { mu.Lock(); recs[r.CallID] = r; mu.Unlock() }})
	waitFor(t, func() bool { s := srv.Stats(); return s.Waiting == 0 && s.Talking == 0 })
	log, dropped := srv.CallLog()
	st := srv.Stats()
	if len(log) != n || dropped != 0 || len(recs) != n {
		t.Fatalf("call log: %d entries, %d dropped, %d calls placed; want %d", len(log), dropped, len(recs), n)
	}
	var answered, abandoned, within uint64
	prev := -1.0
	for _, e := range log {
		r, ok := recs[e.CallID]
		if !ok {
			t.Errorf("call log entry %q: no such call placed", e.CallID)
			continue
		}
		if e.ArrivedSeconds < prev {
			t.Errorf("call log not in arrival order at %q", e.CallID)
		}
		prev = e.ArrivedSeconds
		switch e.Outcome {
		case sipcenter.LogAnswered:
			answered++
			if e.Within {
				within++
			}
			// The caller's delay runs from the intended start to the 200 OK
			// received; the center's from the INVITE received to the 200 OK
			// sent: the caller's is longer by the signalling, here well
			// under 50 ms of wall time (0.5 s of scenario time).
			if r.AnswerDelay > 0 {
				d := r.AnswerDelay.Seconds()*scale - e.WaitSeconds
				if d < -0.001 || d > 0.5 {
					t.Errorf("%s: caller's answer delay %.3fs, center's wait %.3fs (scenario time)", e.CallID, r.AnswerDelay.Seconds()*scale, e.WaitSeconds)
				}
			}
			if e.Group != "agents" || e.TalkSeconds <= 0 {
				t.Errorf("%s: answered by %q, talk %.3fs", e.CallID, e.Group, e.TalkSeconds)
			}
		case sipcenter.LogAbandoned:
			abandoned++
			// The center's wait ends with the CANCEL, after the caller's
			// patience of 4 s (scenario time).
			if e.WaitSeconds < 3.9 || e.WaitSeconds > 6 {
				t.Errorf("%s: abandoned after %.3fs, patience 4s", e.CallID, e.WaitSeconds)
			}
		default:
			t.Errorf("%s: outcome %q", e.CallID, e.Outcome)
		}
		// A CANCEL may cross the 200 OK; otherwise both sides agree.
		if (e.Outcome == sipcenter.LogAnswered) != (r.AnswerDelay > 0) && r.Outcome != loadgen.OutcomeAbandoned {
			t.Errorf("%s: center %s, caller %s (answer delay %v)", e.CallID, e.Outcome, r.Outcome, r.AnswerDelay)
		}
		if e.WithinSeconds != 20 || e.Queue != "sales" {
			t.Errorf("%s: queue %q within %vs", e.CallID, e.Queue, e.WithinSeconds)
		}
	}
	if answered != st.Answered || abandoned != st.Abandoned || answered < 4 || abandoned < 4 {
		t.Errorf("call log: answered %d abandoned %d; stats: %d, %d", answered, abandoned, st.Answered, st.Abandoned)
	}
	if want := st.ServiceLevel * float64(st.Offered); float64(within) < want-0.5 || float64(within) > want+0.5 {
		t.Errorf("call log: %d within, stats: service level %.3f of %d", within, st.ServiceLevel, st.Offered)
	}

	var buf bytes.Buffer
	if err := sipcenter.WriteCallLog(&buf, log); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != n+1 || len(rows[0]) != len(sipcenter.CallLogHeader) || rows[1][0] != log[0].CallID {
		t.Errorf("call log CSV: %d rows, %v", len(rows), err)
	}
}

// TestCallLogBounded: beyond CallLogMax entries are counted, not kept; no
// log unless asked for.
func TestCallLogBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	for _, tc := range []struct {
		log      bool
		max      int
		kept     int
		dropped  uint64
		wantNone bool
	}{{log: true, max: 5, kept: 5, dropped: 7}, {log: false, wantNone: true}} {
		srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 20, NoMedia: true, CallLog: tc.log, CallLogMax: tc.max,
			Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 10 * time.Millisecond}})
		runLoad(t, loadgen.Config{Target: srv.URI("q"), Rate: 50, MaxCalls: 12, Duration: time.Minute, NoMedia: true,
			Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Second}})
		log, dropped := srv.CallLog()
		if tc.wantNone && log != nil || !tc.wantNone && (len(log) != tc.kept || dropped != tc.dropped) {
			t.Errorf("log %v max %d: %d entries kept, %d dropped; want %d, %d", tc.log, tc.max, len(log), dropped, tc.kept, tc.dropped)
		}
	}
	if err := (sipcenter.Config{Agents: 1, CallLogMax: -1}).Validate(); err == nil {
		t.Error("CallLogMax -1 accepted")
	}
}

// TestCallLogTransfers: a transferred call has a line per queue, the
// first transferred out after its talk, the second transferred in and
// answered by the second queue's group.
func TestCallLogTransfers(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const k = 150.0
	sc := parseScenario(t, transferScenario("100%", ""))
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: sc, TimeScale: k, Seed: 7, NoMedia: true, CallLog: true})
	const n = 5
	runLoad(t, loadgen.Config{Target: srv.URI("front"), Rate: 10, MaxCalls: n, Duration: time.Minute, NoMedia: true,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 10 * time.Second}})
	waitFor(t, func() bool { s := srv.Stats(); return s.Waiting == 0 && s.Talking == 0 })
	log, _ := srv.CallLog()
	if len(log) != 2*n {
		t.Fatalf("%d entries, want %d: %+v", len(log), 2*n, log)
	}
	byID := map[string][]sipcenter.CallLogEntry{}
	for _, e := range log {
		byID[e.CallID] = append(byID[e.CallID], e)
	}
	for id, es := range byID {
		if len(es) != 2 {
			t.Errorf("%s: %d entries", id, len(es))
			continue
		}
		a, b := es[0], es[1]
		if a.Queue != "front" || !a.TransferOut || a.TransferIn || a.Group != "tier1" || a.Outcome != sipcenter.LogAnswered ||
			math.Abs(a.TalkSeconds-60) > 10 {
			t.Errorf("%s first entry %+v", id, a)
		}
		if b.Queue != "back" || !b.TransferIn || b.TransferOut || b.Group != "tier2" || b.Outcome != sipcenter.LogAnswered ||
			b.ArrivedSeconds < a.ArrivedSeconds+55 || math.Abs(b.TalkSeconds-60) > 10 {
			t.Errorf("%s second entry %+v", id, b)
		}
	}
}
