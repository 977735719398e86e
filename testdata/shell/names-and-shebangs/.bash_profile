docker run --privileged profile-img
