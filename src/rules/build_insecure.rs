//! `build-insecure`: a build step asks for BuildKit's `security.insecure`.
//!
//! ## What it does
//! Reports every [`InsecureBuild`](crate::model::InsecureBuild): `RUN
//! --security=insecure`, `buildx build --allow security.insecure`, Bake
//! `entitlements`.
//!
//! ## Why is this bad?
//! The step runs like a privileged container, without seccomp.
//!
//! ## Example
//! ```dockerfile
//! RUN --security=insecure mount -t tmpfs none /mnt
//! ```
//! See `rules/build-insecure.md` for the full documentation.

use super::Rule;
use crate::finding::Finding;
use crate::model::Parsed;

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for build in &parsed.builds {
        out.push(Finding::new(
            rule,
            &build.name,
            "runs build steps without seccomp or the build sandbox (`security.insecure`)",
            "insecure entitlement requested here",
            build.at.clone(),
        ));
    }
}
