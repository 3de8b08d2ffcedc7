package sipcenter_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// transferScenario: queue "front", served by tier1, transfers to "back",
// served by tier2; tier1 transfers share of its front calls (none: no
// transfer: entry). Handle times are constant 1 minute; enough agents that
// no call waits.
func transferScenario(share, wrap string) string {
	return transferScenarioAgents(share, wrap, 60)
}

func transferScenarioAgents(share, wrap string, tier2 int) string {
	src := `
name: transfers
horizon: 1d
queues:
  - name: front
    arrivals: {per_hour: 60}
    handle_time: {mean: 1m, dist: constant}
    transfer_to: back
`
	if wrap != "" {
		src += "    wrap_up: {mean: " + wrap + ", dist: constant}\n"
	}
	src += `  - name: back
    arrivals: {per_hour: 1}
    handle_time: {mean: 1m, dist: constant}
groups:
  - name: tier1
    agents: 60
    skills: [front]
`
	if share != "" {
		src += "    transfer: {front: " + share + "}\n"
	}
	return src + fmt.Sprintf(`  - name: tier2
    agents: %d
    skills: [back]
`, tier2)
}

// TestScenarioTransfers places calls on queue "front" with the load
// generator over UDP; tier1 transfers all, half or none of them to "back"
// after its handle time (and its wrap-up, during which the caller is
// held), where tier2 takes them for another handle time and hangs up. The
// SIP dialog stays up across the transfer: a transferred call lasts two
// handle times (plus the wrap-up), the others one.
func TestScenarioTransfers(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	const k = 150.0                                        // 1 minute of scenario time = 400 ms
	handle := time.Duration(60 / k * float64(time.Second)) // wall
	for _, tc := range []struct {
		name, share, wrap string
		p                 float64
		wrapWall          time.Duration
		media             bool
	}{
		{name: "all", share: "100%", wrap: "30s", p: 1, wrapWall: handle / 2, media: true},
		{name: "half", share: "50%", p: 0.5},
		{name: "none", p: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := parseScenario(t, transferScenario(tc.share, tc.wrap))
			srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: sc, TimeScale: k, Seed: 7, NoMedia: !tc.media})
			const calls = 100
			var mu sync.Mutex
			var durations []time.Duration
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r, err := loadgen.Run(ctx, loadgen.Config{Target: srv.URI("front"), Mode: loadgen.ModeCall,
				Rate: 40, MaxCalls: calls, Duration: 20 * time.Second, Seed: 1, NoMedia: !tc.media,
				Hold:   loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour},
				Logger: testLogger(),
				OnCall: func(rec loadgen.CallRecord) {
					mu.Lock()
					defer mu.Unlock()
					if rec.Outcome == loadgen.OutcomeCompleted {
						durations = append(durations, rec.Duration)
					}
				}})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if r.Attempted != calls || r.Completed != calls || r.RemoteHangups != calls {
				t.Fatalf("load: %s remote_hangups=%d; want all %d calls completed, hung up by the target", loadSummary(r), r.RemoteHangups, calls)
			}
			waitFor(t, func() bool { return srv.Stats().Completed == srv.Stats().Answered })
			st := srv.Stats()
			checkConservation(t, st)
			front, back := st.PerQueue[0], st.PerQueue[1]
			out := front.TransferredOut
			t.Logf("front: offered %d answered %d transferred out %d; back: offered %d transfers in %d answered %d, ASA %.1fs; groups %+v",
				front.Offered, front.Answered, out, back.Offered, back.TransfersIn, back.Answered, back.ASASeconds, st.Groups)
			if front.Offered != calls || front.Answered != calls || front.TransfersIn != 0 {
				t.Errorf("front: %+v, want %d calls offered and answered", front, calls)
			}
			if back.TransfersIn != out || back.Offered != out || back.Answered != out || back.TransferredOut != 0 {
				t.Errorf("back: %+v, want the %d calls transferred out of front offered, transferred in and answered", back, out)
			}
			if st.TransfersIn != out || st.TransferredOut != out || st.Offered != calls+out || st.AgentHangups != calls {
				t.Errorf("totals: offered %d, transfers in %d out %d, agent hang-ups %d", st.Offered, st.TransfersIn, st.TransferredOut, st.AgentHangups)
			}
			if g := st.Groups; g[0].Handled != calls || g[1].Handled != out {
				t.Errorf("groups: %+v, want tier1 %d calls, tier2 %d", g, calls, out)
			}
			n := float64(calls)
			if bound := 4 * math.Sqrt(n*tc.p*(1-tc.p)); math.Abs(float64(out)-n*tc.p) > bound {
				t.Errorf("transferred %d of %d calls, want %.0f ± %.1f", out, calls, n*tc.p, bound)
			}
			// Durations: one handle time, or two plus the wrap-up for the
			// transferred calls (no call waits: agents are plenty).
			long := uint64(0)
			var longSum, shortSum time.Duration
			one, two := handle, 2*handle+tc.wrapWall
			for _, d := range durations {
				switch {
				case d > one+(two-one)/2:
					long++
					longSum += d
					if d < two-50*time.Millisecond || d > two+2*time.Second {
						t.Errorf("a transferred call lasted %v, want about %v", d, two)
					}
				case d < one-50*time.Millisecond:
					t.Errorf("a call lasted %v, want about %v", d, one)
				default:
					shortSum += d
				}
			}
			if long > 0 {
				t.Logf("transferred calls: mean duration %v (want about %v)", longSum/time.Duration(long), two)
			}
			if short := uint64(len(durations)) - long; short > 0 {
				t.Logf("other calls: mean duration %v (want about %v)", shortSum/time.Duration(short), one)
			}
			if len(durations) != calls || long != out {
				t.Errorf("%d calls recorded, %d lasting about %v; want %d and %d (the transferred ones)", len(durations), long, two, calls, out)
			}
			if tc.media && st.Media != nil && st.Media.NoAudio > 0 {
				t.Errorf("media: %+v, want the callers' RTP on every call", st.Media)
			}
		})
	}
}

