job "containerd" {
  group "g" {
    task "off" {
      driver = "containerd-driver"
      config {
        image   = "docker.io/library/redis:7"
        seccomp = false
      }
    }

    task "on" {
      driver = "containerd-driver"
      config {
        image           = "docker.io/library/redis:7"
        seccomp         = true
        seccomp_profile = "/opt/seccomp/redis.json"
      }
    }

    task "privileged" {
      driver = "containerd-driver"
      config {
        image      = "docker.io/library/ubuntu:22.04"
        privileged = true
      }
    }
  }
}
