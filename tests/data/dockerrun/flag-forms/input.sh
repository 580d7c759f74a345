docker run --user=1000:1000 --name=web --privileged=false --read-only=true alpine
docker run -u app:staff --name web2 -itd --rm alpine:3.19 id
docker run -uroot -dp 80:8080 -eX=1 -e=Y=2 --env Z --env=W="a b" alpine
docker run --security-opt no-new-privileges --security-opt=seccomp=unconfined \
  --security-opt apparmor:docker-default --security-opt label=disable alpine
docker run --security-opt no-new-privileges:false --cap-add cap_sys_admin --cap-drop=all alpine
docker run -m 1g --memory-reservation=256m --cpu-quota 50000 --pids-limit -1 alpine
docker run --cpu-quota=150000 --cpu-period=100000 --cpu-shares 512 alpine
docker run --network host --pid=host --ipc host --uts=host --userns host alpine
docker run --net=none --ipc=private --pid container:web alpine
docker run --log-driver syslog --log-opt=tag=web --env-file .env --env-file=prod.env alpine
docker run --health-cmd "curl -f http://localhost/ || exit 1" --health-interval=30s \
  --health-retries 3 alpine
docker run --no-healthcheck --sig-proxy=false --init alpine
docker run -- alpine --not-a-flag
