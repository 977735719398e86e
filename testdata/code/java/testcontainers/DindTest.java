package example;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import java.util.Arrays;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

class DindTest {
    /** Never {@code withPrivilegedMode(true)} without a reason. */
    static GenericContainer<?> dind = new GenericContainer<>(DockerImageName.parse("docker:27-dind"))
            .withPrivilegedMode(true)
            .withExposedPorts(2375);

    static GenericContainer<?> fuse = new GenericContainer<>("sshfs:1")
            .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                    .withCapAdd(Capability.SYS_ADMIN)
                    .withSecurityOpts(List.of("seccomp=unconfined")));

    void dockerJava(DockerClient client) {
        client.createContainerCmd("alpine:3")
                .withHostConfig(HostConfig.newHostConfig()
                        .withPrivileged(true)
                        .withSecurityOpts(Arrays.asList("seccomp:unconfined")))
                .exec();
    }

    void processes() throws Exception {
        new ProcessBuilder("docker", "run", "--privileged", "x").start();
        new ProcessBuilder(List.of("podman", "run", "--security-opt=seccomp=unconfined", "y")).start();
        Runtime.getRuntime().exec("docker run --cap-add SYS_ADMIN z");
        Runtime.getRuntime().exec(new String[] {"docker", "run", "--privileged", "w"});
    }

    void lookAlikes() throws Exception {
        new GenericContainer<>("redis:7").withPrivilegedMode(false);
        System.out.println("docker run --privileged alpine");
        new ProcessBuilder("echo", "docker", "run", "--privileged").start();
        String block = """
            new ProcessBuilder("docker", "run", "--privileged", "v")
            """;
    }
}
