package cdr

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sample() []Record {
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)
	return []Record{
		{CallID: "a1@h", IntendedStart: at, ActualStart: at.Add(10 * time.Millisecond), SRDMs: Ms(40 * time.Millisecond),
			AnswerDelayMs: Ms(2*time.Second + 1), DurationMs: Ms(61 * time.Second), FinalStatus: 200, Outcome: Completed,
			HangupBy: "callee", Media: Media{Sent: 3050, Received: 3049, LossPct: 0.0328, JitterMs: 1.25, MaxGap: 41 * time.Millisecond, MOS: 4.32}.Columns(),
			From: "+4930111", To: "sip:support@127.0.0.1:5060"},
		{CallID: "a2,with \"comma\"", IntendedStart: at.Add(time.Second), ActualStart: at.Add(time.Second), SRDMs: Ms(1),
			FinalStatus: 486, Outcome: Failed, From: "callsim", To: "sip:q@[::1]:5060"},
		{CallID: "a3", IntendedStart: at.Add(2 * time.Second), ActualStart: at.Add(2 * time.Second), Outcome: Abandoned,
			Media: Media{Sent: 5, Received: 0}.Columns()},
	}
}

// TestRoundTrip: what the writer writes, the reader reads back, with and
// without lead columns.
func TestRoundTrip(t *testing.T) {
	for _, lead := range [][]string{nil, {"line", "step"}} {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, lead...)
		if err != nil {
			t.Fatal(err)
		}
		vals := func(i int) []string {
			if lead == nil {
				return nil
			}
			return []string{"service", strings.Repeat("1", i+1)}
		}
		for i, r := range sample() {
			if err := w.Write(r, vals(i)...); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(buf.String(), "\n"); first != strings.Join(append(append([]string(nil), lead...), Header...), ",") {
			t.Fatalf("header %q", first)
		}
		rd, err := NewReader("cdr.csv", bytes.NewReader(buf.Bytes()), lead...)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range sample() {
			got, lv, err := rd.Read()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("record %d:\n got %+v\nwant %+v", i, got, want)
			}
			if lead != nil && !reflect.DeepEqual(lv, vals(i)) {
				t.Errorf("record %d: lead %q, want %q", i, lv, vals(i))
			}
			if err := got.Check(); err != nil {
				t.Errorf("record %d: %v", i, err)
			}
			if rd.Line() != i+2 {
				t.Errorf("record %d on line %d", i, rd.Line())
			}
		}
		if _, _, err := rd.Read(); err != io.EOF {
			t.Fatalf("after the last record: %v", err)
		}
	}
}

// TestMs: a positive delay is never written as 0.000.
func TestMs(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want float64
	}{{0, 0}, {-time.Second, 0}, {1, 0.001}, {499, 0.001}, {1500 * time.Microsecond, 1.5}, {1234567, 1.235}} {
		if got := Ms(tc.d); got != tc.want {
			t.Errorf("Ms(%v) = %v, want %v", tc.d, got, tc.want)
		}
	}
}

// TestLegacyAndSpreadsheet: a CDR written before the from and to columns,
// and one saved by a spreadsheet, still read.
func TestLegacyAndSpreadsheet(t *testing.T) {
	in := "\ufeffcall_id, intended_start,actual_start,srd_ms,answer_delay_ms,duration_ms,final_status,outcome,hangup_by,packets_sent,packets_received,loss_pct,jitter_ms,max_gap_ms,mos\n" +
		"a1,2026-11-23 09:00:00,2026-11-23 09:00:00.010,40,\"2000,5\",61000.000,200,completed,callee,,,,,,\n"
	recs, err := ReadAll("old.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	r := recs[0]
	if len(recs) != 1 || r.AnswerDelayMs != 2000.5 || r.DurationMs != 61000 || r.From != "" ||
		!r.ActualStart.Equal(time.Date(2026, 11, 23, 9, 0, 0, 10e6, time.UTC)) || !r.Answered() {
		t.Fatalf("%+v", recs)
	}
	// The caller column is the from column.
	recs, err = ReadAll("c.csv", strings.NewReader("call_id,actual_start,duration_ms,caller\nx,2026-11-23T09:00:00Z,,+49301\n"))
	if err != nil || recs[0].From != "+49301" || !recs[0].IntendedStart.Equal(recs[0].ActualStart) {
		t.Fatalf("%+v %v", recs, err)
	}
}

// TestErrors: bad input names the file, the line and the column.
func TestErrors(t *testing.T) {
	head := "call_id,actual_start,duration_ms,final_status\n"
	for _, tc := range []struct{ in, want string }{
		{"", "c.csv: empty file"},
		{"call_id,outcome\n", "c.csv:1: no actual_start column"},
		{head + "a,noon,1,\n", "c.csv:2: actual_start: time \"noon\""},
		{head + "a,2026-11-23T09:00:00Z,x,\n", "c.csv:2: duration_ms \"x\""},
		{head + "a,2026-11-23T09:00:00Z,-1,\n", "c.csv:2: duration_ms \"-1\""},
		{head + "a,2026-11-23T09:00:00Z,1,99\n", "c.csv:2: final_status \"99\""},
	} {
		_, err := ReadAll("c.csv", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadAll(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
	if _, err := NewReader("k.csv", strings.NewReader("step,line\n"), "line", "step"); err == nil || !strings.Contains(err.Error(), "k.csv:1: column 1") {
		t.Errorf("wrong lead columns: %v", err)
	}
	for _, r := range []Record{{Outcome: "lost"}, {Outcome: Completed}, {Outcome: Failed, HangupBy: "me"}} {
		if r.Check() == nil {
			t.Errorf("Check(%+v) passed", r)
		}
	}
}
