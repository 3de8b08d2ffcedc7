#!/usr/bin/env bash
# The simulator against the bare event loop, in the same run: the whole
# "callsim simulate --json" process on the canonical case (bench/sim/canonical.yaml:
# 100 agents, load 0.95, handle 300 s and patience 120 s exponential, about 2 M
# calls, 1 replication) and the whole process of bench/sim/eventloop (the same
# M/M/N+M model on a 4-ary heap, no model and no statistics, 2 M calls), run in
# turn RUNS times (default 7). Prints each pair, the medians and the ratio
# callsim calls/s over eventloop calls/s (1.0: as fast as the bare loop).
# Usage: bash bench/sim/vs-eventloop.sh [RUNS]
set -euo pipefail  # bash 5 ($EPOCHREALTIME), go, python3
cd "$(dirname "$0")/../.."
runs=${1:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/callsim" ./cmd/callsim
go build -o "$tmp/eventloop" ./bench/sim/eventloop
: > "$tmp/times"
for i in $(seq "$runs"); do
  t0=$EPOCHREALTIME; "$tmp/callsim" simulate bench/sim/canonical.yaml --json > "$tmp/out.json"; t1=$EPOCHREALTIME
  "$tmp/eventloop" 100 2000000 > /dev/null; t2=$EPOCHREALTIME
  echo "$t0 $t1 $t2" >> "$tmp/times"
done
python3 - "$tmp/times" "$tmp/out.json" <<'PY'
import json, statistics, sys
ts = [[float(x) for x in line.split()] for line in open(sys.argv[1])]
cs = [t1 - t0 for t0, t1, _ in ts]
el = [t2 - t1 for _, t1, t2 in ts]
for i, (c, e) in enumerate(zip(cs, el), 1):
    print(f"run {i}: callsim simulate {c:.3f} s, eventloop {e:.3f} s")
r = json.load(open(sys.argv[2]))
n = r["run"]["calls_simulated"]  # the calls the simulator generated
mc, me = statistics.median(cs), statistics.median(el)
ratios = sorted((n / c) / (2_000_000 / e) for c, e in zip(cs, el))
print(f"callsim simulate: median {mc:.3f} s, {n/mc/1e6:.2f} M calls/s ({n:,.0f} calls)")
print(f"eventloop:        median {me:.3f} s, {2e6/me/1e6:.2f} M calls/s (2,000,000 calls)")
print(f"ratio callsim/eventloop (calls/s, pair by pair): min {ratios[0]:.2f}, median {statistics.median(ratios):.2f}, max {ratios[-1]:.2f}")
PY
