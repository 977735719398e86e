variable "privileged" {
  default = false
}

variable "opts" {
  default = ["seccomp=unconfined"]
}
