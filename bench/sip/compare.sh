#!/usr/bin/env bash
# Compares callsim load with SIPp's built-in UAC against the same
# "sipp -sn uas" on 127.0.0.1, with one rule for both tools:
#   1. the highest call rate with no failed call, over UDP and TCP: a step
#      passes when every one of its RATE x POINT_SECONDS calls succeeded (exit
#      code 0: callsim with --threshold completed==N, SIPp with
#      -timeout_error) and the calls were placed at >= 95% of the rate, the
#      rate being measured the same way for both, (N - 1) / (wall time - hold
#      time), from outside the process. Each step runs RUNS times (default 2)
#      and passes if one run passes (a shared machine is noisy); stepping
#      stops at the first step where no run passed.
#   2. CPU per call at fixed rates (CPU_RATES, default 2,000, 5,000 and
#      8,000 calls/s, CPU_SECONDS each, CPU_RUNS runs per tool): user +
#      system CPU seconds of the tool's process (GNU time) divided by the
#      calls placed, beside the UAS's CPU in the same run and the load
#      average before the run, which tells whether the machine was quiet.
#      (The CPU the rest of the machine used cannot be told from /proc/stat:
#      its figures are sampled at the kernel's tick, which a process waking
#      in step with the tick escapes, while a process's own CPU time is
#      exact.) CPU seconds per call are fairly robust to a shared machine,
#      wall-clock rates are not. CPU_RATES="" skips it.
#   3. memory per held call: HELD_RATE calls/s for 30 s, each held 30 s, so
#      about HELD_RATE x 30 calls are up at once; the peak RSS (GNU time)
#      minus that of a 10-call run, divided by the calls held (HELD_RATE=0
#      skips it).
# SIPp (UAS and UAC) runs with its overload watchdog relaxed, so that a busy
# shared machine does not abort it mid-run, and with 4 MB socket buffers
# (-buff_size; its default is 64 KB), as callsim asks for its UDP sockets.
# callsim runs with its defaults (--sockets: one per core) and --no-media
# (SIPp's uac sends no RTP either). Every run is bounded in calls and time;
# only processes started here are killed, by PID.
# RATES="" skips the rate steps. Usage: bench/sip/compare.sh [out.md]
set -euo pipefail
cd "$(dirname "$0")/../.."

RATES=${RATES-"2000 4000 5000 6000 8000 10000 12000 14000 16000 20000"}
POINT_SECONDS=${POINT_SECONDS:-10}
RUNS=${RUNS:-2}
TRANSPORTS=${TRANSPORTS:-"udp tcp"}
HELD_RATE=${HELD_RATE:-3400}
CPU_RATES=${CPU_RATES-"2000 5000 8000"}
CPU_SECONDS=${CPU_SECONDS:-10}
CPU_RUNS=${CPU_RUNS:-2}
OUT=${1:-/dev/stdout}
WATCHDOG="-watchdog_minor_maxtriggers 1000000 -watchdog_major_maxtriggers 1000000 -buff_size 4194304"

