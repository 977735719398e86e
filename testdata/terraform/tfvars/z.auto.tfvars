lenient = false
