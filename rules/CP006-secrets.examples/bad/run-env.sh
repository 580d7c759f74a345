# expect: CP006 3
#!/bin/sh
docker run -e DATABASE_PASSWORD=supersecret123 myapp
