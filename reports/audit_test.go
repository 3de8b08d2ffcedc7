package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/audit"
)

// TestAuditRenderers: an audit renders as text, Markdown (both golden)
// and HTML (with its two charts and the center's table), and its JSON reads
// back as an audit.
func TestAuditRenderers(t *testing.T) {
	s := audit.Settings{Target: "sip:q@vendor", CallsPerInterval: 2, IntervalSeconds: 1800, From: "08:00", To: "09:00",
		FromSeconds: 8 * 3600, TimeScale: 1, WithinSeconds: 20, PatienceSeconds: 120, Confidence: 0.95, Claim: 0.8}
	t0 := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	calls := []audit.Call{
		{CallID: "a", Interval: 0, IntendedStart: t0, Outcome: "completed", Answered: true, AnswerDelaySeconds: 3, Within: true, ReachedAgent: true, DurationSeconds: 30},
		{CallID: "b", Interval: 0, IntendedStart: t0.Add(15 * time.Minute), Outcome: "abandoned"},
		{CallID: "c", Interval: 1, IntendedStart: t0.Add(30 * time.Minute), Outcome: "completed", Answered: true, AnswerDelaySeconds: 45, ReachedAgent: true, DurationSeconds: 30},
		{CallID: "d", Interval: 1, IntendedStart: t0.Add(45 * time.Minute), Outcome: "failed", FinalStatus: 480},
	}
	r := audit.Summarize(s, calls)
	r.Center = audit.CompareCenter(r, map[string]audit.CenterCall{
		"a": {CallID: "a", Outcome: "answered", WaitSeconds: 2.5, Within: true, ArrivedSeconds: -1},
		"c": {CallID: "c", Outcome: "answered", WaitSeconds: 5, Within: true, ArrivedSeconds: -1},
	}, 0)
	var text, md, html bytes.Buffer
	if err := WriteAuditText(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteAuditMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteAuditHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"text":     {"day: service level 25.0% within 20s", "08:30-09:00", "not answered", "DISAGREES", "b missing", "c wait", "c within"},
		"markdown": {"# Audit: sip:q@vendor", "| 08:00-08:30 |", "## The center's report", "## Calls seen differently"},
		"html":     {"<svg", "Reaction speed", "Service level per interval", "DISAGREES", "<td>d</td>"},
	} {
		got := map[string]string{"text": text.String(), "markdown": md.String(), "html": html.String()}[name]
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", name, w, got)
			}
		}
	}
	golden(t, "audit.txt.golden", text.Bytes())
	golden(t, "audit.md.golden", md.Bytes())
	if n := strings.Count(html.String(), "<svg"); n != 2 {
		t.Errorf("html: %d charts, want 2", n)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := DecodeResult(b)
	if err != nil || saved.Kind != KindAudit || saved.Audit.Day.Calls != 4 || saved.Audit.Center == nil {
		t.Fatalf("DecodeResult: %v %+v", err, saved)
	}
}
