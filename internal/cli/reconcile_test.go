package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{[]string{"--cdr", "x.csv"}, ExitUsage, "--billing are both required"},
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
