//! `privileged-container`: privileged mode, which also disables seccomp.
//!
//! ## What it does
//! Reports every container whose privileged setting is `true`.
//!
//! ## Why is this bad?
//! Docker loads no seccomp profile for a privileged container, and grants it
//! every capability and device besides: the container is root on the host.
//!
//! ## Example
//! ```yaml
//! privileged: true
//! ```
//! See `rules/privileged-container.md` for the full documentation.

use super::Rule;
use crate::finding::Finding;
use crate::model::Parsed;

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for container in &parsed.containers {
        let Some(privileged) = &container.privileged else {
            continue;
        };
        if !privileged.value {
            continue;
        }
        let finding = Finding::new(
            rule,
            &container.name,
            "runs privileged, which disables seccomp and every other confinement",
            "privileged mode enabled here",
            privileged.at.clone(),
        );
        out.push(super::with_uses(
            finding,
            &privileged.used_at,
            &container.name,
        ));
    }
}
