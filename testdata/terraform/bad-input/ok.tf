resource "docker_container" "y" {
  privileged = true
}
