#!/bin/bash
id=$(docker run -d --privileged alpine:3.20)
log="$(cat <<EOF
docker run --privileged "alpine" ' ) ignored
EOF
)"
out=`cat <<'EOF'
docker run --privileged alpine:3.20 )
EOF
`
deep="$(echo "$(echo "$(docker run --rm --security-opt seccomp=unconfined alpine:3.20)")")"
case "$1" in
  run) x=$(case "$2" in a) docker run --privileged alpine:3.20 ;; esac) ;;
  *) echo "docker run --privileged alpine:3.20" ;;
esac
docker run --rm alpine:3.20
