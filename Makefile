# dwt quick start:
#   make run    install what is missing, build, start the engine on its
#               embedded LMDB default (config/dwt.example.toml)
#   make test   install what is missing, build, run every test with ctest
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# Debug information of the RelWithDebInfo build: -g1 (line tables: symbolised
# stacks and file:line in gdb, no local variables) compiles about a fifth
# faster than CMake's default -g; `make test DEBUG_INFO=-g` for full
# debug information. The code generated is the same (GCC's -g never changes it).
DEBUG_INFO ?= -g1

.PHONY: deps configure build test test-fast bench run asan tsan clean format format-check

deps:
	@bash scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 $(DEBUG_INFO) -DNDEBUG" $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 600

# Unit and integration tests only, without the benchmark smoke runs.
test-fast: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -LE bench

bench: build
	bash scripts/run-benchmarks.sh $(BUILD_DIR)

run: build
	bash scripts/run-server.sh $(BUILD_DIR)

# Sanitizer builds: -Og optimises enough to keep the suites fast under the
# sanitizers' slowdown and compiles in about 60 % of -O1's CPU time (code
# generation is ~80 % of a unity batch's compile; docs/RELIABILITY.md),
# -g1 keeps stacks symbolised and compiles and links faster than -g.
# DWT_TEST_TIME_SCALE stretches the tests' wait caps (tests/common/time_scale.hpp).
SAN_CMAKE = -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-Og -g1" -DDWT_BUILD_BENCH=OFF

# The whole suite (every test, incl. the black-box tests that spawn the
# instrumented dwt-server) under ASan+UBSan, leak checking on; CI runs it.
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 DWT_TEST_TIME_SCALE=3
asan: deps
	cmake -S . -B build-asan $(SAN_CMAKE) -DDWT_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS)
	$(ASAN_ENV) ctest --test-dir build-asan --output-on-failure -j $(JOBS) --timeout 900

# The whole suite under ThreadSanitizer (every test, incl. the actor,
# server and black-box suites and the instrumented dwt-server); CI runs it.
# Debian's libcaf_core is not instrumented: a DWT_TSAN build links
# tests/sanitizers/tsan_caf_annotations.cpp into every executable so TSan
# sees CAF's message and scheduling hand-overs (docs/RELIABILITY.md,
# Sanitizers); tests/sanitizers/tsan.supp lists what is left, library-only.
# GCC's -Wtsan fires inside Asio's headers, so warnings are not errors here.
TSAN_CMAKE = $(SAN_CMAKE) -DDWT_TSAN=ON -DDWT_WERROR=OFF
TSAN_ENV = TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/sanitizers/tsan.supp" \
  DWT_TEST_TIME_SCALE=10
tsan: deps
	cmake -S . -B build-tsan $(TSAN_CMAKE) $(CMAKE_FLAGS)
	cmake --build build-tsan -j $(JOBS)
	$(TSAN_ENV) ctest --test-dir build-tsan --output-on-failure -j $(JOBS) --timeout 900

format:
	git ls-files '*.hpp' '*.cpp' | xargs clang-format -i

# Fails, naming the files, when a source file differs from .clang-format's
# layout (CI runs it; `make format` fixes them).
format-check:
	@command -v clang-format >/dev/null || bash scripts/install-deps.sh
	git ls-files '*.hpp' '*.cpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan

# libFuzzer targets of tests/fuzz/ (clang-14, build-fuzz/): FUZZ_SECONDS per target.
.PHONY: fuzz
fuzz:
	bash scripts/fuzz.sh $(or $(FUZZ_SECONDS),30)
