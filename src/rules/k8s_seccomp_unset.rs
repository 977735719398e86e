//! `k8s-seccomp-unset`: a Kubernetes container ends up with no seccomp
//! profile, which Kubernetes runs Unconfined.
//!
//! The format has already applied Kubernetes' precedence (container field,
//! container annotation, pod field, pod annotation), so an empty `seccomp`
//! list on a Kubernetes container means no profile anywhere.
//! See `rules/k8s-seccomp-unset.md` for the full documentation.

use super::Rule;
use crate::finding::Finding;
use crate::model::{Parsed, Platform};

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for container in &parsed.containers {
        if container.platform != Platform::Kubernetes || !container.seccomp.is_empty() {
            continue;
        }
        out.push(Finding::new(
            rule,
            &container.name,
            "has no seccomp profile at container or pod level, so Kubernetes runs it Unconfined",
            "no seccomp profile for this container",
            container.at.clone(),
        ));
    }
}
