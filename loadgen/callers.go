package loadgen

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/callsim/callsim/internal/inputfile"
)

// Per-call parameters
//
// The caller (Config.From), the called party (Config.To), the display name
// (Config.Display) and the digest user (Config.Username) are templates: text
// with placeholders in square brackets, close to SIPp's [field0] and
// [call_number]:
//
//	[seq]            the call's sequence number, from 0
//	[seq+K]          seq plus K (K >= 0)
//	[seq%M]          seq modulo M (M >= 1)
//	[seq%M+K]        (seq modulo M) plus K, e.g. sip:[seq%100+1000]@pbx
//	[call_number]    seq+1, as SIPp counts
//	[NAME]           the column NAME of the call's row of Config.Callers
//	[fieldN]         the N-th column (from 0) of the row, as in SIPp
//
// A bracket whose content is not a name (an IPv6 address such as [::1])
// is literal text. Calls take the rows of Callers in turn (round robin):
// call seq uses row seq % rows.

// Callers is a table of callers read from a CSV file with a header row.
// Rows holds the values, Lines the file line of each row (for messages).
// Its values (a password column among them) are never serialised.
type Callers struct {
	Source  string
	Columns []string
	Rows    [][]string
	Lines   []int
}

// Column returns the index of the column name, or -1.
func (c *Callers) Column(name string) int {
	if c == nil {
		return -1
	}
	for i, n := range c.Columns {
		if n == name {
			return i
		}
	}
	return -1
}

// Row returns the row used by call seq (round robin), nil without rows.
func (c *Callers) Row(seq uint64) []string {
	if c == nil || len(c.Rows) == 0 {
		return nil
	}
	return c.Rows[seq%uint64(len(c.Rows))]
}

// LoadCallers reads a callers CSV file (see ParseCallers): a regular file
// of at most inputfile.Callers' limit (16 MB). Cancelling ctx ends the read.
func LoadCallers(ctx context.Context, path string) (*Callers, error) {
	data, err := inputfile.Read(ctx, path, inputfile.Callers, nil)
	if err != nil {
		return nil, err
	}
	return ParseCallers(bytes.NewReader(data), path)
}

// MaxCallers bounds the rows of a callers file (they are held in memory).
const MaxCallers = 10_000_000

// ParseCallers reads a CSV table of callers: a header row naming the columns
// (names of letters, digits and _, starting with a letter; unique), then one
// row per caller with as many fields. Lines starting with # are comments.
// Errors name the source, line and column, and say how to fix them.
func ParseCallers(r io.Reader, source string) (*Callers, error) {
	if source == "" {
		source = "callers"
	}
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // checked here, for a clearer message
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file; want a header row such as \"user,to,password\" and one row per caller", source)
	}
	if err != nil {
		return nil, csvError(source, err)
	}
	c := &Callers{Source: source}
	seen := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // a byte order mark from spreadsheets
		}
		line, col := cr.FieldPos(i)
		if !isName(h) {
			return nil, fmt.Errorf("%s:%d:%d: column name %q: want letters, digits and _ starting with a letter (the first row is the header)", source, line, col, h)
		}
		if j, dup := seen[h]; dup {
			return nil, fmt.Errorf("%s:%d:%d: column %q appears twice (columns %d and %d)", source, line, col, h, j+1, i+1)
		}
		seen[h] = i
		c.Columns = append(c.Columns, h)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(source, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(c.Columns) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d (%s); quote values holding commas", source, line, len(rec), len(c.Columns), strings.Join(c.Columns, ","))
		}
		if len(c.Rows) >= MaxCallers {
			return nil, fmt.Errorf("%s:%d: more than %d callers; split the file", source, line, MaxCallers)
		}
		for i, v := range rec {
			if strings.ContainsAny(v, "\r\n\x00") {
				_, col := cr.FieldPos(i)
				return nil, fmt.Errorf("%s:%d:%d: column %q holds a line break or NUL, which cannot go into a SIP header", source, line, col, c.Columns[i])
			}
		}
		c.Rows = append(c.Rows, rec)
		c.Lines = append(c.Lines, line)
	}
	if len(c.Rows) == 0 {
		return nil, fmt.Errorf("%s: a header but no callers; add one row per caller", source)
	}
	return c, nil
}

