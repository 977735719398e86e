job "x" {
  group "g" {
    task "t" {
      driver = "docker"
      config { privileged = true
    }
  }
