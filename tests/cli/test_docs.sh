#!/usr/bin/env bash
# docs/rules.md is generated from the rules' metadata; fail when the committed file is stale.
set -u
CPOL=${1:?usage: test_docs.sh CPOL}
if diff -u docs/rules.md <("$CPOL" rules --format markdown); then
    echo "1 passed, 0 failed"
else
    echo "docs/rules.md is stale: run '$CPOL rules --format markdown > docs/rules.md'"
    echo "0 passed, 1 failed"
    exit 1
fi
