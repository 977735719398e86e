# Loaded by Terraform on its own, over the defaults.
privileged = true
mode       = "builtin"
lenient    = true
