#!/usr/bin/env bash
# End-to-end tests of `cpol`: exact rule ids, lines, columns and exit codes.
# Usage: test_scan.sh PATH/TO/cpol   (run from the repository root; ctest does this)
set -u
CPOL=${1:?usage: test_scan.sh CPOL}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name, expected, actual
    if [[ "$2" == "$3" ]]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
    fi
}

# findings as "rule:line:col" sorted, from JSON output
ids() { python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted("%s:%d:%d" % (f["rule_id"], f["line"], f["column"]) for f in d["findings"])))'; }

# --- the hardening guide's bad and good Dockerfiles -----------------------------------------
cat > "$tmp/Dockerfile" <<'DF'
FROM node:20
COPY . /app
CMD ["node", "/app/server.js"]
DF
out=$("$CPOL" scan --format json "$tmp/Dockerfile"); rc=$?
check "seed bad: exit code" 1 "$rc"
got=$(echo "$out" | ids)
check "seed bad: CP001 at the final FROM" "yes" "$([[ " $got " == *" CP001:1:1 "* ]] && echo yes || echo "no: $got")"
check "seed bad: CP002 at the image" "yes" "$([[ " $got " == *" CP002:1:6 "* ]] && echo yes || echo "no: $got")"

mkdir -p "$tmp/good"
cat > "$tmp/good/Dockerfile" <<'DF'
FROM node:20
RUN groupadd -r appuser && useradd -r -g appuser appuser
COPY --chown=appuser:appuser . /app
USER appuser
CMD ["node", "/app/server.js"]
DF
out=$("$CPOL" scan --format json "$tmp/good/Dockerfile")
got=$(echo "$out" | ids)
check "seed good: no CP001" "" "$(echo "$got" | tr ' ' '\n' | grep '^CP001' || true)"

cat > "$tmp/good/slim.Dockerfile" <<'DF'
FROM node:20-slim
USER node
DF
got=$("$CPOL" scan --format json "$tmp/good/slim.Dockerfile" | ids)
check "slim base: no CP001/CP002" "" "$(echo "$got" | tr ' ' '\n' | grep -E '^CP00[12]' || true)"

# --- text output reads like a compiler's ---------------------------------------------------
out=$("$CPOL" scan --color never "$tmp/Dockerfile")
first=$(echo "$out" | head -n 1)
check "text: first line" "$tmp/Dockerfile:1:1: high CP001" "$(echo "$first" | cut -d' ' -f1-3)"
check "text: fix line" "yes" "$(echo "$out" | sed -n 2p | grep -q '^    fix: ' && echo yes || echo no)"
check "text: summary line" "yes" "$(echo "$out" | tail -n 1 | grep -Eq '^[0-9]+ findings \(.*\) in 1 file$' && echo yes || echo "no: $(echo "$out" | tail -n 1)")"

# --- exit codes ---------------------------------------------------------------------------------
"$CPOL" scan --fail-on none "$tmp/Dockerfile" >/dev/null; check "--fail-on none" 0 $?
"$CPOL" scan --fail-on critical "$tmp/Dockerfile" >/dev/null; check "--fail-on critical (no critical)" 0 $?
"$CPOL" scan --fail-on low "$tmp/Dockerfile" >/dev/null; check "--fail-on low" 1 $?
"$CPOL" scan --fail-on bogus "$tmp/Dockerfile" >/dev/null 2>&1; check "--fail-on bogus" 2 $?
"$CPOL" scan >/dev/null 2>&1; check "scan without PATH" 2 $?
"$CPOL" scan --frobnicate . >/dev/null 2>&1; check "unknown option" 2 $?
"$CPOL" frobnicate >/dev/null 2>&1; check "unknown command" 2 $?
err=$("$CPOL" scan --fail-on none "$tmp/missing/Dockerfile" 2>&1 >/dev/null); rc=$?
check "missing file: exit 3" 3 "$rc"
check "missing file: message" "$tmp/missing/Dockerfile: error: cannot read: No such file or directory" "$err"
printf 'hello\n' > "$tmp/notes.txt"
err=$("$CPOL" scan --fail-on none "$tmp/notes.txt" 2>&1 >/dev/null); rc=$?
check "unrecognised named file: exit 3" 3 "$rc"
check "unrecognised named file: message" "yes" "$(echo "$err" | grep -q "notes.txt: error: not a recognised input" && echo yes || echo "no: $err")"

# --- a broken file does not stop the scan of the others -----------------------------------------
mkdir -p "$tmp/mixed/a" "$tmp/mixed/b"
printf 'RUN echo no from\n' > "$tmp/mixed/a/Dockerfile"
printf 'FROM alpine:3.19\nUSER root\n' > "$tmp/mixed/b/Dockerfile"
out=$("$CPOL" scan --format json --fail-on none "$tmp/mixed"); rc=$?
check "mixed: exit 3" 3 "$rc"
check "mixed: CP001 at USER root in the good file" "yes" "$(echo "$out" | ids | tr ' ' '\n' | grep -qx 'CP001:2:6' && echo yes || echo no)"
check "mixed: error has file and line" "yes" "$(echo "$out" | python3 -c '
import json,sys; d=json.load(sys.stdin)
print("yes" if any(e["file"].endswith("a/Dockerfile") and e["line"] >= 1 for e in d["errors"]) else "no")')"
check "mixed: summary files" 2 "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["files"])')"

