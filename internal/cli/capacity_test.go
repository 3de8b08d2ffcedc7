package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestCapacityUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-rate", "10"}, "at least one --threshold"},
		{[]string{"--threshold", "ser>=99"}, "--max-rate and/or --max-concurrent"},
		{[]string{"--threshold", "ser>>99", "--max-rate", "10"}, `threshold "ser>>99"`},
		{[]string{"--threshold", "ser>=99", "--max-rate", "10", "--start-rate", "20"}, "want 0 < start <= max"},
		{[]string{"--threshold", "ser>=99", "--max-rate", "10", "--resolution", "200%"}, "--resolution"},
		{[]string{"--threshold", "ser>=99", "--max-rate", "10", "--confidence", "1.5"}, "--confidence"},
		{[]string{"--threshold", "ser>=99", "--max-rate", "10", "--hold", "exp:soon"}, "--hold"},
		{[]string{"--threshold", "ser>=99", "--max-concurrent", "10", "--ramp-factor", "1"}, "ramp factor"},
		{[]string{"--threshold", "ser>=99", "--max-rate", "10", "--metrics-addr", "nowhere"}, "metrics address"},
	} {
		var out, errb bytes.Buffer
		code := Execute(context.Background(), append([]string{"capacity", "sip:a@127.0.0.1:9"}, tt.args...), strings.NewReader(""), &out, &errb)
		if code != ExitUsage || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", tt.args, code, errb.String(), ExitUsage, tt.want)
		}
	}
}
