# expect: CP108 3
#!/bin/sh
docker run --security-opt seccomp=unconfined myapp
