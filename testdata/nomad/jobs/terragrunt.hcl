inputs = {
  privileged = true
}
