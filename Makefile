# The two commands a new user needs: `make demo` and `make test`. Everything else is CMake.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-asan test-tsan fuzz clean install bench

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory >/dev/null || cmake --build $(BUILD) -j 1

demo: build
	@echo "== cpol scan examples/ (findings at file:line:col, with a fix for each) =="
	@$(BUILD)/cpol scan examples/ --fail-on none

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite under ASan+UBSan (aborting on the first report). The Python and Go suites and
# the install test load the library into programs that are not built with ASan, so they run in
# `make test` only.
test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCPOL_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS) >/dev/null
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -E 'cli_test_(python|go|install)$$'

# The thread-safety test under ThreadSanitizer.
test-tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCPOL_TSAN=ON >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target test_threads >/dev/null
	@cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -R '^test_threads$$'

# libFuzzer targets (one per parser, the YAML loader, a whole scan) seeded from ../shared/corpus;
# FUZZ_SECONDS per target (default 60), FUZZ_TARGETS to pick some
fuzz:
	@scripts/install-deps --with-fuzz
	@scripts/fuzz

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz

# Performance figures (docs/performance.md): medians of interleaved runs over ../shared/corpus and
# a ten-times copy; not part of `make test` (slow, and timings belong to no assertion)
bench: build
	@python3 benchmarks/run.py --build $(BUILD) $(BENCH_ARGS)
