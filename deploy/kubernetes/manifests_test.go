// Package kubernetes holds the Kubernetes manifests that run callsim as an
// Indexed Job (one execution segment per pod) and merge the results; its
// test checks them.
package kubernetes

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/callsim/callsim/internal/cli"
)

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			FieldRef struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type podSpec struct {
	RestartPolicy   string `yaml:"restartPolicy"`
	SecurityContext struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
	} `yaml:"securityContext"`
	Containers []container `yaml:"containers"`
	Volumes    []struct {
		Name                  string `yaml:"name"`
		PersistentVolumeClaim struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

type job struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode       string `yaml:"completionMode"`
		Completions          *int   `yaml:"completions"`
		Parallelism          *int   `yaml:"parallelism"`
		BackoffLimitPerIndex *int   `yaml:"backoffLimitPerIndex"`
		Template             struct {
			Metadata struct {
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func read(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(false)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// results checks the pod mounts the shared claim at /results.
func results(t *testing.T, name string, p podSpec, claim string) {
	t.Helper()
	if len(p.Containers) != 1 || len(p.Volumes) != 1 || p.Volumes[0].PersistentVolumeClaim.ClaimName != claim {
		t.Fatalf("%s: want one container and the volume of claim %s: %+v", name, claim, p)
	}
	c := p.Containers[0]
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/results" || c.VolumeMounts[0].Name != p.Volumes[0].Name {
		t.Errorf("%s: the claim is not mounted at /results: %+v", name, c.VolumeMounts)
	}
	if p.RestartPolicy != "Never" || !p.SecurityContext.RunAsNonRoot {
		t.Errorf("%s: restartPolicy %q, runAsNonRoot %v", name, p.RestartPolicy, p.SecurityContext.RunAsNonRoot)
	}
}

// flagsParse runs callsim with the args and --help: unknown flags or
// subcommands fail there (exit 2), nothing is run.
func flagsParse(t *testing.T, args []string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Execute(context.Background(), append(slices.Clone(args), "--help"), strings.NewReader(""), &out, &errb); code != 0 {
		t.Errorf("callsim %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
}

func TestManifests(t *testing.T) {
	var pvc struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			AccessModes []string `yaml:"accessModes"`
		} `yaml:"spec"`
	}
	read(t, "pvc.yaml", &pvc)
	if pvc.Kind != "PersistentVolumeClaim" || !slices.Contains(pvc.Spec.AccessModes, "ReadWriteMany") {
		t.Errorf("pvc.yaml: %+v", pvc)
	}
	claim := pvc.Metadata.Name

	var load job
	read(t, "load-job.yaml", &load)
	s := load.Spec
	if load.APIVersion != "batch/v1" || load.Kind != "Job" || s.CompletionMode != "Indexed" {
		t.Errorf("load-job.yaml: %s %s, completionMode %q", load.APIVersion, load.Kind, s.CompletionMode)
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions < 2 || *s.Parallelism != *s.Completions {
		t.Fatalf("load-job.yaml: completions %v, parallelism %v: want equal, at least 2", s.Completions, s.Parallelism)
	}
	if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex != 0 {
		t.Errorf("load-job.yaml: backoffLimitPerIndex %v, want 0", s.BackoffLimitPerIndex)
	}
	n := *s.Completions
	results(t, "load-job.yaml", s.Template.Spec, claim)
	c := s.Template.Spec.Containers[0]
	for _, want := range []string{"load", fmt.Sprintf("--segments=%d", n), "--start-at=$(START_AT)", "--json=/results/seg-$(JOB_COMPLETION_INDEX).json"} {
		if !slices.Contains(c.Args, want) {
			t.Errorf("load-job.yaml: args %q lack %q", c.Args, want)
		}
	}
	// Every segment's pod is scraped: the annotations name the port
	// --metrics-addr listens on.
	ann := s.Template.Metadata.Annotations
	if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/path"] != "/metrics" ||
		!slices.Contains(c.Args, "--metrics-addr=:"+ann["prometheus.io/port"]) {
		t.Errorf("load-job.yaml: scrape annotations %v do not match the args %q", ann, c.Args)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil {
			env[e.Name] = e.ValueFrom.FieldRef.FieldPath
		}
	}
	if env["START_AT"] != "${START_AT}" || env["JOB_COMPLETION_INDEX"] != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("load-job.yaml: env %v: want START_AT set at apply time and the completion index", env)
	}
	// The args as a pod sees them, once Kubernetes expanded $(VAR).
	var podArgs []string
	for _, a := range c.Args {
		a = strings.ReplaceAll(a, "$(START_AT)", "2026-11-23T14:00:00Z")
		podArgs = append(podArgs, strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", "3"))
	}
	flagsParse(t, podArgs)

	var merge job
	read(t, "merge-job.yaml", &merge)
	results(t, "merge-job.yaml", merge.Spec.Template.Spec, claim)
	m := merge.Spec.Template.Spec.Containers[0]
	if len(m.Args) < 2 || m.Args[0] != "report" || m.Args[1] != "merge" || !slices.Contains(m.Args, "--output=/results/merged.json") {
		t.Errorf("merge-job.yaml: args %q", m.Args)
	}
	for i := range n {
		if f := fmt.Sprintf("/results/seg-%d.json", i); !slices.Contains(m.Args, f) {
			t.Errorf("merge-job.yaml does not merge %s", f)
		}
	}
	if m.Image != c.Image {
		t.Errorf("merge image %q, load image %q", m.Image, c.Image)
	}
	flagsParse(t, m.Args)

	var fetch struct {
		Kind string  `yaml:"kind"`
		Spec podSpec `yaml:"spec"`
	}
	read(t, "fetch-pod.yaml", &fetch)
	results(t, "fetch-pod.yaml", fetch.Spec, claim)
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	d := string(b)
	for _, want := range []string{"FROM golang:1.26 AS build", "CGO_ENABLED=0 go build", "./cmd/callsim", "FROM gcr.io/distroless/static-debian12:nonroot", "USER 65532:65532", "ENTRYPOINT"} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
