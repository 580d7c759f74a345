# expect: CP002 3
#!/bin/sh
docker run --rm python:3.12 python -V
