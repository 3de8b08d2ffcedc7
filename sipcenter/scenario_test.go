package sipcenter_test

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/loadgen/loadgentest"
	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/sipcenter"
)

func parseScenario(t *testing.T, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	return sc
}

const twoQueues = `
name: two queues
horizon: 10d
queues:
  - name: support
    arrivals: {per_hour: 60}
    handle_time: {mean: 3m, dist: exponential}
  - name: sales
    arrivals: {per_hour: 30}
    handle_time: {mean: 2m, dist: constant}
    open: {from: "08:00", to: "09:00", days: [mon]}
groups:
  - name: front
    agents: 40
    skills: [support, sales]
  - name: back
    agents: 10
    skills: [support]
`

// TestScenarioSIPpUAC drives "sipp -sn uac" at a scenario-mode target over
// UDP and TCP: every call to the queue "support" must succeed.
func TestScenarioSIPpUAC(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	bin := loadgentest.NeedBinary(t, "sipp")
	for _, tp := range []string{"udp", "tcp"} {
		t.Run(tp, func(t *testing.T) {
			srv := start(t, sipcenter.Config{Listen: tp + ":127.0.0.1:0", Scenario: parseScenario(t, twoQueues), TimeScale: 0.001})
			runSippUAC(t, bin, srv, tp, 40)
			st := srv.Stats()
			if st.Offered != 40 || st.Answered != 40 || st.CallerHangups != 40 || len(st.PerQueue) != 2 {
				t.Fatalf("stats: %+v", st)
			}
			if q := st.PerQueue[0]; q.Name != "support" || q.Offered != 40 || q.ServiceLevel != 1 {
				t.Errorf("support: %+v", q)
			}
			if g := st.Groups; g[0].Handled+g[1].Handled != 40 || g[0].Handled < 30 {
				t.Errorf("groups: %+v (the front group is first on the route)", g)
			}
		})
	}
}

// TestScenarioUnknownQueue: a Request-URI user part that names no queue
// gets 404 with the queues in the reason phrase.
func TestScenarioUnknownQueue(t *testing.T) {
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: parseScenario(t, twoQueues)})
	inv := strings.ReplaceAll(request("INVITE", "unknown-1", ""), "sip:support@", "sip:nosuch@")
	got := exchange(t, srv.Addr().String(), inv)
	if !strings.HasPrefix(got, "SIP/2.0 404 ") || !strings.Contains(got, `"nosuch"`) || !strings.Contains(got, "support, sales") {
		t.Errorf("status line %q, want 404 naming the queue and the queues", got)
	}
	if st := srv.Stats(); st.Unknown != 1 || st.Offered != 0 {
		t.Errorf("stats: unknown %d offered %d", st.Unknown, st.Offered)
	}
}

// TestScenarioClosedQueue: the queue "sales" is open on Mondays 08:00-09:00
// on the scenario clock. Started at 07:59 with 60x time, it refuses a call
// with 480 at once and takes one two seconds later (08:01).
func TestScenarioClosedQueue(t *testing.T) {
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: parseScenario(t, twoQueues),
		ClockStart: 7*time.Hour + 59*time.Minute, TimeScale: 60, Shutdown: 200 * time.Millisecond})
	sales := func(id string) string {
		return strings.ReplaceAll(request("INVITE", id, ""), "sip:support@", "sip:sales@")
	}
	if got := exchange(t, srv.Addr().String(), sales("closed-1")); !strings.HasPrefix(got, "SIP/2.0 480 Temporarily Unavailable") {
		t.Errorf("before 08:00: %q, want 480", got)
	}
	// The other queue has no opening hours.
	if got := exchange(t, srv.Addr().String(), request("INVITE", "open-1", "")); !strings.HasPrefix(got, "SIP/2.0 200") {
		t.Errorf("support before 08:00: %q, want 200", got)
	}
	time.Sleep(2 * time.Second)
	if got := exchange(t, srv.Addr().String(), sales("open-2")); !strings.HasPrefix(got, "SIP/2.0 200") {
		t.Errorf("after 08:00: %q, want 200", got)
	}
	st := srv.Stats()
	if st.Closed != 1 || st.PerQueue[1].Closed != 1 || st.PerQueue[1].Offered != 1 {
		t.Errorf("stats: closed %d, sales %+v", st.Closed, st.PerQueue[1])
	}
}

