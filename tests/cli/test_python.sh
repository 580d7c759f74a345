#!/usr/bin/env bash
# The Python binding as a user meets it: a new venv, `pip install ./bindings/python` (which builds
# the C core, the built-in rules and the SWIG wrapper into the wheel), then its pytest suite, which
# compares its findings with those of the cpol binary given as $1.
# A missing python3, venv or pip is a failure, not a skip: CI must run these tests.
set -u
CPOL=${1:?usage: test_python.sh CPOL}
CPOL=$(realpath "$CPOL")
repo=$(pwd)
fail() { echo "FAIL $1"; echo "0 passed, 1 failed"; exit 1; }

[[ -f bindings/python/setup.py ]] || fail "run from the repository root (ctest does)"
command -v python3 >/dev/null || fail "python3 not found: the Python binding needs CPython >= 3.8"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv" >"$tmp/venv.log" 2>&1 ||
    { cat "$tmp/venv.log"; fail "python3 -m venv (Debian: apt-get install python3-venv)"; }
py=$tmp/venv/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
"$py" -m pip install -q pytest >"$tmp/pytest.log" 2>&1 ||
    { cat "$tmp/pytest.log"; fail "pip install pytest (needs PyPI)"; }
"$py" -m pip install ./bindings/python >"$tmp/pip.log" 2>&1 ||
    { tail -n 40 "$tmp/pip.log"; fail "pip install ./bindings/python"; }
# run from elsewhere so that nothing in the checkout shadows the installed package
cd "$tmp" && CPOL=$CPOL "$py" -m pytest -p no:cacheprovider -q -rxs "$repo/bindings/python/tests"
