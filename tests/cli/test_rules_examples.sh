#!/usr/bin/env bash
# Every built-in rule's examples, through the same runner custom rules use (`cpol rules test`).
set -u
CPOL=${1:?usage: test_rules_examples.sh CPOL}
exec "$CPOL" rules test rules
