package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
)

// lockedBuffer is a bytes.Buffer safe for a command writing while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestTargetUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad handle", []string{"--handle", "exp:soon"}, "--handle"},
		{"no agents", []string{"--agents", "0"}, "agents 0"},
		{"bad listen", []string{"--listen", "udp:localhost"}, "listen"},
		{"tls", []string{"--listen", "tls:127.0.0.1:5061"}, "not supported"},
		{"bad scale", []string{"--time-scale", "0"}, "--time-scale"},
		{"argument", []string{"extra"}, "no arguments"},
		{"agents with scenario", []string{"--scenario", "two-skills", "--agents", "3"}, "--agents is for the simple mode"},
		{"clock without scenario", []string{"--clock-start", "8h"}, "--clock-start needs --scenario"},
		{"unknown scenario", []string{"--scenario", "nosuch"}, "no built-in scenario"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Execute(context.Background(), append([]string{"target"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code != ExitUsage || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr.String(), ExitUsage, tt.want)
			}
		})
	}
}

// TestTargetCommand runs "callsim target" on a free port, places calls at it
// with the load generator, interrupts it and checks the summary and JSON.
func TestTargetCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	jsonPath := filepath.Join(t.TempDir(), "target.json")
	logPath := filepath.Join(t.TempDir(), "calls.csv")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Execute(ctx, []string{"target", "--listen", "udp:127.0.0.1:0", "--agents", "2", "--handle", "6s",
			"--time-scale", "60", "--json", jsonPath, "--call-log", logPath, "--progress"}, strings.NewReader(""), &stdout, &stderr)
	}()
	re := regexp.MustCompile(`listening on udp:(127\.0\.0\.1:\d+)`)
	var addr string
	for i := 0; i < 500 && addr == ""; i++ {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" {
		cancel()
		t.Fatalf("no listening line; stderr:\n%s", stderr.String())
	}
	r, err := loadgen.Run(ctx, loadgen.Config{Target: "sip:billing@" + addr, Rate: 10, MaxCalls: 5, Duration: time.Minute,
		Hold: loadgen.Dist{Kind: loadgen.DistConstant, Mean: 5 * time.Second}})
	if err != nil || r.Completed != 5 {
		t.Fatalf("load: %v %+v", err, r)
	}
	time.Sleep(1100 * time.Millisecond) // one progress line
	cancel()                            // like Ctrl-C
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("target did not stop")
	}
	out := stdout.String()
	for _, want := range []string{"interrupted", "offered 5", "answered 5", "by agent 5", "billing x5", "occupancy",
		"media in ", "no audio from caller"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "  answered      5") {
		t.Errorf("no progress line:\n%s", stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(cl)), "\n"); len(lines) != 6 || !strings.HasPrefix(lines[0], "call_id,queue,arrived_seconds,outcome,wait_seconds") ||
		!strings.Contains(lines[1], ",billing,") || !strings.Contains(lines[1], ",answered,") {
		t.Errorf("--call-log:\n%s", cl)
	}
	var st struct {
		Offered, Answered uint64
		ServiceLevel      float64 `json:"service_level"`
		Occupancy         float64 `json:"occupancy"`
		MeanHandleSeconds float64 `json:"mean_handle_seconds"`
		Queue             string  `json:"queue"`
		TimeScale         float64 `json:"time_scale"`
		Media             struct {
			Calls           uint64 `json:"calls"`
			PacketsReceived uint64 `json:"packets_received"`
		} `json:"media"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if st.Offered != 5 || st.Answered != 5 || st.Queue != "billing" || st.TimeScale != 60 || st.ServiceLevel != 1 {
		t.Errorf("json: %s", b)
	}
	if st.Media.Calls != 5 || st.Media.PacketsReceived == 0 {
		t.Errorf("json media %+v, want 5 calls with the callers' packets", st.Media)
	}
	if st.MeanHandleSeconds < 5 || st.MeanHandleSeconds > 12 { // 6s + the BYE round trip x60 on a busy machine
		t.Errorf("mean handle %vs, want about 6s scenario time", st.MeanHandleSeconds)
	}
}
