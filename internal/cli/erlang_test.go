package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/callsim/callsim/sim/erlang"
)

func runErlangArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Execute(context.Background(), append([]string{"erlang"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestErlangJSON(t *testing.T) {
	lambda := 360.0 / 3600
	wantC, err := erlang.C(lambda, 300, 32, 20)
	if err != nil {
		t.Fatal(err)
	}
	wantA, err := erlang.A(lambda, 300, 120, 32, 15)
	if err != nil {
		t.Fatal(err)
	}
	wantStaff, err := erlang.StaffA(lambda, 300, 120, erlang.Target{ServiceLevel: 0.8, Within: 20, MaxAbandonRate: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		want    erlang.Result
		target  bool
		met     bool
		agentsN int
	}{
		{"erlang C", []string{"--calls-per-hour", "360", "--aht", "5m", "--agents", "32"}, wantC, false, false, 32},
		{"erlang A, seconds and fraction", []string{"--calls-per-hour", "360", "--aht", "300", "--agents", "32", "--patience", "2m", "--within", "15s", "--target", "0.99"}, wantA, true, false, 32},
		{"staffing", []string{"--calls-per-hour", "360", "--aht", "300s", "--patience", "120s", "--target", "80%", "--max-abandon", "5%"}, wantStaff, true, true, 33},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runErlangArgs(t, append(tc.args, "--json")...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr %s", code, errs)
			}
			var got struct {
				erlang.Result
				Target *struct {
					ServiceLevel *float64 `json:"service_level"`
					Met          bool     `json:"met"`
				} `json:"target"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v in %s", err, out)
			}
			if got.Result != tc.want {
				t.Errorf("got %+v\nwant %+v", got.Result, tc.want)
			}
			if got.Agents != tc.agentsN {
				t.Errorf("agents %d, want %d", got.Agents, tc.agentsN)
			}
			if (got.Target != nil) != tc.target || (got.Target != nil && got.Target.Met != tc.met) {
				t.Errorf("target %+v, want present=%v met=%v", got.Target, tc.target, tc.met)
			}
			for _, key := range []string{`"agents"`, `"p_wait"`, `"service_level"`, `"asa_seconds"`, `"abandon_rate"`, `"occupancy"`, `"mean_wait_seconds"`, `"mean_queue_length"`} {
				if !strings.Contains(out, key) {
					t.Errorf("JSON lacks %s", key)
				}
			}
		})
	}
}

func TestErlangText(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string // lines (after trimming) that must appear
	}{
		{"erlang C", []string{"--calls-per-hour", "360", "--aht", "5m", "--agents", "32"}, []string{
			"Erlang C (M/M/N: callers never abandon)",
			"agents             32",
			"p(wait)            63.02 %",
			"service level      44.84 %",
			"ASA                94.53 s",
			"occupancy          93.75 %",
		}},
		{"erlang C staffing", []string{"--calls-per-hour", "360", "--aht", "5m", "--target", "80%"}, []string{
			"agents             36          minimum that meets the target",
			"service level      85.80 %",
			"target             met",
		}},
		{"erlang A below target", []string{"--calls-per-hour", "360", "--aht", "5m", "--agents", "30", "--patience", "2m", "--target", "80%"}, []string{
			"Erlang A",
			"abandon rate",
			"NOT met",
		}},
		{"erlang B trunks", []string{"--calls-per-hour", "360", "--aht", "3m", "--blocking", "1%"}, []string{
			"trunks        28",
			"blocking      0.71 %",
		}},
		{"erlang B check", []string{"--calls-per-hour", "360", "--aht", "3m", "--trunks", "20", "--blocking", "1%"}, []string{
			"blocking      10.92 %",
			"NOT met",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runErlangArgs(t, tc.args...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr %s", code, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.TrimRight(l, " ") != l {
					t.Errorf("trailing blanks in %q", l)
				}
			}
		})
	}
}

func TestErlangBJSON(t *testing.T) {
	code, out, errs := runErlangArgs(t, "--calls-per-hour", "360", "--aht", "3m", "--blocking", "1%", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Model    string  `json:"model"`
		Trunks   int     `json:"trunks"`
		Blocking float64 `json:"blocking"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	b, _ := erlang.B(18, 28)
	if got.Model != "erlang_b" || got.Trunks != 28 || got.Blocking != b {
		t.Errorf("got %+v, want 28 trunks blocking %g", got, b)
	}
	if prev, _ := erlang.B(18, 27); prev <= 0.01 {
		t.Errorf("27 trunks already block %g", prev)
	}
}

func TestErlangErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no rate", []string{"--aht", "5m", "--agents", "3"}, ExitUsage, "--calls-per-hour is required"},
		{"negative rate", []string{"--calls-per-hour", "-10", "--aht", "5m", "--agents", "3"}, ExitUsage, "--calls-per-hour"},
		{"no aht", []string{"--calls-per-hour", "10", "--agents", "3"}, ExitUsage, "--aht is required"},
		{"bad aht", []string{"--calls-per-hour", "10", "--aht", "five", "--agents", "3"}, ExitUsage, "--aht"},
		{"zero aht", []string{"--calls-per-hour", "10", "--aht", "0s", "--agents", "3"}, ExitUsage, "--aht"},
		{"nothing to do", []string{"--calls-per-hour", "10", "--aht", "5m"}, ExitUsage, "--agents"},
		{"zero agents", []string{"--calls-per-hour", "10", "--aht", "5m", "--agents", "0"}, ExitUsage, "--agents 0"},
		{"target above 100%", []string{"--calls-per-hour", "10", "--aht", "5m", "--target", "120%"}, ExitUsage, "--target"},
		{"target 100%", []string{"--calls-per-hour", "10", "--aht", "5m", "--target", "100%"}, ExitUsage, "below 100%"},
		{"ambiguous target", []string{"--calls-per-hour", "10", "--aht", "5m", "--target", "80"}, ExitUsage, "write 80%"},
		{"overload without patience", []string{"--calls-per-hour", "360", "--aht", "5m", "--agents", "25"}, ExitUsage, "--agents 31 or more, or --patience"},
		{"zero patience", []string{"--calls-per-hour", "360", "--aht", "5m", "--agents", "25", "--patience", "0s"}, ExitUsage, "omit --patience"},
		{"negative within", []string{"--calls-per-hour", "360", "--aht", "5m", "--agents", "35", "--within", "-5s"}, ExitUsage, "--within"},
		{"max-abandon without patience", []string{"--calls-per-hour", "360", "--aht", "5m", "--max-abandon", "5%"}, ExitUsage, "needs --patience"},
		{"B with agents", []string{"--calls-per-hour", "360", "--aht", "5m", "--trunks", "20", "--agents", "5"}, ExitUsage, "--agents does not apply"},
		{"B blocking 0", []string{"--calls-per-hour", "360", "--aht", "5m", "--blocking", "0%"}, ExitUsage, "--blocking"},
		{"argument", []string{"--calls-per-hour", "360", "--aht", "5m", "--agents", "40", "extra"}, ExitUsage, "flags only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runErlangArgs(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errs)
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("stderr %q lacks %q", errs, tc.want)
			}
			if out != "" {
				t.Errorf("stdout not empty: %q", out)
			}
		})
	}
}

func TestParsePercentFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"80%", 0.8, true}, {" 99.5 % ", 0.995, true}, {"0.8", 0.8, true}, {"1", 1, true}, {"0", 0, true},
		{"120%", 1.2, true}, // range is checked per flag
		{"80", 0, false}, {"abc", 0, false}, {"%", 0, false}, {"NaN%", 0, false}, {"", 0, false},
	} {
		got, err := parsePercentFlag(tc.in)
		if (err == nil) != tc.ok || (tc.ok && math.Abs(got-tc.want) > 1e-15) {
			t.Errorf("parsePercentFlag(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestErlangHelp(t *testing.T) {
	code, out, _ := runErlangArgs(t, "--help")
	if code != ExitOK || !strings.Contains(out, "callsim erlang --calls-per-hour 360") || !strings.Contains(out, "--patience") {
		t.Errorf("exit %d, help:\n%s", code, out)
	}
}
