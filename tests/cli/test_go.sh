#!/usr/bin/env bash
# The Go binding as a user meets it: the C library installed into a prefix from the build of the
# cpol given as $1, found by pkg-config; `go test -race ./...` in bindings/go, where `go build`
# runs SWIG itself. Ends with "N passed, M failed" counted from `go test -v`.
# A missing Go toolchain or swig is a failure, not a skip: CI must run these tests.
set -u
CPOL=${1:?usage: test_go.sh CPOL}
CPOL=$(realpath "$CPOL")
fail() { echo "FAIL $1"; echo "0 passed, 1 failed"; exit 1; }

[[ -f bindings/go/go.mod ]] || fail "run from the repository root (ctest does)"
command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || fail "go not found: the Go binding needs the Go toolchain (>= 1.21)"
command -v swig >/dev/null || fail "swig not found (scripts/install-deps installs it)"
command -v gcc >/dev/null || command -v cc >/dev/null || fail "no C compiler for cgo"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$(dirname "$CPOL")" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "cmake --install into a temporary prefix"; }
pc=$(ls -d "$tmp"/prefix/lib*/pkgconfig "$tmp"/prefix/lib/*/pkgconfig 2>/dev/null | head -n 1)
[[ -f $pc/containerpolicy.pc ]] || fail "no containerpolicy.pc under $tmp/prefix"
libdir=$(dirname "$pc")
export PKG_CONFIG_PATH=$pc CGO_ENABLED=1 CGO_LDFLAGS="-Wl,-rpath,$libdir"
# everything is in the standard library: never reach for the network or another toolchain
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CPOL
[[ -n ${GOCACHE:-}${HOME:-}${XDG_CACHE_HOME:-} ]] || export GOCACHE=$tmp/gocache

cd bindings/go || fail "no bindings/go"
go test -race -count=1 -v ./... >"$tmp/go.log" 2>&1
rc=$?
grep -E '^(--- |ok |FAIL|panic:|# )|_test\.go:[0-9]+:' "$tmp/go.log"
passed=$(grep -c '^--- PASS' "$tmp/go.log")
failed=$(grep -c '^--- FAIL' "$tmp/go.log")
skipped=$(grep -c '^--- SKIP' "$tmp/go.log")
if ((rc != 0 && failed == 0)); then
    tail -n 40 "$tmp/go.log"
    failed=1
fi
if ((skipped)); then
    echo "FAIL $skipped test(s) skipped; none may be"
    failed=$((failed + skipped))
fi
echo "$passed passed, $failed failed"
((rc == 0 && failed == 0))
