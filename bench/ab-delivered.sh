#!/usr/bin/env bash
# Delivered pushes per second of two dwt-server binaries, run alternately
# (A, B, A, B, ...) so that this VM's drift over minutes falls on both.
# Each run: a fresh data directory and no-op webhook receiver, the example
# config (bench-config.sh: durability sync, 256 admitted in flight), a 10 s
# closed dwt-load push provisioning run at 64 connections, then
# --await-zero dwt_outbox_pending: the figure is pushes / (measured time +
# the time the outbox took to drain), as in run-baselines.sh.
#
#   bench/ab-delivered.sh OLD_SERVER NEW_SERVER [PAIRS]   (default 3 pairs)
#
# Environment: BUILD (dwt-load and dwt-noop-server; default build-load),
# DURATION (10 s). Loopback only; every process it starts is stopped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/bench-config.sh
source "$root/bench/bench-config.sh"
BUILD=${BUILD:-$root/build-load}
DURATION=${DURATION:-10}
(($# >= 2)) || { sed -n '2,13p' "$0" >&2; exit 2; }
old=$1 new=$2 pairs=${3:-3}
for bin in "$old" "$new" "$BUILD/dwt-load" "$BUILD/dwt-noop-server"; do
  [[ -x $bin ]] || { echo "ab-delivered: $bin is not an executable" >&2; exit 2; }
done

pids=()
tmp=
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  [[ -z $tmp ]] || rm -rf "$tmp"
}
trap cleanup EXIT

# run_one SERVER LABEL: prints "LABEL: acknowledged/s delivered/s".
run_one() {
  local server=$1 label=$2 port hook_port
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/ab-delivered.XXXX")
  port=$((20000 + RANDOM % 20000))
  hook_port=$((port + 1))
  "$BUILD/dwt-noop-server" --listen "127.0.0.1:$hook_port" >"$tmp/hooks.log" 2>&1 &
  pids=($!)
  bench_config "$root/config/dwt.example.toml" "$tmp/dwt.toml" "$hook_port" "$tmp/sms.jsonl" 256
  "$server" --config "$tmp/dwt.toml" --listen "127.0.0.1:$port" --data-dir "$tmp/data" \
    >"$tmp/dwt.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -q "listening on" "$tmp/dwt.log" && break; sleep 0.1; done
  grep -q "listening on" "$tmp/dwt.log" || { cat "$tmp/dwt.log" >&2; exit 1; }
  "$BUILD/dwt-load" --target "127.0.0.1:$port" --scenario provision --mode closed \
    --connections 64 --duration "$DURATION" --seed 2 --setup-cards 80 --tokens-per-card 24 \
    --sms-file "$tmp/sms.jsonl" --no-verify --await-zero dwt_outbox_pending --await-timeout 120 \
    --out "$tmp/load.json" >"$tmp/load.txt" 2>&1 || { tail -5 "$tmp/load.txt" >&2; exit 1; }
  local acked delivered
  acked=$(grep -o '2xx [0-9]* ([0-9]*/s)' "$tmp/load.txt" | head -1 | grep -o '([0-9]*' | tr -d '(')
  delivered=$(awk '/^settled:/ {print $NF}' "$tmp/load.txt")
  printf '%-4s acknowledged %6s/s  delivered %6s/s   %s\n' "$label" "$acked" "$delivered" "$server"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  pids=()
  rm -rf "$tmp"
  tmp=
}

for _ in $(seq "$pairs"); do
  run_one "$old" A
  run_one "$new" B
done
