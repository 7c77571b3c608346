#!/usr/bin/env bash
# Runs every Google Benchmark binary of a build (used by `make bench`), then
# points at the HTTP load comparison (bench/run-baselines.sh), which starts
# servers and PostgreSQL and so is run on its own.
set -euo pipefail
build_dir="${1:-build}"
cd "$(dirname "$0")/.."
shopt -s nullglob
ran=0
for b in "$build_dir"/bench/dwt_bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.5
  ran=$((ran + 1))
done
if [ "$ran" -eq 0 ]; then
  echo "run-benchmarks: no benchmark binaries under $build_dir/bench (configure with -DDWT_BUILD_BENCH=ON)" >&2
  exit 1
fi
echo "HTTP end-to-end and baselines: bash bench/run-baselines.sh (see bench/README.md)"
