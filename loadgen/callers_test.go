package loadgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustCallers(t testing.TB, text string) *Callers {
	t.Helper()
	c, err := ParseCallers(strings.NewReader(text), "callers.csv")
	if err != nil {
		t.Fatalf("ParseCallers: %v", err)
	}
	return c
}

func TestTemplateExpand(t *testing.T) {
	callers := mustCallers(t, "user,to,display\nalice,1000,Alice A\nbob,1001,Bob B\n")
	tests := []struct {
		tmpl string
		seq  uint64
		want string
	}{
		{"callsim", 7, "callsim"},
		{"caller[seq]", 0, "caller0"},
		{"caller[seq]", 41, "caller41"},
		{"[seq+1000]", 5, "1005"},
		{"[seq%100]", 1234, "34"},
		{"sip:[seq%100+1000]@pbx.lab", 1234, "sip:1034@pbx.lab"},
		{"[ seq % 10 + 1 ]", 19, "10"},
		{"[call_number]", 0, "1"},
		{"[user]-[seq]", 1, "bob-1"},
		{"[user]", 2, "alice"}, // round robin
		{"[field1]", 3, "1001"},
		{"[display]", 0, "Alice A"},
		{"sip:[to]@[::1]:5060", 0, "sip:1000@[::1]:5060"}, // IPv6 literal stays
		{"a[b", 0, "a[b"},
		{"[Agent One] [seq]", 4, "[Agent One] 4"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		tp, err := ParseTemplate(tt.tmpl, callers)
		if err != nil {
			t.Errorf("%q: %v", tt.tmpl, err)
			continue
		}
		if got := tp.Expand(tt.seq, callers.Row(tt.seq)); got != tt.want {
			t.Errorf("%q seq %d: got %q, want %q", tt.tmpl, tt.seq, got, tt.want)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	callers := mustCallers(t, "user,to\nalice,1000\n")
	tests := []struct {
		tmpl    string
		callers *Callers
		want    string
	}{
		{"[nope]", callers, "unknown placeholder"},
		{"[user]", nil, "no --callers file"},
		{"[seq%0]", nil, "modulus"},
		{"[seq%x]", nil, "modulus"},
		{"[seq+-1]", nil, "offset"},
		{"[seq*2]", nil, "want [seq], [seq+K]"},
		{"[user+1]", callers, "arithmetic applies to seq only"},
		{"[field2]", callers, "no such column"},
	}
	for _, tt := range tests {
		_, err := ParseTemplate(tt.tmpl, tt.callers)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error with %q", tt.tmpl, err, tt.want)
		}
	}
}

func TestParseCallers(t *testing.T) {
	c := mustCallers(t, "\ufeffuser, to ,password\n# a comment\nalice,1000,s3cret\n\"bob, jr\",1001,\"p,w\"\n")
	if got := strings.Join(c.Columns, "|"); got != "user|to|password" {
		t.Errorf("columns %q", got)
	}
	if len(c.Rows) != 2 || c.Rows[1][0] != "bob, jr" || c.Rows[1][2] != "p,w" {
		t.Errorf("rows %q", c.Rows)
	}
	if c.Lines[0] != 3 || c.Lines[1] != 4 {
		t.Errorf("lines %v, want [3 4]", c.Lines)
	}
	if c.Column("password") != 2 || c.Column("x") != -1 {
		t.Errorf("Column")
	}

	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "callers.csv: empty file"},
		{"header only", "user,to\n", "callers.csv: a header but no callers"},
		{"bad column name", "user,1to\nalice,1\n", "callers.csv:1:6: column name \"1to\""},
		{"empty column name", "user,,to\na,b,c\n", "callers.csv:1:6: column name \"\""},
		{"duplicate column", "user,to,user\na,b,c\n", "callers.csv:1:9: column \"user\" appears twice"},
		{"short row", "user,to\nalice,1000\nbob\n", "callers.csv:3: 1 fields, the header has 2"},
		{"long row", "user,to\nalice,1000,x\n", "callers.csv:2: 3 fields, the header has 2"},
		{"bare quote", "user,to\nal\"ice,1000\n", "callers.csv:2:3: bare \" in non-quoted-field"},
		{"unterminated quote", "user,to\nalice,\"1000\n", "callers.csv:2:13: extraneous or missing \" in quoted-field"},
		{"line break in value", "user,to\n\"al\nice\",1000\n", "holds a line break"},
	}
	for _, tt := range tests {
		_, err := ParseCallers(strings.NewReader(tt.text), "callers.csv")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

func TestParamGen(t *testing.T) {
	callers := mustCallers(t, "user,queue,display,password\nalice,sales,Alice,pa\nbob,support,Bob,pb\n")
	cfg := Config{Target: "sip:service@127.0.0.1:5070", Rate: 1, MaxCalls: 4, Callers: callers, Password: "fallback"}
	cfg.withDefaults()
	tgt, err := cfg.validate()
	if err != nil {
		t.Fatal(err)
	}
	g, errs := newParamGen(&cfg, tgt)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for seq, want := range []struct{ from, user, reqUser, display, password string }{
		{"alice", "alice", "sales", "Alice", "pa"},
		{"bob", "bob", "support", "Bob", "pb"},
		{"alice", "alice", "sales", "Alice", "pa"},
	} {
		p := g.params(uint64(seq))
		if p.from != want.from || p.user != want.user || p.reqURI.User != want.reqUser || p.display != want.display || p.password != want.password {
			t.Errorf("call %d: got from=%q user=%q to=%q display=%q, want %+v", seq, p.from, p.user, p.reqURI.User, p.display, want)
		}
		if p.reqURI.Host != "127.0.0.1" || p.reqURI.Port != 5070 {
			t.Errorf("call %d: Request-URI %s, want the target's host and port", seq, p.reqURI.String())
		}
	}

	// A full URI template changes the Request-URI's host; requests still go to the target.
	cfg = Config{Target: "sip:service@127.0.0.1:5070", Rate: 1, MaxCalls: 4, From: "c[seq]", To: "sip:[seq%2+1000]@pbx.lab"}
	cfg.withDefaults()
	tgt, _ = cfg.validate()
	g, errs = newParamGen(&cfg, tgt)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if p := g.params(3); p.from != "c3" || p.reqURI.String() != "sip:1001@pbx.lab" {
		t.Errorf("call 3: from %q, to %s", p.from, p.reqURI.String())
	}
	e := &engine{tgt: tgt}
	if d := e.destination(); d != "127.0.0.1:5070" {
		t.Errorf("destination %q", d)
	}

	// Literal parameters are shared by every call.
	cfg = Config{Target: "sip:service@127.0.0.1", Rate: 1, MaxCalls: 1}
	cfg.withDefaults()
	tgt, _ = cfg.validate()
	g, _ = newParamGen(&cfg, tgt)
	if g.static == nil || g.params(0) != g.params(9) || g.params(0).from != "callsim" {
		t.Errorf("static parameters not shared: %+v", g.static)
	}
}

func TestParamGenErrors(t *testing.T) {
	callers := mustCallers(t, "user,to\nalice,1000\nbad user,1001\ncarol,10:02\n")
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"bad row names its line", Config{Callers: callers}, "callers.csv:3: from \"bad user\""},
		{"bad to names its line", Config{Callers: callers, From: "x[seq]"}, "callers.csv:4: to \"10:02\""},
		{"unknown column", Config{From: "[who]"}, "from: template \"[who]\" at byte 1: [who]: unknown placeholder"},
		{"bad literal from", Config{From: "a@b"}, "want a caller user part"},
		{"bad to URI", Config{To: "sip:[seq]@"}, "not a SIP URI"},
		{"display quote", Config{Display: "a\"b"}, "display name"},
	}
	for _, tt := range tests {
		c := tt.cfg
		c.Target, c.Rate, c.MaxCalls = "sip:a@127.0.0.1", 1, 1
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.want)
		}
	}
	// The password of a row never appears in an error.
	c := Config{Target: "sip:a@127.0.0.1", Rate: 1, MaxCalls: 1,
		Callers: mustCallers(t, "user,password\nbad user,topsecret\n")}
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("got %v: want an error that does not show the password", err)
	}
}

// FuzzParseCallers checks that any input gives callers or an error, never a
// panic, and that accepted tables are rectangular with a line per row.
func FuzzParseCallers(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "callers", "*.csv"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCallers(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error without the file name: %v", err)
			}
			return
		}
		if len(c.Rows) == 0 || len(c.Rows) != len(c.Lines) {
			t.Fatalf("%d rows, %d lines", len(c.Rows), len(c.Lines))
		}
		for i, r := range c.Rows {
			if len(r) != len(c.Columns) {
				t.Fatalf("row %d has %d fields, %d columns", i, len(r), len(c.Columns))
			}
		}
		for _, col := range c.Columns {
			if _, err := ParseTemplate("["+col+"]", c); err != nil {
				t.Fatalf("column %q unusable in a template: %v", col, err)
			}
		}
	})
}
