#!/usr/bin/env bash
# Starts dwt-server on config/dwt.example.toml (listen 127.0.0.1:8080, data
# in var/). Used by `make run`.
set -euo pipefail
build_dir="${1:-build}"
cd "$(dirname "$0")/.."
server="$build_dir/dwt-server"
if [ ! -x "$server" ]; then
  echo "run-server: $server is not built yet: the HTTP server (issue 5) does not exist in this tree." >&2
  echo "run-server: what exists is the engine core${DWT_EXTRA_MODULES:+ and $DWT_EXTRA_MODULES}; run 'make test' to exercise it." >&2
  exit 1
fi
mkdir -p var
exec "$server" --config config/dwt.example.toml "${@:2}"