// TestScenarioTransferClosedQueue: a call transferred to a queue outside
// its opening hours is not handed on; it counts as closed there and the
// agent hangs up.
func TestScenarioTransferClosedQueue(t *testing.T) {
	// "back" opens on Mondays 08:00-09:00; the clock starts at 01:00.
	sc := parseScenario(t, strings.Replace(transferScenario("100%", ""), "arrivals: {per_hour: 1}\n",
		"arrivals: {per_hour: 1}\n    open: {from: \"08:00\", to: \"09:00\", days: [mon]}\n", 1))
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: sc, TimeScale: 150, ClockStart: time.Hour,
		NoMedia: true, Shutdown: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := loadgen.Run(ctx, loadgen.Config{Target: srv.URI("front"), Mode: loadgen.ModeCall, Rate: 20, MaxCalls: 5,
		Duration: 10 * time.Second, Seed: 1, NoMedia: true, Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour},
		Logger: testLogger()})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if r.Completed != 5 || r.RemoteHangups != 5 {
		t.Fatalf("load: %s", loadSummary(r))
	}
	waitFor(t, func() bool { return srv.Stats().Completed == 5 })
	st := srv.Stats()
	checkConservation(t, st)
	if front, back := st.PerQueue[0], st.PerQueue[1]; front.TransferredOut != 0 || back.Closed != 5 || back.Offered != 0 || st.AgentHangups != 5 {
		t.Errorf("front %+v, back %+v: want no transfer, 5 closed in back", front, back)
	}
}

