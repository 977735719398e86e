#!/bin/bash
OPTS="--privileged"
declare -a extra=(--rm)
extra+=(--security-opt "seccomp=unconfined")
docker run $OPTS "${extra[@]}" alpine:3.20

if [ -n "$DEBUG" ]; then
  DEBUG_FLAGS=--security-opt=seccomp:unconfined
else
  DEBUG_FLAGS=
fi
podman run $DEBUG_FLAGS alpine:3.20

run_opts="-e A=1"
run_opts="$run_opts --privileged"
local_image=alpine:3.20
docker run $run_opts ${IMAGE_OPTS} ${IMAGE}

# Look-alikes: never a finding.
SAFE="--security-opt no-new-privileges"
docker run $SAFE alpine:3.20
echo docker run $OPTS alpine:3.20
docker run --rm alpine:3.20 $OPTS
QUOTED='"--privileged"'
docker run $QUOTED alpine:3.20
