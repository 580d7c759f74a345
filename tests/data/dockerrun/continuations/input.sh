docker run \
  --name api \
  --user 10001 \
  -e MODE=prod \
  registry.example.com:5000/team/api:2.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
  serve --port 8080
docker run --rm bus\
ybox echo joined
