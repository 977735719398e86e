# Terraform refuses references here ("Variables not allowed").
privileged = var.privileged
opts       = local.opts
