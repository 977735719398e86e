//! GitHub Actions workflows (`.github/workflows/*.y[a]ml`).
//!
//! Three places hold container settings: the shell of every `run:` step,
//! and the docker flags of a job's `container.options` and of each
//! `services.<id>.options`. The shell reader runs directly over the YAML
//! scalar's bytes in the file (block scalars keep their lines, indentation
//! is only whitespace to a shell), so findings keep their real positions.

use std::path::Path;
use std::sync::Arc;

use crate::cmdline;
use crate::model::{Container, Parsed, Platform};
use crate::source::{Location, Source};
use crate::yaml::{Yaml, YamlRef};

pub fn is_workflow_path(path: &Path) -> bool {
    let parts: Vec<_> = path.components().map(|c| c.as_os_str()).collect();
    parts
        .windows(2)
        .any(|w| w[0] == ".github" && w[1] == "workflows")
}

pub fn read(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    for root in yaml.roots() {
        let Some(jobs) = root.get("jobs") else {
            continue;
        };
        for (key, job) in jobs.entries() {
            let job_name = key.as_str().unwrap_or("?");
            for step in job.get("steps").map(|s| s.items()).unwrap_or_default() {
                if let Some(run) = step.get("run").filter(|r| r.as_str().is_some()) {
                    cmdline::read_script(source, run.span(), &base, out);
                }
            }
            if let Some(options) = job.get("container").and_then(|c| c.get("options")) {
                flags(
                    source,
                    options,
                    format!("container of job `{job_name}`"),
                    &base,
                    out,
                );
            }
            for (svc_key, svc) in job.get("services").map(|s| s.entries()).unwrap_or_default() {
                if let Some(options) = svc.get("options") {
                    let name = format!(
                        "service `{}` of job `{job_name}`",
                        svc_key.as_str().unwrap_or("?")
                    );
                    flags(source, options, name, &base, out);
                }
            }
        }
    }
}

fn flags(source: &Arc<Source>, options: YamlRef<'_>, name: String, base: &Path, out: &mut Parsed) {
    if options.as_str().is_none() {
        return;
    }
    let split = cmdline::words::split(&source.text, options.span().start, options.span().end);
    let words: Vec<_> = split.commands.into_iter().flatten().collect();
    let mut container = Container::new(
        name,
        Platform::Engine,
        Location::new(source, options.span()),
    );
    cmdline::apply_run_flags(source, &words, base, &mut container);
    out.containers.push(container);
}
