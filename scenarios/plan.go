package scenarios

import (
	"bytes"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"
)

// YAMLWith writes the scenario's source with the keys at the paths in
// unset removed (where written), the overrides in set applied (as With
// applies them), and without its variants, strategies and optimize
// settings: a scenario file of its own. It is how callsim optimize writes
// a chosen plan for callsim simulate (a group's agents_by_interval
// decided, its agents are unset).
func (s *Scenario) YAMLWith(header string, set map[string]string, unset []string) ([]byte, error) {
	if s.root == nil {
		return nil, fmt.Errorf("scenario %q was not read from YAML; it cannot be written out", s.Name)
	}
	doc := cloneNode(withoutKey(s.root, "variants", "strategies", "optimize"))
	gone := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	for _, k := range unset {
		if err := setPath(doc, k, gone); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	dropMarked(doc, gone)
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var v yaml.Node
		if err := yaml.Unmarshal([]byte(set[k]), &v); err != nil || len(v.Content) == 0 {
			return nil, fmt.Errorf("%s=%s: not a YAML value", k, set[k])
		}
		if err := setPath(doc, k, v.Content[0]); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	doc.HeadComment = header
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("write scenario %q: %w", s.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	if _, err := Parse(s.Name+".yaml", b.Bytes()); err != nil {
		return nil, fmt.Errorf("the written scenario does not parse: %w", err)
	}
	return b.Bytes(), nil
}

// dropMarked removes every mapping entry whose value is mark.
func dropMarked(n, mark *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		kept := n.Content[:0:0]
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j+1] != mark {
				kept = append(kept, n.Content[j], n.Content[j+1])
			}
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		dropMarked(c, mark)
	}
}
