#!/usr/bin/env bash
# Soak: the embedded SIP center and the load generator, with media, at a
# steady call rate for MINUTES minutes. Every INTERVAL seconds the resident
# memory (VmRSS) and the open file descriptors of both processes are
# sampled into a CSV. The run fails if either grows past its plateau:
#
#   plateau = the highest sample from the end of the warm-up (WARMUP
#             seconds) to the middle of the rest of the run;
#   late    = the highest sample of the second half of that rest;
#   fail if late > plateau x (1 + RSS_TOL) + RSS_SLACK_KB (memory), or
#           late > plateau + FD_SLACK (descriptors),
#
# and if the load generator does not end with every call completed. A
# process that leaks per call grows through the second half (the calls go
# on at the same rate); a bounded one holds its level.
#
#   bench/soak/soak.sh                       # 5 minutes at 50 calls/s, 2 s calls
#   MINUTES=10 RATE=100 bench/soak/soak.sh out.csv
#   JUDGE=out.csv bench/soak/soak.sh         # only the verdict on samples taken before
#
# Only the two processes started here are stopped, by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."

MINUTES=${MINUTES:-5}
RATE=${RATE:-50}          # calls per second
HANDLE=${HANDLE:-2s}      # the agents' talk: the center hangs up
INTERVAL=${INTERVAL:-15}  # seconds between samples
WARMUP=${WARMUP:-60}      # seconds before the plateau is measured
RSS_TOL=${RSS_TOL:-0.10}
RSS_SLACK_KB=${RSS_SLACK_KB:-8192}
FD_SLACK=${FD_SLACK:-8}
PORT=${PORT:-25090}
out=${1:-}

judge() { # samples.csv -> the verdict lines, PASS or FAIL last
  awk -F, -v warm="$WARMUP" -v tol="$RSS_TOL" -v slack="$RSS_SLACK_KB" -v fdslack="$FD_SLACK" '
  NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; next }
  { t[NR] = $1; for (i = 2; i <= NF; i++) v[NR, i] = $i; n = NR }
  END {
    first = 0
    for (r = 2; r <= n; r++) if (t[r] >= warm) { first = r; break }
    if (first == 0 || n - first < 3) { print "INCONCLUSIVE: too few samples after the warm-up"; exit }
    mid = first + int((n - first + 1) / 2)
    bad = 0
    for (i = 2; i <= 5; i++) {
      plateau = 0; late = 0; lo = -1
      for (r = first; r < mid; r++) { if (v[r, i] > plateau) plateau = v[r, i]; if (lo < 0 || v[r, i] < lo) lo = v[r, i] }
      for (r = mid; r <= n; r++) if (v[r, i] > late) late = v[r, i]
      limit = (name[i] ~ /fds/) ? plateau + fdslack : plateau * (1 + tol) + slack
      ok = late <= limit
      if (!ok) bad = 1
      printf "%s: plateau %d (from %d s to %d s; lowest %d), late peak %d (to %d s), limit %d: %s\n", name[i], plateau, t[first], t[mid - 1], lo, late, t[n], limit, ok ? "flat" : "GROWS"
    }
    print bad ? "FAIL" : "PASS"
  }' "$1"
}

if [ -n "${JUDGE:-}" ]; then
  judge "$JUDGE"
  judge "$JUDGE" | grep -q '^PASS$'
  exit
fi

dir=$(mktemp -d)
target_pid=""
load_pid=""
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  [ -n "$target_pid" ] && kill "$target_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

go build -o "$dir/callsim" ./cmd/callsim
duration=$((MINUTES * 60))
# Agents enough for every call at once (rate x handle, with margin): the
# calls are answered at once and the level stays flat by construction.
agents=$(awk -v r="$RATE" -v h="${HANDLE%s}" 'BEGIN { printf "%d", r * h * 1.5 + 10 }')

"$dir/callsim" target --listen "udp:127.0.0.1:$PORT" --agents "$agents" --handle "$HANDLE" \
  --duration "$((duration + 30))s" --json "$dir/target.json" >"$dir/target.out" 2>"$dir/target.err" &
target_pid=$!
sleep 1
"$dir/callsim" load "sip:support@127.0.0.1:$PORT" --rate "$RATE" --duration "${duration}s" --hold 1h \
  --json "$dir/load.json" >"$dir/load.out" 2>"$dir/load.err" &
load_pid=$!

sample() { # pid -> "rss_kb fds"
  local rss fds
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo "")
  fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
  echo "${rss:-0} $fds"
}

csv="$dir/samples.csv"
echo "seconds,target_rss_kb,target_fds,load_rss_kb,load_fds" >"$csv"
start=$(date +%s)
while kill -0 "$load_pid" 2>/dev/null; do
  now=$(($(date +%s) - start))
  read -r trss tfds < <(sample "$target_pid")
  read -r lrss lfds < <(sample "$load_pid")
  [ "$lrss" != 0 ] && echo "$now,$trss,$tfds,$lrss,$lfds" >>"$csv"
  sleep "$INTERVAL"
done
load_rc=0
wait "$load_pid" || load_rc=$?
load_pid=""
kill -INT "$target_pid" 2>/dev/null || true
wait "$target_pid" || true
target_pid=""

[ -n "$out" ] && cp "$csv" "$out"
cat "$csv"
echo
sed -n '1,4p' "$dir/load.out"

verdict=$(judge "$csv")
echo "$verdict"

completed=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["attempted"], r["completed"])' "$dir/load.json" 2>/dev/null || echo "? ?")
read -r attempted done_ <<<"$completed"
echo "load: exit $load_rc, $done_ of $attempted calls completed"
if [ "$load_rc" -ne 0 ] || [ "$attempted" != "$done_" ] || ! grep -q '^PASS$' <<<"$verdict"; then
  echo "soak: FAIL" >&2
  exit 1
fi
echo "soak: PASS"
