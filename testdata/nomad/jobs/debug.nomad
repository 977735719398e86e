job "debug" {
  datacenters = ["dc1"]

  group "tools" {
    task "shell" {
      driver = "docker"
      config {
        image        = "alpine:3.20"
        privileged   = true
        security_opt = ["seccomp=unconfined", "apparmor=unconfined"]
      }
    }

    task "quiet" {
      driver = "docker"
      config {
        image      = "alpine:3.20"
        privileged = false
        # privileged = true
        security_opt = ["seccomp=profiles/tight.json"]
      }
    }

    task "raw" {
      driver = "raw_exec"
      config {
        command    = "/bin/true"
        privileged = true
      }
    }
  }
}
