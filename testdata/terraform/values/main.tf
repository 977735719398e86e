variable "debug" {
  default = false
}

variable "strict" {
  default = true
}

locals {
  base       = ["no-new-privileges"]
  debug_opts = concat(local.base, ["seccomp=unconfined"])
  legacy     = "seccomp:unconfined"
  production = true
  profiles   = ["unconfined"]
  containers = [
    { name = "app", privileged = true },
    { name = "sidecar", privileged = false },
  ]
}

resource "docker_container" "concat" {
  image         = "a"
  security_opts = local.debug_opts
}

resource "docker_container" "flatten" {
  image         = "b"
  security_opts = flatten([["label=disable"], [local.legacy]])
}

resource "docker_container" "compact" {
  image         = "c"
  security_opts = compact(["", null, "apparmor=unconfined"])
}

resource "docker_container" "set" {
  image         = "d"
  security_opts = tolist(toset(["seccomp=unconfined", "seccomp=unconfined"]))
}

resource "docker_container" "debug" {
  image      = "e"
  privileged = var.debug ? true : false
}

resource "docker_container" "decided" {
  image      = "f"
  privileged = local.production ? false : true
}

resource "docker_container" "for" {
  image         = "g"
  security_opts = [for p in local.profiles : "seccomp=${p}"]
}

resource "docker_container" "filtered" {
  image         = "h"
  security_opts = [for o in ["seccomp=unconfined", "label=disable"] : o if o != "seccomp=unconfined"]
}

resource "docker_container" "each" {
  for_each   = { web = true, db = false }
  image      = each.key
  privileged = each.value
}

resource "kubernetes_pod" "choice" {
  metadata {
    name = "choice"
  }
  spec {
    security_context {
      seccomp_profile {
        type = var.strict ? "RuntimeDefault" : "Unconfined"
      }
    }
    container {
      name  = "main"
      image = "nginx"
    }
  }
}

resource "kubernetes_deployment" "dynamic" {
  metadata {
    name = "dynamic"
  }
  spec {
    template {
      metadata {
        name = "dynamic"
      }
      spec {
        dynamic "container" {
          for_each = local.containers
          content {
            name  = container.value.name
            image = "nginx"
            security_context {
              privileged = container.value.privileged
            }
          }
        }
      }
    }
  }
}
