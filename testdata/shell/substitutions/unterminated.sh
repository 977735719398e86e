#!/bin/sh
echo "$(date
docker run --privileged alpine:3.20
