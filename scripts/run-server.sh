#!/usr/bin/env bash
# Starts dwt-server on config/dwt.example.toml (listen 127.0.0.1:8080, data
# and the development SMS sink in var/). Used by `make run`; extra arguments
# go to the server (e.g. --listen 127.0.0.1:0). The server prints
# `dwt-server listening on http://HOST:PORT` once it accepts requests;
# stop it with Ctrl-C (graceful).
set -euo pipefail
build_dir="${1:-build}"
cd "$(dirname "$0")/.."
server="$build_dir/dwt-server"
if [ ! -x "$server" ]; then
  echo "run-server: $server is not built; run 'make build' (or 'make run') first." >&2
  exit 1
fi
mkdir -p var
echo "run-server: starting $server --config config/dwt.example.toml (data in var/, SMS in var/sms.jsonl)" >&2
exec "$server" --config config/dwt.example.toml "${@:2}"
