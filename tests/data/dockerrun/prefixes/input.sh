#!/bin/bash
set -euo pipefail
sudo docker run a1
sudo -E -u root docker run a2
A=1 B="two words" docker run a3
docker run a4 | tee /tmp/log
true && docker run a5 || docker run a6; docker run a7 &
if [ -n "$X" ]; then docker run a8; else docker run a9; fi
for i in 1 2; do docker run a10 "$i"; done
(docker run a11)
{ docker run a12; }
time docker run a13
env FOO=bar docker run a14
exec docker run a15
! docker run a16
docker run a17 > /dev/null 2>&1 < /dev/null
start() { docker run a18; }
