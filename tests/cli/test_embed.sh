#!/usr/bin/env bash
# Embedding: examples/c builds against the installed library both ways (its Makefile through
# pkg-config, its CMakeLists.txt through find_package) and gives the same findings; the header
# compiles alone as C11 and C++ with -pedantic -Werror; the shared library exports exactly the
# CPOL_API functions of the header (all named cpol_*); docs/c-api.md names every one of them.
set -u
CPOL=${1:?usage: test_embed.sh CPOL}
build=$(cd "$(dirname "$CPOL")" && pwd)
src=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name, expected, actual
    if [[ "$2" == "$3" ]]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"; fi
}

# --- the public functions, from the header: every `CPOL_API ... cpol_x(` declaration
api=$(grep -o 'CPOL_API[^(]*\bcpol_[a-z0-9_]*(' include/containerpolicy.h |
    grep -o 'cpol_[a-z0-9_]*($' | tr -d '(' | sort)
check "header declares functions" 1 "$([[ $(wc -l <<<"$api") -ge 40 ]] && echo 1)"

# --- docs/c-api.md names every one (as `name(` or `name`)
missing=$(for f in $api; do grep -q "\b$f\b" docs/c-api.md || echo "$f"; done)
check "docs/c-api.md covers the header" "" "$missing"

# --- exports: only cpol_*, and exactly the header's functions
so=$build/libcontainerpolicy.so
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TtDdBbRrVvWwi]$/ {print $3}' | sort)
check "exports are all cpol_" "" "$(grep -v '^cpol_' <<<"$exported")"
check "exports = header API" "$api" "$(grep '^cpol_' <<<"$exported")"

# --- the header alone, as C11 and as C++, pedantic, warnings as errors
printf '#include "containerpolicy.h"\nint cpol_header_ok;\n' >"$tmp/h.c"
if cc -std=c11 -pedantic -Wall -Wextra -Werror -Wstrict-prototypes -Iinclude -c "$tmp/h.c" \
    -o "$tmp/h.o" 2>"$tmp/err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL header as C11"; cat "$tmp/err"; fi
if cc -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/h.c" -o "$tmp/h.o" 2>"$tmp/err"
then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL header as C99"; cat "$tmp/err"; fi
if command -v c++ >/dev/null; then
    for std in c++11 c++17; do
        if c++ -x c++ -std=$std -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/h.c" \
            -o "$tmp/h.o" 2>"$tmp/err"; then pass=$((pass + 1)); else
            fail=$((fail + 1)); echo "FAIL header as $std"; cat "$tmp/err"; fi
    done
else
    echo "SKIP header as C++: no c++ compiler"
fi

# --- examples/c against an installed copy, both ways
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null || { echo "FAIL install"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }
pcdir=$(ls -d "$tmp"/prefix/lib*/pkgconfig "$tmp"/prefix/lib/*/pkgconfig 2>/dev/null | head -n 1)
libdir=$(dirname "$pcdir")
# a sanitizer build's library needs the sanitizer runtime in the program too
san=""
grep -q '^CPOL_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && san="-fsanitize=address,undefined"
cp -r examples/c "$tmp/ex"
rm -f "$tmp/ex/scan_buffer"
# our rule's finding in full; of the built-in rule's only where and which (its wording is its own)
want="Dockerfile:1:6: low ACME001 image node:20 is from docker.io
Dockerfile:2:6: high CP001"
findings() { grep -E 'ACME001|CP001' | sed -E 's/^(.* CP001) .*/\1/'; }
if PKG_CONFIG_PATH=$pcdir make -s -C "$tmp/ex" CFLAGS="-std=c11 -Wall -Wextra -pedantic -Werror $san" \
    LDFLAGS="-Wl,-rpath,$libdir $san" >"$tmp/err" 2>&1; then
    out=$("$tmp/ex/scan_buffer" 2>&1); rc=$?
    check "pkg-config build: findings" "$want" "$(findings <<<"$out")"
    check "pkg-config build: exit 1 on findings" 1 "$rc"
    # reads a file too, and the log callback gets cpol.log
    printf 'FROM registry.acme.example/node:20\nUSER node\n' >"$tmp/Dockerfile"
    out=$(SCAN_BUFFER_LOG=1 "$tmp/ex/scan_buffer" "$tmp/Dockerfile" 2>&1 | grep -E 'ACME001')
    check "log callback" "log ACME001 $tmp/Dockerfile:1: base image registry.acme.example/node:20" "$out"
else
    fail=$((fail + 1)); echo "FAIL pkg-config build"; cat "$tmp/err"
fi
rm -f "$tmp/ex/scan_buffer"
if cmake -S "$tmp/ex" -B "$tmp/ex/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_C_FLAGS="$san" >"$tmp/err" 2>&1 &&
    cmake --build "$tmp/ex/b" >>"$tmp/err" 2>&1; then
    out=$("$tmp/ex/b/scan_buffer" 2>&1)
    check "find_package build: findings" "$want" "$(findings <<<"$out")"
else
    fail=$((fail + 1)); echo "FAIL find_package build"; cat "$tmp/err"
fi
cd "$src" || exit 1

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
