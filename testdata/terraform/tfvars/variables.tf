variable "privileged" {
  type    = bool
  default = false
}

variable "opts" {
  type    = list(string)
  default = []
}

variable "mode" {
  default = "builtin"
}

variable "lenient" {
  default = true
}

variable "unset" {
  type = bool
}
