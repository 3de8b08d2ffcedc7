#!/usr/bin/env bash
# How many concurrent media calls (G.711, 50 packets per second each way) one
# machine sustains: callsim load against callsim target on 127.0.0.1, both
# with RTP (the target echoes each caller's stream), for increasing
# concurrency. Each step holds CONC calls for HOLD seconds (all started within
# RAMP seconds) and reads the caller's media figures from the JSON result.
# The callers owe CONC x 50 x HOLD packets. Two verdicts per step:
#   strict: every call completed, every packet sent (at least the packets
#           owed less one per call, the call's last 20 ms being cut by its
#           BYE), none lost (RFC 3550 lost = 0), no call with one-way or no
#           audio;
#   loose:  every call completed, at least 99% of the packets owed sent,
#           loss under 0.1%, no call with one-way or no audio.
# The steps go on while the loose verdict passes. The machine carries both
# ends of every call: 2 x CONC streams sent and received by each process.
# MUX=1 runs both ends with --rtp-mux (every call's RTP on a few shared
# ports, calls told apart by SSRC, batched with UDP_SEGMENT and UDP_GRO);
# the "unclaimed" column counts the datagrams the callers' shared ports got
# for no call (it is not in the verdicts: an echo still on its way at the
# hang-up of its call is one). The CPU column is both processes' user +
# system time over the step divided by its wall time (cores).
# Every run is bounded in calls and time; only processes started here are
# killed, by PID. Usage: [MUX=1] [STEPS="..."] bench/media/run.sh [out.md]
set -euo pipefail
cd "$(dirname "$0")/../.."

STEPS=${STEPS:-"100 250 500 1000 1500 2000 3000"}
HOLD=${HOLD:-20}
RAMP=${RAMP:-5}
OUT=${1:-/dev/stdout}
MUXFLAG=""
MODE="a port per call"
if [ "${MUX:-0}" = 1 ]; then MUXFLAG="--rtp-mux"; MODE="shared ports (--rtp-mux) at both ends"; fi

tmp=$(mktemp -d)
tgt_pid=""
cleanup() { [ -n "$tgt_pid" ] && kill "$tgt_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
# CALLSIM=path measures that binary instead of a build of this tree.
if [ -n "${CALLSIM:-}" ]; then cp "$CALLSIM" "$tmp/callsim"; else go build -o "$tmp/callsim" ./cmd/callsim; fi

# tgt_ticks: the target's CPU so far (clock ticks); child_secs FILE: the CPU
# of this shell's finished children (the load runs) in seconds, from the
# output of times (run in this shell, not in a $(...) subshell).
tgt_ticks() { awk '{ print $14 + $15 }' "/proc/$tgt_pid/stat"; }
child_secs() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }

max_steps=$(echo $STEPS | tr ' ' '\n' | sort -n | tail -1)
"$tmp/callsim" target --listen udp:127.0.0.1:0 --agents $((max_steps + 10)) --handle 1h \
  --rtp-ports 40000-59999 --early-media silence --duration 1h $MUXFLAG >"$tmp/target.out" 2>"$tmp/target.err" &
tgt_pid=$!
for _ in $(seq 1 50); do grep -q listening "$tmp/target.err" && break; sleep 0.1; done
addr=$(grep -o 'udp:127.0.0.1:[0-9]*' "$tmp/target.err" | head -1 | sed 's/^udp://')
[ -n "$addr" ] || { echo "target did not start:" >&2; cat "$tmp/target.err" >&2; exit 1; }

{
  echo "| concurrent calls | completed | packets sent (of those owed) | received | lost | loss | MOS p5 | jitter p99 (ms) | longest gap p99 (ms) | one-way / no audio | sender late slots | unclaimed | CPU (cores) | strict: all sent, 0 lost | loose: >= 99% sent, loss < 0.1% |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$tmp/table.md"
best=0
best_strict=0
for c in $STEPS; do
  rate=$(( (c + RAMP - 1) / RAMP ))
  t0=$(date +%s.%N); tc0=$(tgt_ticks); times >"$tmp/times0"
  "$tmp/callsim" load "sip:support@$addr" --rate "$rate" --max-calls "$c" --hold "${HOLD}s" --duration 10m \
    --rtp-ports 10000-29999 $MUXFLAG --json "$tmp/r.json" >"$tmp/load.out" 2>&1 || true
  times >"$tmp/times1"; lc0=$(child_secs "$tmp/times0"); lc1=$(child_secs "$tmp/times1")
  cores=$(awk -v t0="$t0" -v t1="$(date +%s.%N)" -v a="$tc0" -v b="$(tgt_ticks)" -v l0="$lc0" -v l1="$lc1" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f", ((b - a) / hz + l1 - l0) / (t1 - t0) }')
  [ -s "$tmp/r.json" ] || { echo "load at $c failed:" >&2; cat "$tmp/load.out" >&2; break; }
  read -r completed sent recv lost mos5 jit99 gap99 oneway noaudio late unclaimed < <(jq -r \
    '[.completed, .media.packets_sent, .media.packets_received, .media.packets_lost, .media.mos.p5, .media.jitter_ms.p99, .media.max_gap_ms.p99, .media.one_way_audio, .media.no_audio, .media.scheduler_late, (.media.unclaimed // 0)] | @tsv' "$tmp/r.json")
  loss=$(awk -v l="$lost" -v r="$recv" 'BEGIN { e = l + r; printf "%.4f", (e > 0 ? 100 * l / e : 100) }')
  pace=$(awk -v s="$sent" -v n="$c" -v h="$HOLD" 'BEGIN { printf "%.1f", 100 * s / (n * 50 * h) }')
  ok=$(awk -v l="$loss" -v c="$completed" -v n="$c" -v o="$oneway" -v z="$noaudio" -v p="$pace" 'BEGIN { print (l < 0.1 && c == n && o == 0 && z == 0 && p >= 99) ? "pass" : "FAIL" }')
  strict=$(awk -v s="$sent" -v lo="$lost" -v c="$completed" -v n="$c" -v o="$oneway" -v z="$noaudio" -v h="$HOLD" 'BEGIN { print (lo == 0 && c == n && o == 0 && z == 0 && s >= n * (50 * h - 1)) ? "pass" : "FAIL" }')
  echo "| $c | $completed | $sent ($pace%) | $recv | $lost | $loss% | $mos5 | $jit99 | $gap99 | $oneway / $noaudio | $late | $unclaimed | $cores | $strict | $ok |" >>"$tmp/table.md"
  echo "step $c: strict $strict, loose $ok (sent $pace%, lost $lost, loss $loss%, MOS p5 $mos5, $cores cores)" >&2
  [ "$strict" = pass ] && [ "$best_strict" = "$best" ] && best_strict=$c
  rm -f "$tmp/r.json"
  [ "$ok" = pass ] || break
  best=$c
  sleep 2
done
{
  echo "callsim load against callsim target on 127.0.0.1, $MODE, $(nproc) cores, ${HOLD} s calls started over ${RAMP} s; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  cat "$tmp/table.md"
  echo
  echo "Highest concurrency passing strict (every packet sent, none lost): $best_strict calls; loose (>= 99% sent, loss under 0.1%): $best calls (each 50 packets/s each way)"
} >"$OUT"
