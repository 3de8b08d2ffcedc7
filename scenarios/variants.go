package scenarios

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// variantSpec is a variant as written, kept to build it once the base is
// known to be valid.
type variantSpec struct {
	path string
	name string
	sets []setSpec
}

type setSpec struct {
	key   *yaml.Node // the path, as written
	value *yaml.Node
}

// variant decodes variants[i]: {name, description, set: {PATH: VALUE, ...}}.
func (d *decoder) variant(n *yaml.Node, path string) Variant {
	v := Variant{Set: map[string]string{}}
	spec := variantSpec{path: path}
	d.mapping(n, path, "a variant (a mapping)", "write {name: more staff, set: {groups.staff.agents: 40}}", []field{
		{"name", true, func(n *yaml.Node, p string) { v.Name, _ = d.str(n, p) }},
		{"description", false, func(n *yaml.Node, p string) { v.Description, _ = d.str(n, p) }},
		{"set", true, func(n *yaml.Node, p string) {
			n = resolve(n)
			if n.Kind != yaml.MappingNode {
				d.typeError(n, p, "a mapping from paths to values", "write {groups.staff.agents: 40, queues.support.arrivals.per_hour: 400}")
				return
			}
			for _, e := range d.entries(n, p, 0) {
				if e.key.Kind != yaml.ScalarNode || e.key.Value == "" {
					d.notef(e.key, p, "", "keys must be paths such as groups.staff.agents")
					continue
				}
				b, _ := yaml.Marshal(e.value)
				v.Set[e.key.Value] = strings.TrimSpace(string(b))
				spec.sets = append(spec.sets, setSpec{key: e.key, value: e.value})
			}
		}},
	})
	spec.name = v.Name
	d.variantSpecs = append(d.variantSpecs, spec)
	return v
}

// buildVariants applies each variant's overrides to a copy of the base
// document and parses the result; errors point at the override.
func (d *decoder) buildVariants(root *yaml.Node, s *Scenario) {
	names := map[string]bool{"base": true}
	for i, spec := range d.variantSpecs {
		if names[spec.name] {
			d.notef(d.nodes[spec.path+".name"], spec.path+".name", "give every variant its own name (\"base\" is the scenario itself)", "duplicate variant name %q", spec.name)
			continue
		}
		names[spec.name] = true
		doc := cloneNode(withoutKey(root, "variants", "strategies"))
		ok := true
		for _, st := range spec.sets {
			if err := setPath(doc, st.key.Value, cloneNode(st.value)); err != nil {
				d.notef(st.key, spec.path+".set", setHint, "variant %q: %v", spec.name, err)
				ok = false
			}
		}
		if !ok {
			continue
		}
		vs, err := parseNode(d.file, doc)
		if err != nil {
			el, _ := err.(*ErrorList)
			if el == nil {
				d.notef(resolve(d.nodes[spec.path]), spec.path, "", "variant %q: %v", spec.name, err)
				continue
			}
			for _, e := range el.Errors {
				at := d.nodes[spec.path]
				for _, st := range spec.sets {
					if p := errorPath(root, st.key.Value); within(e.Path, p) || within(p, e.Path) {
						at = st.value
					}
				}
				d.notef(at, spec.path, e.Hint, "variant %q: %s: %s", spec.name, e.Path, e.Msg)
			}
			continue
		}
		s.Variants[i].Scenario = vs
	}
}

const setHint = "paths name keys and list items by name, such as groups.vendor.agents or queues.tech.arrivals.per_hour"

// errorPath translates a set path (groups.staff.agents) into the path
// errors use (groups[0].agents), to point an error at its override.
func errorPath(root *yaml.Node, path string) string {
	n := resolve(root)
	out := ""
	for _, seg := range strings.Split(path, ".") {
		switch n.Kind {
		case yaml.MappingNode:
			out = join(out, seg)
			var next *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == seg {
					next = resolve(n.Content[j+1])
				}
			}
			if next == nil {
				return out
			}
			n = next
		case yaml.SequenceNode:
			found := false
			for j, it := range n.Content {
				it = resolve(it)
				if itemName(it) == seg || strconv.Itoa(j) == seg {
					out, n, found = index(out, j), it, true
					break
				}
			}
			if !found {
				return out
			}
		default:
			return out
		}
	}
	return out
}

