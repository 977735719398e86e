locals {
  a = local.b
  b = concat(local.a, ["seccomp=unconfined"])
}

resource "docker_container" "loop" {
  image         = "x"
  privileged    = var.privileged
  security_opts = local.a
}

resource "docker_container" "defaults" {
  image         = "y"
  security_opts = var.opts
}
