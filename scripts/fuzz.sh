#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/ (issue #8).
#
#   scripts/fuzz.sh [seconds-per-target]      (default 30)
#
# Installs clang-14 and its runtimes if missing, configures build-fuzz with
# clang and -DDWT_FUZZ=ON, builds the targets, fuzzes each for the given
# time starting from tests/fuzz/corpus/<target>/ (new inputs go to
# build-fuzz/fuzz-corpus/<target>/, the committed seeds stay small), and
# copies every crash, leak or timeout into tests/fuzz/regressions/<target>/,
# where the ordinary test suite replays it. Exits non-zero if any target
# crashed. Env: BUILD_DIR (build-fuzz), JOBS (2), FUZZ_TARGETS (all),
# FUZZ_FLAGS (extra libFuzzer flags).
set -uo pipefail

seconds="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build-fuzz}"
jobs="${JOBS:-2}"
fuzz_dir="$root/tests/fuzz"

if ! command -v clang++-14 >/dev/null 2>&1 ||
   ! compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "fuzz: installing clang-14 and its runtimes"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev ||
    { echo "fuzz: cannot install clang-14" >&2; exit 2; }
fi
bash "$root/scripts/install-deps.sh" || exit 2

mkdir -p "$build"
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDWT_FUZZ=ON -DDWT_BUILD_BENCH=OFF >"$build/fuzz-configure.log" 2>&1 ||
  { cat "$build/fuzz-configure.log" >&2; echo "fuzz: configure failed" >&2; exit 2; }

targets="${FUZZ_TARGETS:-}"
if [ -z "$targets" ]; then
  targets="$(cd "$fuzz_dir" && ls fuzz_*.cpp | sed 's/^fuzz_//; s/\.cpp$//' | tr '\n' ' ')"
fi
build_targets=()
for t in $targets; do build_targets+=("dwt_fuzz_$t"); done
cmake --build "$build" -j "$jobs" --target "${build_targets[@]}" || { echo "fuzz: build failed" >&2; exit 2; }

failed=()
summary=()
for t in $targets; do
  bin="$build/tests/fuzz/dwt_fuzz_$t"
  work="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  regress="$fuzz_dir/regressions/$t"
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts" "$regress"
  log="$build/fuzz-$t.log"
  echo "fuzz: $t for ${seconds}s (log $log)"
  # -close_fd_mask=1 keeps the target's stdout out of the log; stderr stays.
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} \
    "$work" "$fuzz_dir/corpus/$t" "$regress" >"$log" 2>&1
  rc=$?
  execs="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)"
  summary+=("$t: rc=$rc executions=${execs:-?} seconds=$seconds")
  shopt -s nullglob
  found=("$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*)
  shopt -u nullglob
  for f in "${found[@]}"; do
    cp -n "$f" "$regress/"
    echo "fuzz: $t: kept $(basename "$f") in tests/fuzz/regressions/$t/"
  done
  if [ "$rc" -ne 0 ] || [ "${#found[@]}" -ne 0 ]; then
    failed+=("$t")
    grep -E -m 20 'ERROR|SUMMARY|fuzz property failed|runtime error' "$log" >&2
  fi
done

printf 'fuzz: %s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crashes"
