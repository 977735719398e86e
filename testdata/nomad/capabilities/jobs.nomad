job "fuse" {
  group "g" {
    task "mounter" {
      driver = "docker"
      config {
        image   = "example/sshfs:1.0"
        cap_add = ["sys_admin"]
      }
    }
    task "router" {
      driver = "docker"
      config {
        image    = "example/router:1.0"
        cap_add  = ["net_admin"]
        cap_drop = ["all"]
      }
    }
    task "exec" {
      driver = "exec"
      config {
        command = "/bin/true"
        cap_add = ["sys_admin"]
      }
    }
  }
}
