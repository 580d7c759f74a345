# expect: CP001 4
# expect: CP001 5
#!/bin/sh
docker run -d --name web nginx:1.27
docker run --user root alpine:3.20 id
echo "docker run --user root not-a-command"
