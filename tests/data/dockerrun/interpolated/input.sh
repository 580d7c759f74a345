IMAGE=nginx
docker run $IMAGE
docker run "${REGISTRY}/app:${TAG}" start
docker run $DOCKER_OPTS -d redis:7
CID=$(docker run -d --privileged postgres:16)
echo "started `docker run -d memcached`"
docker run -e TOKEN="$TOKEN" -e PLAIN=x -e HOME -e 'LIT=$NOT' alpine
