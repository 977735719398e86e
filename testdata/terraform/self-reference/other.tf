# A second file of the module reads the same definitions file: its
# diagnostics are reported once.
resource "docker_container" "other" {
  image      = "z"
  privileged = var.privileged
}
