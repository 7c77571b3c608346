#!/usr/bin/env bash
# Where one push provisioning spends the machine's CPU (bench/README.md,
# "Where the time goes now"). Starts a no-op webhook receiver and
# dwt-server (the example config, durability sync, max_requests_in_flight
# 256, webhooks to the receiver, a fresh data directory), drives it with
# `dwt-load --scenario provision --mode closed --connections 64`, and over a
# window in the middle of the run prints:
#   - CPU µs per request of each server thread (utime+stime from
#     /proc/<pid>/task/*/stat), of the whole server, of dwt-load and of the
#     receiver, and the server's CPU divided by dwt-load's: dwt-load does a
#     fixed amount of work per request, so the ratio takes out most of this
#     shared VM's drift between runs;
#   - context switches per request by thread;
#   - group commits per second, units per commit, commit latency (/metrics);
#   - how busy the machine was, and the whole machine's CPU per request;
#   - the server's RssAnon and VmHWM at the end.
#
# MEASURE=instructions instead runs the server under callgrind (valgrind)
# and prints the instructions one push costs in the server's user space,
# all threads: the counters are zeroed before and dumped after a 5 s and a
# 15 s closed run (16 connections, after a 5 s warm-up), and the figure is
# (long - short) / (pushes long - pushes short), so set-up costs cancel.
# Unlike CPU time it does not drift with the VM (repeat runs agree within
# ~1 %), but it counts no kernel time, no waiting and no cache misses, and
# valgrind runs code paths of its own CPU model (OpenSSL's SHA-256 without
# the SHA extensions, so HMAC weighs more than natively).
#
# Usage: bench/cpu-per-push.sh           (Release build in build-load)
# Environment:
#   MEASURE     cpu (default) | instructions
#   BUILD       build directory with dwt-server, dwt-load, dwt-noop-server
#   SERVER      the server binary to measure (default $BUILD/dwt-server)
#   PRELOAD     library LD_PRELOADed into the server only (e.g. an allocator)
#   CONFIG_SED  one more sed expression applied to the example config
#   WEBHOOKS    1 (default) deliver webhooks; 0 no endpoint configured
#   WARMUP      closed 10 s runs before the measured one (default 0)
#   DURATION    seconds of the measured dwt-load run (default 12)
#   WINDOW      seconds measured, starting SETTLE s into it (defaults 4, 4)
#   PERF        none (default) | record (perf record -F 1999) |
#               dwarf (call graphs) | malloc (call graphs of malloc calls:
#               needs `perf probe -x <libc> malloc` once)
#   KEEP_DATA   1 keeps the run's LMDB data directory (deleted by default)
# Output files stay in the printed directory (perf.data, load.json, logs);
# delete it when done: a perf.data of a dwarf run is hundreds of MB.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/bench-config.sh
source "$root/bench/bench-config.sh"
BUILD=${BUILD:-$root/build-load}
SERVER=${SERVER:-$BUILD/dwt-server}
DURATION=${DURATION:-12}
WINDOW=${WINDOW:-4}
SETTLE=${SETTLE:-4}
WEBHOOKS=${WEBHOOKS:-1}
WARMUP=${WARMUP:-0}
PERF=${PERF:-none}
MEASURE=${MEASURE:-cpu}
for bin in "$SERVER" "$BUILD/dwt-load" "$BUILD/dwt-noop-server"; do
  [[ -x $bin ]] || { echo "cpu-per-push: $bin not built" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "cpu-per-push: needs curl" >&2; exit 2; }

out=$(mktemp -d "${TMPDIR:-/tmp}/cpu-per-push.XXXX")
port=$((20000 + RANDOM % 20000))
hook_port=$((port + 1))
pids=()
# The LMDB file (hundreds of MB after a run) goes with the run; the logs and
# profiles stay in $out for reading. KEEP_DATA=1 keeps the database too.
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  [[ ${KEEP_DATA:-0} == 1 ]] || rm -rf "$out/data"
}
trap cleanup EXIT

