package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/internal/cli"
	"github.com/callsim/callsim/loadgen/loadgentest"
)

// startPrometheus runs the real Prometheus server on loopback, in its own
// temporary directory, scraping target every 500 ms; it is stopped by its
// PID when the test ends. It returns once Prometheus has tried to scrape
// the target: its scrape manager applies a new configuration only after a
// few seconds, which would otherwise miss most of a short run.
func startPrometheus(t *testing.T, target string) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skipf("prometheus not installed (Debian: apt-get install prometheus; .ci/run installs it): %v", err)
	}
	dir := t.TempDir()
	conf := fmt.Sprintf("global:\n  scrape_interval: 500ms\n  scrape_timeout: 400ms\nscrape_configs:\n  - job_name: callsim\n    static_configs:\n      - targets: ['%s']\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(loadgentest.FreePort(t))
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("prometheus (pid %d) did not exit", cmd.Process.Pid)
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		if res, err := http.Get("http://" + addr + "/-/ready"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 && scraping(addr) {
				return addr
			}
		}
		select {
		case <-done:
			t.Fatalf("prometheus exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 20 s: %s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scraping says whether Prometheus at addr has tried to scrape its target
// (the scrape fails while nothing listens there: health "down").
func scraping(addr string) bool {
	res, err := http.Get("http://" + addr + "/api/v1/targets?state=active")
	if err != nil {
		return false
	}
	defer res.Body.Close()
	var r struct {
		Data struct {
			ActiveTargets []struct {
				Health string `json:"health"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	if json.NewDecoder(res.Body).Decode(&r) != nil {
		return false
	}
	for _, tg := range r.Data.ActiveTargets {
		if tg.Health != "" && tg.Health != "unknown" {
			return true
		}
	}
	return false
}

// query returns the value of an instant vector query with one sample (-1
// when it has none).
func query(t *testing.T, prom, q string) float64 {
	t.Helper()
	res, err := http.Get("http://" + prom + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %v %+v", q, err, r)
	}
	if len(r.Data.Result) != 1 {
		return -1
	}
	v, _ := strconv.ParseFloat(r.Data.Result[0].Value[1].(string), 64)
	return v
}

// TestPrometheusScrapesLoad: a real Prometheus scrapes a running callsim
// load against sipp -sn uas (500 calls at 100/s), and at the end the
// counters it stored agree with the run's JSON result: started =
// attempted, the calls ended by outcome = completed, failed, abandoned,
// timed out (none refused), and the setup-delay histogram counted every
// call set up.
func TestPrometheusScrapesLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	uas := loadgentest.StartSIPpUAS(t, loadgentest.UDP, "")
	maddr := "127.0.0.1:" + strconv.Itoa(loadgentest.FreePort(t))
	prom := startPrometheus(t, maddr)
	out := filepath.Join(t.TempDir(), "r.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type exit struct {
		code           int
		stdout, stderr string
	}
	ch := make(chan exit, 1)
	go func() {
		var o, e bytes.Buffer
		code := cli.Execute(ctx, []string{"load", fmt.Sprintf("sip:service@127.0.0.1:%d", uas.Port), "--rate", "100", "--max-calls", "500",
			"--hold", "200ms", "--no-media", "--json", out, "-q", "--metrics-addr", maddr, "--metrics-linger", "8s"}, strings.NewReader(""), &o, &e)
		ch <- exit{code, o.String(), e.String()}
	}()
	// The result is written before the linger: wait for it. Meanwhile and
	// after, Prometheus must have seen calls in progress.
	var b []byte
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if b, err = os.ReadFile(out); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no result file after 30 s")
		}
	}
	if seen := query(t, prom, `max_over_time(callsim_calls_in_progress[30s])`); seen <= 0 {
		t.Errorf("no calls in progress scraped during the run (max %v)", seen)
	}
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	n := func(k string) float64 { return r[k].(float64) }
	if n("completed") != 500 {
		t.Errorf("the run completed %v calls of 500", n("completed"))
	}
	want := map[string]float64{
		`callsim_calls_started_total`:                          n("attempted"),
		`callsim_calls_ended_total{outcome="completed"}`:       n("completed"),
		`callsim_calls_ended_total{outcome="failed"}`:          n("failed"),
		`callsim_calls_ended_total{outcome="abandoned"}`:       n("abandoned"),
		`callsim_calls_ended_total{outcome="timed_out"}`:       n("timed_out"),
		`callsim_calls_ended_total{outcome="transport_error"}`: n("transport_errors"),
		`sum(callsim_calls_ended_total)`:                       n("attempted"),
		`callsim_calls_final_status_total{code="200"}`:         r["status_codes"].(map[string]any)["200"].(float64),
		`callsim_setup_delay_seconds_count`:                    r["srd_ms"].(map[string]any)["count"].(float64),
		`callsim_calls_in_progress`:                            0,
		`callsim_target_calls_per_second`:                      100,
	}
	deadline := time.Now().Add(6 * time.Second)
	for {
		bad := []string{}
		for q, v := range want {
			if got := query(t, prom, q); got != v {
				bad = append(bad, fmt.Sprintf("%s = %v, the result says %v", q, got, v))
			}
		}
		if len(bad) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus disagrees with the result:\n  %s", strings.Join(bad, "\n  "))
		}
		time.Sleep(250 * time.Millisecond)
	}
	e := <-ch
	if e.code != 0 || !strings.Contains(e.stderr, "metrics: serving http://"+maddr+"/metrics") {
		t.Errorf("exit %d\n%s\n%s", e.code, e.stdout, e.stderr)
	}
}
