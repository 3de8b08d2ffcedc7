package loadgen

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/media"
)

func TestParseDist(t *testing.T) {
	tests := []struct {
		in      string
		want    Dist
		wantErr bool
	}{
		{"", Dist{}, false},
		{"90s", Dist{Kind: DistConstant, Mean: 90 * time.Second}, false},
		{"exp:60s", Dist{Kind: DistExp, Mean: time.Minute}, false},
		{"uniform:30s-2m", Dist{Kind: DistUniform, Min: 30 * time.Second, Max: 2 * time.Minute, Mean: 75 * time.Second}, false},
		{"exp:0s", Dist{}, true},
		{"uniform:2m-30s", Dist{}, true},
		{"gamma:3s", Dist{}, true},
		{"ninety", Dist{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDist(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseDist(%q) = %+v, %v; want %+v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && got.String() != "" {
			back, err := ParseDist(got.String())
			if err != nil || back != got {
				t.Errorf("round trip %q: %+v %v", got.String(), back, err)
			}
		}
	}
}

func TestPacerUniform(t *testing.T) {
	p, err := NewPacer(200, nil, "uniform", 1, 0, 2000)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		n    uint64
		want time.Duration
		ok   bool
	}{{0, 0, true}, {1, 5 * time.Millisecond, true}, {1999, 9995 * time.Millisecond, true}, {2000, 0, false}} {
		at, ok := p.At(tt.n)
		if ok != tt.ok || (ok && at != tt.want) {
			t.Errorf("At(%d) = %v %v, want %v %v", tt.n, at, ok, tt.want, tt.ok)
		}
	}
	wait, stop := p.Pace(3*time.Millisecond, 1)
	if stop || wait != 2*time.Millisecond {
		t.Errorf("Pace = %v %v", wait, stop)
	}
	// Behind schedule: no wait.
	if wait, _ := p.Pace(time.Second, 1); wait != 0 {
		t.Errorf("late Pace wait = %v", wait)
	}
	// Duration bound.
	p, _ = NewPacer(10, nil, "uniform", 1, time.Second, 0)
	n := 0
	for i := uint64(0); i < 100; i++ {
		if _, ok := p.At(i); ok {
			n++
		}
	}
	if n != 10 {
		t.Errorf("1 s at 10/s started %d calls, want 10", n)
	}
}

func TestPacerStages(t *testing.T) {
	st, err := ParseStages("10s:10,10s:10,10s:0")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewPacer(0, st, "uniform", 1, 0, 0)
	// Ramp 0->10 over 10 s: 50 calls; flat 10 s: 100; ramp down: 50.
	var count int
	var last time.Duration
	for i := uint64(0); i < 1000; i++ {
		at, ok := p.At(i)
		if !ok {
			break
		}
		if at < last {
			t.Fatalf("schedule goes backwards at %d", i)
		}
		last = at
		count++
	}
	if count < 199 || count > 201 {
		t.Errorf("stages planned %d calls, want ~200", count)
	}
	// The 50th call is at the end of the first ramp (integral 0.5*t^2 = 50 -> t = 10 s).
	at, _ := p.At(50)
	if math.Abs(at.Seconds()-10) > 0.01 {
		t.Errorf("call 50 at %v, want 10s", at)
	}
	// Call 8 on the ramp: 0.5*t^2 = 8 -> t = 4 s.
	at, _ = p.At(8)
	if math.Abs(at.Seconds()-4) > 0.01 {
		t.Errorf("call 8 at %v, want 4s", at)
	}
	for _, bad := range []string{"", "10s", "x:1", "10s:-1", "10s:abc"} {
		if _, err := ParseStages(bad); err == nil {
			t.Errorf("ParseStages(%q) accepted", bad)
		}
	}
}

func TestPacerPoisson(t *testing.T) {
	p, _ := NewPacer(100, nil, "poisson", 7, 100*time.Second, 0)
	n := 0
	for i := uint64(0); i < 20000; i++ {
		if _, ok := p.At(i); !ok {
			break
		}
		n++
	}
	// 10000 expected, sd 100.
	if n < 9600 || n > 10400 {
		t.Errorf("poisson planned %d calls in 100 s at 100/s", n)
	}
	q, _ := NewPacer(100, nil, "poisson", 7, 100*time.Second, 0)
	a, _ := q.At(123)
	p2, _ := NewPacer(100, nil, "poisson", 7, 100*time.Second, 0)
	b, _ := p2.At(123)
	if a != b {
		t.Errorf("same seed, different schedules: %v %v", a, b)
	}
}

func TestThresholds(t *testing.T) {
	r := &Result{Attempted: 100, Completed: 99, Failed: 1, SER: 0.99, AchievedCPS: 199.5,
		SRD: Latency{P99: 312.5, Max: 400}}
	tests := []struct {
		expr string
		pass bool
	}{
		{"ser>=99.9", false},
		{"ser>=99", true},
		{"ser >= 99%", true},
		{"srd_p99<250ms", false},
		{"srd_p99<0.5s", true},
		{"srd_max<=400", true},
		{"failed==0", false},
		{"completed>=99", true},
		{"achieved_cps>=199", true},
		{"achieved_cps>=199.9", false},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.expr)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		res := th.Check(r)
		if res.Pass != tt.pass {
			t.Errorf("%q: pass=%v, want %v (%s)", tt.expr, res.Pass, tt.pass, res)
		}
	}
	th, _ := ParseThreshold("srd_p99<250ms")
	if s := th.Check(r).String(); !strings.Contains(s, "over by 62.5ms") {
		t.Errorf("message %q does not say by how much", s)
	}
	th, _ = ParseThreshold("ser>=99.9")
	if s := th.Check(r).String(); !strings.Contains(s, "short by 0.9") {
		t.Errorf("message %q does not say by how much", s)
	}
	for _, bad := range []string{"ser", "ser>>1", "bogus<1", "srd_p42<1ms", "srd_p99<fast", "ser>=120", "failed==x", ">=3"} {
		if _, err := ParseThreshold(bad); err == nil {
			t.Errorf("ParseThreshold(%q) accepted", bad)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	base := Config{Target: "sip:a@127.0.0.1:5060", Rate: 10, MaxCalls: 5}
	if err := base.Validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no target", func(c *Config) { c.Target = "" }, "no target"},
		{"http", func(c *Config) { c.Target = "http://x" }, "sip:"},
		{"two models", func(c *Config) { c.Concurrency = 3 }, "one workload model"},
		{"no model", func(c *Config) { c.Rate = 0 }, "no workload"},
		{"bad transport", func(c *Config) { c.Transport = "sctp" }, "transport"},
		{"bad arrivals", func(c *Config) { c.Arrivals = "bursty" }, "arrivals"},
		{"retired engine", func(c *Config) { c.Engine = "sipgo" }, "sipgo call path was retired"},
		{"unknown engine", func(c *Config) { c.Engine = "turbo" }, "want fast"},
	}
	for _, tt := range tests {
		c := base
		tt.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.want)
		}
	}
	tg, err := parseTarget("sips:a@127.0.0.1", "")
	if err != nil || tg.transport != "TLS" {
		t.Errorf("sips: %+v %v", tg, err)
	}
	tg, err = parseTarget("sip:a@127.0.0.1;transport=tcp", "")
	if err != nil || tg.transport != "TCP" {
		t.Errorf("transport=tcp: %+v %v", tg, err)
	}
}