# --- custom rules, rules listing, model -----------------------------------------------------------
mkdir -p "$tmp/policy"
cat > "$tmp/policy/acme.lua" <<'LUA'
return {
  id = "ACME001", severity = "low", title = "Image must come from our registry",
  formats = { "dockerfile" }, remediation = "Use registry.acme.example images.",
  check = function(c, report)
    if c.image and c.image.registry ~= "registry.acme.example" then
      report{ at = c.image, message = "base image " .. c.image.ref .. " is not from our registry" }
    end
  end,
}
LUA
got=$("$CPOL" scan --format json --rules "$tmp/policy" "$tmp/Dockerfile" | ids)
check "custom rule finding" "yes" "$([[ " $got " == *" ACME001:1:6 "* ]] && echo yes || echo "no: $got")"
"$CPOL" rules --rules "$tmp/policy" | grep -q '^ACME001 '; check "rules lists custom rule" 0 $?
printf 'return {' > "$tmp/policy/broken.lua"
err=$("$CPOL" scan --rules "$tmp/policy/broken.lua" "$tmp/Dockerfile" 2>&1 >/dev/null); rc=$?
check "broken rule: exit 2" 2 "$rc"
check "broken rule: message" "cpol: rules: $tmp/policy/broken.lua:1: unexpected symbol near <eof>" "$err"
out=$("$CPOL" model "$tmp/Dockerfile"); rc=$?
check "model: exit 0" 0 "$rc"
check "model: kind" "dockerfile" "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["project"]["containers"][0]["kind"])')"
"$CPOL" --version | grep -Eq '^cpol [0-9]+\.[0-9]+\.[0-9]+ '; check "--version" 0 $?
"$CPOL" --help | grep -q 'usage: cpol'; check "--help" 0 $?
"$CPOL" scan --help | grep -q -- '--fail-on LEVEL'; check "scan --help" 0 $?

# --- --format-hint reads a named file whose name says nothing ---------------------------------
printf 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n' > "$tmp/stack.yml"
err=$("$CPOL" scan --fail-on none "$tmp/stack.yml" 2>&1 >/dev/null); rc=$?
check "unnamed compose file: exit 3" 3 "$rc"
check "unnamed compose file: says to use --format-hint" "yes" "$(echo "$err" | grep -q -- 'name its format with --format-hint' && echo yes || echo "no: $err")"
got=$("$CPOL" scan --format json --format-hint compose --fail-on none "$tmp/stack.yml" | ids)
check "--format-hint compose" "yes" "$([[ " $got " == *" CP101:4:17 "* ]] && echo yes || echo "no: $got")"
"$CPOL" scan --format-hint yaml "$tmp/stack.yml" >/dev/null 2>&1; check "--format-hint bogus" 2 $?

# --- --limit changes an engine limit; hitting it is a diagnostic and exit 3 ----------------------
err=$("$CPOL" scan --limit max-file-size=16 --fail-on none "$tmp/Dockerfile" 2>&1 >/dev/null); rc=$?
check "--limit max-file-size: exit 3" 3 "$rc"
check "--limit max-file-size: message" "$tmp/Dockerfile: error: file is 56 bytes, larger than the limit of 16 bytes" "$err"
"$CPOL" scan --limit max-file-size=1m --fail-on none "$tmp/Dockerfile" >/dev/null 2>&1; check "--limit with a suffix" 0 $?
"$CPOL" scan --limit bogus=3 "$tmp/Dockerfile" >/dev/null 2>&1; check "--limit unknown name" 2 $?
"$CPOL" scan --limit lua-memory=0 "$tmp/Dockerfile" >/dev/null 2>&1; check "--limit zero" 2 $?

# --- a team's own secret names through the configuration file (CP006 extra_names) -----------
mkdir -p "$tmp/cfg"
printf 'FROM alpine:3.20\nUSER app\nENV ACME_LICENSE=abc-123-def\n' > "$tmp/cfg/Dockerfile"
got=$("$CPOL" scan --format json --no-config --fail-on none "$tmp/cfg" | ids)
check "CP006 extra_names: not a secret by default" "" "$(echo "$got" | tr ' ' '\n' | grep '^CP006' || true)"
printf 'rules:\n  CP006:\n    options:\n      extra_names: ["acme_licen*"]\n' > "$tmp/cfg/.cpol.yaml"
got=$("$CPOL" scan --format json --fail-on none "$tmp/cfg" | ids)
check "CP006 extra_names from .cpol.yaml" "CP006:3:18" "$(echo "$got" | tr ' ' '\n' | grep '^CP006' || true)"

# --- the real-world corpus: every Dockerfile is read; only the broken ones give errors -----------
corpus=../shared/corpus/dockerfile
if [[ -d $corpus ]]; then
    out=$("$CPOL" scan --format json --fail-on none "$corpus"); rc=$?
    check "corpus: exit 3 (three broken files)" 3 "$rc"
    check "corpus: files and errors" "435 3" "$(echo "$out" | python3 -c '
import json,sys; d=json.load(sys.stdin); print(d["summary"]["files"], d["summary"]["errors"])')"
    check "corpus: the errors" "12:1 unknown instruction '~'|1:1 no FROM instruction: not a usable Dockerfile|17:1 unknown instruction 'WRONG'" \
        "$(echo "$out" | python3 -c '
import json,sys; d=json.load(sys.stdin)
print("|".join("%d:%d %s" % (e["line"], e["column"], e["message"]) for e in d["errors"]))')"
else
    echo "skip: $corpus not found"
fi

# --- a report that cannot be written is an incomplete run, not a silent success -------------
if [[ -w /dev/full ]]; then
    for f in json sarif text junit github; do
        err=$("$CPOL" scan --format $f "$tmp/Dockerfile" 2>&1 >/dev/full); rc=$?
        check "stdout full ($f): exit code" 3 "$rc"
        check "stdout full ($f): message" "cpol: cannot write the report to stdout" "$err"
    done
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
