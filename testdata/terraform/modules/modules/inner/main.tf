variable "privileged" {
  type = bool
}

resource "docker_container" "inner" {
  image      = "inner"
  privileged = var.privileged
}
