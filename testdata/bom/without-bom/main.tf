resource "docker_container" "a" { privileged = true }
