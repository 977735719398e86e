variable "unconfined" {
  default = true
}

locals {
  opts = var.unconfined ? ["seccomp=unconfined"] : []
}

job "podman" {
  group "g" {
    task "opts" {
      driver = "podman"
      config {
        image        = "docker.io/library/redis:7"
        security_opt = local.opts
      }
    }

    dynamic "task" {
      for_each = ["a", "b"]
      labels   = ["worker-${task.value}"]
      content {
        driver = "podman"
        config {
          image      = "worker"
          privileged = task.value == "b"
        }
      }
    }
  }
}
