docker run --privileged p-img
