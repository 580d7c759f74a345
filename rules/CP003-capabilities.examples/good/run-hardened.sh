#!/bin/sh
docker run --user 10001:10001 --read-only --tmpfs /tmp:rw,noexec,nosuid --cap-drop=ALL --cap-add=NET_BIND_SERVICE --memory=512m --cpus=1.0 --pids-limit=100 --log-driver=json-file --log-opt max-size=10m --log-opt max-file=3 myapp
