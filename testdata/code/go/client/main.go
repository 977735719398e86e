package main

import (
	"context"
	"os/exec"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/strslice"
	"github.com/docker/docker/client"
)

// start runs the agent. Do not set Privileged: true here.
func start(ctx context.Context, cli *client.Client, image string) error {
	_, err := cli.ContainerCreate(ctx,
		&container.Config{Image: "agent:2.1"},
		&container.HostConfig{
			Privileged:  true,
			SecurityOpt: []string{"seccomp=unconfined", "apparmor=unconfined"},
			CapAdd:      strslice.StrSlice{"NET_ADMIN", "SYS_PTRACE"},
		},
		nil, nil, "agent")
	if err != nil {
		return err
	}
	hc := &container.HostConfig{AutoRemove: true}
	hc.SecurityOpt = append(hc.SecurityOpt, "seccomp:unconfined")
	var quiet container.HostConfig
	quiet.Privileged = false
	return nil
}

func commands(ctx context.Context, image string) {
	exec.Command("docker", "run", "--privileged", image).Run()
	exec.CommandContext(ctx, "podman", []string{"run", "--security-opt", "seccomp=unconfined", "x"}...).Run()
	exec.Command("sh", "-c", `docker run --cap-add=SYS_ADMIN y`).Run()
	// Look-alikes.
	exec.Command("echo", "docker", "run", "--privileged").Run()
	fmt.Println("docker", "run", "--privileged", image)
	_ = "docker run --privileged z"
}

type settings struct {
	Privileged bool
}

func other() settings {
	s := settings{Privileged: true} // not a container's HostConfig
	s.Privileged = true
	return s
}
