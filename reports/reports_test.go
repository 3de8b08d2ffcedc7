package reports

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/callsim/callsim/loadresult"
	"github.com/callsim/callsim/sim"
	"github.com/callsim/callsim/wfm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// loadSimulate reads the checked-in simulation result (run timing zeroed).
func loadSimulate(t *testing.T) *sim.Result {
	t.Helper()
	s, err := ReadResult(filepath.Join("testdata", "simulate.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != KindSimulate {
		t.Fatalf("simulate.json read as %s", s.Kind)
	}
	return s.Result
}

// loadCompare reads the checked-in comparison (saved without intervals);
// withIntervals gives every variant the intervals of the simulation result.
func loadCompare(t *testing.T, withIntervals bool) *sim.Comparison {
	t.Helper()
	s, err := ReadResult(filepath.Join("testdata", "compare.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != KindCompare {
		t.Fatalf("compare.json read as %s", s.Kind)
	}
	if withIntervals {
		r := loadSimulate(t)
		for i := range s.Comparison.Variants {
			s.Comparison.Variants[i].IntervalSeconds = r.IntervalSeconds
			s.Comparison.Variants[i].Intervals = r.Intervals
			s.Comparison.Variants[i].Queues = r.Queues // the intervals' queues
		}
	}
	return s.Comparison
}

// loadLoad reads the checked-in SIP load-test result.
func loadLoad(t *testing.T) *loadresult.Result {
	t.Helper()
	s, err := ReadResult(filepath.Join("testdata", "load.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != KindLoad {
		t.Fatalf("load.json read as %s", s.Kind)
	}
	return s.Load
}

// loadStaff reads the checked-in staffing plan (verified, with shifts).
func loadStaff(t *testing.T) *wfm.StaffPlan {
	t.Helper()
	s, err := ReadResult(filepath.Join("testdata", "staff.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != KindStaff {
		t.Fatalf("staff.json read as %s", s.Kind)
	}
	return s.Staff
}

// loadSweep reads the checked-in sweep (one axis, with costs).
func loadSweep(t *testing.T) *wfm.SweepResult {
	t.Helper()
	s, err := ReadResult(filepath.Join("testdata", "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != KindSweep {
		t.Fatalf("sweep.json read as %s", s.Kind)
	}
	return s.Sweep
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./reports -update if the change is intended)\n--- got:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	r := loadSimulate(t)
	c := loadCompare(t, false)
	ci := loadCompare(t, true)
	l := loadLoad(t)
	st := loadStaff(t)
	sw := loadSweep(t)
	tests := []struct {
		file   string
		render func(w io.Writer) error
	}{
		{"staff.txt.golden", func(w io.Writer) error { return WriteStaffText(w, st) }},
		{"staff.md.golden", func(w io.Writer) error { return WriteStaffMarkdown(w, st) }},
		{"staffing.csv.golden", func(w io.Writer) error { return WriteStaffCSV(w, st) }},
		{"sweep.txt.golden", func(w io.Writer) error { return WriteSweepText(w, sw) }},
		{"sweep.md.golden", func(w io.Writer) error { return WriteSweepMarkdown(w, sw) }},
		{"points.csv.golden", func(w io.Writer) error { return WriteSweepCSV(w, sw) }},
		{"load.md.golden", func(w io.Writer) error { return WriteLoadMarkdown(w, l) }},
		{"series.csv.golden", func(w io.Writer) error { return WriteLoadSeriesCSV(w, l) }},
		{"delays.csv.golden", func(w io.Writer) error { return WriteLoadDelaysCSV(w, l) }},
		{"simulate.txt.golden", func(w io.Writer) error { return WriteSimulateText(w, r, TextOptions{Intervals: true}) }},
		{"simulate.md.golden", func(w io.Writer) error { return WriteSimulateMarkdown(w, r) }},
		{"intervals.csv.golden", func(w io.Writer) error { return WriteIntervalsCSV(w, r) }},
		{"queues.csv.golden", func(w io.Writer) error { return WriteQueuesCSV(w, r) }},
		{"groups.csv.golden", func(w io.Writer) error { return WriteGroupsCSV(w, r) }},
		{"compare.txt.golden", func(w io.Writer) error { return WriteCompareText(w, c) }},
		{"compare.md.golden", func(w io.Writer) error { return WriteCompareMarkdown(w, c) }},
		{"variants.csv.golden", func(w io.Writer) error { return WriteVariantsCSV(w, c) }},
		{"compare-queues.csv.golden", func(w io.Writer) error { return WriteCompareQueuesCSV(w, c) }},
		{"compare-groups.csv.golden", func(w io.Writer) error { return WriteCompareGroupsCSV(w, c) }},
		{"compare-intervals.csv.golden", func(w io.Writer) error { return WriteCompareIntervalsCSV(w, ci) }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, b.Bytes())
		})
	}
}

// TestCSVShape checks what a spreadsheet needs: a header, the same number
// of fields on every row, one unit per column (no '%', no thousands
// separators, '.' decimals) and numbers in the numeric columns.
func TestCSVShape(t *testing.T) {
	r := loadSimulate(t)
	c := loadCompare(t, true)
	numeric := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	st := loadStaff(t)
	sw := loadSweep(t)
	text := map[string]bool{"interval_start": true, "queue": true, "group": true, "sourcing": true, "variant": true, "description": true, "meets_target": true, "meets_targets": true,
		"check_meets_target": true, "queues_missing_target": true, "cheapest": true, "knee": true, "interrupted": true}
	staffRows := 0
	for _, q := range st.Queues {
		staffRows += len(q.Intervals)
	}
	tests := []struct {
		name   string
		render func(w io.Writer) error
		rows   int
	}{
		{"intervals", func(w io.Writer) error { return WriteIntervalsCSV(w, r) }, len(r.Intervals) * (1 + len(r.Queues))},
		{"queues", func(w io.Writer) error { return WriteQueuesCSV(w, r) }, len(r.Queues)},
		{"groups", func(w io.Writer) error { return WriteGroupsCSV(w, r) }, len(r.Groups)},
		{"variants", func(w io.Writer) error { return WriteVariantsCSV(w, c) }, len(c.Variants)},
		{"compare intervals", func(w io.Writer) error { return WriteCompareIntervalsCSV(w, c) }, len(c.Variants) * len(r.Intervals) * (1 + len(r.Queues))},
		{"staffing", func(w io.Writer) error { return WriteStaffCSV(w, st) }, staffRows},
		{"points", func(w io.Writer) error { return WriteSweepCSV(w, sw) }, len(sw.Points)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&b).ReadAll() // also checks equal field counts
			if err != nil {
				t.Fatal(err)
			}
			if len(recs)-1 != tt.rows {
				t.Fatalf("%d data rows, want %d", len(recs)-1, tt.rows)
			}
			for _, rec := range recs[1:] {
				for i, cell := range rec {
					col := recs[0][i]
					if text[col] || cell == "" {
						continue
					}
					if !numeric.MatchString(cell) {
						t.Errorf("column %s: %q is not a plain number", col, cell)
					}
				}
			}
		})
	}
}

