# Terraform keeps the last of a repeated object key; hcl-edit 0.10 refuses
# the file (src/formats/hcl/mod.rs, shape 2).
locals {
  loud = {
    privileged = false
    privileged = true
  }
  quiet = {
    privileged = true
    privileged = false
  }
}

resource "docker_container" "loud" {
  image      = "a"
  privileged = local.loud.privileged
}

resource "docker_container" "quiet" {
  image      = "b"
  privileged = local.quiet.privileged
}
