#!/usr/bin/env bash
# CPU per request of the server, each request kind beside its baselines in
# ONE run (DESIGN §6; bench/README.md, "Issue #21: MDES authorizeService").
# Starts dwt-noop-server and one dwt-server (the example configuration with
# [networks.mdes] enabled on the development keys, durability sync,
# max_requests_in_flight 256, no webhook endpoint: outbox written, nothing
# delivered, a fresh data directory), then, in REPEAT interleaved rounds,
# drives each scenario with `dwt-load --mode closed` (or open loop at RATE) and, over a window in
# the middle of the measured phase, reads the CPU time (utime+stime,
# /proc/<pid>/stat) of the server and of dwt-load:
#   noop      GET / on the no-op Beast server (the HTTP ceiling)
#   push      --scenario provision: push provisioning (partner API)
#   tokenize  --scenario tokenize --network dwt: /network/v1
#             tokenization-requests, GREEN → APPROVED (no field-level encryption)
#   mdes      --scenario tokenize --network mdes: MDES authorizeService,
#             APPROVED, card data FLE-encrypted to the issuer (RSA-OAEP-SHA256
#             + AES-256-CBC; dwt-load encrypts once per card at set-up, the
#             server decrypts on every request)
# Each tokenize / mdes / push request makes one ACTIVE token (one durable
# write unit). Requests in a window are counted from dwt-server's
# /metrics (dwt_http_requests_total), the no-op server's from dwt-load's rate.
#
# Usage: bench/cpu-per-request.sh        (binaries of $BUILD, default build-load)
# Environment:
#   BUILD        build directory with dwt-server, dwt-load, dwt-noop-server
#   SERVER       the server binary (default $BUILD/dwt-server)
#   SCENARIOS    default "noop push tokenize mdes"
#   REPEAT       interleaved rounds (default 2); the summary takes medians
#   CONNECTIONS  dwt-load connections (default 32)
#   DURATION     seconds of each measured dwt-load run (default 8)
#   SETTLE       seconds into it before the window (default 3)
#   WINDOW       seconds measured (default 4)
#   SETUP_CARDS  cards per connection made before measuring (default 160:
#                24 tokens each, enough that no card is made while measured
#                up to ~15,000 req/s; the script warns when one was)
#   RATE         unset: closed loop (each connection back to back). A
#                number: open loop at RATE req/s for every scenario, so that
#                each is measured at the same rate (the group commit's batch
#                size, hence its cost per request, depends on the rate)
#   PERF         a scenario name: in round 1, its window also runs
#                `perf record -F 999 -p <server>` (perf-NAME.data in the
#                output directory; `perf report -i ... --no-children --sort dso`);
#                the sampling adds a little to that window's CPU figure
# Output files stay in the printed directory (each run's dwt-load report).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/bench-config.sh
source "$root/bench/bench-config.sh"
BUILD=${BUILD:-$root/build-load}
SERVER=${SERVER:-$BUILD/dwt-server}
SCENARIOS=${SCENARIOS:-"noop push tokenize mdes"}
REPEAT=${REPEAT:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-8}
SETTLE=${SETTLE:-3}
WINDOW=${WINDOW:-4}
SETUP_CARDS=${SETUP_CARDS:-160}
RATE=${RATE:-}
for bin in "$SERVER" "$BUILD/dwt-load" "$BUILD/dwt-noop-server"; do
  [[ -x $bin ]] || { echo "cpu-per-request: $bin not built" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "cpu-per-request: needs curl" >&2; exit 2; }
command -v jq >/dev/null || { echo "cpu-per-request: needs jq" >&2; exit 2; }
((SETTLE + WINDOW < DURATION)) || { echo "cpu-per-request: SETTLE + WINDOW must be < DURATION" >&2; exit 2; }

out=$(mktemp -d "${TMPDIR:-/tmp}/cpu-per-request.XXXX")
port=$((20000 + RANDOM % 20000))
noop_port=$((port + 1))
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$out/data"
}
trap cleanup EXIT

"$BUILD/dwt-noop-server" --listen "127.0.0.1:$noop_port" >"$out/noop.log" 2>&1 &
noop_pid=$!
pids+=("$noop_pid")

# The example config (MDES enabled, keys under config/dev/ relative to the
# repository root, where the server runs), without a webhook endpoint.
bench_config "$root/config/dwt.example.toml" "$out/with-hooks.toml" "$noop_port" "$out/sms.jsonl" 256
bench_config_without_webhooks "$out/with-hooks.toml" "$out/dwt.toml"
grep -q '^\[networks.mdes\]' "$out/dwt.toml" && grep -q '^enabled = true' "$out/dwt.toml" ||
  { echo "cpu-per-request: the example config does not enable [networks.mdes]" >&2; exit 1; }
(cd "$root" && exec "$SERVER" --config "$out/dwt.toml" --listen "127.0.0.1:$port" \
  --data-dir "$out/data" >"$out/dwt.log" 2>&1) &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 600); do grep -q "listening on" "$out/dwt.log" && break; sleep 0.1; done
