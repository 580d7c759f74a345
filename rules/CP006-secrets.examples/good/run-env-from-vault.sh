#!/bin/sh
docker run -e DATABASE_PASSWORD="$(vault kv get -field=password secret/db)" myapp
docker run -e DATABASE_PASSWORD myapp
