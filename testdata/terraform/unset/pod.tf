resource "kubernetes_pod_v1" "bare" {
  metadata {
    name = "bare"
  }
  spec {
    container {
      name  = "web"
      image = "nginx"
    }
    init_container {
      name = "init"
    }
  }
}

resource "kubernetes_daemon_set_v1" "covered" {
  metadata {
    name = "covered"
  }
  spec {
    template {
      metadata {
        annotations = {
          "container.seccomp.security.alpha.kubernetes.io/agent" = "runtime/default"
        }
      }
      spec {
        container {
          name = "agent"
        }
        container {
          name = "sidecar"
          security_context {
            seccomp_profile {
              type = "RuntimeDefault"
            }
          }
        }
      }
    }
  }
}
