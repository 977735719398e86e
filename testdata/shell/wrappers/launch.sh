#!/bin/sh
# Each line below runs a privileged container behind wrappers.
time -p docker run --privileged alpine:3.20 true
timeout --signal=KILL -k 10s 5m nice -n 10 nohup docker run --privileged alpine:3.20
stdbuf -oL -eL sudo -E -u deploy --preserve-env=HOME,PATH doas env -i -u TERM LANG=C docker run --privileged alpine:3.20
find . -name '*.img' | xargs -0 -n 1 -P 4 -I{} podman run --privileged alpine:3.20 {}
exec command nerdctl run --privileged alpine:3.20
if true; then ! X=1 /usr/bin/docker run --privileged alpine:3.20; fi
# Look-alikes: never a finding.
command -v docker run --privileged alpine:3.20
echo sudo docker run --privileged alpine:3.20
sudo docker run --rm alpine:3.20 timeout 5 --privileged
cat <<'NOTE' | sudo tee /etc/motd
sudo docker run --privileged alpine:3.20
NOTE
# sudo docker run --privileged alpine:3.20
