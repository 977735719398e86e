#!/usr/bin/env bash
bash -lc 'docker run --security-opt seccomp=unconfined alpine:3.20'
sh -euxc "docker run --security-opt \"seccomp=unconfined\" alpine:3.20"
bash -o pipefail -c "docker run --privileged alpine:3.20 | tee log"
sudo su - deploy -c 'podman run --privileged alpine:3.20'
ssh -p 2222 -i ~/.ssh/id deploy@host 'docker run --privileged alpine:3.20'
ssh deploy@host docker run --privileged alpine:3.20
eval 'docker run --privileged alpine:3.20'
watch -n 60 'docker run --rm --privileged alpine:3.20 date'
env -S 'docker run --privileged' alpine:3.20
# Look-alikes: never a finding.
echo "bash -c 'docker run --privileged alpine:3.20'"
bash deploy.sh -c 'docker run --privileged alpine:3.20'
docker run --rm alpine:3.20 sh -c 'echo --privileged'
watch -x echo 'docker run --privileged alpine:3.20'
