variable "ENTITLEMENTS" {
  default = ["network.host", "security.insecure"]
}

group "default" {
  targets = ["base", "app", "strict"]
}

target "base" {
  dockerfile   = "Dockerfile"
  entitlements = ENTITLEMENTS
}

# Inherits base's entitlements.
target "app" {
  inherits = ["base"]
}

# Its own list wins over the inherited one.
target "strict" {
  inherits     = ["base"]
  entitlements = ["network.host"]
}

target "literal" {
  entitlements = ["security.insecure"] # seccheck: ignore[build-insecure] runs in a throwaway VM
}
