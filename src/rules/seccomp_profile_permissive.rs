//! `seccomp-profile-permissive`: a custom seccomp profile lets through what
//! Docker's default profile blocks.
//!
//! A profile is judged for the container that applies it (its capabilities
//! decide which conditional rules apply, in the profile and in Docker's
//! default alike), and on its own for an ordinary container. What it opens
//! is graded (see [`escape`](super::escape)): escape-class calls are
//! errors, calls Docker grants only with a capability are notes (the kernel
//! checks that capability again), anything else is a warning — one finding
//! per profile and level, on the most dangerous call, naming all, with the
//! others as related locations. An engine's own default profile is not a
//! custom one: alone it is not reported; pointed at, it is a note that says
//! which default it is and how it differs from Docker's current one. See
//! `rules/seccomp-profile-permissive.md`.

use super::{Rule, escape};
use crate::finding::{Finding, Level};
use crate::formats::seccomp_profile::{
    DefaultPass, default_passes, docker_default, gated_by_default,
};
use crate::model::capability::DEFAULT;
use crate::model::profile::{KnownDefault, Passage};
use crate::model::{Parsed, ProfileRef, SeccompProfile};
use crate::source::Location;

/// How many calls a message names before "and N more".
const LISTED: usize = 12;

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    if let Some(profile) = &parsed.profile
        && profile.known_default.is_none()
    {
        let name = profile
            .at
            .source
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        judge(
            rule,
            profile,
            &format!("profile `{name}`"),
            None,
            DEFAULT,
            out,
        );
    }
    for r in &parsed.profile_refs {
        let Ok(profile) = &r.resolved else { continue };
        match profile.known_default {
            Some(known) => out.push(known_default(rule, r, profile, known)),
            None => judge(
                rule,
                profile,
                &r.subject,
                Some(&reference(r)),
                &r.capabilities,
                out,
            ),
        }
    }
}

/// Where a profile is applied, and how: a host path judged through the
/// repository's copy says so.
fn reference(r: &ProfileRef) -> (Location, String) {
    let how = match &r.host_copy {
        Some(copy) => format!(
            "host path `{}` applied to {} here, judged from the repository's copy `{}`",
            r.written,
            r.subject,
            copy.display()
        ),
        None => format!("profile applied to {} here", r.subject),
    };
    (r.at.clone(), how)
}

/// A call the profile lets through and Docker's default does not.
struct Opened<'a> {
    passage: Passage<'a>,
    /// Docker's default lets some of these calls through (argument filters);
    /// this profile lets every one.
    unfiltered: bool,
}

impl Opened<'_> {
    fn name(&self) -> &str {
        &self.passage.name.value
    }

    fn describe(&self) -> String {
        let mut s = format!("`{}`", self.name());
        if self.unfiltered {
            s.push_str(" (with every argument)");
        }
        let arches = self.passage.rule.only_on();
        if !arches.is_empty() {
            s.push_str(&format!(" (on {})", arches.join(", ")));
        }
        s
    }
}

/// What `profile` lets a container with `caps` call that Docker's default
/// would not let it call, each name once.
fn opened<'a>(profile: &'a SeccompProfile, caps: &[&str]) -> Vec<Opened<'a>> {
    let has_cap = |c: &str| caps.contains(&c);
    let baseline = default_passes(&has_cap);
    let mut out: Vec<Opened<'a>> = Vec::new();
    for passage in profile.passages(&has_cap) {
        let unfiltered = match baseline.get(passage.name.value.as_str()) {
            Some(DefaultPass::All) => continue,
            Some(DefaultPass::Some) if passage.filtered() => continue,
            Some(DefaultPass::Some) => true,
            None => false,
        };
        match out.iter_mut().find(|o| o.name() == passage.name.value) {
            // An unfiltered rule for the same name says more than a filtered one.
            Some(o) if o.passage.filtered() && !passage.filtered() => {
                *o = Opened {
                    passage,
                    unfiltered,
                }
            }
            Some(_) => {}
            None => out.push(Opened {
                passage,
                unfiltered,
            }),
        }
    }
    out
}

fn grade(name: &str) -> Level {
    if escape::is_escape(name) {
        Level::Error
    } else if gated_by_default(name) {
        Level::Note
    } else {
        Level::Warning
    }
}