func TestResultJSONContract(t *testing.T) {
	r := &Result{Attempted: 3, Completed: 1, Failed: 1, TimedOut: 1, StatusCodes: map[string]uint64{"200": 1, "486": 1},
		Settings: Config{Target: "sip:a@127.0.0.1", Password: "s3cret-pass"}.Settings()}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := r.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret-pass") {
		t.Fatal("password written to the result file")
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"attempted", "completed", "failed", "abandoned", "timed_out", "transport_errors", "ser", "seer",
		"isa", "scr", "achieved_cps", "max_concurrent", "status_codes", "srd_ms", "answer_delay_ms", "sdd_ms", "late",
		"dropped", "interrupted", "series", "settings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	for _, k := range []string{"srd_ms", "answer_delay_ms", "sdd_ms"} {
		lat := m[k].(map[string]any)
		for _, q := range []string{"p50", "p90", "p95", "p99", "p999", "max"} {
			if _, ok := lat[q]; !ok {
				t.Errorf("%s lacks %q", k, q)
			}
		}
	}
	if err := r.Check(); err != nil {
		t.Error(err)
	}
	r.Abandoned = 1
	if r.Check() == nil {
		t.Error("Check accepted outcomes that do not add up")
	}
}

func TestCollectorRatios(t *testing.T) {
	c := newCollector(time.Now(), nil)
	add := func(o Outcome, code int, byeOK bool) {
		now := time.Now()
		c.started(now, now, false)
		c.finished(&callResult{rec: CallRecord{Outcome: o, FinalStatus: code}, byeOK: byeOK}, now)
	}
	for range 6 {
		add(OutcomeCompleted, 200, true)
	}
	add(OutcomeFailed, 486, false)
	add(OutcomeFailed, 503, false)
	add(OutcomeFailed, 302, false)
	add(OutcomeTimedOut, 0, false)
	r := c.result(time.Now())
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	// 10 INVITEs, one 3xx: SER = 6/9, SEER = 7/9, ISA = (503 + timeout)/10, SCR = 6/10.
	for name, got := range map[string][2]float64{"ser": {r.SER, 6.0 / 9}, "seer": {r.SEER, 7.0 / 9}, "isa": {r.ISA, 0.2}, "scr": {r.SCR, 0.6}} {
		if math.Abs(got[0]-got[1]) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got[0], got[1])
		}
	}
	if r.MaxConcurrent != 1 || r.StatusCodes["486"] != 1 {
		t.Errorf("max concurrent %d, codes %v", r.MaxConcurrent, r.StatusCodes)
	}
}

