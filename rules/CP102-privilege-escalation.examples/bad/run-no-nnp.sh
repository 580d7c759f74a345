# expect: CP102 3
#!/bin/sh
docker run myapp
