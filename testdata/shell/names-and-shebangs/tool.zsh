docker run --privileged zz-img
