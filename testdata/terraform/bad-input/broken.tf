resource "docker_container" "x" {
  privileged = true
  image = "a
}