"$BUILD/dwt-noop-server" --listen "127.0.0.1:$hook_port" >"$out/hooks.log" 2>&1 &
hook_pid=$!
pids+=("$hook_pid")

bench_config "$root/config/dwt.example.toml" "$out/dwt.toml" "$hook_port" "$out/sms.jsonl" 256 \
  "${CONFIG_SED:-}"
if [[ $WEBHOOKS == 0 ]]; then
  bench_config_without_webhooks "$out/dwt.toml" "$out/dwt-nohook.toml"
  mv "$out/dwt-nohook.toml" "$out/dwt.toml"
fi
wrapper=()
if [[ $MEASURE == instructions ]]; then
  command -v callgrind_control >/dev/null || { echo "cpu-per-push: needs valgrind" >&2; exit 2; }
  wrapper=(valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" --dump-instr=no
           --compress-strings=no --compress-pos=no)
fi
${PRELOAD:+env LD_PRELOAD=$PRELOAD} "${wrapper[@]}" "$SERVER" --config "$out/dwt.toml" \
  --listen "127.0.0.1:$port" --data-dir "$out/data" >"$out/dwt.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 600); do grep -q "listening on" "$out/dwt.log" && break; sleep 0.1; done
grep -q "listening on" "$out/dwt.log" || { cat "$out/dwt.log" >&2; exit 1; }

metric() { curl -s "127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
connections=64
verify=--verify
load() { # seconds seed report; execs, so call it in a subshell or in the background
  exec "$BUILD/dwt-load" --target "127.0.0.1:$port" --scenario provision --mode closed \
    --connections "$connections" --duration "$1" --seed "$2" --setup-cards 100 \
    --tokens-per-card 24 "$verify" --sms-file "$out/sms.jsonl" --out "$out/$3.json" \
    >"$out/$3.txt" 2>&1
}
drain() { # until every webhook is delivered, so that a run's deliveries count in it
  for _ in $(seq 600); do [[ $(metric dwt_outbox_pending) == 0 ]] && break; sleep 0.1; done
}

if [[ $MEASURE == instructions ]]; then
  connections=16
  verify=--no-verify # the read-back would add a GET per push to the count
  pushes() { awk '$1 == "push_provision" {print $5}' "$out/$1.txt"; }
  instructions() { awk '/^(summary|totals):/ {v = $2} END {print v}' "$1"; }
  (load 5 7 warmup) || true
  drain
  for run in short:5:8 long:15:9; do
    IFS=: read -r name seconds seed <<<"$run"
    callgrind_control -z "$server_pid" >/dev/null 2>&1
    (load "$seconds" "$seed" "$name") || true
    drain
    callgrind_control -d "$name" "$server_pid" >/dev/null 2>&1
    sleep 1
  done
  short_file=$(ls -tr "$out"/callgrind.out.* | sed -n 1p)
  long_file=$(ls -tr "$out"/callgrind.out.* | sed -n 2p)
  awk -v ps="$(pushes short)" -v pl="$(pushes long)" -v is="$(instructions "$short_file")" \
      -v il="$(instructions "$long_file")" 'BEGIN {
    printf "short run: %d pushes, %.0f instructions; long run: %d pushes, %.0f instructions\n",
      ps, is, pl, il
    printf "instructions per push (server, user space, all threads): %.0f\n", (il - is) / (pl - ps) }'
  echo "profiles: $short_file $long_file"
  exit 0
fi
for k in $(seq "$WARMUP"); do
  (load 10 $((100 + k)) "warmup$k") || true
  drain # the measured run starts with no webhook backlog
done
load "$DURATION" 7 load &
load_pid=$!
pids+=("$load_pid")
sleep "$SETTLE"

