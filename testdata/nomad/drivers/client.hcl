# Nomad agent configuration (HCL1): not a job, not read.
client {
  enabled = true
  options {
    "docker.privileged.enabled" = "true"
  }
}
plugin "docker" {
  config {
    allow_privileged = true
  }
}
