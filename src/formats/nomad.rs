//! Nomad job files (`*.nomad`, `*.nomad.hcl`, and `*.hcl` with a `job`
//! block): every task whose driver runs a container, read with the
//! driver's own settings.
//!
//! Drivers and what disables seccomp in each, from their documentation:
//!
//! - `docker` (built in; Nomad docs, drivers/docker "Task Configuration"):
//!   `privileged = true`; `security_opt`, each item passed to Docker as
//!   `--security-opt` (so `seccomp=unconfined`, or a profile path);
//! - `podman` (hashicorp/nomad-driver-podman, Nomad docs plugins/drivers/
//!   podman): `privileged = true` ("Apparmor/SELinux separation, and
//!   Seccomp filters are all disabled"); `security_opt` as Podman's
//!   `--security-opt`;
//! - `containerd-driver` (Roblox/nomad-driver-containerd, README "Task
//!   Config", `containerd/containerd.go`): `privileged = true`, and
//!   `seccomp`, a bool that defaults to `false` — only `seccomp = true`
//!   applies containerd's default profile (or `seccomp_profile`, a path on
//!   the client node). `seccomp = false` written out is reported; a task
//!   that leaves it out also runs without a filter, which the driver's
//!   default decides, not the file (like Kubernetes' missing profile);
//! - `exec`, `raw_exec`, `java`, `qemu` and the other drivers have no
//!   container seccomp setting in their task `config`.
//!
//! Jobs are HCL2 (`jobspec2`): variables with their `default` (a job's
//! `-var`/`-var-file` values are given at submit time, not in the
//! repository), `locals`, functions, and `dynamic "group"`/`dynamic
//! "task"` blocks are evaluated as in [`terraform`](super::terraform),
//! within the one file Nomad reads. A `*.hcl` file without a `job` block
//! (Nomad agent configuration, Packer, Terragrunt, Vault policies) is not
//! a job and is left alone.

use std::sync::Arc;

use super::hcl::containers::{self, NOMAD_DRIVER, Node};
use super::hcl::eval::{Eval, Module, Scope};
use super::hcl::{self};
use crate::model::Parsed;
use crate::source::{Location, Source};

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let name = source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let named_job = name.ends_with(".nomad") || name.ends_with(".nomad.hcl");
    if !named_job && !has_job_block(&source.text) {
        return;
    }
    out.comments.extend(
        hcl::comments(&source.text)
            .into_iter()
            .map(|span| Location::new(source, span)),
    );
    let file = match hcl::parse(source) {
        Ok(file) => file,
        Err(d) => {
            out.diagnostics.push(d);
            return;
        }
    };
    let ev = Eval::root(Module::new([&file]));
    let base = source
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    for job in file.body.blocks("job") {
        let job_name = job.label(0).unwrap_or("(unnamed)");
        let at = Location::new(source, job.head);
        let job = Node::body(&file, &job.body, Scope::default(), at);
        for group in job.children(&ev, "group") {
            for task in group.children(&ev, "task") {
                let driver = task.attr(&ev, "driver");
                let Some(driver) = driver.as_ref().and_then(|d| d.as_str()) else {
                    continue;
                };
                let Some(config) = task.child(&ev, "config") else {
                    continue;
                };
                let config = config.located(task.at.clone());
                let task_name = task.label.as_deref().unwrap_or("(unnamed)");
                let name = format!("task `{task_name}` of job `{job_name}`");
                match driver {
                    "docker" | "podman" => out.containers.push(containers::engine(
                        &ev,
                        &config,
                        name,
                        &NOMAD_DRIVER,
                        &base,
                    )),
                    "containerd-driver" => out
                        .containers
                        .push(containers::containerd(&ev, &config, name, &base)),
                    _ => {}
                }
            }
        }
    }
    out.diagnostics.extend(ev.take_diagnostics());
}

/// Whether a line opens a `job "…"` block: what makes a `*.hcl` a job.
fn has_job_block(text: &str) -> bool {
    text.lines().any(|line| {
        line.trim_start()
            .strip_prefix("job")
            .is_some_and(|rest| rest.starts_with([' ', '\t']) && rest.trim_start().starts_with('"'))
    })
}
