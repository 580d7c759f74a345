docker run ok1
docker run --name
docker run --rm
docker run --memory=lots --cpus=many --pids-limit=x ok2
docker run --help
docker run -e X="$(echo fine)" ok3
docker run -v "$(pwd:/x bad1
docker run ok4
echo "unterminated
docker run ok5
