# A helper module named after Dockerfiles is code, not a Dockerfile.
RUN = "RUN --security=insecure"
