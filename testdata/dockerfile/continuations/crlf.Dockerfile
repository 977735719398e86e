FROM docker:27-dind
RUN docker run --rm \
  --security-opt seccomp=unconfined \
  alpine:3.20 true
RUN echo docker run --privileged x