func csvError(source string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v (quote a field holding commas or quotes, and double the quotes inside)", source, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", source, err)
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
		case b == '_' || (b >= '0' && b <= '9'):
			if i == 0 && b != '_' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Template is a compiled text with placeholders (see the package's
// per-call parameters). The zero Template expands to "".
type Template struct {
	src   string
	parts []tmplPart
}

type tmplKind uint8

const (
	partLit tmplKind = iota
	partSeq          // (seq % mod) + add; mod 0: no modulo
	partCol
)

type tmplPart struct {
	kind     tmplKind
	lit      string
	col      int
	mod, add uint64
}

// ParseTemplate compiles s; column names refer to callers (nil: no CSV).
func ParseTemplate(s string, callers *Callers) (Template, error) {
	t := Template{src: s}
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, tmplPart{kind: partLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '[' {
			lit.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			lit.WriteString(s[i:])
			break
		}
		body := s[i+1 : i+end]
		p, isPlaceholder, err := parsePlaceholder(body, callers)
		if !isPlaceholder {
			lit.WriteString(s[i : i+end+1])
			i += end + 1
			continue
		}
		if err != nil {
			return Template{}, fmt.Errorf("template %q at byte %d: %w", s, i+1, err)
		}
		flush()
		t.parts = append(t.parts, p)
		i += end + 1
	}
	flush()
	return t, nil
}

// parsePlaceholder reads NAME, or seq with +K / %M / %M+K. Text that does
// not start like a name is not a placeholder (e.g. an IPv6 address).
func parsePlaceholder(body string, callers *Callers) (tmplPart, bool, error) {
	b := strings.ReplaceAll(body, " ", "")
	n := 0
	for n < len(b) && isName(b[:n+1]) {
		n++
	}
	name, rest := b[:n], b[n:]
	if name == "" || strings.ContainsAny(b, ":.@") {
		return tmplPart{}, false, nil
	}
	isSeq := name == "seq" || name == "call_number"
	if !isSeq {
		known := callers.Column(name) >= 0 || strings.HasPrefix(name, "field")
		if (rest != "" && rest[0] != '%' && rest[0] != '+') || (b != body && !known) {
			return tmplPart{}, false, nil // text in brackets, e.g. [Agent One]
		}
	}
	switch name {
	case "seq", "call_number":
		p := tmplPart{kind: partSeq}
		if name == "call_number" {
			p.add = 1
		}
		if strings.HasPrefix(rest, "%") {
			j := strings.IndexByte(rest, '+')
			if j < 0 {
				j = len(rest)
			}
			m, err := strconv.ParseUint(rest[1:j], 10, 64)
			if err != nil || m == 0 {
				return p, true, fmt.Errorf("[%s]: the modulus %q must be a whole number >= 1, e.g. [seq%%100]", body, rest[1:j])
			}
			p.mod = m
			rest = rest[j:]
		}
		if strings.HasPrefix(rest, "+") {
			k, err := strconv.ParseUint(rest[1:], 10, 64)
			if err != nil {
				return p, true, fmt.Errorf("[%s]: the offset %q must be a whole number >= 0, e.g. [seq+1000]", body, rest[1:])
			}
			p.add += k
			rest = ""
		}
		if rest != "" {
			return p, true, fmt.Errorf("[%s]: want [seq], [seq+K], [seq%%M] or [seq%%M+K]", body)
		}
		return p, true, nil
	}
	if rest != "" {
		return tmplPart{}, true, fmt.Errorf("[%s]: arithmetic applies to seq only", body)
	}
	if i := callers.Column(name); i >= 0 {
		return tmplPart{kind: partCol, col: i}, true, nil
	}
	if strings.HasPrefix(name, "field") {
		if n, err := strconv.Atoi(name[len("field"):]); err == nil && n >= 0 {
			if callers == nil || n >= len(callers.Columns) {
				return tmplPart{}, true, fmt.Errorf("[%s]: no such column (%s)", body, describeColumns(callers))
			}
			return tmplPart{kind: partCol, col: n}, true, nil
		}
	}
	return tmplPart{}, true, fmt.Errorf("[%s]: unknown placeholder; use [seq], [call_number] or a column of --callers (%s)", body, describeColumns(callers))
}

func describeColumns(c *Callers) string {
	if c == nil {
		return "no --callers file given"
	}
	return "columns: " + strings.Join(c.Columns, ", ")
}

// String returns the template's source text.
func (t Template) String() string { return t.src }

// Literal reports whether the template has no placeholder.
func (t Template) Literal() bool {
	for _, p := range t.parts {
		if p.kind != partLit {
			return false
		}
	}
	return true
}

// Append expands the template for call seq with its row and appends it to dst.
func (t Template) Append(dst []byte, seq uint64, row []string) []byte {
	for _, p := range t.parts {
		switch p.kind {
		case partLit:
			dst = append(dst, p.lit...)
		case partSeq:
			v := seq
			if p.mod > 0 {
				v %= p.mod
			}
			dst = strconv.AppendUint(dst, v+p.add, 10)
		case partCol:
			if p.col < len(row) {
				dst = append(dst, row[p.col]...)
			}
		}
	}
	return dst
}

// Expand returns the template expanded for call seq with its row.
func (t Template) Expand(seq uint64, row []string) string {
	if len(t.parts) == 1 && t.parts[0].kind == partLit {
		return t.parts[0].lit
	}
	return string(t.Append(nil, seq, row))
}

// callParams are the parameters of one call.
type callParams struct {
	from     string // caller user part
	display  string
	reqURI   sip.Uri // Request-URI (and To, without parameters)
	user     string  // digest user name
	password string  // digest password
}

// paramGen produces each call's parameters from the templates.
type paramGen struct {
	callers                   *Callers
	from, to, display, user   Template
	toIsURI                   bool
	passwordCol               int
	base                      sip.Uri // the target URI
	static                    *callParams
	fallbackPassword          string
	hasTo, hasDisplay, hasUsr bool
}

// defaultColumn returns "[name]" for the first of names present in callers.
func defaultColumn(c *Callers, names ...string) string {
	for _, n := range names {
		if c.Column(n) >= 0 {
			return "[" + n + "]"
		}
	}
	return ""
}

// newParamGen compiles the templates of cfg and checks every row's values.
func newParamGen(cfg *Config, tgt target) (*paramGen, []error) {
	var errs []error
	g := &paramGen{callers: cfg.Callers, base: tgt.uri, passwordCol: cfg.Callers.Column("password"), fallbackPassword: cfg.Password}
	compile := func(flag, src string, dst *Template) bool {
		t, err := ParseTemplate(src, cfg.Callers)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", flag, err))
			return false
		}
		*dst = t
		return true
	}
	compile("from", cfg.From, &g.from)
	to := cfg.To
	if to == "" {
		to = defaultColumn(cfg.Callers, "to", "queue")
	}
	g.hasTo = to != "" && compile("to", to, &g.to)
	low := strings.ToLower(strings.TrimSpace(to))
	g.toIsURI = strings.HasPrefix(low, "sip:") || strings.HasPrefix(low, "sips:")
	display := cfg.Display
	if display == "" {
		display = defaultColumn(cfg.Callers, "display")
	}
	g.hasDisplay = display != "" && compile("display", display, &g.display)
	g.hasUsr = cfg.Username != "" && compile("user", cfg.Username, &g.user)
	if len(errs) > 0 {
		return nil, errs
	}
	// Check the values of every row (or the one static set) now, so a bad
	// row is reported with its line before any call is sent.
	static := g.from.Literal() && (!g.hasTo || g.to.Literal()) && (!g.hasDisplay || g.display.Literal()) &&
		(!g.hasUsr || g.user.Literal()) && g.passwordCol < 0
	rows := 1
	if !static && cfg.Callers != nil {
		rows = len(cfg.Callers.Rows)
	}
	for i := 0; i < rows && len(errs) < 5; i++ {
		var p callParams
		if err := g.fill(&p, uint64(i)); err != nil {
			where := ""
			if cfg.Callers != nil && !static {
				where = fmt.Sprintf("%s:%d: ", cfg.Callers.Source, cfg.Callers.Lines[i])
			}
			errs = append(errs, fmt.Errorf("%s%w", where, err))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if static {
		var p callParams
		_ = g.fill(&p, 0)
		g.static = &p
	}
	return g, nil
}

// params returns the parameters of call seq (shared when they never vary).
func (g *paramGen) params(seq uint64) *callParams {
	if g.static != nil {
		return g.static
	}
	p := new(callParams)
	if err := g.fill(p, seq); err != nil {
		// Every row was checked in newParamGen; only a [seq] value can
		// differ, and it is digits. Fall back to the target unchanged.
		p.reqURI = g.base
	}
	return p
}

func (g *paramGen) fill(p *callParams, seq uint64) error {
	row := g.callers.Row(seq)
	p.from = g.from.Expand(seq, row)
	if p.from == "" || strings.ContainsAny(p.from, "@:;<> \t\"") {
		return fmt.Errorf("from %q (template %q): want a caller user part without @ : ; < > \" or spaces", p.from, g.from.String())
	}
	if g.hasDisplay {
		p.display = g.display.Expand(seq, row)
		if strings.ContainsAny(p.display, "\"\\") {
			return fmt.Errorf("display name %q: no \" or \\ allowed", p.display)
		}
	}
	p.user = p.from
	if g.hasUsr {
		p.user = g.user.Expand(seq, row)
	}
	p.password = g.fallbackPassword
	if g.passwordCol >= 0 && g.passwordCol < len(row) {
		p.password = row[g.passwordCol]
	}
	p.reqURI = g.base
	if !g.hasTo {
		return nil
	}
	to := g.to.Expand(seq, row)
	if g.toIsURI {
		var u sip.Uri
		if err := sip.ParseUri(to, &u); err != nil || u.Host == "" {
			return fmt.Errorf("to %q (template %q): not a SIP URI: %v", to, g.to.String(), err)
		}
		p.reqURI = u
		return nil
	}
	if to == "" || strings.ContainsAny(to, "@:;<> \t\"") {
		return fmt.Errorf("to %q (template %q): want a user part (e.g. 1000) or a sip: URI", to, g.to.String())
	}
	p.reqURI.User = to
	return nil
}

// fromHeader builds the From header of the call (tag added by the caller).
func (p *callParams) fromHeader(host string) *sip.FromHeader {
	return &sip.FromHeader{DisplayName: p.display, Address: sip.Uri{Scheme: "sip", User: p.from, Host: host}}
}

// destination is the target's host:port, where requests go whatever their
// Request-URI.
func (e *engine) destination() string {
	port := e.tgt.uri.Port
	if port == 0 {
		port = sip.DefaultPort(e.tgt.transport)
	}
	host := e.tgt.uri.Host
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}
