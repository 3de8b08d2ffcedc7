package cli

import (
	"runtime"
	"testing"

	"github.com/spf13/pflag"
)

// TestUseProcs: --procs and its default (one core and one socket for
// signalling only up to oneCoreRate calls/s), undone after the run.
func TestUseProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		name        string
		args        []string
		wantProcs   int // 0: unchanged
		wantSockets int
		wantErr     bool
	}{
		{"media: every core", []string{"--rate", "100"}, 0, 5, false},
		{"no media: one core, one socket", []string{"--no-media", "--rate", "2000"}, 1, 1, false},
		{"no media, at the bound", []string{"--no-media", "--rate", "8000"}, 1, 1, false},
		{"no media, above the bound", []string{"--no-media", "--rate", "8001"}, 0, 5, false},
		{"no media, stages above the bound", []string{"--no-media", "--stages", "10s:100,10s:9000"}, 0, 5, false},
		{"no media, stages", []string{"--no-media", "--stages", "10s:100,10s:900"}, 1, 1, false},
		{"no media, closed model", []string{"--no-media", "--concurrency", "10"}, 0, 5, false},
		{"no media, sockets given", []string{"--no-media", "--rate", "10", "--sockets", "3"}, 1, 3, false},
		{"given", []string{"--procs", "3"}, 3, 5, false},
		{"given, no media", []string{"--procs", "2", "--no-media", "--rate", "10"}, 2, 5, false},
		{"negative", []string{"--procs", "-1"}, 0, 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f loadFlags
			fl := pflag.NewFlagSet("load", pflag.ContinueOnError)
			f.addCallFlags(fl, "0s")
			fl.Float64Var(&f.rate, "rate", 0, "")
			fl.StringVar(&f.stages, "stages", "", "")
			fl.IntVar(&f.concurrency, "concurrency", 0, "")
			if err := fl.Set("sockets", "5"); err != nil {
				t.Fatal(err)
			}
			fl.Lookup("sockets").Changed = false // as if the default were 5
			if err := fl.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			restore, err := f.useProcs(fl, true)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			}
			want := tc.wantProcs
			if want == 0 {
				want = before
			}
			if got := runtime.GOMAXPROCS(0); got != want {
				t.Errorf("GOMAXPROCS %d, want %d", got, want)
			}
			if f.sockets != tc.wantSockets {
				t.Errorf("sockets %d, want %d", f.sockets, tc.wantSockets)
			}
			restore()
			if got := runtime.GOMAXPROCS(0); got != before {
				t.Errorf("GOMAXPROCS %d after the run, want %d back", got, before)
			}
		})
	}
}
