docker run -v data:/data -v /etc/app:/etc/app:ro,z -v /cache --volume=C:\\src:/src:rw alpine
docker run --mount type=bind,source=/srv,target=/srv,readonly \
  --mount=type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=1770 \
  --mount type=volume,src=logs,dst=/var/log alpine
docker run -p 80 -p 8080:80 -p 127.0.0.1:5353:53/udp --publish=[::1]:9000:9000 \
  -p 127.0.0.1::22 -P alpine
