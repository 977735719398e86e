#!/bin/sh
docker run >run.log --privileged alpine:3.20
docker run 2>/dev/null &>all.log --security-opt seccomp=unconfined alpine:3.20
docker run --privileged < list.txt alpine:3.20 sh
docker run <<<"input" 3>&1 --privileged alpine:3.20
# Look-alikes: after the image, the container's own arguments.
docker run --rm >out.log alpine:3.20 --privileged
docker run --rm alpine:3.20 2>&1 --security-opt seccomp=unconfined
