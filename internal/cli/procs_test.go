package cli

import (
	"runtime"
	"testing"

	"github.com/spf13/pflag"
)

// TestUseProcs: --procs and its default (one core and one socket for
// signalling only), undone after the run.
func TestUseProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		name        string
		args        []string
		wantProcs   int // 0: unchanged
		wantSockets int
		wantErr     bool
	}{
		{"media: every core", nil, 0, 5, false},
		{"no media: one core, one socket", []string{"--no-media"}, 1, 1, false},
		{"no media, sockets given", []string{"--no-media", "--sockets", "3"}, 1, 3, false},
		{"given", []string{"--procs", "3"}, 3, 5, false},
		{"given, no media", []string{"--procs", "2", "--no-media"}, 2, 5, false},
		{"negative", []string{"--procs", "-1"}, 0, 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f loadFlags
			fl := pflag.NewFlagSet("load", pflag.ContinueOnError)
			f.addCallFlags(fl, "0s")
			if err := fl.Set("sockets", "5"); err != nil {
				t.Fatal(err)
			}
			fl.Lookup("sockets").Changed = false // as if the default were 5
			if err := fl.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			restore, err := f.useProcs(fl)
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
