# shellcheck shell=bash
# Sourced by bench/run-baselines.sh and bench/cpu-per-push.sh: the example
# configuration rewritten for a benchmark run, written once so that both
# measure the same server set-up. Each function checks its edits took and
# returns non-zero (with a message on stderr) if one did not.

# bench_config EXAMPLE OUT HOOK_PORT SMS_PATH MAX_IN_FLIGHT [SED_EXPR]
# The example config on loopback: webhooks to 127.0.0.1:HOOK_PORT, the SMS
# file sink at SMS_PATH, durability sync, max_requests_in_flight, and one
# more optional sed expression.
# Push provisioning counts toward the per-card velocity limit (issue #20:
# the network path's rules), and the whole-server benches push 24 tokens per
# card (dwt-load --tokens-per-card 24, as in every earlier figure); the
# example's 10 requests per card per hour would refuse the 11th. The limit
# is raised so that the benches keep measuring accepted pushes.
bench_velocity_limit=1000

bench_config() {
  local example=$1 out=$2 hook_port=$3 sms_path=$4 max_in_flight=$5 extra=${6:-}
  local more=()
  [[ -n $extra ]] && more=(-e "$extra") # one argument, spaces and all
  sed -e "s|http://127.0.0.1:8081/webhooks|http://127.0.0.1:$hook_port/webhooks|" \
      -e "s|^path = \"var/sms.jsonl\"|path = \"$sms_path\"|" \
      -e "s|^durability = .*|durability = \"sync\"|" \
      -e "s|^max_requests_in_flight = [0-9]*|max_requests_in_flight = $max_in_flight|" \
      -e "s|^max_requests_per_card = [0-9]*|max_requests_per_card = $bench_velocity_limit|" \
      "${more[@]}" "$example" >"$out"
  grep -q "path = \"$sms_path\"" "$out" ||
    { echo "bench_config: could not set the SMS sink path" >&2; return 1; }
  grep -q "max_requests_per_card = $bench_velocity_limit" "$out" ||
    { echo "bench_config: could not set the velocity limit" >&2; return 1; }
  grep -q "max_requests_in_flight = $max_in_flight" "$out" ||
    { echo "bench_config: could not set max_requests_in_flight" >&2; return 1; }
  grep -q "http://127.0.0.1:$hook_port/webhooks" "$out" ||
    { echo "bench_config: could not set the webhook endpoint" >&2; return 1; }
}

# bench_config_without_webhooks IN OUT: the same configuration with no
# webhook endpoint (events are feed-only: written, never pending delivery).
bench_config_without_webhooks() {
  sed -e '/^\[partners.webhook\]/d' -e '/^url = "http:\/\/127.0.0.1:[0-9]*\/webhooks"/d' \
      -e '/^secret = "whsec_/d' "$1" >"$2"
  ! grep -q "^\[partners.webhook\]\|^secret = \"whsec_" "$2" ||
    { echo "bench_config: could not remove the webhook endpoint" >&2; return 1; }
}
