#!/usr/bin/env bash
# `cpol rules new` writes a rule and examples that `cpol rules test` passes as written, refuses to
# overwrite or to write what could not load; `-v` shows cpol.log output in scan and rules test;
# a typo in a rule table stops cpol with the file and line.
set -u
CPOL=${1:?usage: test_rules_new.sh CPOL}
CPOL=$(cd "$(dirname "$CPOL")" && pwd)/$(basename "$CPOL")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0 fail=0
check() { # name, expected, actual
    if [[ "$2" == "$3" ]]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"; fi
}

# all container formats: 5 good + 5 bad examples pass
out=$("$CPOL" rules new ACME001 --name no-debug-env --formats dockerfile,compose,k8s,oci,docker-run \
    --dir policy 2>&1); rc=$?
check "new: exit" 0 "$rc"
check "new: files" "wrote:
  policy/ACME001-no-debug-env.lua
  policy/ACME001-no-debug-env.examples/good/app.Dockerfile
  policy/ACME001-no-debug-env.examples/bad/app.Dockerfile
  policy/ACME001-no-debug-env.examples/good/compose.yaml
  policy/ACME001-no-debug-env.examples/bad/compose.yaml
  policy/ACME001-no-debug-env.examples/good/pod.yaml
  policy/ACME001-no-debug-env.examples/bad/pod.yaml
  policy/ACME001-no-debug-env.examples/good/config.json
  policy/ACME001-no-debug-env.examples/bad/config.json
  policy/ACME001-no-debug-env.examples/bad/config.json.expect
  policy/ACME001-no-debug-env.examples/good/run.sh
  policy/ACME001-no-debug-env.examples/bad/run.sh
next: edit policy/ACME001-no-debug-env.lua, then run: cpol rules test policy" "$out"
out=$("$CPOL" rules test policy 2>&1); rc=$?
check "test: passes as written" "0 10 passed, 0 failed" "$rc $out"
check "title placeholder" '  title = "TODO: what ACME001 finds, in one line",' \
    "$(grep '^  title' policy/ACME001-no-debug-env.lua)"

# the default format is dockerfile; a second rule in the same folder
"$CPOL" rules new ACME002 --name second --title 'Says "hi"' -d policy >/dev/null
check "default format" "app.Dockerfile" "$(ls policy/ACME002-second.examples/bad)"
check "title quoted" '  title = "Says \"hi\"",' "$(grep '^  title' policy/ACME002-second.lua)"
out=$("$CPOL" rules test policy 2>&1)
check "two rules" "12 passed, 0 failed" "$out"

# the runner really checks the skeleton: a rule that reports nothing fails the bad examples
sed -i 's/report{ at = var/if false then report{ at = var/; s/" is set" }/" is set" } end/' \
    policy/ACME002-second.lua
out=$("$CPOL" rules test policy 2>&1); rc=$?
check "broken rule fails" "1
FAIL ACME002 policy/ACME002-second.examples/bad/app.Dockerfile: expected ACME002 at [3:5], got []
11 passed, 1 failed" "$rc
$out"
rm -r policy/ACME002-second.lua policy/ACME002-second.examples

# refusals: exit 2 and nothing written
err() { "$CPOL" rules new "$@" 2>&1 >/dev/null | head -n 1; }
check "exists" "cpol rules new: policy/ACME001-no-debug-env.lua already exists; nothing was written" \
    "$(err ACME001 --name no-debug-env --dir policy)"
check "id taken" "cpol rules new: the id is taken: policy/ACME001-no-debug-env.lua exists; choose another ID" \
    "$(err ACME001 --name other --dir policy)"
check "bad id" "cpol rules new: ID 'acme1' is not valid: 2-32 characters, A-Z first, then A-Z, 0-9 or '_' (e.g. ACME001)" \
    "$(err acme1 --name x)"
check "dash id" "cpol rules new: ID 'ACME-1' is not valid: 2-32 characters, A-Z first, then A-Z, 0-9 or '_' (e.g. ACME001)" \
    "$(err ACME-1 --name x)"
check "no name" "cpol rules new: --name is required: a short file name such as no-debug-env" "$(err ACME9)"
check "bad name" "cpol rules new: --name 'No/Debug' is not valid: lower-case letters, digits and '-'" \
    "$(err ACME9 --name No/Debug)"
check "bad format" "cpol rules new: --formats: 'helm' is not one of dockerfile, compose, k8s, oci, docker-run" \
    "$(err ACME9 --name x --formats dockerfile,helm)"
check "workflow format" "cpol rules new: --formats: 'github' has no containers for \`check\`; a CI workflow rule uses check_project (see rules/CP005-scan-gate.lua)" \
    "$(err ACME9 --name x --formats github)"
"$CPOL" rules new ACME9 --name x --formats helm >/dev/null 2>&1; rc=$?
check "refusal exit" 2 "$rc"
check "nothing written" "ACME001-no-debug-env.examples ACME001-no-debug-env.lua" "$(ls policy | xargs)"

# the rule in a scan; cpol.log only with -v
bad=policy/ACME001-no-debug-env.examples/bad
out=$("$CPOL" scan --no-builtin --no-config --color never -q -r policy "$bad/app.Dockerfile" 2>&1)
check "scan finding" "$bad/app.Dockerfile:3:5: medium ACME001 environment variable CHANGE_ME is set [Dockerfile final stage]" \
    "$(printf '%s\n' "$out" | grep ACME001 | head -n 1)"
check "no log without -v" "" "$(printf '%s\n' "$out" | grep ' log ')"
out=$("$CPOL" scan -v --no-builtin --no-config -q -r policy "$bad/app.Dockerfile" "$bad/compose.yaml" 2>&1 >/dev/null)
check "scan -v" "$bad/app.Dockerfile:2: log ACME001: found CHANGE_ME in Dockerfile final stage
$bad/compose.yaml:3: log ACME001: found CHANGE_ME in service web" "$out"
out=$("$CPOL" scan --verbose -j 3 --no-builtin --no-config -q -r policy "$bad/pod.yaml" 2>&1 >/dev/null)
check "scan --verbose -j" "$bad/pod.yaml:8: log ACME001: found CHANGE_ME in Pod app / container app" "$out"
out=$("$CPOL" rules test -v policy 2>&1 | grep -c ' log ACME001: found CHANGE_ME')
check "rules test -v" 5 "$out"

# a typo in a rule table names the file, line and key
mkdir typo
cat > typo/T1-typo.lua <<'LUA'
return {
  id = "T1", title = "t", remediation = "r", formats = { "dockerfile" },
  severty = "high",
  check = function(c, report) end,
}
LUA
out=$("$CPOL" scan --no-config -r typo "$bad/app.Dockerfile" 2>&1); rc=$?
check "typo" "2 cpol: rules: typo/T1-typo.lua:3: unknown key 'severty' in the rule table (did you mean 'severity'?)" \
    "$rc $out"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
