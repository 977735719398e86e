#!/bin/sh
podman build --security-opt seccomp=unconfined -t app .
podman image build -t app --security-opt=seccomp=unconfined .
buildah bud --security-opt seccomp:unconfined -f Containerfile .
buildah build -t app . --security-opt seccomp=unconfined
# Look-alikes: never a finding.
podman build --security-opt apparmor=unconfined -t app .
buildah from --name x alpine:3.20
echo podman build --security-opt seccomp=unconfined .
docker build --build-arg OPT=--security-opt=seccomp=unconfined .
