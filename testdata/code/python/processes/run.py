import os
import shlex
import subprocess
from subprocess import check_call

IMAGE = "registry.example/tool:1"

# Argument lists: read as the program receives them.
subprocess.run(["docker", "run", "--security-opt", "seccomp=unconfined", "alpine"])
check_call(["podman", "run", "--privileged", IMAGE, "make"])
subprocess.Popen(
    ["docker", "run", "--rm"]
    + ["--cap-add", "SYS_ADMIN"]
    + extra_args
    + [image],
)
subprocess.run(("docker", "run", f"--security-opt=seccomp={mode}", "x"))
subprocess.run(shlex.split("docker run --privileged 'img:1'"))
subprocess.run("docker run --security-opt seccomp:unconfined y".split())
subprocess.run(["sh", "-c", "docker run --privileged z"])
os.execvp("docker", ["docker", "run", "--privileged", "w"])
os.system("docker run --rm --privileged " + IMAGE)
subprocess.run(f"docker run --privileged {IMAGE}", shell=True)
subprocess.check_output(args=["docker", "run", "--privileged", "v"])

# Negatives beside them.
subprocess.run(["echo", "docker", "run", "--privileged", "alpine"])
subprocess.run("docker run --privileged alpine")  # a program named so, no shell
subprocess.run(["docker", "run", "alpine", "--privileged"])  # the container's own argument
subprocess.run(["docker", "run", "--security-opt", "seccomp=Unconfined.json", "alpine"])  # a profile
print("docker run --privileged alpine")
logger.warning(["docker", "run", "--privileged", "alpine"])
msg = """
    subprocess.run(["docker", "run", "--privileged", "alpine"])
"""
