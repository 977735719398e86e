resource "docker_container" "debug" {
  name     = "debug"
  image    = docker_image.alpine.image_id
  privileged = true
  security_opts = ["seccomp=unconfined", "apparmor=unconfined", "label:seccomp:unconfined"]
}

resource "docker_container" "quiet" {
  image      = "nginx"
  privileged = false
  # privileged = true
  // security_opts = ["seccomp=unconfined"]
  /* security_opts = ["seccomp:unconfined"] */
  security_opts = ["seccomp=profiles/web.json", "no-new-privileges"]
}

resource "docker_container" "from_vars" {
  image         = "nginx"
  privileged    = var.privileged
  security_opts = var.opts
}

resource "docker_container" "unknown" {
  image      = "nginx"
  privileged = var.no_default
  security_opts = [
    "seccomp:unconfined",
  ]
}
