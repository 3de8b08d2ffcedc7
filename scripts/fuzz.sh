#!/usr/bin/env bash
# Runs every fuzz target of the repository (every func FuzzXxx in a
# *_test.go file) for a bounded time each, one after the other.
#
#   scripts/fuzz.sh                      # 60 s each
#   FUZZTIME=5s scripts/fuzz.sh          # briefly (CI)
#   scripts/fuzz.sh FuzzParseDist ...    # only these targets
#
# A failing input is written by go test to the package's
# testdata/fuzz/FuzzXxx/ directory: fix the bug and commit the file, it then
# runs as a regression case in every plain `go test`. The script exits 1 if
# any target failed, after running them all.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-60s}
# Minimizing a new interesting input takes up to 60 s by default, however
# short the run, and the engine runs no new inputs meanwhile: bound it by a
# count of tries instead. Bounded by time (the run's own), a target with
# large seeds (FuzzParse's built-in scenarios) spent its whole 5 s run
# minimizing its first find: 24-30 inputs in 5 s; with 50 tries 20,000 a
# second (FuzzTargetTCPStream: 14 -> about 1,700 in 8 s).
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-50x}
want=" $* "
failed=()
ran=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while IFS=: read -r file name; do
  [ -n "$name" ] || continue
  if [ $# -gt 0 ] && [[ "$want" != *" $name "* ]]; then continue; fi
  pkg=./$(dirname "$file")
  echo "== $name ($pkg, $FUZZTIME)"
  ran=$((ran + 1))
  for try in 1 2; do
    # -run selects the target alone, so the package's other tests do not run.
    go test -run "^${name}\$" -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" >"$log" 2>&1
    rc=$?
    grep -v '^fuzz: elapsed: .*execs: ' "$log"
    grep '^fuzz: elapsed: .*execs: ' "$log" | tail -n 1
    # Go's fuzzing engine sometimes ends a run that found nothing with
    # "context deadline exceeded" when -fuzztime runs out while a worker is
    # busy: no input failed (none is written). Run such a target once more;
    # a real failure always names the input it wrote.
    if [ "$rc" -ne 0 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log"; then
      if [ "$try" -eq 1 ]; then echo "   (the fuzzing engine stopped on its deadline with no failing input: once more)"; continue; fi
      echo "   warning: $name stopped twice on the engine's deadline with no failing input; not counted as a failure"
      rc=0
    fi
    break
  done
  [ "$rc" -eq 0 ] || failed+=("$name")
done < <(grep -r -H -o --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's|^\./||; s/:func /:/' | sort -u)

if [ "$ran" -eq 0 ]; then
  echo "no fuzz target matched: $*" >&2
  exit 2
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]} (the failing inputs are in the packages' testdata/fuzz/)" >&2
  exit 1
fi
echo "all $ran fuzz targets passed ($FUZZTIME each)"
