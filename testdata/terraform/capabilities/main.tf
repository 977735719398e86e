resource "docker_container" "fuse" {
  name  = "fuse"
  image = "example/sshfs:1.0"
  capabilities {
    add  = ["SYS_ADMIN"]
    drop = ["NET_RAW"]
  }
}

resource "docker_container" "router" {
  name  = "router"
  image = "example/router:1.0"
  capabilities {
    add = ["NET_ADMIN"]
  }
}

variable "debug_caps" {
  default = ["SYS_PTRACE"]
}

resource "docker_container" "debugger" {
  name  = "debugger"
  image = "example/debug:1.0"
  capabilities {
    add = var.debug_caps
  }
}

resource "kubernetes_pod_v1" "bpf" {
  metadata {
    name = "bpf"
  }
  spec {
    security_context {
      seccomp_profile {
        type = "RuntimeDefault"
      }
    }
    container {
      name  = "tracer"
      image = "example/bpf:1.0"
      security_context {
        capabilities {
          add = ["BPF", "PERFMON"]
        }
      }
    }
  }
}
