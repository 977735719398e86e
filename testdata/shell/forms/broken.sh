echo "unterminated
docker run --privileged alpine:3.20
