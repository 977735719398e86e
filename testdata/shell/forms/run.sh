#!/bin/sh
# docker run --privileged commented-out   (a comment, never a finding)
docker run --rm --security-opt seccomp=unconfined alpine:3.20 true
sudo -E docker run --security-opt="seccomp:unconfined" alpine:3.20
podman container create --privileged registry.example/app:1
nerdctl run --privileged=true alpine:3.20 sh -c 'echo --privileged'
X=1 env Y=2 docker run -it -e A=b --privileged alpine:3.20
if true; then docker run --security-opt 'seccomp=unconfined' alpine:3.20; fi
R="$(docker run --privileged helper:1)"
echo docker run --privileged alpine:3.20
printf '%s\n' "docker run --security-opt seccomp=unconfined x"
docker run --rm alpine:3.20 --privileged --security-opt seccomp=unconfined
docker run --privileged=false alpine:3.20
docker run --security-opt apparmor:unconfined --security-opt no-new-privileges alpine:3.20
docker run --security-opt seccomp=./profiles/strict.json alpine:3.20
cat <<EOF2 > notes.txt
docker run --privileged alpine:3.20
EOF2
docker run \
  --privileged \
  alpine:3.20
dockerd --seccomp-profile=unconfined &
docker buildx build --allow network.host,security.insecure -t app .
