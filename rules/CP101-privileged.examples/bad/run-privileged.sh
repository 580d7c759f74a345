# expect: CP101 4
#!/bin/bash
set -e
docker run --rm -it --privileged -v /var/run/docker.sock:/var/run/docker.sock alpine sh
