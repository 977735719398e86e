docker run --privileged z-img
