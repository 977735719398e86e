variable "privileged" {
  type    = bool
  default = false
}

variable "opts" {
  type    = list(string)
  default = []
}

resource "docker_container" "app" {
  image         = "app"
  privileged    = var.privileged
  security_opts = var.opts
}
