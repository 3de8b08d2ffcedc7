package wfm

import (
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/scenarios"
)

func flat(n, from, to, r int) []int {
	req := make([]int, n)
	for s := from; s < to; s++ {
		req[s] = r
	}
	return req
}

func TestPlanShifts(t *testing.T) {
	h := time.Hour
	peaky := []int{2, 1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 15, 14, 13, 14, 15, 14, 12, 10, 8, 6, 4, 3,
		3, 2, 2, 2, 2, 2, 2, 3, 6, 12, 18, 22, 24, 22, 20, 21, 23, 22, 19, 15, 11, 8, 5, 3}
	tests := []struct {
		name    string
		req     []int
		opt     ShiftOptions
		optimal bool    // the plan must reach the lower bound
		maxGap  float64 // otherwise, the largest gap accepted
	}{
		{"flat 24h, 8h no breaks", flat(48, 0, 48, 10), ShiftOptions{Interval: 30 * time.Minute, Step: 30 * time.Minute, Lengths: []time.Duration{8 * h}}, true, 0},
		{"flat 08-16, 4h/8h", flat(48, 16, 32, 7), ShiftOptions{Interval: 30 * time.Minute, Step: 30 * time.Minute, Lengths: []time.Duration{4 * h, 8 * h}}, true, 0},
		{"flat 24h, defaults", flat(48, 0, 48, 5), DefaultShiftOptions(30 * time.Minute), true, 0},
		{"flat 09-17 hourly, defaults", flat(24, 9, 17, 4), DefaultShiftOptions(time.Hour), true, 0},
		{"peaky, defaults", peaky, DefaultShiftOptions(30 * time.Minute), false, 0.05},
		{"peaky, 15m step", peaky, ShiftOptions{Interval: 30 * time.Minute, Step: 15 * time.Minute, Lengths: []time.Duration{6 * h, 8 * h}, BreakLength: 30 * time.Minute, BreakFrom: 6 * h}, false, 0.10},
		{"zero", make([]int, 48), DefaultShiftOptions(30 * time.Minute), true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanShifts(tt.req, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			for s, r := range tt.req {
				if p.Coverage[s] < r {
					t.Errorf("interval %d: %d agents on duty, %d needed", s, p.Coverage[s], r)
				}
			}
			if p.PaidHours < p.LowerBound-1e-9 {
				t.Errorf("paid %v below the lower bound %v", p.PaidHours, p.LowerBound)
			}
			if p.LowerBound < p.RequiredHours-1e-9 && p.RequiredHours > 0 {
				t.Errorf("lower bound %v below required hours %v", p.LowerBound, p.RequiredHours)
			}
			if !tt.optimal && p.Gap > tt.maxGap {
				t.Errorf("gap %v above %v", p.Gap, tt.maxGap)
			}
			if tt.optimal && p.PaidHours > p.LowerBound+1e-9 {
				t.Errorf("paid %v, lower bound %v: not optimal", p.PaidHours, p.LowerBound)
			}
			t.Logf("paid %.1f h, required %.1f h, bound %.1f h, gap %.1f%%, %d shifts, headcount %d",
				p.PaidHours, p.RequiredHours, p.LowerBound, 100*p.Gap, len(p.Shifts), p.Headcount)
		})
	}
}

// The YAML block is accepted by the scenario parser, and simulating it
// gives the planned headcount.
func TestShiftPlanYAMLParses(t *testing.T) {
	p, err := PlanShifts(flat(48, 16, 36, 6), DefaultShiftOptions(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	doc := `name: planned
horizon: 2d
queues:
  - name: q
    arrivals: {per_hour: 10}
    handle_time: {mean: 60s}
groups:
  - name: g
    skills: [q]
` + p.YAML(4)
	sc, err := scenarios.Parse("planned.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	n := 0
	for _, s := range sc.Groups[0].Shifts {
		n += s.Agents
		if s.Length >= 6*time.Hour && len(s.Breaks) != 1 {
			t.Errorf("shift %+v has no break", s)
		}
	}
	if n != p.Headcount || !strings.Contains(doc, "days: [mon, tue") {
		t.Errorf("headcount %d, parsed %d", p.Headcount, n)
	}
}

func TestPlanShiftsBadInput(t *testing.T) {
	ok := DefaultShiftOptions(30 * time.Minute)
	tests := []struct {
		name string
		req  []int
		mod  func(*ShiftOptions)
		want string
	}{
		{"wrong length", make([]int, 10), func(*ShiftOptions) {}, "intervals"},
		{"negative", append(make([]int, 47), -1), func(*ShiftOptions) {}, "negative"},
		{"no lengths", make([]int, 48), func(o *ShiftOptions) { o.Lengths = nil }, "no shift lengths"},
		{"long shift", make([]int, 48), func(o *ShiftOptions) { o.Lengths = []time.Duration{25 * time.Hour} }, "24h"},
		{"bad step", make([]int, 48), func(o *ShiftOptions) { o.Step = 7 * time.Minute }, "step"},
		{"break too long", make([]int, 48), func(o *ShiftOptions) { o.BreakLength = 8 * time.Hour }, "break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.mod(&o)
			if _, err := PlanShifts(tt.req, o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
