# expect: CP105 3
#!/bin/sh
docker container run nginx
