docker container run e1
podman run e2
docker create e3
docker container create e4
podman container create e5
/usr/bin/docker run e6
docker -H tcp://10.0.0.1:2375 --tls run e7
podman --remote --url ssh://host run e8
docker build -t x .
docker compose run web
docker exec -it c sh
docker container ls
