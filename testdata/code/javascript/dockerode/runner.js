#!/usr/bin/env node
const Docker = require('dockerode');
const { spawn, execSync, execFile } = require('child_process');

const docker = new Docker();
const re = /HostConfig: {Privileged: true}/g; // a regex, not an object
const ratio = total / 2 / count; // divisions, not a regex

async function build(image) {
  // Engine API object, as dockerode passes it on.
  const c = await docker.createContainer({
    Image: 'builder:3',
    Cmd: ['make'],
    HostConfig: {
      Privileged: true,
      SecurityOpt: ['seccomp=unconfined', `label=disable`],
      CapAdd: ["SYS_ADMIN"],
    },
  });
  await docker.run('alpine', ['sh'], process.stdout, { HostConfig: { Privileged: false } });
  return c;
}

spawn('docker', ['run', '--rm', '--security-opt', 'seccomp=unconfined', 'alpine']);
execSync(`docker run --privileged ${image} make`);
execFile("podman", ["run", ...extraArgs, "--privileged", "x"]);
spawn("docker run --privileged y", { shell: true });

// Look-alikes.
console.log('docker run --privileged alpine');
spawn('echo', ['docker', 'run', '--privileged', 'alpine']);
const text = `HostConfig: {Privileged: true}`;
/* docker.createContainer({HostConfig: {Privileged: true}}) */
