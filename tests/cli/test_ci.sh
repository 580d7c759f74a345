#!/usr/bin/env bash
# CI integration of `cpol scan`: SARIF (validated against the 2.1.0 schema), JUnit, GitHub
# annotations, cpol:ignore suppressions, .cpol.yaml, baselines, -j, exit codes, and the project's
# own Dockerfile. Exact ids, lines, columns and texts.
# Usage: test_ci.sh PATH/TO/cpol   (run from the repository root; ctest does this)
set -u
CPOL=${1:?usage: test_ci.sh CPOL}
CPOL=$(cd "$(dirname "$CPOL")" && pwd)/$(basename "$CPOL")
ROOT=$(pwd)
SCHEMA=$ROOT/../shared/schemas/sarif-schema-2.1.0.json
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

# "rule:line:col" of the findings, sorted; suppressed ones get a trailing "s"
ids() { python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted("%s:%d:%d%s" % (f["rule_id"], f["line"], f["column"],
                                      "s" if f["suppressed"] else "") for f in d["findings"])))'; }
summary() { python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print("findings=%d suppressed=%d errors=%d" % (s["findings"], s["suppressed"], s["errors"]))'; }

# --- a validator for SARIF: the system's jsonschema, else one installed in a venv -------------
PY=python3
if ! python3 -c 'import jsonschema' 2>/dev/null; then
    if python3 -m venv "$tmp/venv" >/dev/null 2>&1 &&
        "$tmp/venv/bin/pip" install -q jsonschema >/dev/null 2>&1; then
        PY=$tmp/venv/bin/python
    else
        PY=
    fi
fi
schema_skips=0
validate_sarif() { # file -> "valid" or the error
    if [[ ! -f "$SCHEMA" ]]; then
        # the schema comes with ../shared (CI has it); a checkout alone cannot validate
        schema_skips=$((schema_skips + 1))
        echo "valid"
        return
    fi
    if [[ -z "$PY" ]]; then
        echo "no validator: install the jsonschema package (pip install jsonschema)"
        return
    fi
    "$PY" - "$SCHEMA" "$1" <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
try:
    jsonschema.validate(doc, schema)
    print("valid")
except jsonschema.ValidationError as e:
    print("invalid: %s at %s" % (e.message, list(e.absolute_path)))
EOF
}

# Test rules with texts that need escaping and positions we control.
cat > "$tmp/rules.lua" <<'EOF'
return {
  id = "T001", severity = "high", title = "Test: a, b", formats = { "dockerfile" },
  remediation = "fix it: 100%",
  check = function(c, report) report{ at = c, message = "bad: 50% of x,\ny" } end,
}
EOF
mkdir -p "$tmp/r"
cp "$tmp/rules.lua" "$tmp/r/T001.lua"
cat > "$tmp/r/T002.lua" <<'EOF'
local function runs(c, report, msg)
  local stages = c.build.stages
  for _, ins in ipairs(stages[#stages].instructions) do
    if ins.cmd == "RUN" then report{ at = ins, message = msg } end
  end
end
return {
  id = "T002", severity = "medium", title = "RUN seen", formats = { "dockerfile" },
  remediation = "none", options = { words = { "x" }, limit = 3, strict = false },
  check = function(c, report) runs(c, report, "RUN here") end,
}
EOF
cat > "$tmp/r/T003.lua" <<'EOF'
return {
  id = "T003", severity = "low", title = "RUN seen again", formats = { "dockerfile" },
  remediation = "none",
  check = function(c, report)
    local stages = c.build.stages
    for _, ins in ipairs(stages[#stages].instructions) do
      if ins.cmd == "RUN" then report{ at = ins, message = "also here" } end
    end
  end,
}
EOF
T="--no-config --no-builtin --rules $tmp/r"

# --- SARIF ----------------------------------------------------------------------------------------
mkdir -p "$tmp/s"
cat > "$tmp/s/Dockerfile" <<'DF'
FROM node:20
# cpol:ignore=CP002 the build needs the full image
RUN npm ci
USER root
DF
cd "$tmp/s"
"$CPOL" scan --no-config --format sarif Dockerfile > "$tmp/out.sarif"; rc=$?
check "sarif: exit code follows --fail-on (CP001 high)" 1 "$rc"
check "sarif: valid against the 2.1.0 schema" "valid" "$(validate_sarif "$tmp/out.sarif")"
got=$(python3 - "$tmp/out.sarif" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
r = rules["CP001"]
print(r["shortDescription"]["text"], "|", r["properties"]["security-severity"], "|",
      r["helpUri"], "|", "Fix:" in r["help"]["text"], "|", r["defaultConfiguration"]["level"])
for res in run["results"]:
    if res["ruleId"] == "CP001":
        loc = res["locations"][0]["physicalLocation"]
        print(loc["artifactLocation"]["uri"], loc["region"]["startLine"],
              loc["region"]["startColumn"], res["level"],
              run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"])
print(run["columnKind"], run["invocations"][0]["executionSuccessful"])
sup = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["suppressions"])
       for r in run["results"] if "suppressions" in r]
print(sup)
EOF
)
check "sarif: rule metadata, CP001 result, run properties, suppression" \
"Container runs as root | 8.0 | https://docs.docker.com/reference/dockerfile/#user | True | error
Dockerfile 4 6 error CP001
unicodeCodePoints True
[]" "$got"
# a suppression that covers a finding becomes an inSource suppression with its reason
printf 'FROM node:20\n# cpol:ignore=CP002,CP011 the build needs the full image\nFROM node:20\nUSER node\n' \
    > "$tmp/s/Dockerfile"
"$CPOL" scan --no-config --format sarif Dockerfile > "$tmp/out2.sarif"
check "sarif with suppressions: valid" "valid" "$(validate_sarif "$tmp/out2.sarif")"
got=$(python3 -c '
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
print([(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["suppressions"])
       for r in run["results"] if "suppressions" in r])' "$tmp/out2.sarif")
check "sarif: inSource suppression with the reason" \
"[('CP002', 3, [{'kind': 'inSource', 'justification': 'the build needs the full image'}])]" "$got"
# an absolute path becomes a file:// URI, with special characters percent-encoded
mkdir -p "$tmp/a b"
printf 'FROM node:20\n' > "$tmp/a b/Dockerfile"
"$CPOL" scan --no-config --format sarif "$tmp/a b/Dockerfile" > "$tmp/out3.sarif"
check "sarif: absolute path: valid" "valid" "$(validate_sarif "$tmp/out3.sarif")"
got=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
print(r["artifactLocation"]["uri"], "uriBaseId" in r["artifactLocation"])' "$tmp/out3.sarif")
check "sarif: absolute path as file URI" "file://$tmp/a%20b/Dockerfile False" "$got"
# a scan with errors: executionSuccessful false and a notification at the error
printf 'FROM alpine:3\nFROBNICATE x\n' > "$tmp/s/Dockerfile"
"$CPOL" scan --no-config --format sarif Dockerfile > "$tmp/out4.sarif" 2>/dev/null
check "sarif with an error: valid" "valid" "$(validate_sarif "$tmp/out4.sarif")"
got=$(python3 -c '
import json, sys
inv = json.load(open(sys.argv[1]))["runs"][0]["invocations"][0]
n = inv["toolExecutionNotifications"][0]
print(inv["executionSuccessful"], n["level"], n["locations"][0]["physicalLocation"]["region"])' \
    "$tmp/out4.sarif")
check "sarif: error notification" "False error {'startLine': 2, 'startColumn': 1}" "$got"
cd "$ROOT"

# --- fingerprints survive unrelated edits ----------------------------------------------------------
mkdir -p "$tmp/fp"
printf 'FROM node:20\nENV A=1\nRUN npm ci\nUSER root\n' > "$tmp/fp/Dockerfile"
fps() { "$CPOL" scan --no-config --format sarif "$1" | python3 -c '
import json, sys
run = json.load(sys.stdin)["runs"][0]
print(" ".join(sorted("%s=%s" % (r["ruleId"], r["partialFingerprints"]["cpolFingerprint/v1"])
                      for r in run["results"])))'; }
lines() { "$CPOL" scan --no-config --format json "$1" | ids; }
before=$(fps "$tmp/fp/Dockerfile"); lines_before=$(lines "$tmp/fp/Dockerfile")
printf '# a comment added on top\n\nFROM node:20\nENV A=1\nRUN npm ci\n  USER   root\n' \
    > "$tmp/fp/Dockerfile"
after=$(fps "$tmp/fp/Dockerfile"); lines_after=$(lines "$tmp/fp/Dockerfile")
check "fingerprints: unchanged when lines move (and blanks change)" "$before" "$after"
check "fingerprints: the findings did move" "yes" \
    "$([[ "$lines_before" != "$lines_after" && "$lines_after" == *"CP001:6:"* ]] && echo yes || echo "no: $lines_after")"
check "fingerprints: one per finding, 16 hex digits" "yes" \
    "$(echo "$after" | tr ' ' '\n' | grep -cvE '^[A-Z0-9]+=[0-9a-f]{16}$' | grep -qx 0 && echo yes || echo no)"
printf '# a comment added on top\n\nFROM node:20\nENV A=1\nRUN npm ci\nUSER nobody\n' > "$tmp/fp/Dockerfile"
changed=$(fps "$tmp/fp/Dockerfile")
check "fingerprints: a related edit removes the finding's fingerprint" "no" \
    "$([[ "$changed" == *"$(echo "$before" | tr ' ' '\n' | grep '^CP001=')"* ]] && echo yes || echo no)"

# --- JUnit --------------------------------------------------------------------------------------------
mkdir -p "$tmp/j/clean"
printf 'FROM alpine:3\nRUN a\n' > "$tmp/j/Dockerfile"
printf 'FROM alpine:3\n' > "$tmp/j/clean/Dockerfile"
"$CPOL" scan --no-config --no-builtin --rules "$tmp/r/T002.lua" --rules "$tmp/r/T003.lua" \
    --format junit --fail-on medium "$tmp/j" > "$tmp/out.xml"; rc=$?
check "junit: exit code" 1 "$rc"
got=$(python3 - "$tmp/out.xml" "$tmp/j/" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
pre = sys.argv[2]
print(root.tag, root.get("tests"), root.get("failures"), root.get("errors"))
for s in root:
    print(" ", s.get("name").replace(pre, ""), s.get("tests"), s.get("failures"))
    for c in s:
        f = c.find("failure")
        print("   ", c.get("name"), c.get("line"), f.get("type") if f is not None else "pass",
              repr(f.get("message")) if f is not None else "")
EOF
)
check "junit: parses as XML, suites per file, cases per finding" \
"testsuites 3 2 0
  Dockerfile 2 2
    T002 2:1 RUN seen 2 medium 'RUN here'
    T003 2:1 RUN seen again 2 low 'also here'
  clean/Dockerfile 1 0
    no findings None pass" "$(echo "$got" | sed 's/ *$//')"

# --- GitHub annotations ------------------------------------------------------------------------------
cd "$tmp/j"
got=$("$CPOL" scan $T --format github Dockerfile)
check "github: annotation lines, escaped" \
"::error file=Dockerfile,line=1,col=1,title=T001 (high) Test%3A a%2C b::bad: 50%25 of x,%0Ay [Dockerfile final stage]%0Afix: fix it: 100%25
::warning file=Dockerfile,line=2,col=1,title=T002 (medium) RUN seen::RUN here [Dockerfile final stage]%0Afix: none
::notice file=Dockerfile,line=2,col=1,title=T003 (low) RUN seen again::also here [Dockerfile final stage]%0Afix: none" "$got"
printf 'FROM alpine:3\nFROBNICATE\n' > "$tmp/j/bad.Dockerfile"
got=$("$CPOL" scan $T --format github bad.Dockerfile | tail -n 1)
check "github: errors are annotations too" \
    "::error file=bad.Dockerfile,line=2,col=1,title=cpol scan error::unknown instruction 'FROBNICATE'" "$got"
cd "$ROOT"

# --- text output: grouped by file, summary, colour ----------------------------------------------------
got=$("$CPOL" scan $T --color never "$tmp/j/Dockerfile" "$tmp/j/clean/Dockerfile" | grep -v '^    fix:')
check "text: groups by file, summary line" \
"$tmp/j/Dockerfile:1:1: high T001 bad: 50% of x,
y [Dockerfile final stage]
$tmp/j/Dockerfile:2:1: medium T002 RUN here [Dockerfile final stage]
$tmp/j/Dockerfile:2:1: low T003 also here [Dockerfile final stage]

$tmp/j/clean/Dockerfile:1:1: high T001 bad: 50% of x,
y [Dockerfile final stage]
4 findings (2 high, 1 medium, 1 low) in 2 files" "$got"
check "text: no colour when not a terminal" "0" \
    "$("$CPOL" scan $T "$tmp/j/Dockerfile" | grep -c $'\033')"
check "text: --color always" "yes" \
    "$("$CPOL" scan $T --color always "$tmp/j/Dockerfile" | grep -q $'\033\[1;31mhigh' && echo yes || echo no)"
if command -v script >/dev/null; then
    check "text: colour on a terminal" "yes" "$(script -qc "$CPOL scan $T $tmp/j/Dockerfile" /dev/null |
        grep -q $'\033\[1;31mhigh' && echo yes || echo no)"
    check "text: NO_COLOR on a terminal" "0" "$(NO_COLOR=1 script -qc "$CPOL scan $T $tmp/j/Dockerfile" \
        /dev/null | grep -c $'\033\[1;31m')"
fi
check "text: -q drops the summary" "3" "$("$CPOL" scan $T -q "$tmp/j/Dockerfile" | grep -c '^    fix:')"
check "text: -q output ends with a finding" "    fix: none" \
    "$("$CPOL" scan $T -q "$tmp/j/Dockerfile" | tail -n 1)"

# --- suppressions ------------------------------------------------------------------------------------
mkdir -p "$tmp/sup"
cat > "$tmp/sup/Dockerfile" <<'DF'
FROM alpine:3
RUN one # cpol:ignore=T002 trailing comment covers its own line
# cpol:ignore=T002,T003 the line above covers the next line
RUN two
RUN three
# cpol:ignore=t003 stacked comments all cover the line under them
# cpol:ignore=T002
RUN four
RUN five # cpol:ignore=T009 matches nothing
DF
out=$("$CPOL" scan $T --format json "$tmp/sup/Dockerfile")
check "suppress: line, line above, stacked; the rest stays" \
    "T001:1:1 T002:2:1s T002:4:1s T002:5:1 T002:8:1s T002:9:1 T003:2:1 T003:4:1s T003:5:1 T003:8:1s T003:9:1" \
    "$(echo "$out" | ids)"
check "suppress: counted in the summary" "findings=6 suppressed=5 errors=0" "$(echo "$out" | summary)"
got=$("$CPOL" scan $T --color never "$tmp/sup/Dockerfile" | tail -n 1)
check "suppress: text summary" "6 findings (1 high, 2 medium, 3 low) in 1 file, 5 suppressed" "$got"
check "suppress: hidden in text by default" "0" \
    "$("$CPOL" scan $T --color never "$tmp/sup/Dockerfile" | grep -c suppressed\])"
got=$("$CPOL" scan $T --color never --show-suppressed "$tmp/sup/Dockerfile" | grep '(suppressed)$')
check "suppress: --show-suppressed lists them" \
"$tmp/sup/Dockerfile:2:1: medium T002 RUN here [Dockerfile final stage] (suppressed)
$tmp/sup/Dockerfile:4:1: medium T002 RUN here [Dockerfile final stage] (suppressed)
$tmp/sup/Dockerfile:4:1: low T003 also here [Dockerfile final stage] (suppressed)
$tmp/sup/Dockerfile:8:1: medium T002 RUN here [Dockerfile final stage] (suppressed)
$tmp/sup/Dockerfile:8:1: low T003 also here [Dockerfile final stage] (suppressed)" "$got"
got=$("$CPOL" scan $T --color never --report-unused-ignores "$tmp/sup/Dockerfile" | grep unused)
check "suppress: --report-unused-ignores" \
    "$tmp/sup/Dockerfile:9:10: unused cpol:ignore=T009 matches no T009 finding here" "$got"
"$CPOL" scan $T --fail-on critical --report-unused-ignores "$tmp/sup/Dockerfile" >/dev/null
check "suppress: an unused ignore fails with --report-unused-ignores" 1 $?
"$CPOL" scan $T --fail-on critical "$tmp/sup/Dockerfile" >/dev/null
check "suppress: and not without it" 0 $?
# exactly one finding: the comment above RUN two silences only that line's T002
printf 'FROM alpine:3\n# cpol:ignore=T002 one\nRUN two\nRUN three\n' > "$tmp/sup/one.Dockerfile"
check "suppress: one comment silences exactly one finding" "T002:3:1s T002:4:1" \
    "$("$CPOL" scan --no-config --no-builtin --rules "$tmp/r/T002.lua" --format json \
        "$tmp/sup/one.Dockerfile" | ids)"
# a finding about something missing points at the object's first line: the final FROM
printf 'FROM alpine:3 AS build\nRUN make\n# cpol:ignore=T001 reviewed\nFROM alpine:3\n' \
    > "$tmp/sup/missing.Dockerfile"
check "suppress: missing-object finding at the final FROM, comment above it" \
    "T001:4:1s" "$("$CPOL" scan $T --format json "$tmp/sup/missing.Dockerfile" | ids)"
# a compose service: the finding sits on the service key, the comment goes above it
mkdir -p "$tmp/sup/c"
cat > "$tmp/sup/c/compose.yaml" <<'EOF'
services:
  # cpol:ignore=CP007 limits come from the platform
  web:
    image: nginx:1.25-alpine
    privileged: true # cpol:ignore=CP101 needs the GPU device
EOF
got=$("$CPOL" scan --no-config --format json "$tmp/sup/c/compose.yaml" | ids | tr ' ' '\n' |
      grep -E '^CP(007|101):')
check "suppress: compose service key and value" "CP007:3:3s
CP101:5:17s" "$got"
# file level
printf '# cpol:ignore-file=T002,T003 generated file\nFROM alpine:3\nRUN a\nRUN b\n' \
    > "$tmp/sup/file.Dockerfile"
check "suppress: ignore-file" "T001:2:1 T002:3:1s T002:4:1s T003:3:1s T003:4:1s" \
    "$("$CPOL" scan $T --format json "$tmp/sup/file.Dockerfile" | ids)"
got=$("$CPOL" scan $T --color never --report-unused-ignores --no-builtin \
    "$tmp/sup/file.Dockerfile" | grep -c unused)
check "suppress: a used ignore-file is not reported" "0" "$got"
printf '# cpol:ignore-file=T005\nFROM alpine:3\n' > "$tmp/sup/file2.Dockerfile"
got=$("$CPOL" scan $T --color never --report-unused-ignores "$tmp/sup/file2.Dockerfile" |
      grep unused)
check "suppress: unused ignore-file" \
    "$tmp/sup/file2.Dockerfile:1:1: unused cpol:ignore-file=T005 matches no T005 finding in this file" \
    "$got"
# a suppressed finding does not fail the scan
printf 'FROM alpine:3\nUSER root # cpol:ignore=CP001 is not a comment in a Dockerfile USER\n' \
    > "$tmp/sup/user.Dockerfile"
printf '# cpol:ignore=T001 ok\nFROM alpine:3\n' > "$tmp/sup/only.Dockerfile"
"$CPOL" scan --no-config --no-builtin --rules "$tmp/r/T001.lua" --fail-on low \
    "$tmp/sup/only.Dockerfile" >/dev/null
check "suppress: suppressed findings do not fail the scan" 0 $?

# --- configuration -------------------------------------------------------------------------------------
mkdir -p "$tmp/cfg/sub/vendor" "$tmp/cfg/sub/app"
printf 'FROM alpine:3\nRUN a\n' > "$tmp/cfg/sub/app/Dockerfile"
printf 'FROM alpine:3\nRUN a\n' > "$tmp/cfg/sub/vendor/Dockerfile"
cat > "$tmp/cfg/.cpol.yaml" <<'EOF'
# found by walking up from the scanned path
version: 1
fail-on: medium
ignore:
  - sub/vendor/
rules:
  T001:
    enabled: false
  T003:
    severity: critical
  T002:
    options:
      words: [a, b]
      limit: 7
EOF
out=$("$CPOL" scan --no-builtin --rules "$tmp/r" --format json "$tmp/cfg/sub"); rc=$?
check "config: found upward; a rule off, a severity changed, a folder ignored" \
    "T002:2:1 T003:2:1" "$(echo "$out" | ids)"
check "config: the new severity is in the findings" "critical" \
    "$(echo "$out" | python3 -c 'import json,sys; print([f["severity"] for f in json.load(sys.stdin)["findings"] if f["rule_id"]=="T003"][0])')"
check "config: fail-on from the file" 1 "$rc"
"$CPOL" scan --no-builtin --rules "$tmp/r" --fail-on none "$tmp/cfg/sub" >/dev/null
check "config: --fail-on wins over the file" 0 $?
check "config: --no-config" "T001:1:1 T002:2:1 T003:2:1 T001:1:1 T002:2:1 T003:2:1" \
    "$("$CPOL" scan --no-config --no-builtin --rules "$tmp/r" --format json "$tmp/cfg/sub" |
        python3 -c 'import json,sys; print(" ".join("%s:%d:%d" % (f["rule_id"], f["line"], f["column"]) for f in json.load(sys.stdin)["findings"]))')"
check "config: --config FILE" "T002:2:1 T003:2:1" \
    "$("$CPOL" scan --config "$tmp/cfg/.cpol.yaml" --no-builtin --rules "$tmp/r" --format json \
        "$tmp/cfg/sub/app/Dockerfile" | ids)"
# options override the defaults: CP002 full_images and CP001 allowed_users
printf 'FROM debian:12\nUSER root\n' > "$tmp/cfg/Dockerfile"
printf 'rules:\n  CP002:\n    options:\n      full_images: [ubuntu]\n  CP001:\n    options:\n      allowed_users: [root]\n' \
    > "$tmp/cfg/opts.yaml"
before=$("$CPOL" scan --no-config --format json "$tmp/cfg/Dockerfile" | ids | tr ' ' '\n' |
         grep -E '^CP00[12]:' | tr '\n' ' ')
after=$("$CPOL" scan --config "$tmp/cfg/opts.yaml" --format json "$tmp/cfg/Dockerfile" | ids |
        tr ' ' '\n' | grep -cE '^CP00[12]:')
check "config: CP001/CP002 fire without options" "CP001:2:6 CP002:1:6 " "$before"
check "config: options full_images and allowed_users silence them" "0" "$after"
# errors: exit 2 with file:line: message
cfgerr() { # yaml text -> "rc: stderr"
    printf '%b' "$1" > "$tmp/cfg/bad.yaml"
    local err
    err=$("$CPOL" scan --config "$tmp/cfg/bad.yaml" --no-builtin --rules "$tmp/r" \
        "$tmp/cfg/Dockerfile" 2>&1 >/dev/null)
    echo "$?: ${err//$tmp\/cfg\//}"
}
check "config: unknown key" \
    '2: bad.yaml:3: unknown key "sevrity" in rules.T001 (known: enabled, severity, options)' \
    "$(cfgerr 'rules:\n  T001:\n    sevrity: low\n')"
check "config: unknown top-level key" \
    '2: bad.yaml:2: unknown key "failon" in the configuration (known: version, fail-on, ignore, rules)' \
    "$(cfgerr 'version: 1\nfailon: low\n')"
check "config: unknown rule" '2: bad.yaml:2: unknown rule id "T404" in rules' \
    "$(cfgerr 'rules:\n  T404:\n    enabled: false\n')"
check "config: bad severity" \
    '2: bad.yaml:3: rules.T002.severity must be one of critical, high, medium, low, info, not "hgh"' \
    "$(cfgerr 'rules:\n  T002:\n    severity: hgh\n')"
check "config: bad enabled" '2: bad.yaml:3: rules.T002.enabled must be true or false, not "maybe"' \
    "$(cfgerr 'rules:\n  T002:\n    enabled: maybe\n')"
check "config: bad fail-on" \
    '2: bad.yaml:1: fail-on must be one of none, info, low, medium, high, critical, not "sometimes"' \
    "$(cfgerr 'fail-on: sometimes\n')"
check "config: unknown option" \
    '2: bad.yaml:4: rule T002 has no option "word" (its options: limit, strict, words)' \
    "$(cfgerr 'rules:\n  T002:\n    options:\n      word: [a]\n')"
check "config: option of the wrong type" \
    '2: bad.yaml:4: option T002.words must be a list or map like its default, not "a"' \
    "$(cfgerr 'rules:\n  T002:\n    options:\n      words: a\n')"
check "config: number option" '2: bad.yaml:4: option T002.limit must be a number, not "many"' \
    "$(cfgerr 'rules:\n  T002:\n    options:\n      limit: many\n')"
check "config: a quoted number is a string" \
    '2: bad.yaml:4: option T002.limit must be a number, not "7"' \
    "$(cfgerr 'rules:\n  T002:\n    options:\n      limit: "7"\n')"
check "config: boolean option" '2: bad.yaml:4: option T002.strict must be true or false, not "1"' \
    "$(cfgerr 'rules:\n  T002:\n    options:\n      strict: 1\n')"
check "config: options on a rule without options" '2: bad.yaml:4: rule T003 has no options' \
    "$(cfgerr 'rules:\n  T003:\n    options:\n      x: 1\n')"
check "config: bad glob" '2: bad.yaml:2: ignore: "[z-a]" is not a valid glob' \
    "$(cfgerr 'ignore:\n  - "[z-a]"\n')"
check "config: YAML syntax error" "2: bad.yaml:2: did not find expected node content" \
    "$(cfgerr 'rules: [\n')"
check "config: not a map" \
    '2: bad.yaml:1: the configuration must be a map (version, fail-on, ignore, rules)' \
    "$(cfgerr '- a\n')"
rm -f "$tmp/cfg/bad.yaml"
check "config: missing file" "$tmp/cfg/bad.yaml: cannot read: No such file or directory" \
    "$("$CPOL" scan --config "$tmp/cfg/bad.yaml" "$tmp/cfg/Dockerfile" 2>&1 >/dev/null)"
"$CPOL" scan --config "$tmp/cfg/bad.yaml" "$tmp/cfg/Dockerfile" >/dev/null 2>&1
check "config: missing file exits 2" 2 $?

# --- baselines -------------------------------------------------------------------------------------------
mkdir -p "$tmp/bl"
printf 'FROM alpine:3\nRUN a\n' > "$tmp/bl/Dockerfile"
"$CPOL" scan $T --write-baseline "$tmp/bl/base.json" "$tmp/bl/Dockerfile" >/dev/null 2>&1
check "baseline: writing exits 0" 0 $?
check "baseline: file lists the findings" "T001:1 T002:2 T003:2" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s:%d" % (f["rule_id"], f["line"]) for f in d["findings"]))' "$tmp/bl/base.json")"
out=$("$CPOL" scan $T --baseline "$tmp/bl/base.json" --color never "$tmp/bl/Dockerfile"); rc=$?
check "baseline: nothing new" "0 findings in 1 file, 3 in the baseline" "$out"
check "baseline: nothing new exits 0" 0 "$rc"
printf '# moved down\nFROM alpine:3\nRUN a\nRUN b\n' > "$tmp/bl/Dockerfile"
out=$("$CPOL" scan $T --baseline "$tmp/bl/base.json" --fail-on medium --format json \
    "$tmp/bl/Dockerfile"); rc=$?
check "baseline: only the new findings" "T002:4:1 T003:4:1" "$(echo "$out" | ids)"
check "baseline: new findings fail" 1 "$rc"
printf '{"findings": []}' > "$tmp/bl/bad.json"
err=$("$CPOL" scan $T --baseline "$tmp/bl/bad.json" "$tmp/bl/Dockerfile" 2>&1 >/dev/null); rc=$?
check "baseline: not a baseline exits 2" 2 "$rc"
check "baseline: message" "yes" \
    "$([[ "$err" == "cpol: baseline: $tmp/bl/bad.json: not a baseline"* ]] && echo yes || echo "no: $err")"

# --- parallel scanning ------------------------------------------------------------------------------------
# the shared corpus when it is beside the checkout (CI), else the project's own examples and rules
corpus="$ROOT/../shared/corpus"
dockerfiles="$corpus/dockerfile"
if [[ ! -d $corpus ]]; then
    corpus="$ROOT/rules"
    dockerfiles="$ROOT/examples"
fi
for fmt in json sarif text; do
    a=$("$CPOL" scan --no-config --format $fmt "$dockerfiles" 2>&1)
    b=$("$CPOL" scan --no-config -j 2 --format $fmt "$dockerfiles" 2>&1)
    check "-j 2 same $fmt output as -j 1 on the Dockerfile corpus" "$a" "$b"
done
a=$("$CPOL" scan --no-config --format json "$corpus" 2>&1)
b=$("$CPOL" scan --no-config -j4 --format json "$corpus" 2>&1)
check "-j4 same output as -j 1 on the whole corpus" "$a" "$b"
check "-j: corpus has findings" "yes" "$(echo "$a" | grep -q '"rule_id": "CP001"' && echo yes || echo no)"
"$CPOL" scan --no-config -j x . >/dev/null 2>&1
check "-j: not a number exits 2" 2 $?

# --- progress: on a terminal, once a scan takes more than a second ----------------------------------
mkdir -p "$tmp/slow/r"
for i in $(seq 1 40); do printf 'FROM alpine:3\n' > "$tmp/slow/$i.Dockerfile"; done
cat > "$tmp/slow/r/slow.lua" <<'EOF'
return {
  id = "S001", severity = "low", title = "slow", formats = { "dockerfile" }, remediation = "none",
  check = function(c, report)
    local t = 0
    for i = 1, 4000000 do t = t + i end
  end,
}
EOF
# three such rules: about 2 s here, well over the second after which progress shows
sed "s/S001/S002/" "$tmp/slow/r/slow.lua" > "$tmp/slow/r/slow2.lua"
sed "s/S001/S003/" "$tmp/slow/r/slow.lua" > "$tmp/slow/r/slow3.lua"
S="--no-config --no-builtin --rules $tmp/slow/r"
if command -v script >/dev/null; then
    got=$(script -qc "$CPOL scan $S $tmp/slow >/dev/null" /dev/null)
    check "progress: shown on a terminal for a slow scan" "yes" \
        "$([[ "$got" == *"cpol: checked "*" of 40 files"* ]] && echo yes || echo "no: ${got:0:200}")"
    got=$(script -qc "$CPOL scan -q $S $tmp/slow >/dev/null" /dev/null)
    check "progress: not with -q" "" "$got"
    got=$(script -qc "$CPOL scan $S $tmp/slow/1.Dockerfile >/dev/null" /dev/null)
    check "progress: not for a fast scan" "" "$got"
fi
got=$("$CPOL" scan $S "$tmp/slow" 2>&1 >/dev/null)
check "progress: not when stderr is not a terminal" "" "$got"

# --- exit codes (DESIGN section 6) ------------------------------------------------------------------------
printf 'FROM alpine:3\nRUN a\n' > "$tmp/e.Dockerfile"
for lv in "none 0" "critical 0" "high 0" "medium 1" "low 1" "info 1"; do
    set -- $lv
    "$CPOL" scan --no-config --no-builtin --rules "$tmp/r/T002.lua" --fail-on "$1" \
        "$tmp/e.Dockerfile" >/dev/null
    check "exit: medium finding, --fail-on $1" "$2" $?
done
printf 'FROM alpine:3\nRUN a\nBOGUS\n' > "$tmp/e2.Dockerfile"
"$CPOL" scan $T --fail-on low "$tmp/e2.Dockerfile" >/dev/null 2>&1
check "exit: incomplete scan with findings is 3" 3 $?
"$CPOL" scan $T --format sarif --fail-on low "$tmp/e2.Dockerfile" >/dev/null 2>&1
check "exit: 3 in sarif too" 3 $?
"$CPOL" scan --no-config --format xml . >/dev/null 2>&1
check "exit: unknown --format is 2" 2 $?

# --- distribution files ---------------------------------------------------------------------------------
got=$(python3 - "$ROOT" <<'EOF' 2>&1
import re, sys, yaml
root = sys.argv[1]
a = yaml.safe_load(open(root + "/action.yml"))
steps = a["runs"]["steps"]
print(a["runs"]["using"], [s.get("uses", "run") for s in steps].count("github/codeql-action/upload-sarif@v3"),
      any("--format sarif" in s.get("run", "") for s in steps))
hooks = yaml.safe_load(open(root + "/.pre-commit-hooks.yaml"))
print([h["id"] for h in hooks])
r = re.compile(hooks[0]["files"])
names = ["Dockerfile", "app/Dockerfile.prod", "Containerfile", "web.Dockerfile", "docker-compose.yml",
         "deploy/compose.prod.yaml", "deploy/k8s.yaml", "Dockerfilex", "README.md"]
print(" ".join(n for n in names if r.search(n)))
EOF
)
check "action.yml and .pre-commit-hooks.yaml" "composite 1 True
['cpol', 'cpol-docker']
Dockerfile app/Dockerfile.prod Containerfile web.Dockerfile docker-compose.yml deploy/compose.prod.yaml" "$got"

# --- the project's own Dockerfile scans clean ---------------------------------------------------------------
"$CPOL" scan --no-config --fail-on low "$ROOT/Dockerfile" >/dev/null
check "project Dockerfile: clean at --fail-on low" 0 $?
got=$("$CPOL" scan --no-config --format json "$ROOT/Dockerfile" | ids)
check "project Dockerfile: only the justified CP107 suppression" "CP107:23:1s" "$got"

if ((schema_skips)); then
    echo "note: $SCHEMA not found: $schema_skips SARIF schema validations not done"
    echo "$((pass - schema_skips)) passed, $fail failed, $schema_skips skipped"
else
    echo "$pass passed, $fail failed"
fi
[[ $fail -eq 0 ]]
