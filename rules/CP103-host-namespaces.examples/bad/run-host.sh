# expect: CP103 4
# expect: CP103 4
#!/bin/sh
docker run --network host --pid=host myapp
