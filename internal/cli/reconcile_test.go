package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callsim/callsim/loadgen"
	"github.com/callsim/callsim/sipcenter"
)

func TestReconcileCommand(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	code := Execute(context.Background(), []string{"reconcile", "--cdr", "../../reconcile/testdata/ours.csv",
		"--billing", "../../reconcile/testdata/billing.csv", "--json", jsonPath}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitThreshold {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitThreshold, stdout.String(), stderr.String())
	}
	for _, want := range []string{"matched 3 (2 by call id, 1 by start time", "disputed   184.0 s", "over-billed (1)", "a2",
		"billed, never placed (1)", "+4930199", "placed, never billed (1)", "a3", "billed - measured +139.5"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Disputed float64          `json:"disputed_seconds"`
		Calls    []map[string]any `json:"calls"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Disputed != 184 || len(r.Calls) != 3 {
		t.Errorf("json: %v %s", err, b)
	}
}

func TestReconcileUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--cdr", "x.csv"}, ExitUsage, "--billing is required"},
		{[]string{"--billing", "x.csv"}, ExitUsage, "with --cdr, --recordings or both"},
		{[]string{"--billing", "../../reconcile/testdata/billing.csv", "--recordings", "nosuch"}, 1, "--recordings: stat nosuch"},
		{[]string{"--cdr", "nosuch.csv", "--billing", "nosuch2.csv"}, 1, "--cdr: open nosuch.csv"},
		{[]string{"--cdr", "../../reconcile/testdata/ours.csv", "--billing", "../../reconcile/testdata/ours.csv"}, 1, "want billed_seconds"},
	} {
		var stdout, stderr bytes.Buffer
		code := Execute(context.Background(), append([]string{"reconcile"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", tt.args, code, stderr.String(), tt.code, tt.want)
		}
	}
}

// TestReconcileLoadCDRByCaller: four callers (a --callers file) call the
// embedded target within a fraction of a second; the vendor bills them
// without call ids, every line at the same whole second, by caller, and
// over-bills alice by a minute. Reconciling the load's CDR pairs each line
// with its caller's call (the CDR's from column) and disputes alice's only.
func TestReconcileLoadCDRByCaller(t *testing.T) {
	if testing.Short() {
		t.Skip("SIP test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := sipcenter.Start(ctx, sipcenter.Config{Listen: "udp:127.0.0.1:0", Agents: 4, NoMedia: true,
		Handle: loadgen.Dist{Kind: loadgen.DistConstant, Mean: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	callers, cdrPath, billingPath := filepath.Join(dir, "callers.csv"), filepath.Join(dir, "cdr.csv"), filepath.Join(dir, "billing.csv")
	if err := os.WriteFile(callers, []byte("from\nbob\ncarol\ndave\nalice\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := execLoad(t, srv.URI("support"), "--rate", "20", "--max-calls", "4", "--hold", "1s", "--no-media",
		"--callers", callers, "--cdr", cdrPath)
	if code != 0 || !strings.Contains(stdout, "completed 4") {
		t.Fatalf("load: exit %d\n%s\n%s", code, stdout, stderr)
	}
	f, err := os.Open(cdrPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 5 {
		t.Fatalf("CDR: %d rows, %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	// Every line starts at the whole second nearest the mean answer time.
	var sum float64
	ids := map[string]string{}
	for _, r := range rows[1:] {
		st, err := time.Parse(time.RFC3339Nano, r[col["actual_start"]])
		if err != nil {
			t.Fatal(err)
		}
		ad, _ := strconv.ParseFloat(r[col["answer_delay_ms"]], 64)
		sum += float64(st.UnixNano()) + ad*1e6
		ids[r[col["from"]]] = r[col["call_id"]]
	}
	start := time.Unix(0, int64(sum/4)).UTC().Round(time.Second).Format("2006-01-02 15:04:05")
	billing := "ani,start_time,billsec\n"
	for _, who := range []string{"alice", "bob", "carol", "dave"} {
		sec := 1
		if who == "alice" {
			sec = 61
		}
		billing += fmt.Sprintf("+%s,%s,%d\n", who, start, sec)
	}
	if err := os.WriteFile(billingPath, []byte(billing), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, "r.json")
	var out, errOut bytes.Buffer
	code = Execute(context.Background(), []string{"reconcile", "--cdr", cdrPath, "--billing", billingPath, "--json", jsonPath},
		strings.NewReader(""), &out, &errOut)
	if code != ExitThreshold || !strings.Contains(out.String(), "4 by start time within 1s, 4 of them with the caller") {
		t.Fatalf("reconcile: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		OverBilled []struct {
			CallID   string  `json:"call_id"`
			Caller   string  `json:"caller"`
			Disputed float64 `json:"disputed_seconds"`
		} `json:"over_billed"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.OverBilled) != 1 || r.OverBilled[0].CallID != ids["alice"] || r.OverBilled[0].Caller != "alice" ||
		math.Abs(r.OverBilled[0].Disputed-59) > 1.5 {
		t.Errorf("over-billed %+v, want alice's call %s by about 59 s\n%s", r.OverBilled, ids["alice"], out.String())
	}
}

// muLawWAV is an 8 kHz µ-law WAV file of secs seconds of silence.
func muLawWAV(secs int) []byte {
	n := 8000 * secs
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x07\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00data")
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	binary.LittleEndian.PutUint32(b[4:8], uint32(36+n))
	return append(b, make([]byte, n)...)
}

// TestReconcileRecordings: the billing against the recordings alone (no
// CDR): a1's 61 s are recorded, a2's 95 s only 20 s (75 s disputed), the
// two lines without a call id have no recording (90 s and 120 s disputed in
// full): 285 s in all, exit 99.
func TestReconcileRecordings(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a1.wav"), muLawWAV(61), 0o644)
	os.WriteFile(filepath.Join(dir, "a2.wav"), muLawWAV(20), 0o644)
	code, stdout, stderr := run(t, "reconcile", "--billing", "../../reconcile/testdata/billing.csv", "--recordings", dir)
	if code != ExitThreshold {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"disputed   285.0 s", "recording much shorter than billed (1)", "billed, no call and no recording (2)",
		"recordings 2 (81.0 s); billed seconds without a recording 210.0"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}