func TestHTMLSelfContained(t *testing.T) {
	r := loadSimulate(t)
	noIv := *r
	noIv.Intervals = nil
	gaps := *r
	gaps.Intervals = append([]sim.IntervalResult(nil), r.Intervals...)
	gaps.Intervals[2] = sim.IntervalResult{Start: gaps.Intervals[2].Start, StartSeconds: gaps.Intervals[2].StartSeconds}
	c := loadCompare(t, false)
	one := *c
	one.Variants = c.Variants[:1]
	noCost := *c
	noCost.Variants = append([]sim.VariantResult(nil), c.Variants...)
	for i := range noCost.Variants {
		noCost.Variants[i].Cost = sim.Cost{}
	}
	tests := []struct {
		name    string
		render  func(w io.Writer) error
		figures int
	}{
		{"simulate", func(w io.Writer) error { return WriteSimulateHTML(w, r) }, 6},
		{"simulate without intervals", func(w io.Writer) error { return WriteSimulateHTML(w, &noIv) }, 0},
		{"simulate with a closed interval", func(w io.Writer) error { return WriteSimulateHTML(w, &gaps) }, 6},
		{"compare from JSON", func(w io.Writer) error { return WriteCompareHTML(w, c) }, 2},
		{"compare after a run", func(w io.Writer) error { return WriteCompareHTML(w, loadCompare(t, true)) }, 3},
		{"compare of one variant", func(w io.Writer) error { return WriteCompareHTML(w, &one) }, 2},
		{"compare without costs", func(w io.Writer) error { return WriteCompareHTML(w, &noCost) }, 0},
		{"load", func(w io.Writer) error { return WriteLoadHTML(w, loadLoad(t)) }, 3},
		{"load with failures and stages", func(w io.Writer) error { return WriteLoadHTML(w, failingLoad(loadLoad(t))) }, 4},
		{"load without per-second delays", func(w io.Writer) error { return WriteLoadHTML(w, noSeriesDelays(loadLoad(t))) }, 2},
		{"staff", func(w io.Writer) error { return WriteStaffHTML(w, loadStaff(t)) }, 2},
		{"staff, analytic only", func(w io.Writer) error { return WriteStaffHTML(w, analyticPlan(loadStaff(t))) }, 1},
		{"sweep", func(w io.Writer) error { return WriteSweepHTML(w, loadSweep(t)) }, 3},
		{"sweep of two axes", func(w io.Writer) error { return WriteSweepHTML(w, twoAxes(loadSweep(t))) }, 3},
		{"sweep without costs", func(w io.Writer) error { return WriteSweepHTML(w, noCosts(loadSweep(t))) }, 1},
		{"sweep interrupted before a point", func(w io.Writer) error {
			return WriteSweepHTML(w, &wfm.SweepResult{Scenario: "x", Axes: []wfm.Axis{{Path: "a", Values: []string{"1"}}}, Cheapest: -1, Knee: -1, Interrupted: true})
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			checkSelfContained(t, b.Bytes(), tt.figures)
		})
	}
}