fn judge(
    rule: &'static Rule,
    profile: &SeccompProfile,
    subject: &str,
    reference: Option<&(Location, String)>,
    caps: &[&str],
    out: &mut Vec<Finding>,
) {
    let with_reference = |mut f: Finding| {
        if let Some((at, how)) = reference {
            f = f.with_related(at.clone(), how.clone());
        }
        f
    };
    let default = &profile.default_action;
    if default.value.lets_through() {
        let mut f = Finding::new(
            rule,
            subject,
            format!(
                "the seccomp profile's default action `{}` lets every syscall it does not list run, escape-class calls included",
                default.at.text()
            ),
            "permissive default action",
            default.at.clone(),
        );
        f.level = Level::Error;
        f.security_severity = Some(severity(Level::Error));
        out.push(with_reference(f));
        return;
    }
    let mut opened = opened(profile, caps);
    escape::sort(&mut opened, |o| o.name());
    for level in [Level::Error, Level::Warning, Level::Note] {
        let calls: Vec<&Opened<'_>> = opened.iter().filter(|o| grade(o.name()) == level).collect();
        let Some(first) = calls.first() else { continue };
        let calls_text = list(calls.iter().map(|o| o.describe()));
        let what = match level {
            Level::Error => format!(
                "the seccomp profile lets through {calls_text}: escape-class calls (kernel attack surface or known container escapes) that Docker's default profile blocks"
            ),
            Level::Warning => format!(
                "the seccomp profile lets through {calls_text}, which Docker's default profile blocks"
            ),
            Level::Note => format!(
                "the seccomp profile lets through {calls_text}, which Docker's default profile grants only with a capability (the kernel still checks it)"
            ),
        };
        let mut f = Finding::new(
            rule,
            subject,
            what,
            "allowed here",
            first.passage.name.at.clone(),
        );
        f.level = level;
        f.security_severity = Some(severity(level));
        for other in &calls[1..] {
            f = f.with_related(
                other.passage.name.at.clone(),
                format!("`{}` also allowed here", other.name()),
            );
        }
        out.push(with_reference(f));
    }
}

/// The note for a reference to an engine's own default profile.
fn known_default(
    rule: &'static Rule,
    r: &ProfileRef,
    profile: &SeccompProfile,
    known: &KnownDefault,
) -> Finding {
    let name = &r.written;
    let what = if known.current_docker {
        format!(
            "`{name}` is Docker's default seccomp profile, which the engine applies without this option"
        )
    } else {
        let has_cap = |c: &str| r.capabilities.contains(&c);
        let mut more = opened(profile, &r.capabilities);
        escape::sort(&mut more, |o| o.name());
        let mine: std::collections::HashSet<&str> = profile
            .passages(&has_cap)
            .iter()
            .map(|p| p.name.value.as_str())
            .collect();
        // Calls Docker allows on one architecture only (`arch_prctl`) are
        // not missing from a profile rendered for another.
        let mut fewer: Vec<&str> = docker_default()
            .passages(&has_cap)
            .into_iter()
            .filter(|p| p.rule.only_on().is_empty())
            .map(|p| p.name.value.as_str())
            .filter(|n| !mine.contains(n))
            .collect();
        fewer.sort_unstable();
        fewer.dedup();
        escape::sort(&mut fewer, |n| n);
        let mut diff = Vec::new();
        if !more.is_empty() {
            diff.push(format!(
                "also lets through {}",
                list(more.iter().map(|o| o.describe()))
            ));
        }
        if !fewer.is_empty() {
            diff.push(format!(
                "blocks {}",
                list(fewer.iter().map(|n| format!("`{n}`")))
            ));
        }
        let diff = if diff.is_empty() {
            "it lets through what Docker's current default does".to_string()
        } else {
            format!(
                "compared with Docker's current default it {}",
                diff.join(" and ")
            )
        };
        format!(
            "`{name}` is {} default seccomp profile ({}): {diff}",
            known.engine, known.version
        )
    };
    let profile_label = match &r.host_copy {
        Some(_) => "the repository's copy of the host path, judged here",
        None => "the profile",
    };
    let mut f = Finding::new(
        rule,
        &r.subject,
        what,
        "an engine's default profile",
        r.at.clone(),
    )
    .with_related(profile.at.clone(), profile_label);
    f.level = Level::Note;
    f.security_severity = Some(severity(Level::Note));
    f
}

/// The rule's own security-severity is that of its errors.
fn severity(level: Level) -> &'static str {
    match level {
        Level::Error => "8.0",
        Level::Warning => "6.0",
        Level::Note => "3.0",
    }
}

/// "`a`, `b` and `c`", at most [`LISTED`] items, then "and N more".
fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.len() > LISTED {
        return format!(
            "{} and {} more",
            items[..LISTED].join(", "),
            items.len() - LISTED
        );
    }
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn lists_read_as_english() {
        let l = |v: &[&str]| list(v.iter().map(|s| s.to_string()));
        assert_eq!(l(&["a"]), "a");
        assert_eq!(l(&["a", "b", "c"]), "a, b and c");
        let many: Vec<String> = (0..14).map(|i| i.to_string()).collect();
        assert!(list(many.into_iter()).ends_with(", 11 and 2 more"));
    }
}
