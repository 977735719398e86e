module "inner" {
  source     = "../inner"
  privileged = var.privileged
}
