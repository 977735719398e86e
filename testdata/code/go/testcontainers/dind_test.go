package dind_test

import (
	"context"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/testcontainers/testcontainers-go"
)

func TestDind(t *testing.T) {
	ctx := context.Background()
	c, err := testcontainers.Run(ctx, "docker:27-dind",
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.Privileged = true
			hc.CgroupnsMode = "host"
		}),
	)
	_ = c
	_ = err
}

func TestRequest(t *testing.T) {
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:  "redis:7",
			CapAdd: []string{"SYS_ADMIN"},
		},
	}
	_ = req
}

func TestSelector(t *testing.T) {
	var cfg struct{ HostConfig *container.HostConfig }
	cfg.HostConfig.SecurityOpt = []string{"seccomp=unconfined"}
}

func TestModifierWithoutSettings(t *testing.T) {
	_ = testcontainers.WithHostConfigModifier(func(hostConfig *container.HostConfig) {
		hostConfig.Privileged = false
		hostConfig.AutoRemove = true
	})
	// A HostConfig parameter of another name in another function: not `hc`.
	hc := struct{ Privileged bool }{}
	hc.Privileged = true
}
