job "exec" {
  group "g" {
    # Neither driver has a container seccomp setting.
    task "exec" {
      driver = "exec"
      config {
        command    = "/bin/true"
        privileged = true
      }
    }
    task "raw" {
      driver = "raw_exec"
      config {
        command      = "docker"
        args         = ["run", "--privileged", "alpine"]
        security_opt = ["seccomp=unconfined"]
      }
    }
  }
}
