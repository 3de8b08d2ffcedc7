package reports

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoSIPStack: the renderers link no SIP stack. A simulation report
// (and a load, capacity, claim or audit report read from its JSON) is
// rendered from plain result types (package loadresult, audit's report);
// an import of the generator, the SIP center or a SIP or RTP library,
// directly or through another package, fails here.
func TestNoSIPStack(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the dependencies with")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/callsim/callsim/reports").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/emiago/sipgo",
		"github.com/pion/",
		"github.com/callsim/callsim/loadgen",
		"github.com/callsim/callsim/sipcenter",
		"github.com/callsim/callsim/media",
		"github.com/callsim/callsim/verify",
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), out)
	}
	for _, p := range deps {
		for _, f := range forbidden {
			if p == f || strings.HasPrefix(p, f+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(p, f)) {
				t.Errorf("reports links %s (forbidden: %s); find which import brings it in with go list -deps", p, f)
			}
		}
	}
}
