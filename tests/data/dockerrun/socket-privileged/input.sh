docker run --rm -it -v /var/run/docker.sock:/var/run/docker.sock --privileged alpine sh
