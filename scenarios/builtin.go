package scenarios

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// ErrUnknownBuiltin is wrapped by the error LoadBuiltin and BuiltinSource
// return for a name that is not a built-in scenario.
var ErrUnknownBuiltin = errors.New("unknown built-in scenario")

// Info describes a built-in scenario.
type Info struct {
	Name    string // the name to pass to LoadBuiltin, e.g. "single-queue"
	Summary string // one line: the first line of the file's header comment
}

// Builtin lists the built-in scenarios, sorted by name.
func Builtin() []Info {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	var out []Info
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok {
			continue
		}
		data, _ := builtinFS.ReadFile(path.Join("builtin", e.Name()))
		out = append(out, Info{Name: name, Summary: summary(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// BuiltinNames lists the names of the built-in scenarios, sorted.
func BuiltinNames() []string {
	var names []string
	for _, b := range Builtin() {
		names = append(names, b.Name)
	}
	return names
}

// summary is the first line of the leading comment block of a file.
func summary(data []byte) string {
	for _, line := range bytes.Split(data, []byte("\n")) {
		t := strings.TrimSpace(string(line))
		if !strings.HasPrefix(t, "#") {
			return ""
		}
		if t = strings.TrimSpace(strings.TrimLeft(t, "#")); t != "" {
			return t
		}
	}
	return ""
}

// BuiltinSource returns the YAML text of the built-in scenario name.
func BuiltinSource(name string) ([]byte, error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, unknownBuiltin(name)
	}
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, unknownBuiltin(name)
	}
	return data, nil
}

// LoadBuiltin parses the built-in scenario name. Its Source is "".
func LoadBuiltin(name string) (*Scenario, error) {
	data, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	s, err := Parse("builtin/"+name+".yaml", data)
	if err != nil {
		return nil, fmt.Errorf("built-in scenario %s: %w", name, err)
	}
	s.Source = ""
	return s, nil
}

func unknownBuiltin(name string) error {
	names := BuiltinNames()
	suggest := ""
	if c := closest(name, names); c != "" {
		suggest = fmt.Sprintf("; did you mean %q?", c)
	}
	return fmt.Errorf("%w %q (available: %s)%s", ErrUnknownBuiltin, name, strings.Join(names, ", "), suggest)
}
