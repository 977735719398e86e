variable "privileged" {
  type    = bool
  default = true
}

variable "opts" {
  default = ["seccomp=unconfined"]
}

variable "no_default" {
  type = bool
}
