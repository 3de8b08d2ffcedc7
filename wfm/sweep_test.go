package wfm

import (
	"context"
	"strings"
	"testing"

	"github.com/callsim/callsim/scenarios"
	"github.com/callsim/callsim/sim"
)

func TestParseAxis(t *testing.T) {
	tests := []struct {
		spec    string
		path    string
		values  string
		wantErr string
	}{
		{"groups.staff.agents=30,32,34", "groups.staff.agents", "30|32|34", ""},
		{"groups.staff.agents=28..31", "groups.staff.agents", "28|29|30|31", ""},
		{"groups.staff.agents=28..34:3", "groups.staff.agents", "28|31|34", ""},
		{"groups.staff.shrinkage=0.1..0.3:0.1", "groups.staff.shrinkage", "0.1|0.2|0.3", ""},
		{"queues.support.patience.dist=exponential, constant", "queues.support.patience.dist", "exponential|constant", ""},
		{"groups.staff.agents", "", "", "want path=value"},
		{"=3", "", "", "want path=value"},
		{"a..b=3", "", "", "bad path"},
		{"x=1,,2", "", "", "empty value"},
		{"x=5..1", "", "", "below"},
		{"x=1..5:0", "", "", "positive"},
		{"x=1..5:-1", "", "", "positive"},
		{"x=a..b", "", "", "numbers"},
		{"x=1..1e9", "", "", "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			a, err := ParseAxis(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Path != tt.path || strings.Join(a.Values, "|") != tt.values {
				t.Fatalf("got %s=%v", a.Path, a.Values)
			}
		})
	}
}

func TestBuildPointsErrors(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		fixed map[string]string
		axes  []Axis
		want  string
	}{
		{"unknown item", nil, []Axis{{"groups.nope.agents", []string{"3"}}}, "nope"},
		{"unknown key", nil, []Axis{{"groups.staff.agentz", []string{"3"}}}, "agentz"},
		{"bad value", nil, []Axis{{"groups.staff.agents", []string{"-3"}}}, "agents"},
		{"swept and fixed", map[string]string{"seed": "1"}, []Axis{{"seed", []string{"3"}}}, "both"},
		{"twice", nil, []Axis{{"seed", []string{"3"}}, {"seed", []string{"4"}}}, "twice"},
		{"three axes", nil, []Axis{{"a", []string{"3"}}, {"b", []string{"3"}}, {"c", []string{"3"}}}, "one or two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := BuildPoints(sc, tt.fixed, tt.axes)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func quickRun(ctx context.Context, sc *scenarios.Scenario) (*sim.Result, error) {
	return sim.Run(ctx, sc, sim.Options{})
}

// A sweep over agents of the single-queue example: service level rises
// with agents, and once abandonment has a cost, cost per offered call falls
// and then rises (a U).
func TestSweepSingleQueueUShape(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	fixed := map[string]string{
		"horizon":                       "100h",
		"replications":                  "4",
		"groups.staff.cost.hourly_wage": "20",
		"costs.per_abandoned_call":      "5",
	}
	axes := []Axis{{Path: "groups.staff.agents", Values: []string{"28", "30", "32", "34", "36", "38", "40", "42"}}}
	res, err := Sweep(context.Background(), sc, fixed, axes, quickRun, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := res.Points
	if len(ps) != len(axes[0].Values) {
		t.Fatalf("%d points", len(ps))
	}
	for i := 1; i < len(ps); i++ {
		// Common random numbers make the curve monotone up to little noise.
		if ps[i].ServiceLevel < ps[i-1].ServiceLevel-ps[i].ServiceLevelCI95 {
			t.Errorf("service level falls from %v to %v at %s agents", ps[i-1].ServiceLevel, ps[i].ServiceLevel, ps[i].Set[0])
		}
	}
	min := 0
	for i, p := range ps {
		if p.CostPerOfferedCall < ps[min].CostPerOfferedCall {
			min = i
		}
	}
	if min == 0 || min == len(ps)-1 {
		t.Fatalf("cost per call has its minimum at an end (%d): no U", min)
	}
	for i := 1; i <= min; i++ {
		if ps[i].CostPerOfferedCall > ps[i-1].CostPerOfferedCall+1e-9 {
			t.Errorf("cost per call rises before the minimum at point %d", i)
		}
	}
	for i := min + 1; i < len(ps); i++ {
		if ps[i].CostPerOfferedCall < ps[i-1].CostPerOfferedCall-1e-9 {
			t.Errorf("cost per call falls after the minimum at point %d", i)
		}
	}
	if res.Cheapest < 0 || !ps[res.Cheapest].MeetsTargets {
		t.Fatalf("cheapest = %d", res.Cheapest)
	}
	for i, p := range ps {
		if p.MeetsTargets && p.CostPerMonth < ps[res.Cheapest].CostPerMonth {
			t.Errorf("point %d meets targets and is cheaper than the cheapest", i)
		}
	}
	if res.Knee <= 0 || res.Knee >= len(ps)-1 {
		t.Errorf("knee = %d, want an inner point", res.Knee)
	}
	t.Logf("cost per call: %v", func() (s []float64) {
		for _, p := range ps {
			s = append(s, p.CostPerOfferedCall)
		}
		return
	}())
}

func TestKnee(t *testing.T) {
	ps := func(ys ...float64) []Point {
		out := make([]Point, len(ys))
		for i, y := range ys {
			out[i].ServiceLevel = y
		}
		return out
	}
	vals := []string{"1", "2", "3", "4", "5"}
	if k := knee(vals, ps(0.1, 0.8, 0.9, 0.95, 0.97)); k != 1 {
		t.Errorf("knee = %d, want 1", k)
	}
	if k := knee(vals, ps(0.5, 0.5, 0.5, 0.5, 0.5)); k != -1 {
		t.Errorf("flat: knee = %d, want -1", k)
	}
	if k := knee(vals[:2], ps(0.1, 0.2)); k != -1 {
		t.Errorf("two points: knee = %d", k)
	}
}

// An interrupted sweep returns the points simulated before the interrupt,
// marked, and no error.
func TestSweepInterrupted(t *testing.T) {
	sc, err := scenarios.LoadBuiltin("single-queue")
	if err != nil {
		t.Fatal(err)
	}
	fixed := map[string]string{"horizon": "20h", "replications": "2"}
	axes := []Axis{{Path: "groups.staff.agents", Values: []string{"30", "32", "34", "36"}}}
	tests := []struct {
		name     string
		stopAt   int // cancel during this run (1-based)
		interrup bool
		points   int
	}{
		{"cancelled after the second point", 2, false, 2},
		{"a point interrupted itself", 3, true, 3},
		{"cancelled before the first point", 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.stopAt == 0 {
				cancel()
			}
			n := 0
			run := func(ctx context.Context, p *scenarios.Scenario) (*sim.Result, error) {
				n++
				res, err := quickRun(ctx, p)
				if n == tt.stopAt {
					cancel()
					if res != nil && tt.interrup {
						res.Interrupted = true
					}
				}
				return res, err
			}
			res, err := Sweep(ctx, sc, fixed, axes, run, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Interrupted || len(res.Points) != tt.points || res.Points == nil {
				t.Fatalf("interrupted %v, %d points (%v), want true, %d", res.Interrupted, len(res.Points), res.Points == nil, tt.points)
			}
			if tt.interrup && !res.Points[len(res.Points)-1].Interrupted {
				t.Error("the interrupted point is not marked")
			}
		})
	}
}
