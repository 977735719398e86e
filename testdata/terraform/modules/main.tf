module "debug" {
  source     = "./modules/app"
  privileged = true
  opts       = ["seccomp=unconfined"]
}

module "safe" {
  source     = "./modules/app"
  privileged = false
}

# Fetched by `terraform init`: out of a scan's reach.
module "registry" {
  source     = "terraform-aws-modules/ecs/aws"
  privileged = true
}

# A module that calls itself is entered once.
module "again" {
  source     = "./"
  privileged = true
}