// setPath sets the value at a dotted path; list items are found by their
// name (or queue, for routes) or by index.
func setPath(root *yaml.Node, path string, value *yaml.Node) error {
	segs := strings.Split(path, ".")
	n := root // the caller's own copy; the nodes below are copied on the way
	for i, seg := range segs {
		last := i == len(segs)-1
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == seg {
					found = true
					if last {
						n.Content[j+1] = value
						return nil
					}
					n.Content[j+1] = own(resolve(n.Content[j+1]))
					n = n.Content[j+1]
					break
				}
			}
			if !found {
				if !last {
					// Create intermediate mappings, e.g. a cost block not written in the base.
					m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
					n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, m)
					n = m
					continue
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, value)
				return nil
			}
		case yaml.SequenceNode:
			var item *yaml.Node
			at := -1
			var names []string
			for j, it := range n.Content {
				it = resolve(it)
				name := itemName(it)
				names = append(names, name)
				if name == seg || strconv.Itoa(j) == seg {
					item, at = it, j
				}
			}
			if item == nil {
				return fmt.Errorf("no item %q in %s (there are: %s)", seg, strings.Join(segs[:i], "."), strings.Join(names, ", "))
			}
			if last {
				return fmt.Errorf("%s names a whole list item; set one of its keys", path)
			}
			if item.Kind == yaml.ScalarNode {
				// A route step written as a bare group name: setting one of
				// its keys (after) writes it out as {group: NAME}.
				item = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Tag: "!!str", Value: "group"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: item.Value}}}
			} else {
				item = own(item)
			}
			n.Content[at] = item
			n = item
		default:
			return fmt.Errorf("%s: %s is not a mapping or a list", path, strings.Join(segs[:i], "."))
		}
	}
	return nil
}

// itemName is the name a list item is addressed by: its name, or for a
// route its queue, for a route step its group (a bare scalar names
// itself).
func itemName(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for _, key := range []string{"name", "queue", "group"} {
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == key {
				return n.Content[j+1].Value
			}
		}
	}
	return ""
}

// withoutKey is mapping m without key (a shallow copy; m is not changed),
// so that a copy of the scenario for a variant does not copy the variants
// too (their aliases would be expanded once per variant).
func withoutKey(m *yaml.Node, keys ...string) *yaml.Node {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return m
	}
	c := *m
	c.Content = nil
	for j := 0; j+1 < len(m.Content); j += 2 {
		if !slices.Contains(keys, m.Content[j].Value) {
			c.Content = append(c.Content, m.Content[j], m.Content[j+1])
		}
	}
	return &c
}

// cloneNode copies a node tree, resolving aliases. A node reached through
// several aliases is copied once and shared, as in the original, so that
// the copy is no larger than the file (nested aliases would otherwise
// multiply); setPath copies the nodes on the path it changes, so a change
// made through one alias does not show through another.
func cloneNode(n *yaml.Node) *yaml.Node {
	return cloneShared(n, map[*yaml.Node]*yaml.Node{})
}

func cloneShared(n *yaml.Node, memo map[*yaml.Node]*yaml.Node) *yaml.Node {
	n = resolve(n)
	if n == nil {
		return nil
	}
	if c, ok := memo[n]; ok {
		return c
	}
	c := *n
	c.Anchor = ""
	memo[n] = &c
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = cloneShared(ch, memo)
	}
	return &c
}

// own is a shallow copy of n (its own list of children), for a node on the
// path setPath changes.
func own(n *yaml.Node) *yaml.Node {
	c := *n
	c.Anchor = ""
	c.Content = append([]*yaml.Node(nil), n.Content...)
	return &c
}

// With returns a copy of the scenario with the overrides in set applied, as
// a variant would: set maps paths (groups.staff.agents) to YAML values.
// The copy is parsed and validated anew; it has no variants.
func (s *Scenario) With(set map[string]string) (*Scenario, error) {
	if s.root == nil {
		return nil, fmt.Errorf("scenario %q was not read from YAML; overrides need its source", s.Name)
	}
	doc := cloneNode(withoutKey(s.root, "variants", "strategies"))
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var v yaml.Node
		if err := yaml.Unmarshal([]byte(set[k]), &v); err != nil || len(v.Content) == 0 {
			return nil, fmt.Errorf("--set %s=%s: not a YAML value", k, set[k])
		}
		if err := setPath(doc, k, v.Content[0]); err != nil {
			return nil, fmt.Errorf("--set %s: %w (hint: %s)", k, err, setHint)
		}
	}
	out, err := parseNode(s.Source, doc)
	if err != nil {
		return nil, fmt.Errorf("with %v: %w", set, err)
	}
	return out, nil
}

func removeKey(m *yaml.Node, key string) {
	if m.Kind != yaml.MappingNode {
		return
	}
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			m.Content = append(m.Content[:j], m.Content[j+2:]...)
			return
		}
	}
}
