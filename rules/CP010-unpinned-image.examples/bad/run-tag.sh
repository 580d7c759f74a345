# expect: CP010 3
#!/bin/sh
podman run --rm nginx:1.27-alpine
