docker run --privileged k-img
