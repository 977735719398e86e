docker run --privileged b-img