grep -q "listening on" "$out/dwt.log" || { cat "$out/dwt.log" >&2; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
requests() { curl -s "127.0.0.1:$port/metrics" | awk '/^dwt_http_requests_total/ {s += $2} END {print s + 0}'; }
us_per_tick=$((1000000 / $(getconf CLK_TCK)))

# measure NAME ROUND INDEX: one dwt-load run, the window's figures appended
# to $out/results ("name round req/s server_us load_us"). The seed differs
# per run (INDEX: the scenario's place), so no two runs register the same
# PANs (a PAN is registered once per partner: a repeat is refused).
measure() {
  local name=$1 round=$2 index=$3 target=$port pid=$server_pid args=()
  case $name in
    noop) target=$noop_port pid=$noop_pid args=(--scenario get) ;;
    push) args=(--scenario provision) ;;
    tokenize) args=(--scenario tokenize --network dwt) ;;
    mdes) args=(--scenario tokenize --network mdes
                --mdes-issuer-key "$root/config/dev/mdes-issuer-fle.pub.pem") ;;
    *) echo "cpu-per-request: unknown scenario $name" >&2; exit 2 ;;
  esac
  local file="$out/$name-$round"
  local mode=(--mode closed)
  [[ -n $RATE ]] && mode=(--mode open --rate "$RATE")
  "$BUILD/dwt-load" --target "127.0.0.1:$target" "${mode[@]}" --connections "$CONNECTIONS" \
    --duration "$DURATION" --seed $((round * 100 + index)) --setup-cards "$SETUP_CARDS" \
    --tokens-per-card 24 "${args[@]}" --out "$file.json" --progress 60 >"$file.txt" 2>&1 &
  local load_pid=$!
  pids+=("$load_pid")
  # The measured phase starts after the set-up line (none for GET).
  if [[ $name != noop ]]; then
    for _ in $(seq 1200); do grep -qs "^setup:" "$file.txt" && break; sleep 0.05; done
  fi
  sleep "$SETTLE"
  local r0 s0 l0 r1 s1 l1 n perf_pid=
  if [[ ${PERF:-} == "$name" && $round == 1 ]]; then
    perf record -F 999 -p "$pid" -o "$out/perf-$name.data" -- sleep "$WINDOW" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  r0=$(requests); s0=$(ticks "$pid"); l0=$(ticks "$load_pid")
  sleep "$WINDOW"
  r1=$(requests); s1=$(ticks "$pid"); l1=$(ticks "$load_pid")
  [[ -n $perf_pid ]] && wait "$perf_pid"
  wait "$load_pid" || echo "cpu-per-request: dwt-load exited non-zero (see $file.txt)" >&2
  # Every request of the run must be of the scenario's kind (no card made
  # or refused while measuring), or the window mixed in other requests.
  if [[ $name != noop ]] && grep -qE "^  (create_profile|create_card) " "$file.txt"; then
    echo "cpu-per-request: $name made cards while measuring (raise SETUP_CARDS): $file.txt" >&2
  fi
  if [[ $name == noop ]]; then
    n=$(jq -r ".okPerS * $WINDOW | floor" "$file.json")
  else
    n=$((r1 - r0))
  fi
  ((n > 0)) || n=1
  awk -v name="$name" -v round="$round" -v n="$n" -v w="$WINDOW" -v s=$((s1 - s0)) \
      -v l=$((l1 - l0)) -v t="$us_per_tick" 'BEGIN {
    printf "%s %d %.0f %.1f %.1f\n", name, round, n / w, s * t / n, l * t / n }' >>"$out/results"
  printf '%-9s round %d: %s\n' "$name" "$round" "$(tail -1 "$out/results" | awk '{
    printf "%6d req/s, server %6.1f µs/req, dwt-load %5.1f µs/req", $3, $4, $5}')"
  grep -E "^verify:" "$file.txt" | sed 's/^/            /' || true
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $CONNECTIONS connections, ${RATE:-closed loop}${RATE:+ req/s open loop}, windows of ${WINDOW} s, $REPEAT rounds"
for round in $(seq "$REPEAT"); do
  index=0
  for name in $SCENARIOS; do
    index=$((index + 1))
    measure "$name" "$round" "$index"
  done
done
echo
echo "medians over the rounds (the run with the median server CPU, the lower middle one for an even REPEAT; ratio to the no-op server's):"
for name in $SCENARIOS; do
  awk -v name="$name" '$1 == name {print $3, $4, $5}' "$out/results" | sort -k2 -g |
    awk -v name="$name" '{r[NR] = $1; s[NR] = $2; l[NR] = $3} END {
      m = int((NR + 1) / 2); printf "%s %.0f %.1f %.1f\n", name, r[m], s[m], l[m] }'
done >"$out/medians"
noop_us=$(awk '$1 == "noop" {print $3}' "$out/medians")
printf '| %-9s | %8s | %12s | %9s | %14s |\n' scenario "req/s" "server µs" "÷ no-op" "dwt-load µs"
printf '|%s|%s|%s|%s|%s|\n' "-----------" "---------:" "-------------:" "----------:" "---------------:"
awk -v noop="${noop_us:-0}" '{
  printf "| %-9s | %8d | %12.1f | %9s | %14.1f |\n", $1, $2, $3,
    (noop > 0 ? sprintf("%.1f", $3 / noop) : "-"), $4 }' "$out/medians"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $out"
