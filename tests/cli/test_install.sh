#!/usr/bin/env bash
# The installed library is usable the two ways embedders link it: pkg-config and CMake's
# find_package. Installs the current build into a temporary prefix and builds a small program.
set -u
CPOL=${1:?usage: test_install.sh CPOL}
build=$(dirname "$CPOL")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null || { echo "FAIL install"; echo "0 passed, 1 failed"; exit 1; }
for f in include/containerpolicy.h lib/libcontainerpolicy.so lib/libcontainerpolicy.a bin/cpol \
         lib/pkgconfig/containerpolicy.pc lib/cmake/containerpolicy/containerpolicyConfig.cmake; do
    [[ -e $tmp/prefix/$f || -e $tmp/prefix/${f/lib\//lib/x86_64-linux-gnu/} ]] && ok || bad "installed $f"
done
cat > "$tmp/app.c" <<'C'
#include <containerpolicy.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    const char df[] = "FROM node:20\nUSER root\n";
    cpol_engine *e = cpol_engine_new(NULL);
    cpol_report *r = NULL;
    if (!e || cpol_engine_scan_buffer(e, "Dockerfile", df, strlen(df), CPOL_FORMAT_AUTO, &r))
        return 1;
    for (size_t i = 0; i < cpol_report_count(r); i++) {
        const cpol_finding *f = cpol_report_finding(r, i);
        if (strcmp(f->rule_id, "CP001") == 0)
            printf("%s:%u:%u %s\n", f->file, f->line, f->column, f->rule_id);
    }
    cpol_report_free(r);
    cpol_engine_free(e);
    return 0;
}
C
libdir=$(ls -d "$tmp"/prefix/lib*/pkgconfig | head -n 1)
export PKG_CONFIG_PATH=$libdir
if cc -std=c11 -Wall -Werror "$tmp/app.c" -o "$tmp/app" $(pkg-config --cflags --libs containerpolicy) \
    -Wl,-rpath,"$(dirname "$libdir")" && [[ $("$tmp/app") == "Dockerfile:2:6 CP001" ]]; then ok; else bad "pkg-config build"; fi
mkdir -p "$tmp/cm"
cat > "$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(app C)
find_package(containerpolicy REQUIRED)
add_executable(app ../app.c)
target_link_libraries(app PRIVATE containerpolicy::containerpolicy)
CM
if cmake -S "$tmp/cm" -B "$tmp/cm/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null &&
    cmake --build "$tmp/cm/b" >/dev/null && [[ $("$tmp/cm/b/app") == "Dockerfile:2:6 CP001" ]]; then ok; else bad "find_package build"; fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
