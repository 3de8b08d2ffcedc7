package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

const aliasBase = "name: t\nhorizon: 10h\nqueues: [{name: q, arrivals: {per_hour: 10}, handle_time: 60s}]\ngroups: [{name: g, agents: 1, skills: [q]}]\n"

// TestExpansionBounded: plain aliases nested ten deep (a billion nodes
// from 600 bytes) are refused at the alias that passes the bound, with
// its line; merge keys count the keys they add, as the decoder expands
// them, so variants merging each other twice per level (once a fourfold
// memory growth per two levels) parse in linear time and memory; and many
// variants of a large scenario are refused at the variants key.
func TestExpansionBounded(t *testing.T) {
	var lol strings.Builder
	lol.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		lol.WriteString(fmt.Sprintf("a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", ")))
	}
	lol.WriteString("name: lol\nhorizon: 1h\nqueues: *a9\n")
	_, err := Parse("lol.yaml", []byte(lol.String()))
	if err == nil || !strings.Contains(err.Error(), "lol.yaml:6:25: the alias *a4 expands to 111,111 YAML nodes, which takes the file past the 500,000 nodes") {
		t.Errorf("nested aliases: %v", err)
	}

	var merges strings.Builder
	merges.WriteString(aliasBase + "variants:\n  - &v1 {name: v1, set: {groups.g.agents: 2}}\n")
	for i := 2; i <= 40; i++ {
		merges.WriteString(fmt.Sprintf("  - &v%d {<<: [*v%d, *v%d], name: v%d}\n", i, i-1, i-1, i))
	}
	sc, err := Parse("merges.yaml", []byte(merges.String()))
	if err != nil {
		t.Fatalf("merges: %v", err)
	}
	if len(sc.Variants) != 40 || sc.Variants[39].Scenario.Groups[0].Agents != 2 {
		t.Errorf("merges: %d variants", len(sc.Variants))
	}

	var many strings.Builder
	many.WriteString(aliasBase + "description: &d [" + strings.Repeat("x, ", 999) + "x]\nvariants:\n")
	for i := 0; i < 600; i++ {
		many.WriteString(fmt.Sprintf("  - {name: v%d, set: {groups.g.agents: %d}}\n", i, i))
	}
	_, err = Parse("many.yaml", []byte(many.String()))
	if err == nil || !strings.Contains(err.Error(), "600 variants and strategies, each a copy of the scenario's") {
		t.Errorf("many variants: %v", err)
	}
}

// TestSetThroughSharedAnchor: a variant's override of a key reached
// through an alias changes that place only, although the copy shares the
// anchor's nodes.
func TestSetThroughSharedAnchor(t *testing.T) {
	src := "name: t\nhorizon: 10h\nqueues:\n  - {name: a, arrivals: {per_hour: 10}, handle_time: &h {mean: 60s, dist: constant}}\n" +
		"  - {name: b, arrivals: {per_hour: 10}, handle_time: *h}\ngroups: [{name: g, agents: 1, skills: [a, b]}]\n" +
		"variants: [{name: longer, set: {queues.b.handle_time.mean: 90s}}]\n"
	sc, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	v := sc.Variants[0].Scenario
	if a, b := v.Queues[0].HandleTime.Mean, v.Queues[1].HandleTime.Mean; a != 60 || b != 90 {
		t.Errorf("variant: handle times %v and %v, want 60 and 90", a, b)
	}
	if a, b := sc.Queues[0].HandleTime.Mean, sc.Queues[1].HandleTime.Mean; a != 60 || b != 60 {
		t.Errorf("base changed: %v and %v", a, b)
	}
	w, err := sc.With(map[string]string{"queues.a.handle_time.mean": "30s"})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := w.Queues[0].HandleTime.Mean, w.Queues[1].HandleTime.Mean; a != 30 || b != 60 {
		t.Errorf("With: handle times %v and %v, want 30 and 60", a, b)
	}
}
