//! `seccomp-profile-unresolved`: a referenced seccomp profile cannot be
//! found in the repository, or is not a profile the engine would load.
//!
//! Resolution happened in the scan (no I/O here); this reads its outcome and
//! names the files tried. A path on the host that the repository has no copy
//! of is a note: nothing in the repository can fix or judge it. See
//! `rules/seccomp-profile-unresolved.md`.

use super::Rule;
use crate::finding::{Finding, Level};
use crate::model::{Parsed, ProfileRef, Unresolved};

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for r in &parsed.profile_refs {
        let Err(why) = &r.resolved else { continue };
        let written = &r.written;
        let (what, label) = match why {
            Unresolved::Missing => (
                format!(
                    "the seccomp profile `{written}` does not exist (tried {})",
                    tried(r)
                ),
                "no such profile",
            ),
            Unresolved::OutsideRoot => (
                format!(
                    "the seccomp profile `{written}` leads outside the repository ({}), which seccheck does not read",
                    tried(r)
                ),
                "outside the repository",
            ),
            Unresolved::NotAFile { directory } => (
                format!(
                    "the seccomp profile `{written}` ({}) is {}",
                    tried(r),
                    if *directory {
                        "a directory, not a profile file"
                    } else {
                        "not a regular file (a FIFO or a device?)"
                    }
                ),
                "not a file",
            ),
            Unresolved::Invalid(reason) => (
                format!(
                    "the seccomp profile `{written}` ({}) is not one the engine would load: {reason}",
                    tried(r)
                ),
                "invalid profile",
            ),
            Unresolved::HostPath => (
                format!(
                    "the seccomp profile `{}` is a file on the host, which cannot be judged from this repository",
                    r.tried
                        .first()
                        .map_or(written.clone(), |p| p.display().to_string())
                ),
                "a path on the host",
            ),
        };
        let mut f = Finding::new(rule, &r.subject, what, label, r.at.clone());
        if *why == Unresolved::HostPath {
            f.level = Level::Note;
        }
        out.push(f);
    }
}

/// "`a/p.json`", or "`a/p.json` and `p.json`".
fn tried(r: &ProfileRef) -> String {
    let paths: Vec<String> = r
        .tried
        .iter()
        .map(|p| {
            format!(
                "`{}`",
                crate::formats::seccomp_profile::display(p).display()
            )
        })
        .collect();
    paths.join(" and ")
}
