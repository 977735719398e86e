# ~/.bashrc: no shebang, the name decides
dind() { docker run --privileged docker:dind "$@"; }