requests() { curl -s "127.0.0.1:$port/metrics" | awk '/^dwt_http_requests_total/ {s += $2} END {print s + 0}'; }
thread_ticks() { # "name ticks" per thread name, summed
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
thread_switches() {
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm")" \
      "$(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status")"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
machine() { awk '/^cpu / {print $2 + $3 + $4 + $6 + $7 + $8, $5}' /proc/stat; }
commit_stats() {
  curl -s "127.0.0.1:$port/metrics" | awk '/^dwt_checkpointer_batches_total/ {b = $2}
    /^dwt_checkpointer_units_total/ {u = $2}
    /^dwt_checkpointer_commit_latency_seconds_sum/ {l = $2} END {print b, u, l}'
}

c0=$(commit_stats); r0=$(requests); m0=$(machine); q0=$(metric dwt_outbox_pending)
thread_ticks "$server_pid" >"$out/ticks0"; thread_switches "$server_pid" >"$out/cs0"
s0=$(process_ticks "$server_pid"); l0=$(process_ticks "$load_pid"); h0=$(process_ticks "$hook_pid")
case $PERF in
  none) sleep "$WINDOW" ;;
  record) perf record -F 1999 -p "$server_pid" -o "$out/perf.data" -- sleep "$WINDOW" >/dev/null 2>&1 ;;
  dwarf) perf record -F 499 --call-graph dwarf,16384 -p "$server_pid" -o "$out/perf.data" \
           -- sleep "$WINDOW" >/dev/null 2>&1 ;;
  malloc) perf record -e probe_libc:malloc --call-graph dwarf,8192 -c 50 -p "$server_pid" \
            -o "$out/perf.data" -- sleep "$WINDOW" >/dev/null 2>&1 ;;
  *) echo "cpu-per-push: PERF=$PERF unknown" >&2; exit 2 ;;
esac
c1=$(commit_stats); r1=$(requests); m1=$(machine); q1=$(metric dwt_outbox_pending)
thread_ticks "$server_pid" >"$out/ticks1"; thread_switches "$server_pid" >"$out/cs1"
s1=$(process_ticks "$server_pid"); l1=$(process_ticks "$load_pid"); h1=$(process_ticks "$hook_pid")

n=$((r1 - r0)); ((n > 0)) || n=1
us_per_tick=$((1000000 / $(getconf CLK_TCK)))
echo "window: $n requests in ${WINDOW} s = $((n / WINDOW)) req/s"
# The webhook figures count only the deliveries made in the window: if the
# outbox grew, the webhooks fell behind and their cost per push is understated.
echo "  outbox pending ${q0:-?} -> ${q1:-?} events over the window (if it grew, the webhooks fell behind)"
echo "$c0 $c1" | awk -v w="$WINDOW" '{b = $4 - $1; u = $5 - $2; l = $6 - $3; if (b > 0)
  printf "  commits %d/s, units/commit %.1f, commit latency mean %.2f ms\n", b / w, u / b, 1000 * l / b}'
echo "CPU µs per request, by server thread:"
join "$out/ticks0" "$out/ticks1" | awk -v n="$n" -v t="$us_per_tick" \
  '{d = ($3 - $2) * t / n; if (d > 0) printf "  %-20s %6.1f\n", $1, d}'
echo "context switches per request, by server thread:"
join "$out/cs0" "$out/cs1" | awk -v n="$n" '{d = ($3 - $2) / n; if (d > 0.001) printf "  %-20s %6.2f\n", $1, d}'
awk -v s=$((s1 - s0)) -v l=$((l1 - l0)) -v h=$((h1 - h0)) -v n="$n" -v t="$us_per_tick" 'BEGIN {
  printf "server %.0f µs/req, dwt-load %.0f, receiver %.0f; server / dwt-load %.2f\n",
    s * t / n, l * t / n, h * t / n, (l > 0 ? s / l : 0) }'
echo "$m0 $m1" | awk -v n="$n" -v cores="$(nproc)" -v t="$us_per_tick" '{b = $3 - $1; i = $4 - $2;
  printf "machine busy %.0f %%, whole machine %.0f µs/req\n", 100 * b / (b + i), b * t / n }'
wait "$load_pid" || echo "dwt-load exited non-zero (see $out/load.txt)"
grep -E "push_provision" "$out/load.txt" | tail -1 || true
grep -E "RssAnon|VmHWM" "/proc/$server_pid/status" | tr -s ' \t' ' '
echo "files: $out"
