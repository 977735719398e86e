//! `seccomp-widened-by-capability`: a container on the engine's default
//! seccomp profile is given a capability for which that profile allows
//! more system calls.
//!
//! Docker's default profile grants calls by capability (`includes.caps`):
//! the calls a capability opens are computed here from the vendored profile,
//! for the container's own bounding set (so `cap_drop: [ALL]` counts), never
//! from a list of our own. containerd's default profile is generated from
//! the same rules, and Kubernetes' `RuntimeDefault` is the runtime's. A
//! custom profile or `unconfined` is judged by the other rules; privileged
//! mode by `privileged-container`. See `rules/seccomp-widened-by-capability.md`,
//! whose severity table is read here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;
use std::sync::{Arc, Mutex};

use super::{Rule, escape};
use crate::finding::Finding;
use crate::formats::seccomp_profile::{DefaultPass, default_passes};
use crate::model::capability::DEFAULT;
use crate::model::{Capability, Container, Parsed, Platform, Seccomp, Value};

pub fn check(rule: &'static Rule, parsed: &Parsed, out: &mut Vec<Finding>) {
    for container in &parsed.containers {
        for (entry, caps) in widening(container) {
            out.push(finding(rule, container, entry, &caps));
        }
    }
}

/// The capabilities that widen a container's default profile, by name
/// (`CAP_SYS_ADMIN`), most dangerous first: what an inventory shows as
/// "widened by". Empty when the container is not on the default profile.
pub fn widened_by(container: &Container) -> Vec<&'static str> {
    let mut caps: Vec<&'static str> = widening(container)
        .into_iter()
        .flat_map(|(_, opens)| opens.into_keys())
        .collect();
    caps.sort_by_key(|cap| {
        (
            std::cmp::Reverse(severity(cap).map(|s| (s * 10.0) as u32)),
            *cap,
        )
    });
    caps.dedup();
    caps
}

/// Each capability entry that opens calls, with what each capability it
/// grants opens.
fn widening(container: &Container) -> Vec<(&Value<Capability>, Opens)> {
    let mut by_entry: Vec<(&Value<Capability>, Opens)> = Vec::new();
    if container.privileged.as_ref().is_some_and(|p| p.value) || !on_default(container) {
        return by_entry;
    }
    let effective = container.capabilities.effective(container.platform);
    if effective.values().all(Option::is_none) {
        return by_entry;
    }
    let opened = unrestricted(&|c| effective.contains_key(c));
    let ordinary = &*ORDINARY;
    // By the entry that grants them (`ALL` grants many).
    for (&cap, by) in &effective {
        let Some(entry) = by else { continue };
        let alone = unrestricted(&|c| c == cap || DEFAULT.contains(&c));
        let mut calls: Vec<&'static str> = alone
            .iter()
            .filter(|n| opened.contains(*n) && !ordinary.contains(*n))
            .copied()
            .collect();
        if calls.is_empty() {
            continue;
        }
        escape::sort(&mut calls, |n| n);
        match by_entry.iter_mut().find(|(e, _)| e.at == entry.at) {
            Some((_, caps)) => {
                caps.insert(cap, calls);
            }
            None => by_entry.push((*entry, BTreeMap::from([(cap, calls)]))),
        }
    }
    by_entry
}

/// Capability → the calls it opens, most dangerous first.
type Opens = BTreeMap<&'static str, Vec<&'static str>>;

/// Whether the container runs the engine's default profile: no profile
/// option on Docker and friends, `RuntimeDefault` on Kubernetes (without a
/// profile, Kubernetes runs Unconfined: `k8s-seccomp-unset`).
fn on_default(container: &Container) -> bool {
    let default = |s: &Value<Seccomp>| match &s.value {
        Seccomp::RuntimeDefault => true,
        Seccomp::Profile { path, .. } => path == "builtin",
        // A templated profile is unknown until rendered: not the default.
        Seccomp::Unconfined | Seccomp::Localhost(_) | Seccomp::Templated | Seccomp::Inline(_) => {
            false
        }
    };
    match container.platform {
        Platform::Engine => container.seccomp.iter().all(default),
        Platform::Kubernetes => {
            !container.seccomp.is_empty() && container.seccomp.iter().all(default)
        }
    }
}