// failingLoad turns a load test into a ramp (--stages) where some calls
// failed with 486 or 503, were abandoned or timed out.
func failingLoad(r *loadresult.Result) *loadresult.Result {
	r.Settings.Rate, r.TargetCPS = 0, 0
	r.Settings.Stages = []loadresult.Stage{{Duration: 2 * time.Second, Target: 10}, {Duration: 4 * time.Second, Target: 4}}
	r.StatusCodes = map[string]uint64{"200": 28, "486": 3, "503": 2}
	r.Completed, r.Failed, r.Abandoned, r.TimedOut = 28, 5, 2, 1
	return r
}

// noSeriesDelays strips the per-second setup delays, as in a result
// written before callsim recorded them.
func noSeriesDelays(r *loadresult.Result) *loadresult.Result {
	for i, s := range r.Series {
		r.Series[i] = loadresult.Second{T: s.T, Started: s.Started, Answered: s.Answered, Failed: s.Failed, Concurrent: s.Concurrent}
	}
	return r
}

// analyticPlan strips a plan to its Erlang figures, as staff --analytic.
func analyticPlan(p *wfm.StaffPlan) *wfm.StaffPlan {
	p.Verified = false
	for i := range p.Queues {
		p.Queues[i].ShiftPlan = nil
	}
	return p
}

// twoAxes turns a sweep of one axis into a grid of two: its points split
// in two halves, as two values of a second parameter with non-numeric
// values of the first.
func twoAxes(r *wfm.SweepResult) *wfm.SweepResult {
	half := len(r.Points) / 2
	r.Axes = []wfm.Axis{{Path: "queues.support.handle_time.dist", Values: nil}, {Path: "groups.staff.agents", Values: []string{"low", "high"}}}
	r.Points = r.Points[:2*half]
	for i := range r.Points {
		v := "v" + string(rune('a'+i%half))
		if i < half {
			r.Axes[0].Values = append(r.Axes[0].Values, v)
		}
		r.Points[i].Set = []string{v, r.Axes[1].Values[i/half]}
	}
	r.Knee = -1
	return r
}

// noCosts removes the costs of every point.
func noCosts(r *wfm.SweepResult) *wfm.SweepResult {
	for i := range r.Points {
		r.Points[i].CostPerMonth, r.Points[i].CostPerMonthCI95, r.Points[i].CostPerOfferedCall = 0, 0, 0
	}
	return r
}

