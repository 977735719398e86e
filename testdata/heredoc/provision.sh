#!/bin/sh
set -eu
cat > docker-compose.yml <<EOF
services:
  app:
    image: example/app:${VERSION}
    privileged: true
  tracer:
    image: example/tracer:1
    security_opt:
      - seccomp=$PROFILE
      - seccomp:unconfined
EOF
sudo tee /etc/docker/daemon.json >/dev/null <<'EOF'
{
  "seccomp-profile": "unconfined"
}
EOF
mkdir -p .devcontainer
cat <<EOF > .devcontainer/devcontainer.json
{ "image": "mcr.microsoft.com/devcontainers/base", "runArgs": ["--security-opt", "seccomp=unconfined"] }
EOF
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: debug
      image: busybox
      securityContext:
        privileged: true
EOF
cat > docker-compose.override.yml <<-EOF
	services:
	  tabbed:
	    image: example/tabbed:1
	    privileged: $PRIV
	EOF
