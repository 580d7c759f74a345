# expect: CP003 4
# expect: CP003 4
#!/bin/sh
docker run --cap-add SYS_ADMIN \
  myapp