// checkSelfContained parses a report as HTML and checks that it fetches
// nothing: no scripts, stylesheets, frames or remote URLs, and that every
// embedded image decodes.
func checkSelfContained(t *testing.T, doc []byte, svgs int) {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("not HTML: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "iframe", "object", "embed":
				t.Errorf("report has a <%s> element", n.Data)
			case "img":
				for _, a := range n.Attr {
					if a.Key == "src" {
						checkDataImage(t, a.Val)
					}
				}
			case "style":
				if n.FirstChild != nil && (strings.Contains(n.FirstChild.Data, "url(") || strings.Contains(n.FirstChild.Data, "@import")) {
					t.Errorf("style sheet loads something: %s", n.FirstChild.Data)
				}
			}
			for _, a := range n.Attr {
				switch strings.ToLower(a.Key) {
				case "src", "href", "xlink:href", "srcset", "action", "poster", "data":
					if !strings.HasPrefix(a.Val, "data:") && !strings.HasPrefix(a.Val, "#") {
						t.Errorf("<%s %s=%q> points outside the report", n.Data, a.Key, a.Val)
					}
					if strings.HasPrefix(a.Val, "data:image/") {
						checkDataImage(t, a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)

	// The only URLs are the SVG namespace names, which are never fetched.
	rest := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(string(doc))
	if i := strings.Index(rest, "http"); i >= 0 {
		t.Errorf("report mentions a URL: %q", rest[max(0, i-40):min(len(rest), i+60)])
	}

	// Every inline SVG is well-formed XML.
	found := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(string(doc), -1)
	if len(found) != svgs {
		t.Errorf("%d inline SVG charts, want %d", len(found), svgs)
	}
	for i, s := range found {
		d := xml.NewDecoder(strings.NewReader(s))
		elems := 0
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("SVG %d is not well-formed XML: %v", i, err)
			}
			if _, ok := tok.(xml.StartElement); ok {
				elems++
			}
		}
		if elems < 20 {
			t.Errorf("SVG %d has only %d elements: an empty chart?", i, elems)
		}
	}
}

// checkDataImage decodes a data: URL holding a PNG or an SVG image.
func checkDataImage(t *testing.T, u string) {
	t.Helper()
	meta, data, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		t.Errorf("image %.40q is not a base64 data URL", u)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Errorf("image %.40q: %v", u, err)
		return
	}
	switch strings.TrimSuffix(meta, ";base64") {
	case "image/png":
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Errorf("PNG image does not decode: %v", err)
		}
	case "image/svg+xml":
		if err := xml.Unmarshal(raw, new(struct{})); err != nil {
			t.Errorf("SVG image does not decode: %v", err)
		}
	default:
		t.Errorf("image of unexpected type %q", meta)
	}
}

func TestDecodeResult(t *testing.T) {
	tests := []struct {
		name string
		json string
		kind Kind
		err  string
	}{
		{"simulate", `{"scenario":"x","kpis":{"offered":1},"intervals":[]}`, KindSimulate, ""},
		{"compare", `{"scenario":"x","variants":[{"name":"a"}]}`, KindCompare, ""},
		{"load", `{"attempted":3,"completed":3}`, KindLoad, ""},
		{"staff", `{"scenario":"x","verified":false,"queues":[{"queue":"q"}]}`, KindStaff, ""},
		{"sweep", `{"scenario":"x","axes":[{"path":"a","values":["1"]}],"points":[],"cheapest":-1,"knee":-1}`, KindSweep, ""},
		{"verify", `{"scenario":"x","measurement":{},"kpis":[]}`, "", "verify report"},
		{"other object", `{"calls":3}`, "", "not a callsim result"},
		{"array", `[1,2]`, "", "not JSON of a callsim result"},
		{"not JSON", `scenario: x`, "", "not JSON of a callsim result"},
		{"wrong types", `{"kpis":{"offered":"many"}}`, "", "simulate result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := DecodeResult([]byte(tt.json))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != tt.kind {
				t.Fatalf("kind %s, want %s", s.Kind, tt.kind)
			}
		})
	}
}

