#!/usr/bin/env bash
# Restart after kill -9 (the scale goal in bench/README.md: "ready in under 2 s at 10 million
# tokens"). For each round: starts `dwt-scale serve` on a filled store doing
# suspend/resume writes only (sync durability), SIGKILLs it mid-write after
# KILL_AFTER seconds, then times `dwt-scale restart` from launch to
# engine_host ready, first read and first durable write (verification
# deadlines are a durable index: nothing is re-armed at start).
#
# usage: scripts/restart-timing.sh DATA_DIR [ROUNDS=3] [KILL_AFTER_S=5]
# env:   DWT_SCALE=path/to/dwt-scale (default build-scale/bench/dwt-scale)
#        DROP_CACHE=1 evicts data.mdb from the page cache before each
#        restart (like a reboot; this file only, via posix_fadvise).
# Fill the store first: dwt-scale fill --data-dir DATA_DIR --tokens 10M
set -euo pipefail

dir=${1:?usage: restart-timing.sh DATA_DIR [ROUNDS] [KILL_AFTER_S]}
rounds=${2:-3}
kill_after=${3:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${DWT_SCALE:-$here/build-scale/bench/dwt-scale}
drop=()
[[ "${DROP_CACHE:-0}" == 1 ]] && drop=(--drop-cache)
[[ -x "$bin" ]] || { echo "no dwt-scale at $bin (build target dwt-scale)" >&2; exit 2; }
[[ -f "$dir/scale-manifest.txt" ]] || { echo "$dir is not a filled store" >&2; exit 2; }

echo "restart-timing: dir=$dir rounds=$rounds kill_after=${kill_after}s drop_cache=${DROP_CACHE:-0}"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ((r = 1; r <= rounds; r++)); do
  : >"$log"
  "$bin" serve --data-dir "$dir" --ops 1000000000 --read-pct 0 --toggle-pct 100 \
    --seed "$r" --quiet >"$log" 2>&1 &
  pid=$!
  # Wait (at most 60 s) until the engine runs, then let it write.
  for ((i = 0; i < 600; i++)); do
    grep -q "memory.after_start" "$log" && break
    kill -0 "$pid" 2>/dev/null || { echo "serve exited early:"; cat "$log"; exit 1; }
    sleep 0.1
  done
  sleep "$kill_after"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  echo "round $r: SIGKILLed serve (pid $pid) after ${kill_after}s of writes; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(date +%s%N)
  "$bin" restart --data-dir "$dir" --t0-ns "$t0" --seed "$r" "${drop[@]}" | grep -E "^restart.result|^memory.after_start"
  t1=$(date +%s%N)
  echo "round $r: restart process wall time $(((t1 - t0) / 1000000)) ms (includes a clean stop)"
done
