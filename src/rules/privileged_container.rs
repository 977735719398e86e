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
use crate::model::{Parsed, Seccomp};

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for container in &parsed.containers {
        let Some(privileged) = &container.privileged else {
            continue;
        };
        if !privileged.value {
            continue;
        }
        let unconfined = container
            .seccomp
            .iter()
            .find(|s| s.value == Seccomp::Unconfined);
        let mut what =
            "runs privileged, which disables seccomp and every other confinement".to_string();
        if let Some(u) = unconfined {
            what.push_str(&format!(
                "; `{}` does too (either alone disables seccomp: remove both)",
                u.at.text().trim_matches(['"', '\''])
            ));
        }
        let mut finding = Finding::new(
            rule,
            &container.name,
            what,
            "privileged mode enabled here",
            privileged.at.clone(),
        );
        if let Some(u) = unconfined {
            finding = finding.with_related(u.at.clone(), "this also disables seccomp");
        }
        out.push(super::with_uses(
            finding,
            &privileged.used_at,
            &container.name,
        ));
    }
}
