#!/bin/sh
docker run --rm --cap-add=SYS_ADMIN example/sshfs:1.0
docker run --rm --cap-add NET_ADMIN example/router:1.0
podman run --cap-add=sys_module,net_raw example/kmod:1.0
docker run --cap-drop=ALL --cap-add=SYS_NICE example/numa:1.0
docker run --cap-drop=ALL --cap-add=CHOWN example/files:1.0
docker run --security-opt seccomp=unconfined --cap-add SYS_ADMIN example/tool:1.0
docker run --rm example/tool:1.0 --cap-add SYS_ADMIN
echo docker run --cap-add SYS_ADMIN example/echo:1.0
