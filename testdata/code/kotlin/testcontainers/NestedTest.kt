package example

import org.testcontainers.containers.GenericContainer

/* A comment /* that nests */ withPrivilegedMode(true) is still a comment */
class NestedTest {
    val dind = GenericContainer("docker:27-dind").withPrivilegedMode(true)
    val image = "alpine:3"

    fun processes() {
        ProcessBuilder(listOf("docker", "run", "--security-opt", "seccomp=unconfined", image)).start()
        ProcessBuilder("docker", "run", "--privileged", "$image-debug").start()
        Runtime.getRuntime().exec(arrayOf("podman", "run", "--cap-add=SYS_ADMIN", "x"))
    }

    fun lookAlikes() {
        println("docker run --privileged ${image}")
        val raw = """ProcessBuilder("docker", "run", "--privileged", "y")"""
        GenericContainer("redis:7").withPrivilegedMode(false)
    }
}
