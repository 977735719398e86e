#!/bin/sh
docker run --privileged alpine
