package scenarios

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGoldenErrors checks the full error output for every testdata/*.yaml
// that has a .golden file next to it. Run with -update to rewrite them.
func TestGoldenErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		golden := strings.TrimSuffix(file, ".yaml") + ".golden"
		if _, err := os.Stat(golden); err != nil && !*update {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			_, err := Load(file)
			got := "ok\n"
			if err != nil {
				got = err.Error() + "\n"
			}
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("errors of %s differ from %s (go test -run TestGoldenErrors -update to accept):\ngot:\n%s\nwant:\n%s", file, golden, got, want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, that a scenario it accepts
// validates, and that the errors it reports are well formed.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	builtins, _ := filepath.Glob("builtin/*.yaml")
	for _, file := range append(files, builtins...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("{{{"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("<<: &a {<<: *a}\n"))
	f.Add([]byte(fanOut))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned a scenario and an error: %v", err)
			}
			list, ok := err.(*ErrorList)
			if !ok || list.Len() == 0 {
				t.Fatalf("error %T %v is not a non-empty *ErrorList", err, err)
			}
			for _, e := range list.Errors {
				if e.File != "f.yaml" || e.Msg == "" {
					t.Fatalf("malformed error %+v", e)
				}
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse accepted a scenario that does not validate: %v\n%s", err, data)
		}
		for i, r := range s.Routing {
			if r.Queue != s.Queues[i].Name {
				t.Fatalf("Routing[%d] is for %q, want %q", i, r.Queue, s.Queues[i].Name)
			}
		}
	})
}
