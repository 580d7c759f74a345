# expect: CP004 4
# expect: CP004 5
#!/bin/sh
docker run myapp
docker run --read-only --tmpfs /tmp:rw myapp
