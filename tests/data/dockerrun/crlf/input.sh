docker run \
  --user 1000 \
  alpine
docker run -e A=1 busybox
