//! `daemon-seccomp-disabled`: the engine's own default profile is `unconfined`.
//!
//! ## What it does
//! Reports every engine configuration (`daemon.json`, `dockerd` flags,
//! `containers.conf`) whose seccomp profile is `unconfined`.
//!
//! ## Why is this bad?
//! It disables seccomp for every container the engine starts, including
//! those whose own configuration looks clean.
//!
//! ## Example
//! ```json
//! {"seccomp-profile": "unconfined"}
//! ```
//! See `rules/daemon-seccomp-disabled.md` for the full documentation.

use super::Rule;
use crate::finding::Finding;
use crate::model::{Parsed, Seccomp};

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for daemon in &parsed.daemons {
        let Some(setting) = &daemon.seccomp else {
            continue;
        };
        if setting.value != Seccomp::Unconfined {
            continue;
        }
        out.push(Finding::new(
            rule,
            &daemon.name,
            "runs every container without a seccomp filter",
            "engine-wide seccomp disabled here",
            setting.at.clone(),
        ));
    }
}
