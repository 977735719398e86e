//! `seccomp-profile-unresolved`: a referenced seccomp profile cannot be
//! found inside the scanned tree, or is not a profile the engine would load.
//!
//! Resolution happened in the scan (no I/O here); this reads its outcome.
//! See `rules/seccomp-profile-unresolved.md`.

use super::Rule;
use crate::finding::Finding;
use crate::model::Parsed;

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for r in &parsed.profile_refs {
        if let Err(why) = &r.resolved {
            out.push(Finding::new(
                rule,
                &r.subject,
                format!(
                    "the seccomp profile `{}` cannot be checked: {why}",
                    r.at.text().trim_matches(['"', '\''])
                ),
                "unresolved profile",
                r.at.clone(),
            ));
        }
    }
}
