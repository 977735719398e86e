#!/bin/sh
docker run --privileged=1 alpine:3.20
docker run --privileged=t alpine:3.20
docker run --privileged=TRUE alpine:3.20
docker run --privileged=True alpine:3.20
# The Docker CLI refuses these or reads them as false: no finding.
docker run --privileged=yes alpine:3.20
docker run --privileged=on alpine:3.20
docker run --privileged= alpine:3.20
docker run --privileged=0 alpine:3.20
docker run --privileged=F alpine:3.20
docker run --privileged=tRUE alpine:3.20
