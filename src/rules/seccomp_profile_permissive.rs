//! `seccomp-profile-permissive`: a custom seccomp profile lets through what
//! Docker's default profile blocks.
//!
//! Judges each profile once per way it is reached: the file on its own, and
//! through every reference (with the reference as a related location); the
//! scan merges findings on the same value, so a profile both scanned and
//! referenced is reported once. See `rules/seccomp-profile-permissive.md`.

use super::Rule;
use crate::finding::Finding;
use crate::formats::seccomp_profile::allowed_by_default;
use crate::model::{Action, Parsed, SeccompProfile};
use crate::source::Location;

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    if let Some(profile) = &parsed.profile {
        let name = profile
            .at
            .source
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        judge(rule, profile, &format!("profile `{name}`"), None, out);
    }
    for r in &parsed.profile_refs {
        if let Ok(profile) = &r.resolved {
            judge(rule, profile, &r.subject, Some(&r.at), out);
        }
    }
}

fn judge(
    rule: &'static Rule,
    profile: &SeccompProfile,
    subject: &str,
    reference: Option<&Location>,
    out: &mut Vec<Finding>,
) {
    let mut push = |what: String, label: &str, at: &Location| {
        let mut f = Finding::new(rule, subject, what, label, at.clone());
        if let Some(r) = reference {
            f = f.with_related(r.clone(), format!("profile applied to {subject} here"));
        }
        out.push(f);
    };
    let default = &profile.default_action;
    if matches!(
        default.value,
        Action::Allow | Action::Log | Action::Trace | Action::Notify
    ) {
        push(
            format!(
                "the seccomp profile's default action `{}` lets every syscall it does not list run",
                default.at.text()
            ),
            "permissive default action",
            &default.at,
        );
        return;
    }
    for r in &profile.rules {
        if !r.unconditional || !r.action.value.lets_through() {
            continue;
        }
        for name in &r.names {
            if allowed_by_default(&name.value) {
                continue;
            }
            push(
                format!(
                    "the seccomp profile allows `{}`, which Docker's default profile blocks or grants only with a capability",
                    name.value
                ),
                "syscall allowed here",
                &name.at,
            );
        }
    }
}