func TestMediaThresholds(t *testing.T) {
	r := &Result{Media: &MediaSummary{Calls: 100, MOS: MediaDist{P5: 4.1, P50: 4.38}, LossPct: MediaDist{P95: 0.4},
		JitterMs: MediaDist{P99: 31.5}, OneWayAudio: 1, BelowMOSShare: 0.02}}
	tests := []struct {
		expr string
		pass bool
	}{
		{"mos_p5>=4.0", true},
		{"mos_p5>=4.2", false},
		{"loss_p95<1", true},
		{"loss_p95<0.3%", false},
		{"jitter_p99<30ms", false},
		{"jitter_p99<0.05s", true},
		{"one_way_audio==0", false},
		{"no_audio==0", true},
		{"below_mos_share<=2", true},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.expr)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		if res := th.Check(r); res.Pass != tt.pass {
			t.Errorf("%q: pass=%v, want %v (%s)", tt.expr, res.Pass, tt.pass, res)
		}
		// Without media figures every media threshold fails, saying why.
		if res := th.Check(&Result{}); res.Pass || !strings.Contains(res.String(), "no media") {
			t.Errorf("%q without media: %s", tt.expr, res)
		}
	}
	for _, bad := range []string{"mos_p7>=4", "jitter_p99<slow", "mos_p5>=x", "loss_p95<NaN"} {
		if _, err := ParseThreshold(bad); err == nil {
			t.Errorf("ParseThreshold(%q) accepted", bad)
		}
	}
}

func TestMediaAggregateFewCalls(t *testing.T) {
	m := newMediaAgg(3.6)
	for _, mos := range []float64{4.2, 4.3, 4.38, 4.38, 4.38} {
		m.add(&media.Stats{Sent: 100, Received: 100, ReceivedExpected: 100, Expected: 100, MOS: mos, JitterMs: 1})
	}
	m.add(&media.Stats{Sent: 100}) // nothing came back: one-way audio, no MOS
	s := m.summary()
	if s.MOS.P5 < 4.19 || s.MOS.P5 > 4.21 || s.MOS.Count != 5 || s.MOS.Min < 4.19 {
		t.Errorf("MOS of 5 calls: %+v", s.MOS)
	}
	if s.Calls != 6 || s.OneWayAudio != 1 || s.NoAudio != 0 || s.BelowMOS != 1 || s.JitterMs.P5 < 0 {
		t.Errorf("summary %+v", s)
	}
}
