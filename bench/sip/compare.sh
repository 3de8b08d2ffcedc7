#!/usr/bin/env bash
# Compares callsim load with SIPp's built-in UAC against the same
# "sipp -sn uas" on 127.0.0.1:
#   1. the highest call rate with no failed call (and >= 95% of the rate
#      achieved), over UDP and TCP, stepping through RATES, each point
#      POINT_SECONDS long with zero hold time;
#   2. concurrent 30-second calls held (HOLD_RATES x POINT_SECONDS calls).
# Every run is bounded in calls and time; only processes started here are
# killed, by PID. Usage: bench/sip/compare.sh [out.md]
set -euo pipefail
cd "$(dirname "$0")/../.."

RATES=${RATES:-"200 500 1000 1500 2000 3000 4000 6000"}
HOLD_RATES=${HOLD_RATES:-"250 500"}
POINT_SECONDS=${POINT_SECONDS:-10}
TRANSPORTS=${TRANSPORTS:-"udp tcp"}
OUT=${1:-/dev/stdout}

command -v sipp >/dev/null || { echo "sipp not installed (apt-get install sip-tester)" >&2; exit 1; }
tmp=$(mktemp -d)
uas_pid=""
cleanup() { [ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/callsim" ./cmd/callsim

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && ! ss -uln | grep -q ":$p "; then echo "$p"; return; fi
  done
  echo "no free port" >&2; exit 1
}

mode() { [ "$1" = tcp ] && echo t1 || echo u1; }

start_uas() { # transport
  port=$(free_port)
  sipp -sn uas -i 127.0.0.1 -p "$port" -t "$(mode "$1")" -nostdin -max_socket 5000 >"$tmp/uas.log" 2>&1 &
  uas_pid=$!
  for _ in $(seq 1 100); do ss -lnup -lntp 2>/dev/null | grep -q ":$port " && return; sleep 0.05; done
}
stop_uas() { kill "$uas_pid" 2>/dev/null || true; wait "$uas_pid" 2>/dev/null || true; uas_pid=""; }

# callsim_point transport rate calls hold -> prints "ok|FAIL achieved_cps max_concurrent"
callsim_point() {
  local tp=$1 rate=$2 n=$3 hold=$4
  local js="$tmp/r.json" rc=0
  timeout $((n / rate + 90)) "$tmp/callsim" load "sip:service@127.0.0.1:$port;transport=$tp" --rate "$rate" \
    --max-calls "$n" --hold "$hold" --json "$js" --threshold "completed==$n" \
    --threshold "achieved_cps>=$(awk "BEGIN{print $rate*0.95}")" >"$tmp/cs.out" 2>&1 || rc=$?
  local cps conc
  cps=$(grep -o '"achieved_cps": [0-9.]*' "$js" 2>/dev/null | awk '{printf "%.1f", $2}')
  conc=$(grep -o '"max_concurrent": [0-9]*' "$js" 2>/dev/null | awk '{print $2}')
  if [ "$rc" = 0 ]; then echo "ok ${cps:-?} ${conc:-?}"; else echo "FAIL ${cps:-?} ${conc:-?}"; fi
}

# sipp_point transport rate calls hold_ms -> prints "ok|FAIL achieved_cps"
sipp_point() {
  local tp=$1 rate=$2 n=$3 hold=$4 rc=0
  local t0 t1
  t0=$(date +%s.%N)
  timeout $((n / rate + 90)) sipp "127.0.0.1:$port" -sn uac -i 127.0.0.1 -t "$(mode "$tp")" -r "$rate" -m "$n" \
    -d "$hold" -nostdin -max_socket 5000 -timeout $((n / rate + 80))s -timeout_error >"$tmp/uac.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  # Calls start over (n-1)/rate seconds; the run also includes the hold time.
  local cps
  cps=$(awk "BEGIN{span=$t1-$t0-$hold/1000.0; if (span<=0) span=0.001; printf \"%.1f\", ($n-1)/span}")
  local ok=FAIL
  if [ "$rc" = 0 ] && awk "BEGIN{exit !($cps >= $rate*0.95)}"; then ok=ok; fi
  echo "$ok $cps"
}

{
  echo "# callsim load vs SIPp uac against sipp -sn uas ($(nproc) cores, $(date -u +%Y-%m-%d))"
  echo
  echo "Rate steps: $RATES calls/s, $POINT_SECONDS s per step, zero hold time."
  echo
  echo "| transport | tool | rate | result | achieved cps |"
  echo "|---|---|---|---|---|"
} >"$OUT"

declare -A best
for tp in $TRANSPORTS; do
  for tool in callsim sipp; do
    best[$tp-$tool]=0
    for rate in $RATES; do
      n=$((rate * POINT_SECONDS))
      start_uas "$tp"
      if [ "$tool" = callsim ]; then res=$(callsim_point "$tp" "$rate" "$n" 0s); else res=$(sipp_point "$tp" "$rate" "$n" 0); fi
      stop_uas
      set -- $res
      echo "| $tp | $tool | $rate | $1 | $2 |" >>"$OUT"
      if [ "$1" = ok ]; then best[$tp-$tool]=$rate; else break; fi
    done
  done
done

{
  echo
  echo "Highest rate with no failed call:"
  echo
  echo "| transport | callsim | SIPp | ratio |"
  echo "|---|---|---|---|"
  for tp in $TRANSPORTS; do
    c=${best[$tp-callsim]} s=${best[$tp-sipp]}
    echo "| $tp | $c | $s | $(awk "BEGIN{ if ($s>0) printf \"%.2f\", $c/$s; else print \"-\"}") |"
  done
  echo
  echo "Concurrent 30-second calls (rate x $POINT_SECONDS s, UDP):"
  echo
  echo "| tool | rate | calls held | result |"
  echo "|---|---|---|---|"
} >>"$OUT"
for rate in $HOLD_RATES; do
  n=$((rate * POINT_SECONDS))
  start_uas udp
  set -- $(callsim_point udp "$rate" "$n" 30s)
  echo "| callsim | $rate | ${3:-?} | $1 |" >>"$OUT"
  stop_uas
  start_uas udp
  set -- $(sipp_point udp "$rate" "$n" 30000)
  echo "| sipp | $rate | $n | $1 |" >>"$OUT"
  stop_uas
done
