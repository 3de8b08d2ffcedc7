// Package grafana holds callsim's Grafana dashboard (callsim.json) for the
// metrics --metrics-addr serves; its test checks the dashboard.
package grafana

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/metrics"
	"github.com/callsim/callsim/sipcenter"
)

type dashboard struct {
	Title         string `json:"title"`
	UID           string `json:"uid"`
	SchemaVersion int    `json:"schemaVersion"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query string `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
		GridPos struct {
			H, W, X, Y int
		} `json:"gridPos"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// exported gathers the metric names a registry really exposes once a
// load's (with one call ended) and a center's metrics are registered (the histograms' series
// with their _bucket, _sum and _count).
func exported(t *testing.T) map[string]bool {
	reg := prometheus.NewRegistry()
	l, err := metrics.NewLoad(reg, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Labelled series appear with their first call.
	l.CallEnded(&loadgen.EndedCall{CallRecord: loadgen.CallRecord{Outcome: loadgen.OutcomeFailed, FinalStatus: 503}}, 0)
	st := sipcenter.Stats{PerQueue: []sipcenter.QueueStats{{Name: "q"}}, Groups: []sipcenter.GroupStats{{Name: "g"}}}
	if err := metrics.NewCenter(reg, func() sipcenter.Stats { return st }); err != nil {
		t.Fatal(err)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range fams {
		out[f.GetName()] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				out[f.GetName()+s] = true
			}
		}
	}
	return out
}

// TestDashboard: callsim.json has the fields Grafana needs to import it
// (title, uid, schemaVersion, a Prometheus datasource variable, panels
// with unique ids, a known type, a place on the 24-column grid and
// queries with refIds), and every metric its queries name is one callsim
// exports.
func TestDashboard(t *testing.T) {
	b, err := os.ReadFile("callsim.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("callsim.json: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.UID) > 40 || d.SchemaVersion < 30 || d.Time.From == "" || d.Time.To == "" {
		t.Errorf("title %q, uid %q, schemaVersion %d, time %+v", d.Title, d.UID, d.SchemaVersion, d.Time)
	}
	if len(d.Templating.List) != 1 || d.Templating.List[0].Type != "datasource" || d.Templating.List[0].Query != "prometheus" {
		t.Fatalf("templating %+v: want one Prometheus datasource variable", d.Templating.List)
	}
	dsVar := "${" + d.Templating.List[0].Name + "}"
	have := exported(t)
	for _, n := range metrics.Names() {
		if !have[n] {
			t.Errorf("metrics.Names lists %s, which is not exported", n)
		}
	}
	metric := regexp.MustCompile(`\bcallsim_[a-z_]+`)
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if p.ID <= 0 || ids[p.ID] {
			t.Errorf("panel %q: id %d missing or repeated", p.Title, p.ID)
		}
		ids[p.ID] = true
		if !slices.Contains([]string{"timeseries", "stat", "gauge", "table", "bargauge"}, p.Type) || p.Title == "" {
			t.Errorf("panel %d: type %q, title %q", p.ID, p.Type, p.Title)
		}
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v off the 24-column grid", p.Title, g)
		}
		if p.Datasource.Type != "prometheus" || p.Datasource.UID != dsVar {
			t.Errorf("panel %q: datasource %+v, want the variable %s", p.Title, p.Datasource, dsVar)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		refs := map[string]bool{}
		for _, q := range p.Targets {
			if q.RefID == "" || refs[q.RefID] || strings.TrimSpace(q.Expr) == "" {
				t.Errorf("panel %q: query %+v", p.Title, q)
			}
			refs[q.RefID] = true
			names := metric.FindAllString(q.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q: query %q names no callsim metric", p.Title, q.Expr)
			}
			for _, n := range names {
				used[n] = true
				if !have[n] {
					t.Errorf("panel %q: %s is not a metric callsim exports", p.Title, n)
				}
			}
		}
	}
	// The panels: rate, delays, failures, calls in progress, MOS,
	// the center's queues.
	for _, n := range []string{"callsim_target_calls_per_second", "callsim_calls_started_total", "callsim_setup_delay_seconds_bucket",
		"callsim_answer_delay_seconds_bucket", "callsim_calls_final_status_total", "callsim_calls_in_progress", "callsim_call_mos_bucket",
		"callsim_center_queue_length", "callsim_center_agents_busy", "callsim_center_service_level_ratio"} {
		if !used[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
}
