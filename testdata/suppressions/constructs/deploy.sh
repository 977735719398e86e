#!/bin/sh
# seccheck: ignore[seccomp-unconfined, privileged-container] load test rig, reviewed in #42
docker run --rm \
  --security-opt seccomp=unconfined \
  --privileged \
  example/loadtest:1.0

# seccheck: ignore[seccomp-unconfined] the blank line below ends its reach

docker run \
  --security-opt seccomp=unconfined \
  example/other:1.0

# seccheck: ignore[privileged-container] this command only
docker pull example/app:1.0
docker run \
  --privileged example/app:1.0
