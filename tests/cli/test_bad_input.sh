#!/usr/bin/env bash
# Bad input never crashes, hangs or is skipped without a word: each case gives a diagnostic
# with the file (and line where there is one), and a good file scanned beside it is still
# reported. Valid oddities (CRLF, BOM) just work.
set -u
CPOL=${1:?usage: test_bad_input.sh CPOL}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT

check() {
    if [[ "$2" == "$3" ]]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"; fi
}

# Scan folder $1 (which holds ok/Dockerfile beside the bad input) and print:
#   exit code | CP001 finding in ok/Dockerfile present | errors as "file-suffix:line: message"
scan() {
    local out rc
    out=$(timeout 20 "$CPOL" scan --format json --fail-on none "$@" 2>/dev/null); rc=$?
    printf '%s|' "$rc"
    echo "$out" | python3 -c '
import json, sys, os
try:
    d = json.load(sys.stdin)
except Exception as e:
    print("invalid json: %s" % e); sys.exit()
ok = any(f["rule_id"] == "CP001" and f["file"].endswith("ok/Dockerfile") for f in d["findings"])
errs = ["%s:%d: %s" % (os.path.basename(e["file"] or "-"), e["line"], e["message"]) for e in d["errors"]]
print("%s|%s" % ("ok-reported" if ok else "ok-missing", " || ".join(errs)))'
}

fresh() { rm -rf "$tmp/s"; mkdir -p "$tmp/s/ok"; printf 'FROM alpine:3.20\nUSER root\n' > "$tmp/s/ok/Dockerfile"; }

fresh; printf 'FROM alpine\x00\x01\x02\xff\xfe binary\n' > "$tmp/s/Dockerfile"
check "binary Dockerfile" "3|ok-reported|Dockerfile:1: binary data (NUL byte): not a Dockerfile" "$(scan "$tmp/s")"

fresh; : > "$tmp/s/Dockerfile"
check "empty Dockerfile" "3|ok-reported|Dockerfile:1: no FROM instruction: not a usable Dockerfile" "$(scan "$tmp/s")"

fresh; printf 'FROM alpine:3.20\r\nUSER app\r\n' > "$tmp/s/Dockerfile.crlf"
check "CRLF works" "0|ok-reported|" "$(scan "$tmp/s")"

fresh; printf '\xef\xbb\xbfFROM alpine:3.20\nUSER app\n' > "$tmp/s/Dockerfile.bom"
check "BOM works" "0|ok-reported|" "$(scan "$tmp/s")"

fresh; printf 'FROM alpine:3.20\nLABEL x="\xff\xfe"\nUSER app\n' > "$tmp/s/Dockerfile.utf8"
check "invalid UTF-8 in a Dockerfile label is data, not an error" "0|ok-reported|" "$(scan "$tmp/s")"

fresh; { printf 'FROM alpine:3.20\nRUN echo '; head -c 10000000 /dev/zero | tr '\0' 'a'; printf '\n'; } > "$tmp/s/Dockerfile"
res=$(scan "$tmp/s")
check "10 MB line: over the line limit" "3|ok-reported|Dockerfile:2: line is 10000009 bytes long; the limit is 1048576" "$res"

fresh; printf 'FROM alpine:3.20\nRUN <<EOF\necho never closed\n' > "$tmp/s/Dockerfile"
check "truncated heredoc" "3|ok-reported|Dockerfile:2: heredoc 'EOF' is not terminated (no line 'EOF' before the end of the file)" "$(scan "$tmp/s")"

fresh; printf 'FROM alpine:3.20\n' > "$tmp/s/Dockerfile"; chmod 000 "$tmp/s/Dockerfile"
if [[ $(id -u) -eq 0 ]]; then
    echo "skip: unreadable file (root reads every file, so there is nothing to test)"
else
    check "unreadable file" "3|ok-reported|Dockerfile:0: cannot read: Permission denied" "$(scan "$tmp/s")"
fi
chmod 644 "$tmp/s/Dockerfile"

fresh; mkdir -p "$tmp/s/loop"; ln -s .. "$tmp/s/loop/up"; ln -s "$tmp/s/loop" "$tmp/s/loop/self"
check "symlink loops are not followed" "0|ok-reported|" "$(scan "$tmp/s")"

fresh; mkfifo "$tmp/s/Dockerfile.fifo"
check "FIFO in a walked folder is not opened" "0|ok-reported|" "$(scan "$tmp/s")"

fresh; mkfifo "$tmp/s/Dockerfile"
check "FIFO named on the command line" "3|ok-reported|Dockerfile:0: not a regular file" "$(scan "$tmp/s/ok" "$tmp/s/Dockerfile")"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
