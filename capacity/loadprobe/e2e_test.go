package loadprobe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/internal/cli"
	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

// capacityJSON is the JSON contract of callsim capacity --json.
type capacityJSON struct {
	Rate       *searchJSON `json:"rate"`
	Concurrent *searchJSON `json:"concurrent"`
	Steps      []struct {
		Kind       string  `json:"kind"`
		Level      float64 `json:"level"`
		Calls      uint64  `json:"calls"`
		Verdict    string  `json:"verdict"`
		Thresholds []struct {
			Expr  string   `json:"expression"`
			Value *float64 `json:"value"`
			Pass  bool     `json:"pass"`
		} `json:"thresholds"`
	} `json:"steps"`
	WallSeconds float64 `json:"wall_seconds"`
}

type searchJSON struct {
	LastPass  *float64 `json:"last_pass"`
	FirstFail *float64 `json:"first_fail"`
	Status    string   `json:"status"`
}

func startCenter(t *testing.T) *sipcenter.Server {
	t.Helper()
	srv, err := sipcenter.Start(context.Background(), sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 1000, Trunks: 50,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 2 * time.Second}, NoMedia: true, Shutdown: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func runCapacity(t *testing.T, args ...string) (int, capacityJSON, string, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	start := time.Now()
	code := cli.Execute(ctx, append([]string{"capacity"}, args...), strings.NewReader(""), &out, &errb)
	took := time.Since(start)
	var r capacityJSON
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("exit %d, JSON: %v\n%s\nstderr:\n%s", code, err, out.String(), errb.String())
	}
	return code, r, errb.String(), took
}

// TestCapacityTrunks is the acceptance run (about 65 s, the two searches
// in parallel against two centers): a center with 50 trunks, 1000 agents
// and 2 s calls (callsim target --trunks 50 --agents 1000 --handle 2s
// --no-media) carries 50 calls at once, so 50 / 2 s = 25 calls/s; with
// ser>=99, capacity finds a rate knee between 22 and 28 calls/s and a
// concurrent-call knee between 45 and 55, each run within its --duration.
// (The caller holds 3 s, so the center always hangs up at 2 s; the warm-up
// is the 2 s the calls last.)
func TestCapacityTrunks(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test, about 60 s")
	}
	common := []string{"--hold", "3s", "--warmup", "2s", "--no-media", "--threshold", "ser>=99", "--duration", "70s",
		"--step-time", "2s", "--step-calls", "30", "--cooldown", "500ms", "--confirm-max", "20s", "--resolution", "10%", "--json", "--quiet"}
	rateSrv, concSrv := startCenter(t), startCenter(t)
	var wg sync.WaitGroup
	type run struct {
		code   int
		r      capacityJSON
		stderr string
		took   time.Duration
	}
	var rate, conc run
	wg.Add(2)
	go func() {
		defer wg.Done()
		rate.code, rate.r, rate.stderr, rate.took = runCapacity(t, append([]string{rateSrv.URI("support"), "--max-rate", "32", "--start-rate", "16"}, common...)...)
	}()
	go func() {
		defer wg.Done()
		conc.code, conc.r, conc.stderr, conc.took = runCapacity(t, append([]string{concSrv.URI("support"), "--max-concurrent", "96", "--start-concurrent", "12"}, common...)...)
	}()
	wg.Wait()
	for _, x := range []struct {
		name     string
		run      run
		s        *searchJSON
		lo, hi   float64
		mustNull *searchJSON
	}{{"rate", rate, rate.r.Rate, 22, 28, rate.r.Concurrent}, {"concurrent", conc, conc.r.Concurrent, 45, 55, conc.r.Rate}} {
		for _, st := range x.run.r.Steps {
			var ths []string
			for _, th := range st.Thresholds {
				v := "null"
				if th.Value != nil {
					v = jsonNum(*th.Value)
				}
				ths = append(ths, th.Expr+"="+v)
			}
			t.Logf("%s %v: %d calls, %s %v", st.Kind, st.Level, st.Calls, st.Verdict, ths)
		}
		if x.run.code != 0 || x.s == nil || x.mustNull != nil {
			t.Errorf("%s: exit %d, search %+v, other %+v\nstderr:\n%s", x.name, x.run.code, x.s, x.mustNull, x.run.stderr)
		}
		if x.s == nil {
			continue
		}
		t.Logf("%s: last pass %v, first fail %v (%s) in %v", x.name, deref(x.s.LastPass), deref(x.s.FirstFail), x.s.Status, x.run.took.Round(time.Millisecond))
		if x.s.Status != "knee" || x.s.LastPass == nil || x.s.FirstFail == nil ||
			*x.s.LastPass < x.lo || *x.s.FirstFail > x.hi || *x.s.FirstFail <= *x.s.LastPass {
			t.Errorf("%s knee %v-%v (%s), want within [%v, %v]", x.name, deref(x.s.LastPass), deref(x.s.FirstFail), x.s.Status, x.lo, x.hi)
		}
		if x.run.took > 70*time.Second+2*time.Second || x.run.r.WallSeconds > 70 {
			t.Errorf("%s: the run took %v (reported %.1fs), beyond its --duration of 70 s", x.name, x.run.took, x.run.r.WallSeconds)
		}
		// The last pass is shown by a step at that level whose calls show
		// ser>=99 at 95%: at least 299 calls.
		shown := false
		for _, st := range x.run.r.Steps {
			if x.s.LastPass == nil {
				break
			}
			if st.Level == *x.s.LastPass && st.Verdict == "pass" && st.Calls >= 299 && st.Thresholds[0].Pass {
				shown = true
			}
		}
		if !shown && x.s.LastPass != nil {
			t.Errorf("%s: no step shows the last pass %v with 299 calls or more", x.name, *x.s.LastPass)
		}
	}
}

func jsonNum(v float64) string { b, _ := json.Marshal(v); return string(b) }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
