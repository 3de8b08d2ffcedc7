package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildBinary compiles callsim once into a temporary directory.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "callsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// benchProcess runs "callsim simulate FILE --json --workers W" as a whole
// process, as a user would, and reports simulated calls per second of wall
// time (process start-up and JSON output included) and peak resident memory.
func benchProcess(b *testing.B, file string, workers string) {
	bin := buildBinary(b)
	var calls int64
	var maxRSS int64
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "simulate", filepath.Join("..", "..", "bench", "sim", file), "--json", "--quiet", "--workers", workers)
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v: %v", cmd, err)
		}
		var res struct {
			Run struct {
				CallsSimulated int64 `json:"calls_simulated"`
			} `json:"run"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			b.Fatal(err)
		}
		calls += res.Run.CallsSimulated
		maxRSS = max(maxRSS, peakRSS(cmd.ProcessState))
	}
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(maxRSS)/(1<<20), "peak-RSS-MB")
}

// BenchmarkSimulateProcess is the canonical speed case of the README: 100
// agents, load 0.95, 2 million calls, one replication, one core.
func BenchmarkSimulateProcess(b *testing.B) { benchProcess(b, "canonical.yaml", "1") }

// BenchmarkSimulateProcess20M is the memory case: 20 million calls.
func BenchmarkSimulateProcess20M(b *testing.B) { benchProcess(b, "canonical-20m.yaml", "1") }

// BenchmarkReplications1Core and 2Cores run 8 replications of the canonical
// case on one and on two workers, to show how replications scale.
func BenchmarkReplications1Core(b *testing.B)  { benchProcess(b, "replications.yaml", "1") }
func BenchmarkReplications2Cores(b *testing.B) { benchProcess(b, "replications.yaml", "2") }
