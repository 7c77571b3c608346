# dwt quick start:
#   make run    install what is missing, build, start the engine on its
#               embedded LMDB default (config/dwt.example.toml)
#   make test   install what is missing, build, run every test with ctest
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps configure build test test-fast bench run asan tsan clean format

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

tsan:
	$(MAKE) test BUILD_DIR=build-tsan BUILD_TYPE=Debug CMAKE_FLAGS="-DDWT_TSAN=ON -DDWT_BUILD_BENCH=OFF"

format:
	git ls-files '*.hpp' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan

# libFuzzer targets of tests/fuzz/ (clang-14, build-fuzz/): FUZZ_SECONDS per target.
.PHONY: fuzz
fuzz:
	bash scripts/fuzz.sh $(or $(FUZZ_SECONDS),30)
