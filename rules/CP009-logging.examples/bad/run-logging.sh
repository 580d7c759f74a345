# expect: CP009 4
# expect: CP009 5
#!/bin/sh
docker run myapp
docker run --log-driver=none myapp
