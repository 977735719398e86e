"""Starts the build containers.

Never call client.containers.run(image, privileged=True) here.
"""
import docker
import subprocess

client = docker.from_env()

# Positives: literal settings in the call.
client.containers.run("alpine:3.20", "sh", privileged=True, detach=True)
client.containers.create(
    "builder:1",
    security_opt=["seccomp=unconfined", "no-new-privileges"],
    cap_add=["SYS_ADMIN"],
)
docker.from_env().containers.run(image="x", security_opt=('seccomp:unconfined',))

# Negatives beside them.
client.containers.run("alpine:3.20", privileged=False)
client.containers.run("alpine:3.20", security_opt=["apparmor=unconfined"])
client.containers.run(IMAGE, privileged=is_privileged)
log.info("running with privileged=True and --security-opt seccomp=unconfined")
print(client.containers.run)  # privileged=True in a comment
opts = dict(privileged=True)  # not a container call

# Low-level API.
host_config = client.api.create_host_config(privileged=True)
client.api.create_container("busybox", host_config=client.api.create_host_config(cap_add=["ALL"]))

# A format spec is text: its `#` hides nothing after it.
print(f"<{type(client).__name__} at {id(client):#x}>"); client.containers.run("z", privileged=True)
