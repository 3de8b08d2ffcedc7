package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/callsim/callsim/internal/inputfile"
)

// Parse reads a scenario from YAML data, applies every default and validates
// it. name is the file name used in error messages (and stored in
// Scenario.Source). On failure it returns a *ErrorList holding every problem
// of the file, each with its line and column.
func Parse(name string, data []byte) (*Scenario, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	if err := checkExpansion(name, root); err != nil {
		return nil, err
	}
	return parseNode(name, root)
}

// parseNode decodes, defaults and validates a scenario from its root node,
// then builds its variants.
func parseNode(name string, root *yaml.Node) (*Scenario, error) {
	d := &decoder{file: name, nodes: map[string]*yaml.Node{}}
	s := d.scenario(root)
	s.root = root
	s.Source = name
	fillRoutes(s)
	d.fillSLAs(s)
	v := s.validate()
	for _, e := range v.Errors {
		if d.reported(e.Path) || d.reportedAny(v.deps[e]) {
			continue
		}
		e.File = name
		if n := d.node(e.Path); n != nil {
			e.Line, e.Col = n.Line, n.Column
		}
		d.errs.add(e)
	}
	if len(d.errs.Errors) > 0 {
		d.errs.sort()
		d.errs.dedupe()
		return nil, &d.errs
	}
	orderRoutes(s)
	if len(d.variantSpecs) > 0 {
		d.buildVariants(root, s)
	}
	if len(d.strategySpecs) > 0 {
		d.buildStrategies(root, s)
	}
	if len(d.errs.Errors) > 0 {
		d.errs.sort()
		d.errs.dedupe()
		return nil, &d.errs
	}
	return s, nil
}

// Load reads and parses the scenario file at path: a regular file of at
// most inputfile.Scenario's limit (1 MB).
func Load(path string) (*Scenario, error) {
	data, err := inputfile.Read(context.Background(), path, inputfile.Scenario, nil)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("scenario file %s does not exist: %w", path, err)
		}
		return nil, err
	}
	return Parse(path, data)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data into the root node of its single document.
func parseYAML(name string, data []byte) (root *yaml.Node, err error) {
	fail := func(line int, msg, hint string) error {
		return &ErrorList{Errors: []*Error{{File: name, Line: line, Msg: msg, Hint: hint}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(0, "the file is empty", "start from `callsim scenarios init single-queue`")
	}
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fail(0, fmt.Sprintf("not valid YAML (the parser failed: %v)", r), "")
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail(0, "the file holds no YAML document, only comments", "start from `callsim scenarios init single-queue`")
		}
		return nil, yamlError(name, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fail(extra.Line, "the file holds more than one YAML document", "a scenario file holds one document; remove the --- separator")
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(name, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fail(0, "the file holds no YAML document", "")
	}
	return doc.Content[0], nil
}

// yamlError turns a YAML syntax error into an *ErrorList with its line.
func yamlError(name string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	hint := ""
	if strings.Contains(msg, "tab") || tabIndented(data, line) {
		hint = "YAML indents with spaces, not tabs"
	}
	return &ErrorList{Errors: []*Error{{File: name, Line: line, Msg: "not valid YAML: " + msg, Hint: hint}}}
}

// fillRoutes gives every queue without a route the default one: the groups
// whose skills list the queue, in declaration order, each with After 0.
func fillRoutes(s *Scenario) {
	routed := map[string]bool{}
	for _, r := range s.Routing {
		routed[r.Queue] = true
	}
	for _, q := range s.Queues {
		if q.Name == "" || routed[q.Name] {
			continue
		}
		routed[q.Name] = true
		var r Route
		seen := map[string]bool{}
		for _, g := range s.Groups {
			if contains(g.Skills, q.Name) && !seen[g.Name] {
				seen[g.Name] = true
				r.Groups = append(r.Groups, RouteGroup{Group: g.Name})
			}
		}
		if len(r.Groups) > 0 {
			r.Queue = q.Name
			s.Routing = append(s.Routing, r)
		}
	}
}

// reported reports whether a problem at path, or at a path inside or
// around it, was already reported while decoding.
func (d *decoder) reported(path string) bool {
	for _, b := range d.bad {
		if within(path, b) || within(b, path) {
			return true
		}
	}
	return false
}

// reportedAny reports whether any of paths was reported.
func (d *decoder) reportedAny(paths []string) bool {
	for _, p := range paths {
		if d.reported(p) {
			return true
		}
	}
	return false
}

// within reports whether path is base or lies inside it.
func within(path, base string) bool {
	if base == "" {
		return true
	}
	if !strings.HasPrefix(path, base) {
		return false
	}
	rest := path[len(base):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// node returns the node of path, or of its nearest enclosing path.
func (d *decoder) node(path string) *yaml.Node {
	for {
		if n, ok := d.nodes[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return d.nodes[""]
		}
		path = path[:i]
	}
}

// orderRoutes sorts a valid scenario's routes like its queues, so that
// Routing[i] is the route of Queues[i].
func orderRoutes(s *Scenario) {
	pos := make(map[string]int, len(s.Queues))
	for i, q := range s.Queues {
		pos[q.Name] = i
	}
	sort.SliceStable(s.Routing, func(i, j int) bool { return pos[s.Routing[i].Queue] < pos[s.Routing[j].Queue] })
}

// tabIndented reports whether line (1-based) of data, or the line before it,
// is indented with a tab.
func tabIndented(data []byte, line int) bool {
	lines := bytes.Split(data, []byte("\n"))
	for _, l := range []int{line - 1, line - 2} {
		if l >= 0 && l < len(lines) {
			indent := lines[l][:len(lines[l])-len(bytes.TrimLeft(lines[l], " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				return true
			}
		}
	}
	return false
}
