resource "docker_container" "web" {
  image         = "nginx"
  privileged    = var.privileged
  security_opts = var.opts
}

resource "docker_container" "worker" {
  image         = "worker"
  security_opts = ["seccomp=${var.mode}"]
  # Overridden to false by z.auto.tfvars, applied after terraform.tfvars.
  privileged = var.lenient
}

resource "docker_container" "batch" {
  image      = "batch"
  privileged = var.unset # no default, no definitions file: -var decides
}
