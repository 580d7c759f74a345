# The two commands a new user needs: `make demo` and `make test`. Everything else is CMake.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-asan fuzz clean install

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

test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCPOL_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS) >/dev/null
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# libFuzzer targets seeded from ../shared/corpus; FUZZ_SECONDS per target (default 60)
fuzz:
	@scripts/install-deps --with-fuzz
	@scripts/fuzz

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
