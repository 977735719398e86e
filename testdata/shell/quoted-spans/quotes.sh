#!/bin/sh
docker run --security-opt seccomp="unconfined" alpine:3.20
docker run --security-opt "seccomp"=unconfined alpine:3.20
docker run --security-opt seccomp=uncon"fined" alpine:3.20
docker run --security-opt 'seccomp=unconfined' alpine:3.20
docker run --security-opt=$'seccomp=unconfined' alpine:3.20
docker run --security-opt seccomp=é alpine:3.20
# Look-alikes: quoted this way, they name profile files (unresolved), not unconfined.
docker run --security-opt "seccomp=unconfined " alpine:3.20
docker run --security-opt seccomp='Unconfined' alpine:3.20
