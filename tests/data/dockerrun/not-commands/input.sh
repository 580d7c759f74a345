#!/bin/bash
echo "docker run --privileged x"
echo docker run --privileged y
printf '%s\n' 'docker run z'
# docker run --privileged commented
cat <<EOF2
docker run --privileged from-heredoc
EOF2
cat <<-'END' > /tmp/x
	docker run --privileged from-tab-heredoc
	END
grep -q "docker run" README.md && echo found
"docker" run quoted-command-word
x="docker run in-a-variable"