// TestScenarioFollowsHeadcount: one agent until 08:00, three after
// (agents_by_interval), on the scenario clock started at 07:59 with 60x
// time. A second caller waits for the agent on duty and is answered when
// the headcount rises, a second of wall time later.
func TestScenarioFollowsHeadcount(t *testing.T) {
	counts := strings.TrimSuffix(strings.Repeat("1, ", 16)+strings.Repeat("3, ", 32), ", ")
	sc := parseScenario(t, `
name: morning
horizon: 2d
queues:
  - name: support
    arrivals: {per_hour: 10}
    handle_time: {mean: 1h, dist: constant}
groups:
  - name: day
    skills: [support]
    agents_by_interval: [`+counts+`]
`)
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: sc, ClockStart: 7*time.Hour + 59*time.Minute,
		TimeScale: 60, Shutdown: 200 * time.Millisecond})
	if g := srv.Stats().Groups[0]; g.Agents != 1 || g.MaxAgents != 3 {
		t.Fatalf("at 07:59: %+v, want 1 agent on duty of 3", g)
	}
	if got := exchange(t, srv.Addr().String(), request("INVITE", "first", "")); !strings.HasPrefix(got, "SIP/2.0 200") {
		t.Fatalf("first call: %q", got)
	}
	begin := time.Now()
	got := exchange(t, srv.Addr().String(), request("INVITE", "second", ""))
	waited := time.Since(begin)
	if !strings.HasPrefix(got, "SIP/2.0 200") || waited < 500*time.Millisecond {
		t.Errorf("second call: %q after %v, want 200 once the headcount rises (about 1 s)", got, waited)
	}
	// The 200 may reach the caller before the answer is counted.
	waitFor(t, func() bool { return srv.Stats().Answered == 2 })
	st := srv.Stats()
	if g := st.Groups[0]; g.Agents != 3 || st.Answered != 2 || st.ASASeconds < 15 {
		t.Errorf("after 08:00: agents %d, answered %d, ASA %.1fs; want 3, 2 and the second caller's wait", g.Agents, st.Answered, st.ASASeconds)
	}
}

// TestScenarioMatchesSimulate plays the built-in two-skills scenario
// (priorities, overflow after 30 s, lognormal and gamma handle times,
// wrap-up) 150 times faster than real time for 20 s of wall time (50 min,
// about 230 calls) and checks that the
// per-queue service level and abandon rate the target measured after a
// warm-up agree with the simulator's within the measurement's own error.
func TestScenarioMatchesSimulate(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	sc, err := scenarios.LoadBuiltin("two-skills")
	if err != nil {
		t.Fatal(err)
	}
	pred, err := sim.Run(context.Background(), sc, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const k = 150.0
	const wall, warm = 20 * time.Second, 3 * time.Second
	srv := start(t, sipcenter.Config{Listen: "udp:127.0.0.1:0", Scenario: sc, TimeScale: k, Seed: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	results := make([]*loadgen.Result, len(sc.Queues))
	errs := make([]error, len(sc.Queues))
	for i, q := range sc.Queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = loadgen.Run(ctx, loadgen.Config{Target: srv.URI(q.Name), Mode: loadgen.ModeCall,
				Rate: q.Arrivals.Rate * k, Arrivals: "poisson", Duration: wall, Seed: uint64(11 + i),
				Hold:     loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Hour},
				Patience: loadgen.Dist{Kind: loadgen.DistExp, Mean: time.Duration(q.Patience.Mean / k * float64(time.Second))},
				Logger:   testLogger()})
		}()
	}
	time.Sleep(warm)
	before := srv.Stats()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("load %s: %v", sc.Queues[i].Name, err)
		}
		if r := results[i]; r.Failed+r.TimedOut+r.TransportErrors > 0 {
			t.Errorf("load %s: %s", sc.Queues[i].Name, loadSummary(r))
		}
	}
	after := srv.Stats()
	checkConservation(t, after)

	for i, q := range sc.Queues {
		b, a, p := before.PerQueue[i], after.PerQueue[i], pred.Queues[i]
		n := float64(a.Offered - b.Offered)
		within := a.ServiceLevel*float64(a.Offered) - b.ServiceLevel*float64(b.Offered)
		sl := within / n
		ab := float64(a.Abandoned-b.Abandoned) / n
		// The simulator's CI, plus 3 inflated (x3, autocorrelation)
		// binomial standard errors of the measurement.
		tol := func(p, ci float64) float64 { return ci + 3*3*math.Sqrt(p*(1-p)/n) + 0.02 }
		t.Logf("%s: %0.f calls; service level %.3f (sim %.3f ± %.3f, tol %.3f); abandon %.3f (sim %.3f ± %.3f, tol %.3f)",
			q.Name, n, sl, p.ServiceLevel, p.ServiceLevelCI95, tol(p.ServiceLevel, p.ServiceLevelCI95),
			ab, p.AbandonRate, p.AbandonRateCI95, tol(p.AbandonRate, p.AbandonRateCI95))
		if n < 30 {
			t.Fatalf("%s: only %.0f calls measured", q.Name, n)
		}
		if d := math.Abs(sl - p.ServiceLevel); d > tol(p.ServiceLevel, p.ServiceLevelCI95) {
			t.Errorf("%s: service level %.3f, simulator %.3f", q.Name, sl, p.ServiceLevel)
		}
		if d := math.Abs(ab - p.AbandonRate); d > tol(p.AbandonRate, p.AbandonRateCI95) {
			t.Errorf("%s: abandon rate %.3f, simulator %.3f", q.Name, ab, p.AbandonRate)
		}
	}
	if g := after.Groups; g[0].Handled == 0 || g[1].Handled == 0 {
		t.Errorf("groups: %+v", g)
	}
}
