" privileged mode for docker
set number
