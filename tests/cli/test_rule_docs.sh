#!/usr/bin/env bash
# docs/writing-rules.md stays true: every function of the rules' `cpol` module (the C helpers,
# option/log/api, and the functions of the built-in libraries rules/_*.lua) is documented there,
# and the tutorial's rule, with the bad example the tutorial shows, passes `cpol rules test`.
set -u
CPOL=${1:?usage: test_rule_docs.sh CPOL}
doc=docs/writing-rules.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # name, expected, actual
    if [[ "$2" == "$3" ]]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"; fi
}

helpers=$(sed -n '/^void helpers_register/,/^}/p' libcontainerpolicy/engine/helpers.c |
    grep -o '{"[a-z_]*",' | tr -d '{",')
libs=$(cat rules/_*.lua | grep -o '^function M\.[a-z_]*' | sed 's/function M\.//')
names=$(printf '%s\n' $helpers $libs option log api | sort -u)
check "helpers found" 1 "$([[ $(wc -l <<<"$names") -ge 18 ]] && echo 1)"
missing=$(for n in $names; do grep -q "cpol\.$n\b" "$doc" || echo "cpol.$n"; done)
check "every cpol function documented" "" "$missing"
# each has an example in a lua block, not only a table row
noexample=$(for n in $names; do
    awk '/^```lua/{on=1; next} /^```/{on=0} on' "$doc" | grep -q "cpol\.$n\b" || echo "cpol.$n"
done)
check "every cpol function has an example" "" "$noexample"

# the tutorial: its first lua block is the rule, its dockerfile block the bad example
mkdir -p "$tmp/policy/ACME001-registry.examples/good" "$tmp/policy/ACME001-registry.examples/bad"
awk '/^```lua/{n++; if (n == 1) {on=1; next}} /^```/{on=0} on' "$doc" >"$tmp/policy/ACME001-registry.lua"
awk '/^```dockerfile/{on=1; next} /^```/{on=0} on' "$doc" \
    >"$tmp/policy/ACME001-registry.examples/bad/hub.Dockerfile"
printf 'FROM registry.acme.example/library/node:20-slim\nUSER node\n' \
    >"$tmp/policy/ACME001-registry.examples/good/mirror.Dockerfile"
out=$("$CPOL" rules test -v "$tmp/policy" 2>&1 | sed "s|$tmp/||")
check "tutorial rule passes" "PASS ACME001 policy/ACME001-registry.examples/good/mirror.Dockerfile
PASS ACME001 policy/ACME001-registry.examples/bad/hub.Dockerfile: at 3:6
2 passed, 0 failed" "$out"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
