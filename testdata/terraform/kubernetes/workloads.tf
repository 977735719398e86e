resource "kubernetes_deployment_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    template {
      metadata {
        labels = { app = "web" }
      }
      spec {
        security_context {
          seccomp_profile {
            type = "Unconfined"
          }
        }
        container {
          name  = "safe"
          image = "nginx"
          security_context {
            seccomp_profile {
              type = "RuntimeDefault"
            }
          }
        }
        container {
          name  = "inherits"
          image = "nginx"
        }
        init_container {
          name = "init"
          security_context {
            privileged = true
            seccomp_profile {
              type              = "Localhost"
              localhost_profile = "audit.json"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_pod" "dyn" {
  metadata {
    name = "dyn"
  }
  spec {
    security_context {
      seccomp_profile {
        type = "RuntimeDefault"
      }
    }
    dynamic "container" {
      for_each = var.containers
      content {
        name = container.value.name
        security_context {
          privileged = true
          seccomp_profile {
            type = "Unconfined"
          }
        }
      }
    }
    container {
      name = "ok"
      security_context {
        privileged = false
        # privileged = true
      }
    }
  }
}

resource "kubernetes_cron_job_v1" "nightly" {
  metadata {
    name = "nightly"
    annotations = {
      "seccomp.security.alpha.kubernetes.io/pod" = "unconfined"
    }
  }
  spec {
    schedule = "0 0 * * *"
    job_template {
      metadata {}
      spec {
        template {
          metadata {
            annotations = {
              "seccomp.security.alpha.kubernetes.io/pod" = "unconfined"
            }
          }
          spec {
            container = [{
              name = "job"
              security_context = {
                privileged = true
              }
            }]
          }
        }
      }
    }
  }
}

resource "kubernetes_config_map" "snippets" {
  metadata {
    name = "snippets"
  }
  data = {
    "pod.yaml" = "securityContext:\n  privileged: true\n"
  }
}
