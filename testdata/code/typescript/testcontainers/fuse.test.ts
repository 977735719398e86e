import { GenericContainer, StartedTestContainer } from "testcontainers";
import { $ } from "zx";
import { execa } from "execa";

describe("fuse", () => {
  let container: StartedTestContainer;

  beforeAll(async () => {
    container = await new GenericContainer("sshfs:1.2")
      .withPrivilegedMode()
      .withAddedCapabilities("SYS_ADMIN")
      .start();
  });

  it("runs a nested engine", async () => {
    const image: string = "docker:dind";
    await $`docker run --security-opt seccomp=unconfined ${image}`;
    await execa("docker", ["run", "--cap-add=SYS_PTRACE", image]);
    const proc = Bun.spawn(["podman", "run", "--privileged", "z"]);
    const cmd = new Deno.Command("docker", { args: ["run", "--privileged", "w"] });
  });

  it("look-alikes", async () => {
    const plain = await new GenericContainer("redis:7").withExposedPorts(6379).start();
    const msg: string = 'docker run --privileged x';
    const half = (a as number) / 2;
    expect(`${msg}`).toMatch(/--privileged/);
  });
});
