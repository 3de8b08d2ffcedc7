package scenarios

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// MaxExpandedNodes bounds the YAML nodes a scenario file expands to: its
// own nodes, one copy of an anchor's nodes for every alias (*a) or merge
// key (<<: *a) that names it, and one copy of the scenario for every
// variant. A few hundred bytes of nested aliases could otherwise expand to
// gigabytes (an "alias bomb"); a real scenario expands to thousands.
const MaxExpandedNodes = 500_000

// expansion counts expanded nodes with the size of every node computed
// once, so that counting takes time linear in the file. A plain alias
// counts all its anchor's nodes (the decoder walks them again); a merge
// key counts what it adds to its mapping, the keys not already there, as
// the decoder expands merges (a mapping merged many times is expanded
// once).
type expansion struct {
	size    map[*yaml.Node]int64
	entries map[*yaml.Node]map[string]int64 // a mapping's keys, merges expanded, and their values' sizes
	total   int64
}

func sat(s int64) int64 { return min(s, MaxExpandedNodes+1) }

// sizeOf is the expanded size of n, saturated above MaxExpandedNodes.
func (x *expansion) sizeOf(n *yaml.Node) int64 {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.AliasNode {
		return x.sizeOf(n.Alias)
	}
	if s, ok := x.size[n]; ok {
		return s
	}
	x.size[n] = 0 // in progress: a cycle counts nothing more
	s := int64(1)
	if n.Kind == yaml.MappingNode {
		for _, v := range x.mapEntries(n) {
			s = sat(s + v)
		}
	} else {
		for _, c := range n.Content {
			s = sat(s + x.sizeOf(c))
		}
	}
	x.size[n] = s
	return s
}

// mapEntries lists mapping m's keys with the size of key and value, merge
// keys expanded (a key given explicitly wins over a merged one).
func (x *expansion) mapEntries(m *yaml.Node) map[string]int64 {
	if e, ok := x.entries[m]; ok {
		return e
	}
	x.entries[m] = nil // in progress
	out := map[string]int64{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			key = fmt.Sprintf("\x00%p", k)
		}
		out[key] = sat(x.sizeOf(k) + x.sizeOf(v))
	}
	for _, mg := range merges {
		mg = resolve(mg)
		var maps []*yaml.Node
		switch mg.Kind {
		case yaml.MappingNode:
			maps = append(maps, mg)
		case yaml.SequenceNode:
			for _, it := range mg.Content {
				maps = append(maps, resolve(it))
			}
		}
		for _, mm := range maps {
			if mm == nil || mm.Kind != yaml.MappingNode {
				continue
			}
			for k, v := range x.mapEntries(mm) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
	}
	x.entries[m] = out
	return out
}

// hasMerge reports whether mapping m has a merge key.
func hasMerge(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			return true
		}
	}
	return false
}

// walk adds n's nodes in document order and fails at the first alias (or
// node, or mapping with merge keys) that takes the total past the bound,
// naming its line.
func (x *expansion) walk(n *yaml.Node) *Error {
	if n == nil {
		return nil
	}
	over := func(s int64, what string) *Error {
		return &Error{Line: n.Line, Col: n.Column,
			Msg:  fmt.Sprintf("%s expands to %s YAML nodes, which takes the file past the %s nodes a scenario may expand to", what, countNodes(s), count(MaxExpandedNodes)),
			Hint: "aliases copy what their anchor holds; nested aliases multiply it"}
	}
	switch {
	case n.Kind == yaml.AliasNode:
		s := x.sizeOf(n.Alias)
		if x.total+s > MaxExpandedNodes {
			return over(s, "the alias *"+n.Value)
		}
		x.total += s
		return nil
	case n.Kind == yaml.MappingNode && hasMerge(n):
		s := x.sizeOf(n)
		if x.total+s > MaxExpandedNodes {
			return over(s, "this mapping with its merge keys (<<)")
		}
		x.total += s
		return nil
	}
	x.total++
	if x.total > MaxExpandedNodes {
		return &Error{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("the file holds more than %s YAML nodes", count(MaxExpandedNodes))}
	}
	for _, c := range n.Content {
		if e := x.walk(c); e != nil {
			return e
		}
	}
	return nil
}

func countNodes(s int64) string {
	if s > MaxExpandedNodes {
		return "more than " + count(MaxExpandedNodes)
	}
	return count(s)
}

// checkExpansion bounds what root expands to, variants included: each
// variant is a copy of the scenario (without its variants) with its
// overrides applied.
func checkExpansion(name string, root *yaml.Node) error {
	x := &expansion{size: map[*yaml.Node]int64{}, entries: map[*yaml.Node]map[string]int64{}}
	fail := func(e *Error) error {
		e.File = name
		return &ErrorList{Errors: []*Error{e}}
	}
	if e := x.walk(root); e != nil {
		return fail(e)
	}
	if root.Kind != yaml.MappingNode {
		return nil
	}
	// Each variant and each strategy is parsed from a copy of the scenario
	// without its variants and strategies.
	var variants *yaml.Node
	copies := int64(0)
	base := x.sizeOf(root)
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "variants", "strategies", "optimize":
			base -= 1 + x.sizeOf(root.Content[i+1])
			if l := resolve(root.Content[i+1]); l.Kind == yaml.SequenceNode && root.Content[i].Value != "optimize" {
				copies += int64(len(l.Content))
				if variants == nil {
					variants = l
				}
			}
		}
	}
	if variants == nil {
		return nil
	}
	if x.total+copies*base > MaxExpandedNodes {
		return fail(&Error{Line: variants.Line, Col: variants.Column, Path: "variants",
			Msg: fmt.Sprintf("%d variants and strategies, each a copy of the scenario's %s YAML nodes, expand to more than the %s nodes a scenario may expand to",
				copies, count(base), count(MaxExpandedNodes)),
			Hint: "split the variants over several files, or use callsim sweep for many values of one key"})
	}
	return nil
}