/// What an ordinary container (Docker's default capabilities) may call.
static ORDINARY: LazyLock<Arc<Calls>> = LazyLock::new(|| unrestricted(&|c| DEFAULT.contains(&c)));

/// System call names.
type Calls = HashSet<&'static str>;

/// Calls Docker's default profile lets through with every argument.
///
/// Kept per pass table: [`default_passes`] hands out one shared table per
/// set of gating capabilities, so a scan computes each set once however
/// many containers share it (rebuilding it per container was most of this
/// rule's cost on a 100,000-file tree).
fn unrestricted(has_cap: &dyn Fn(&str) -> bool) -> Arc<Calls> {
    static CACHE: LazyLock<Mutex<HashMap<usize, Arc<Calls>>>> = LazyLock::new(Default::default);
    let passes = default_passes(has_cap);
    // The tables live as long as the process (the pass cache keeps them),
    // so a table's address names it.
    let key = Arc::as_ptr(&passes) as usize;
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    Arc::clone(cache.entry(key).or_insert_with(|| {
        Arc::new(
            passes
                .iter()
                .filter(|(_, pass)| **pass == DefaultPass::All)
                .map(|(&n, _)| n)
                .collect(),
        )
    }))
}

fn finding(
    rule: &'static Rule,
    container: &Container,
    entry: &Value<Capability>,
    caps: &Opens,
) -> Finding {
    let calls = |calls: &[&str]| {
        calls
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Most dangerous capability first: the one whose first call ranks highest.
    let mut ordered: Vec<(&&str, &Vec<&str>)> = caps.iter().collect();
    ordered.sort_by_key(|(cap, calls)| {
        (
            std::cmp::Reverse(severity(cap).map(|s| (s * 10.0) as u32)),
            calls.first().and_then(|c| escape::rank(c)),
        )
    });
    let what = match (&entry.value, ordered.as_slice()) {
        (Capability::Named(_), [(cap, list)]) => format!(
            "`{cap}` makes the default seccomp profile allow {}",
            calls(list)
        ),
        _ => format!(
            "`{}` grants capabilities for which the default seccomp profile allows more: {}",
            entry.at.text().trim_matches(['"', '\'']),
            ordered
                .iter()
                .map(|(cap, list)| format!("`{cap}` opens {}", calls(list)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    let mut f = Finding::new(
        rule,
        &container.name,
        what,
        "capability added here",
        entry.at.clone(),
    );
    f.security_severity = ordered
        .iter()
        .filter_map(|(cap, _)| SEVERITY.get(**cap))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|s| s.1);
    for u in &entry.used_at {
        f = f.with_related(u.at.clone(), format!("{} {}", u.how, container.name));
    }
    f
}

/// `security-severity` by capability, from the rule document's table
/// (`| `CAP_X` | 7.5 | why |`), so the numbers and their reasons live once.
static SEVERITY: LazyLock<BTreeMap<&'static str, (f64, &'static str)>> = LazyLock::new(|| {
    let doc = super::get("seccomp-widened-by-capability").map_or("", |r| r.doc);
    super::section(doc, "Severity by capability")
        .lines()
        .filter_map(|line| {
            let mut cells = line.trim().strip_prefix('|')?.split('|').map(str::trim);
            let cap = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            let sev = cells.next()?;
            Some((cap, (sev.parse().ok()?, sev)))
        })
        .collect()
});

fn severity(cap: &str) -> Option<f64> {
    SEVERITY.get(cap).map(|s| s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_the_default_profile_names_has_a_severity() {
        let profile = crate::formats::seccomp_profile::docker_default();
        let mut named: Vec<&str> = profile
            .rules
            .iter()
            .flat_map(|r| r.includes.caps.iter().map(String::as_str))
            .filter(|c| !DEFAULT.contains(c))
            .collect();
        named.sort_unstable();
        named.dedup();
        assert!(named.contains(&"CAP_SYS_ADMIN"));
        for cap in named {
            let sev = severity(cap).unwrap_or_else(|| panic!("{cap} has no severity row"));
            assert!(sev > 0.0 && sev <= 10.0, "{cap}");
        }
        let top = super::super::get("seccomp-widened-by-capability").unwrap();
        let max = SEVERITY.values().map(|s| s.0).fold(0.0, f64::max);
        assert_eq!(top.security_severity.parse::<f64>().unwrap(), max);
    }
}