command -v sipp >/dev/null || { echo "sipp not installed (apt-get install sip-tester)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time not installed (apt-get install time)" >&2; exit 1; }
tmp=$(mktemp -d)
uas_pid=""
cleanup() { [ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
# CALLSIM=path measures that binary instead of a build of this tree.
if [ -n "${CALLSIM:-}" ]; then cp "$CALLSIM" "$tmp/callsim"; else go build -o "$tmp/callsim" ./cmd/callsim; fi

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
  sipp -sn uas -i 127.0.0.1 -p "$port" -t "$(mode "$1")" -nostdin -max_socket 5000 $WATCHDOG >"$tmp/uas.log" 2>&1 &
  uas_pid=$!
  for _ in $(seq 1 100); do ss -lnup -lntp 2>/dev/null | grep -q ":$port " && return; sleep 0.05; done
}
# proc_cpu PID: user+system CPU seconds of a live process.
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
stop_uas() {
  uas_cpu=$(proc_cpu "$uas_pid")
  kill "$uas_pid" 2>/dev/null || true; wait "$uas_pid" 2>/dev/null || true; uas_pid=""
}

# run_tool tool transport rate calls hold_s -> prints "ok|FAIL wall_cps max_rss_kb user_s sys_s"
run_tool() {
  local tool=$1 tp=$2 rate=$3 n=$4 hold=$5 rc=0 t0 t1
  local limit=$((n / rate + hold + 90))
  t0=$(date +%s.%N)
  if [ "$tool" = callsim ]; then
    /usr/bin/time -f "%M %U %S" -o "$tmp/rss" timeout "$limit" "$tmp/callsim" load "sip:service@127.0.0.1:$port;transport=$tp" \
      --rate "$rate" --max-calls "$n" --hold "${hold}s" --no-media --quiet --json "$tmp/r.json" \
      --threshold "completed==$n" >"$tmp/out" 2>&1 || rc=$?
  else
    /usr/bin/time -f "%M %U %S" -o "$tmp/rss" timeout "$limit" sipp "127.0.0.1:$port" -sn uac -i 127.0.0.1 -t "$(mode "$tp")" \
      -r "$rate" -m "$n" -d $((hold * 1000)) -nostdin -max_socket 5000 $WATCHDOG -timeout $((limit - 10))s -timeout_error \
      >"$tmp/out" 2>&1 || rc=$?
  fi
  t1=$(date +%s.%N)
  local cps ok=FAIL
  cps=$(awk "BEGIN{span=$t1-$t0-$hold; if (span<=0) span=0.001; printf \"%.0f\", ($n-1)/span}")
  if [ "$rc" = 0 ] && awk "BEGIN{exit !($cps >= $rate*0.95)}"; then ok=ok; fi
  echo "$ok $cps $(tail -1 "$tmp/rss" 2>/dev/null || echo 0 0 0)"
}

echo "# callsim load vs SIPp uac against sipp -sn uas ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg))" >"$OUT"
if [ -n "$RATES" ]; then
{
  echo
  echo "Rate steps: $RATES calls/s, $POINT_SECONDS s each, zero hold time, $RUNS runs per step."
  echo "A run passes with no failed call and >= 95% of the rate placed (wall-clock rate)."
  echo
  echo "| transport | tool | rate | runs (result wall-cps) |"
  echo "|---|---|---|---|"
} >>"$OUT"

declare -A best
for tp in $TRANSPORTS; do
  for tool in callsim sipp; do
    best[$tp-$tool]=0
    for rate in $RATES; do
      n=$((rate * POINT_SECONDS))
      passed=0 cells=""
      for _ in $(seq 1 "$RUNS"); do
        start_uas "$tp"
        set -- $(run_tool "$tool" "$tp" "$rate" "$n" 0)
        stop_uas
        cells="$cells $1 $2;"
        [ "$1" = ok ] && passed=1
      done
      echo "| $tp | $tool | $rate |$cells |" >>"$OUT"
      if [ "$passed" = 1 ]; then best[$tp-$tool]=$rate; else break; fi
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
} >>"$OUT"
fi
if [ -n "$CPU_RATES" ]; then
  {
    echo
    echo "CPU per call at fixed rates ($CPU_SECONDS s per run, zero hold time, $CPU_RUNS runs per tool, runs of the two tools interleaved; each against a fresh sipp -sn uas). CPU = user + system seconds of the tool's process (GNU time); us/call = CPU / calls placed. \"UAS\" is the UAS's CPU in the same run, \"load\" the load average over the minute before the run (near 0 on a quiet machine; the UAS of the previous run counts in it)."
    echo
    echo "| transport | rate | tool | result | CPU s (user + sys) | us/call | UAS CPU s | load |"
    echo "|---|---|---|---|---|---|---|---|"
  } >>"$OUT"
  declare -A cpu_sum cpu_n
  cpu_row=""
  for tp in $TRANSPORTS; do
    for rate in $CPU_RATES; do
      n=$((rate * CPU_SECONDS))
      cpu_sum[callsim]=0 cpu_sum[sipp]=0 cpu_n[callsim]=0 cpu_n[sipp]=0 allok=yes
      for _ in $(seq 1 "$CPU_RUNS"); do
        for tool in callsim sipp; do
          start_uas "$tp"
          load=$(cut -d' ' -f1 /proc/loadavg)
          set -- $(run_tool "$tool" "$tp" "$rate" "$n" 0)
          stop_uas
          cpu=$(awk -v u="$4" -v s="$5" 'BEGIN { printf "%.2f", u + s }')
          if [ "$1" = ok ]; then # a failed run (a stall, a UAS that did not start) says nothing of CPU per call
            cpu_sum[$tool]=$(awk -v a="${cpu_sum[$tool]}" -v c="$cpu" 'BEGIN { print a + c }')
            cpu_n[$tool]=$((cpu_n[$tool] + 1))
          else
            allok=no
          fi
          echo "| $tp | $rate | $tool | $1 $2 | $cpu ($4 + $5) | $(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.0f", 1e6 * c / n }') | $uas_cpu | $load |" >>"$OUT"
        done
      done
      uc=$(awk -v c="${cpu_sum[callsim]}" -v r="${cpu_n[callsim]}" -v n="$n" 'BEGIN { if (r > 0) printf "%.1f", 1e6 * c / r / n; else print "-" }')
      us=$(awk -v c="${cpu_sum[sipp]}" -v r="${cpu_n[sipp]}" -v n="$n" 'BEGIN { if (r > 0) printf "%.1f", 1e6 * c / r / n; else print "-" }')
      cpu_row="$cpu_row| $tp | $rate | $uc (${cpu_n[callsim]}) | $us (${cpu_n[sipp]}) | $(awk -v a="$uc" -v b="$us" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.2f", a / b; else print "-" }') | $allok |
"
    done
  done
  {
    echo
    echo "CPU per call, mean over the runs that passed (their number in brackets):"
    echo
    echo "| transport | rate | callsim us/call | SIPp us/call | ratio | every run passed |"
    echo "|---|---|---|---|---|---|"
    printf "%s" "$cpu_row"
  } >>"$OUT"
fi
echo >>"$OUT"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT"
[ "$HELD_RATE" = 0 ] && exit 0 # HELD_RATE=0: no held-calls run
{
  echo
  echo "Held 30-second calls over UDP ($HELD_RATE calls/s for 30 s):"
  echo
  echo "| tool | calls held | result | peak RSS | RSS of 10 calls | per held call |"
  echo "|---|---|---|---|---|---|"
} >>"$OUT"
n=$((HELD_RATE * 30))
for tool in callsim sipp; do
  start_uas udp
  set -- $(run_tool "$tool" udp 10 10 0)
  base=$3
  stop_uas
  start_uas udp
  set -- $(run_tool "$tool" udp "$HELD_RATE" "$n" 30)
  stop_uas
  held=$n
  if [ "$tool" = callsim ]; then held=$(grep -o '"max_concurrent": [0-9]*' "$tmp/r.json" | awk '{print $2}'); fi
  echo "| $tool | $held | $1 | $(($3 / 1024)) MB | $((base / 1024)) MB | $(awk "BEGIN{printf \"%.1f KB\", ($3-$base)/$held}") |" >>"$OUT"
done
