# dwt quick start:
#   make run    install what is missing, build, start the engine on its
#               embedded LMDB default (config/dwt.example.toml)
#   make test   install what is missing, build, run every test with ctest
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps configure build test test-fast bench run asan asan-core tsan clean format

deps:
	@bash scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

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

asan:
	$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DDWT_SANITIZE=ON -DDWT_BUILD_BENCH=OFF"

# GCC's -Wtsan fires inside Asio's headers, so warnings are not errors here.
tsan:
	$(MAKE) test BUILD_DIR=build-tsan BUILD_TYPE=Debug CMAKE_FLAGS="-DDWT_TSAN=ON -DDWT_WERROR=OFF -DDWT_BUILD_BENCH=OFF"

# The core suites (engine, persistence, config, HTTP ingress, outbound) under
# ASan+UBSan: what CI runs on every submission next to `make test`, because
# the whole suite under both sanitizers does not fit CI's time budget.
ASAN_CORE_SUITES = dwt_engine_tests dwt_persistence_tests dwt_config_tests dwt_http_tests dwt_outbound_tests
asan-core: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDWT_SANITIZE=ON -DDWT_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS) --target $(ASAN_CORE_SUITES) dwt_persistence_crash_child
	set -e; for t in $(ASAN_CORE_SUITES); do echo "== $$t (ASan+UBSan)"; \
	  DWT_TEST_BINARY_DIR=$(CURDIR)/build-asan/tests build-asan/tests/$$t --gtest_brief=1; done

format:
	git ls-files '*.hpp' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan

# libFuzzer targets of tests/fuzz/ (clang-14, build-fuzz/): FUZZ_SECONDS per target.
.PHONY: fuzz
fuzz:
	bash scripts/fuzz.sh $(or $(FUZZ_SECONDS),30)
