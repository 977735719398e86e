//! `seccomp-unconfined`: a container's seccomp profile is explicitly `unconfined`.
//!
//! ## What it does
//! Reports every container whose effective seccomp setting is `Unconfined`,
//! whatever format declared it (`seccomp=unconfined`, `seccomp:unconfined`,
//! Kubernetes `type: Unconfined`).
//!
//! ## Why is this bad?
//! It removes the syscall filter that blocks `mount`, `unshare`, `bpf`,
//! `keyctl` and the other calls behind most container escapes.
//!
//! ## Example
//! ```yaml
//! security_opt: ["seccomp=unconfined"]
//! ```
//! See `rules/seccomp-unconfined.md` for the full documentation.

use super::Rule;
use crate::finding::Finding;
use crate::model::{Parsed, Seccomp};

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for container in &parsed.containers {
        for setting in &container.seccomp {
            if setting.value != Seccomp::Unconfined {
                continue;
            }
            let mut what = format!(
                "seccomp filtering is disabled by `{}`",
                setting.at.text().trim_matches(['"', '\''])
            );
            let privileged = container.privileged.as_ref().filter(|p| p.value);
            if let Some(p) = privileged {
                what.push_str(&format!(
                    "; privileged mode (`{}`) does too (either alone disables it: remove both)",
                    p.at.text().trim_matches(['"', '\''])
                ));
            }
            let mut finding = Finding::new(
                rule,
                &container.name,
                what,
                "seccomp disabled here",
                setting.at.clone(),
            );
            if let Some(p) = privileged {
                finding =
                    finding.with_related(p.at.clone(), "privileged mode also disables seccomp");
            }
            out.push(super::with_uses(finding, &setting.used_at, &container.name));
        }
    }
}
