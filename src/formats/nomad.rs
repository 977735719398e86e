//! Nomad job files (`*.nomad`, `*.nomad.hcl`, and `*.hcl` whose top level
//! holds a `job` block): the `docker` and `podman` task drivers'
//! `config { privileged, security_opt }`.
//!
//! HCL is read with `hcl-edit`, through the same helpers as Terraform
//! ([`terraform`](super::terraform)): spans on every value, `var.x` judged by
//! the `default` of `variable "x"` in the file or a sibling job file, and
//! `dynamic "task" { content { … } }` blocks.

use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::structure::{Block, Body};

use super::terraform::{Node, with_module};
use crate::model::Parsed;
use crate::read::Reader;
use crate::source::Source;

/// Task drivers whose `config` takes Docker's options.
const DRIVERS: &[&str] = &["docker", "podman"];

pub fn read(source: &Arc<Source>, reader: &Reader, out: &mut Parsed) {
    let ext = source
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("nomad")
        .to_string();
    with_module(source, reader, &ext, out, |body, ctx, out| {
        for job in body.get_blocks("job") {
            let job_name = label(job);
            for group in blocks(&job.body, "group") {
                for task in blocks(&group.body, "task") {
                    let task_node = Node::Body(&task.body);
                    let driver = task_node
                        .attr("driver")
                        .and_then(|d| ctx.literal(d))
                        .and_then(|l| l.as_str().map(str::to_string));
                    if !driver.as_deref().is_some_and(|d| DRIVERS.contains(&d)) {
                        continue;
                    }
                    let Some(config) = task_node.child("config") else {
                        continue;
                    };
                    let name = format!("task `{}` of job `{job_name}`", label(task));
                    ctx.engine(config, name, task.ident.span(), "security_opt", out);
                }
            }
        }
    });
}

/// Blocks `ident`, also when written as `dynamic "ident" { content { … } }`
/// (the content block then stands for each generated one).
fn blocks<'a>(body: &'a Body, ident: &str) -> Vec<&'a Block> {
    let mut out = Vec::new();
    for block in body.blocks() {
        if block.ident.as_str() == ident {
            out.push(block);
        } else if block.ident.as_str() == "dynamic"
            && block.labels.first().is_some_and(|l| l.as_str() == ident)
        {
            out.extend(block.body.get_blocks("content"));
        }
    }
    out
}

fn label(block: &Block) -> &str {
    block.labels.first().map_or("(unnamed)", |l| l.as_str())
}
