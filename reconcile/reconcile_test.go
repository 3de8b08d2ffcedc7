package reconcile

import (
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/cdr"
)

func load(t *testing.T) ([]Call, []Billed) {
	t.Helper()
	f, err := os.Open("testdata/ours.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	calls, err := ParseCDR("ours.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.Open("testdata/billing.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	billed, err := ParseBilling("billing.csv", g)
	if err != nil {
		t.Fatal(err)
	}
	return calls, billed
}

// TestPlantedDiscrepancies: a2 is billed 95 s for 30.5 s (over-billed), a
// line of 10:15 has no call behind it (billed, never placed), a3 was
// answered and never billed; a1 is billed right (61 s) and a4 is matched by
// start time (no call id, 0.4 s off) and billed right; a5 was never answered
// and is not billed.
func TestPlantedDiscrepancies(t *testing.T) {
	calls, billed := load(t)
	r, err := Compare(calls, billed, Options{Tolerance: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Matched != 3 || r.MatchedByID != 2 || r.MatchedByTime != 1 {
		t.Errorf("matched %d (id %d, time %d), want 3 (2, 1)", r.Matched, r.MatchedByID, r.MatchedByTime)
	}
	if len(r.OverBilled) != 1 || r.OverBilled[0].CallID != "a2" || math.Abs(r.OverBilled[0].DisputedSeconds-64) > 1e-9 {
		t.Errorf("over-billed %+v, want a2 by 64 s (95 - 31)", r.OverBilled)
	}
	if len(r.BilledNotPlaced) != 1 || r.BilledNotPlaced[0].Caller != "+4930199" || r.BilledNotPlaced[0].BilledSeconds != 120 {
		t.Errorf("billed not placed %+v, want the 10:15 line", r.BilledNotPlaced)
	}
	if len(r.PlacedNotBilled) != 1 || r.PlacedNotBilled[0].CallID != "a3" || r.PlacedNotBilled[0].MeasuredSeconds != 45 {
		t.Errorf("placed not billed %+v, want a3", r.PlacedNotBilled)
	}
	if math.Abs(r.DisputedSeconds-184) > 1e-9 || math.Abs(r.DisputedAmount-184.0/60*0.05) > 1e-9 {
		t.Errorf("disputed %v s, %v; want 184 s", r.DisputedSeconds, r.DisputedAmount)
	}
	if r.BilledSeconds != 366 || math.Abs(r.MeasuredSeconds-226.5) > 1e-9 || math.Abs(r.DiffSeconds-139.5) > 1e-9 ||
		r.BilledMatchedSeconds != 246 || math.Abs(r.MeasuredMatchedSeconds-181.5) > 1e-9 {
		t.Errorf("totals billed %v measured %v diff %v; matched billed %v measured %v", r.BilledSeconds, r.MeasuredSeconds,
			r.DiffSeconds, r.BilledMatchedSeconds, r.MeasuredMatchedSeconds)
	}
	// Per-minute billing: a2's 30.5 s round up to 60 s, so 35 s of its 95 s
	// are disputed.
	r, _ = Compare(calls, billed, Options{Tolerance: time.Second, Increment: time.Minute})
	if len(r.OverBilled) != 1 || r.OverBilled[0].DisputedSeconds != 35 || r.DisputedSeconds != 155 {
		t.Errorf("per minute: over-billed %+v, disputed %v; want a2 by 35 s and 155 s in all", r.OverBilled, r.DisputedSeconds)
	}
	// A tighter start-time tolerance loses the match by time.
	r, _ = Compare(calls, billed, Options{Tolerance: 100 * time.Millisecond})
	if r.MatchedByTime != 0 || len(r.BilledNotPlaced) != 2 {
		t.Errorf("tolerance 100ms: matched by time %d, billed not placed %d", r.MatchedByTime, len(r.BilledNotPlaced))
	}
}

func TestParseBillingSemicolons(t *testing.T) {
	b, err := ParseBilling("b.csv", strings.NewReader("\ufeffCall-ID;BillSec;Rate\na1;61,5;0,05\n"))
	if err != nil || len(b) != 1 || b[0].CallID != "a1" || b[0].BilledSeconds != 61.5 || b[0].Rate != 0.05 {
		t.Errorf("ParseBilling = %+v, %v", b, err)
	}
}

func TestParseBillingErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"no billed column", "call_id,seconds\na,1\n", "want billed_seconds"},
		{"no key", "rate,billed_seconds\n1,2\n", "want billed_seconds and call_id"},
		{"bad seconds", "call_id,billed_seconds\na,ten\n", "b.csv:2: billed_seconds \"ten\""},
		{"negative", "call_id,billed_seconds\na,-3\n", "at least 0"},
		{"bad time", "caller,start_time,billed_seconds\nx,yesterday,3\n", "b.csv:2: start_time"},
		{"unmatchable", "call_id,caller,start_time,billed_seconds\n,x,,3\n", "cannot be matched"},
		{"quote", "call_id,billed_seconds\n\"a,1\n", "b.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBilling("b.csv", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestParseCDRErrors(t *testing.T) {
	for _, in := range []string{"", "call_id,outcome\n", "call_id,actual_start,duration_ms\na,noon,1\n", "call_id,actual_start,duration_ms\na,2026-11-23T09:00:00Z,x\n"} {
		if _, err := ParseCDR("c.csv", strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "c.csv") {
			t.Errorf("ParseCDR(%q) = %v, want an error naming the file", in, err)
		}
	}
}

// FuzzParseBilling: any input gives lines or an error, never a panic, and
// every line parsed is usable.
func FuzzParseBilling(f *testing.F) {
	for _, name := range []string{"testdata/billing.csv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("call_id,billed_seconds\na,1.5\n"))
	f.Add([]byte("\ufeffCALLER;START;BILLSEC\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := ParseBilling("fuzz.csv", strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.BilledSeconds < 0 || math.IsNaN(l.BilledSeconds) || math.IsInf(l.BilledSeconds, 0) {
				t.Fatalf("line %d: billed %v", l.Line, l.BilledSeconds)
			}
			if l.CallID == "" && (l.Caller == "" || l.Start.IsZero()) {
				t.Fatalf("line %d: unmatchable line accepted", l.Line)
			}
		}
		if _, err := Compare(nil, lines, Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCallerDisambiguates: two calls start in the same second, alice's
// (60 s) answered at .100 and bob's (30 s) at .900; the billing export has
// no call ids and whole-second start times, bob's line at :00 and alice's
// at :01. By start time alone each line takes the wrong call, and bob's 30 s
// call looks billed 60 s; the caller column pairs them right, also when it
// is written as a URI or with a leading + on one side, and a line without a
// caller falls back to start time.
func TestCallerDisambiguates(t *testing.T) {
	const cdrHead = "call_id,intended_start,actual_start,srd_ms,answer_delay_ms,duration_ms,final_status,outcome,hangup_by," +
		"packets_sent,packets_received,loss_pct,jitter_ms,max_gap_ms,mos,from,to\n"
	cdr := cdrHead +
		"c1,2026-11-23T10:00:00Z,2026-11-23T10:00:00.050Z,20.000,50.000,60000.000,200,completed,callee,,,,,,,+4930111,sip:1000@pbx\n" +
		"c2,2026-11-23T10:00:00.5Z,2026-11-23T10:00:00.500Z,20.000,400.000,30000.000,200,completed,callee,,,,,,,4930222,sip:1000@pbx\n"
	tests := []struct {
		name, billing               string
		byCaller, byTime, overBills int
		disputed                    float64
	}{
		{"caller", "caller,start_time,billsec\n4930222,2026-11-23 10:00:00,30\n4930111,2026-11-23 10:00:01,60\n", 2, 2, 0, 0},
		{"caller as URI", "ani,start_time,billsec\n\"\"\"Bob\"\" <sip:+4930222@carrier;user=phone>\",2026-11-23 10:00:00,30\ntel:+4930111,2026-11-23 10:00:01,60\n", 2, 2, 0, 0},
		// Call ids unknown to our CDR: matched by start time only.
		{"no caller", "call_id,start_time,billsec\nx1,2026-11-23 10:00:00,30\nx2,2026-11-23 10:00:01,60\n", 0, 2, 1, 30},
		{"one line without caller", "call_id,caller,start_time,billsec\nx1,,2026-11-23 10:00:00,30\n,4930111,2026-11-23 10:00:01,60\n", 1, 2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, err := ParseCDR("ours.csv", strings.NewReader(cdr))
			if err != nil {
				t.Fatal(err)
			}
			if calls[0].Caller != "+4930111" {
				t.Fatalf("CDR caller %q, want +4930111 (from column)", calls[0].Caller)
			}
			billed, err := ParseBilling("billing.csv", strings.NewReader(tt.billing))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Compare(calls, billed, Options{Tolerance: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if r.Matched != 2 || r.MatchedByCaller != tt.byCaller || r.MatchedByTime != tt.byTime ||
				len(r.OverBilled) != tt.overBills || r.DisputedSeconds != tt.disputed {
				t.Errorf("matched %d (by caller %d, by time %d), over-billed %+v, disputed %v; want 2 (%d, %d), %d over-billed, %v disputed",
					r.Matched, r.MatchedByCaller, r.MatchedByTime, r.OverBilled, r.DisputedSeconds, tt.byCaller, tt.byTime, tt.overBills, tt.disputed)
			}
			if tt.byCaller == 2 && (r.Calls[0].BilledSeconds != 60 || r.Calls[1].BilledSeconds != 30 || r.Calls[0].MatchedBy != "caller_start_time") {
				t.Errorf("calls %+v, want c1 billed 60 s and c2 30 s, by caller", r.Calls)
			}
		})
	}
}

// TestParseCDRWritten: what callsim load writes (package cdr's writer),
// ParseCDR reads: the caller, the start, the answer and the measured
// duration of each call.
func TestParseCDRWritten(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var buf strings.Builder
	w, err := cdr.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []cdr.Record{
		{CallID: "a1", IntendedStart: at, ActualStart: at.Add(10 * time.Millisecond), AnswerDelayMs: 2000, DurationMs: 61500,
			FinalStatus: 200, Outcome: cdr.Completed, HangupBy: "caller", From: "+4930111", To: "sip:q@127.0.0.1"},
		{CallID: "a2", IntendedStart: at, ActualStart: at, FinalStatus: 486, Outcome: cdr.Failed, From: "+4930112"},
	} {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	calls, err := ParseCDR("ours.csv", strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	want := []Call{
		{Line: 2, CallID: "a1", Caller: "+4930111", Start: at.Add(10 * time.Millisecond), Answered: at.Add(2010 * time.Millisecond),
			Measured: 61.5, Outcome: "completed", FinalStatus: "200"},
		{Line: 3, CallID: "a2", Caller: "+4930112", Start: at, Outcome: "failed", FinalStatus: "486"},
	}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("got  %+v\nwant %+v", calls, want)
	}
}