// TestScenarioTransferWaits: transferred calls wait in "back" for its 2
// agents (40 calls of 400 ms in about a second); callers hang up with BYE
// after an exponential time (mean 1.2 s) from the answer, so some of them
// leave while talking in "front", some while waiting in "back" (abandoned
// there), some while talking there, and the figures still add up.
func TestScenarioTransferWaits(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	sc := parseScenario(t, transferScenarioAgents("100%", "", 2))
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: sc, TimeScale: 150, NoMedia: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const calls = 40
	r, err := loadgen.Run(ctx, loadgen.Config{Target: srv.URI("front"), Mode: loadgen.ModeCall, Rate: 40, MaxCalls: calls,
		Duration: 20 * time.Second, Seed: 1, NoMedia: true, Hold: loadgen.Dist{Kind: loadgen.DistExp, Mean: 1200 * time.Millisecond},
		Logger: testLogger()})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if r.Completed != calls {
		t.Fatalf("load: %s", loadSummary(r))
	}
	waitFor(t, func() bool { s := srv.Stats(); return s.Waiting == 0 && s.Talking == 0 })
	st := srv.Stats()
	checkConservation(t, st)
	front, back := st.PerQueue[0], st.PerQueue[1]
	t.Logf("front: answered %d transferred out %d; back: offered %d answered %d abandoned %d, ASA %.1fs, mean abandon wait %.1fs; hang-ups: caller %d agent %d",
		front.Answered, front.TransferredOut, back.Offered, back.Answered, back.Abandoned, back.ASASeconds, back.MeanAbandonWait,
		st.CallerHangups, st.AgentHangups)
	if front.Answered != calls || back.TransfersIn != front.TransferredOut || back.Offered != front.TransferredOut {
		t.Errorf("front %+v, back %+v: want back offered the calls transferred out of front", front, back)
	}
	if back.Abandoned == 0 || back.Answered == 0 || back.ASASeconds <= 0 || back.Answered+back.Abandoned != back.Offered {
		t.Errorf("back %+v: want calls answered after a wait and calls abandoned while waiting", back)
	}
	if ended := front.Answered - front.TransferredOut + back.Answered; st.CallerHangups+st.AgentHangups != ended || st.Groups[1].Handled != back.Answered {
		t.Errorf("hang-ups caller %d + agent %d, tier2 handled %d: want %d talks ended, %d of them in back", st.CallerHangups, st.AgentHangups,
			st.Groups[1].Handled, ended, back.Answered)
	}
	// A caller's BYE and the agent's can cross (both hold times ending
	// within a round trip): the center then counts the agent's hang-up and
	// the caller its own, so the center may count a few more; never fewer.
	if glare := int64(st.AgentHangups) - int64(r.RemoteHangups); glare < 0 || glare > 2 {
		t.Errorf("load: %d calls hung up by the target, target counts %d (more than 2 crossing BYEs?)", r.RemoteHangups, st.AgentHangups)
	}
}

// TestScenarioTransferPatience: a handed-on caller waits in the transfer_to
// queue with the patience it brings there, as in the simulator: "back" has
// no agents and a patience of 20 s (0.13 s of wall time at 150x), so every
// transferred call is abandoned there and the center hangs up.
func TestScenarioTransferPatience(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	sc := parseScenario(t, `
name: transfer patience
horizon: 1d
queues:
  - name: front
    arrivals: {per_hour: 60}
    handle_time: {mean: 1m, dist: constant}
    transfer_to: back
  - name: back
    arrivals: {per_hour: 1}
    handle_time: {mean: 1m, dist: constant}
    patience: {mean: 20s, dist: constant}
groups:
  - name: tier1
    agents: 20
    skills: [front]
    transfer: {front: 100%}
  - name: tier2
    agents: 0
    skills: [back]
`)
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: sc, TimeScale: 150, NoMedia: true})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const calls = 10
	r, err := loadgen.Run(ctx, loadgen.Config{Target: srv.URI("front"), Mode: loadgen.ModeCall, Rate: 20, MaxCalls: calls,
		Duration: 10 * time.Second, Seed: 1, NoMedia: true, Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 10 * time.Second},
		Logger: testLogger()})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	waitFor(t, func() bool { s := srv.Stats(); return s.Waiting == 0 && s.Talking == 0 })
	st := srv.Stats()
	back := st.PerQueue[1]
	if back.Offered != calls || back.Abandoned != calls || math.Abs(back.MeanAbandonWait-20) > 1 {
		t.Errorf("back %+v: want %d calls abandoned after 20 s", back, calls)
	}
	if r.RemoteHangups != calls {
		t.Errorf("load: %s; want the center to hang up all %d calls", loadSummary(r), calls)
	}
}
