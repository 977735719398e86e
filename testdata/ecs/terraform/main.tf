variable "image" {
  default = "example/app:1"
}

variable "debug" {
  default = false
}

resource "aws_ecs_task_definition" "encoded" {
  family = "encoded"
  container_definitions = jsonencode([
    {
      name       = "app"
      image      = var.image
      privileged = true
      linuxParameters = {
        capabilities = { add = ["SYS_PTRACE"] }
      }
    },
    {
      name       = "quiet"
      image      = "example/quiet:1"
      privileged = var.debug
    },
    {
      name       = "stringly"
      image      = "example/stringly:1"
      privileged = "true"
    },
  ])
}

resource "aws_ecs_task_definition" "heredoc" {
  family                = "heredoc"
  container_definitions = <<EOF
[
  {
    "name": "legacy",
    "image": "${var.image}",
    "privileged": true,
    "dockerSecurityOptions": ["seccomp=unconfined"]
  },
  {
    "name": "templated",
    "image": "example/templated:1",
    "privileged": ${var.debug}
  }
]
EOF
}