func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "report")
	paths, err := WriteCompareFiles(dir, loadCompare(t, true))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{FileHTML, FileMarkdown, FileJSON, FileVariants, FileQueues, FileGroups, FileIntervals}
	if len(paths) != len(want) {
		t.Fatalf("wrote %v, want %v", paths, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("directory holds %d entries (temporary files left?), want %d", len(entries), len(want))
	}
	for _, w := range want {
		if fi, err := os.Stat(filepath.Join(dir, w)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v (empty or missing)", w, err)
		}
	}
	// result.json reads back as the same kind.
	s, err := ReadResult(filepath.Join(dir, FileJSON))
	if err != nil || s.Kind != KindCompare {
		t.Fatalf("result.json: kind %v, err %v", s, err)
	}
	// A directory that cannot be created is an error naming it.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteSimulateFiles(filepath.Join(blocker, "sub"), loadSimulate(t)); err == nil || !strings.Contains(err.Error(), "sub") {
		t.Errorf("err = %v, want one naming the directory", err)
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		labels string
	}{
		{0, 1.02, "0 0.25 0.5 0.75 1"},
		{0, 8.64, "0 2 4 6 8"},
		{300000, 470000, "300000 350000 400000 450000"},
		{-0.5, 0.5, "-0.4 -0.2 0 0.2 0.4"},
		{3, 3, "3"},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range niceTicks(tt.lo, tt.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != tt.labels {
			t.Errorf("niceTicks(%g, %g) = %v, want %s", tt.lo, tt.hi, got, tt.labels)
		}
	}
}

func TestFailureCauses(t *testing.T) {
	r := failingLoad(loadLoad(t))
	var got []string
	for _, c := range failureCauses(r) {
		got = append(got, fmt.Sprintf("%s=%g", c.name, c.calls))
	}
	if want := "failed 486=3 failed 503=2 abandoned=2 timed out=1"; strings.Join(got, " ") != want {
		t.Errorf("causes %v, want %s", got, want)
	}
	if c := failureCauses(loadLoad(t)); len(c) != 0 {
		t.Errorf("a test where every call completed has causes %v", c)
	}
	xs, ys := targetRate(r, 0, 6)
	if fmt.Sprint(xs, ys) != "[0 2 6] [0 10 4]" {
		t.Errorf("stages target %v %v", xs, ys)
	}
}

func TestLoadMediaTables(t *testing.T) {
	s, err := ReadResult(filepath.Join("testdata", "load.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := *s.Load
	r.Media = &loadresult.MediaSummary{Calls: 40, PacketsSent: 4003, PacketsReceived: 3999, MOSThreshold: 3.6, OneWayAudio: 1,
		MOS: loadresult.MediaDist{Count: 40, Min: 4.37, P5: 4.37, P50: 4.38, Max: 4.38}}
	var md, html strings.Builder
	if err := WriteLoadMarkdown(&md, &r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Media (RTP)", "| packets received | 3999 |", "| one-way audio | 1 |", "| MOS (E-model) | 40 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	if err := WriteLoadHTML(&html, &r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "MOS p5") {
		t.Error("HTML report lacks the MOS card")
	}
}

func TestSetupDelayFigure(t *testing.T) {
	merged := loadLoad(t)
	merged.Series[1].DelaysUpperBound = true
	merged.Series[2] = loadresult.Second{T: 2, Started: 6, TimedOut: 6}
	tests := []struct {
		name      string
		r         *loadresult.Result
		want, not string // in the caption
	}{
		{"one run", loadLoad(t), "50th, 95th and 99th percentiles", "upper bound"},
		{"merged, with a second without setups", merged, "an upper bound of the whole test's", ""},
		{"no per-second delays", noSeriesDelays(loadLoad(t)), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			figs, err := LoadFigures(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			var f *Figure
			for i := range figs {
				if figs[i].Title == "Setup delay per second" {
					f = &figs[i]
				}
			}
			if tt.want == "" {
				if f != nil {
					t.Fatalf("a setup-delay chart without delays: %q", f.Caption)
				}
				return
			}
			if f == nil {
				t.Fatal("no setup-delay chart")
			}
			if !strings.Contains(f.Caption, tt.want) || tt.not != "" && strings.Contains(f.Caption, tt.not) {
				t.Errorf("caption %q: want %q, not %q", f.Caption, tt.want, tt.not)
			}
			for _, l := range []string{"SRD p50", "SRD p95", "SRD p99", "answer delay p95"} {
				if !strings.Contains(f.SVG, l) {
					t.Errorf("the chart has no %q line in its legend", l)
				}
			}
		})
	}
}
