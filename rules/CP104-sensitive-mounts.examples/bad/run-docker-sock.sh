# expect: CP104 3
#!/bin/bash
docker run --rm -it --privileged -v /var/run/docker.sock:/var/run/docker.sock alpine sh
