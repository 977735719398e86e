variable "privileged" {
  default = true
}

job "web" {
  group "web" {
    task "pod" {
      driver = "podman"
      config {
        image        = "nginx"
        privileged   = var.privileged
        security_opt = [
          "seccomp:unconfined",
        ]
      }
    }
  }
}
