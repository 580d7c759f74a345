# expect: CP007 3
#!/bin/sh
docker run --memory=512m myapp
