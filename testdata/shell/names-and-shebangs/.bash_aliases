docker run -d --privileged aliases-img
