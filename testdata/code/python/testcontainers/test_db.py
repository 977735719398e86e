import aiodocker
from testcontainers.core.container import DockerContainer
from testcontainers.postgres import PostgresContainer


def test_dind():
    with DockerContainer("docker:27-dind").with_kwargs(privileged=True) as dind:
        assert dind


def test_fuse():
    # seccheck: ignore[seccomp-widened-by-capability] needs FUSE for the test
    fuse = DockerContainer("sshfs:1", cap_add=["SYS_ADMIN"], devices=["/dev/fuse"])
    assert fuse


def test_replaced():
    # with_kwargs replaces the keywords given before: only cap_drop stays.
    c = DockerContainer("x:1", privileged=True).with_env("A", "1").with_kwargs(cap_drop=["ALL"])
    assert c


def test_plain():
    with PostgresContainer("postgres:16", privileged=False) as pg:
        assert pg


async def aio():
    docker = aiodocker.Docker()
    await docker.containers.run(
        config={
            "Image": "alpine:3",
            "HostConfig": {"Privileged": True, "SecurityOpt": ["seccomp=unconfined"]},
        }
    )
    # Look-alike: the same keys in a dict that is not a HostConfig.
    settings = {"Privileged": True, "Image": "nope"}
