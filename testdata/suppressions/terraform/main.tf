resource "docker_container" "a" {
  image      = "nginx"
  // seccheck: ignore[privileged-container] kernel module build box
  privileged = true
}

resource "docker_container" "b" {
  image      = "nginx # seccheck: ignore[privileged-container] in a string"
  privileged = true
}

resource "docker_container" "c" {
  image      = "nginx" # seccheck: ignore[privileged-container] trailing, line above
  privileged = true
}
