#!/bin/sh
# the docker run lines of the container hardening guide
docker run --cap-drop=ALL --cap-add=NET_BIND_SERVICE myapp
docker run --read-only --tmpfs /tmp:rw,noexec,nosuid myapp
docker run --memory=512m --cpus=1.0 --pids-limit=100 myapp
docker run --log-driver=json-file --log-opt max-size=10m --log-opt max-file=3 myapp
docker run -e DATABASE_PASSWORD="$(vault kv get -field=password secret/db)" myapp
