# HCL ignores line breaks inside a `for` expression; hcl-edit 0.10 does not
# in an object `for` (src/formats/hcl/mod.rs, shape 1).
locals {
  opts_by_env = {
    for env, debug in { dev = true, prod = false } : env =>
    debug
    ? ["seccomp=unconfined"] # debugging needs ptrace
    : []
  }
}

resource "docker_container" "dev" {
  image         = "app"
  security_opts = local.opts_by_env["dev"]
}

resource "docker_container" "prod" {
  image         = "app"
  security_opts = local.opts_by_env["prod"]
}

# The same with object constructors in the branches, whose line breaks
# separate attributes (cloud-foundation-fabric, modules/cloudsql-instance).
locals {
  users = {
    for name, kind in { admin = "BUILT_IN" } : name =>
    kind == "BUILT_IN"
    ? {
      image      = "db"
      privileged = true
    }
    : {
      image      = "db"
      privileged = false
    }
  }
}

resource "docker_container" "admin" {
  image      = local.users["admin"].image
  privileged = local.users["admin"].privileged
}
