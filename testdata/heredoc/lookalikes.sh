#!/bin/sh
# A here-document fed to `cat` without a target is printed, not written.
cat <<EOF
services:
  shown:
    image: x
    privileged: true
EOF
# Written to a file no format reads.
cat > notes.txt <<EOF
privileged: true
EOF
# Captured by a substitution, then echoed.
echo "$(cat <<EOF
services:
  echoed:
    privileged: true
EOF
)"
# `cat` of another file as well: more than the body is written.
cat header.yml - > compose.yaml <<EOF
    privileged: true
EOF
# Sent to a program that is not a manifest reader.
kubectl get pods -f - <<EOF
kind: Pod
EOF
