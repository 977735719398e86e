//! `seccheck inventory`: every container the scan declares, confined or
//! not, with the seccomp confinement it ends up with — the static form of
//! the CIS Docker Benchmark 5.21 audit (`docker ps --quiet --all | xargs
//! docker inspect --format '{{ .Id }}: SecurityOpt={{ .HostConfig.SecurityOpt }}'`).
//!
//! It is a report over the model's containers, not over findings: the scan
//! keeps each file's containers only when asked ([`ScanOptions::inventory`](crate::scan::ScanOptions)),
//! as [`Entry`] values that hold no file text, so a plain scan's memory
//! stays flat. Each entry names the findings that apply to it, matched
//! after suppressions by the container's name and the places its settings
//! are written (a profile's findings by the reference). One module per
//! output: [`table`], [`json`], [`csv`].

pub mod csv;
pub mod json;
pub mod table;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::finding::{Finding, Level};
use crate::model::{Container, Parsed, Platform, Seccomp, Unresolved};
use crate::source::{Position, Span};

/// One container as the inventory lists it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    /// Where it is declared: line, and column in UTF-16 code units.
    pub position: Position,
    /// How findings name it: "service `db`".
    pub name: String,
    /// The format that declares it, and Kubernetes when that format
    /// declares a Kubernetes workload (`terraform (kubernetes)`).
    pub platform: String,
    pub image: Option<String>,
    pub seccomp: State,
    /// The findings that apply to it, in report order.
    pub findings: Vec<Applied>,
    /// Where its settings are written: a finding at one of these places
    /// that names this container applies to it.
    places: Vec<(PathBuf, Span)>,
}

/// A finding that applies to a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub rule: &'static str,
    pub level: Level,
    pub suppressed: bool,
}

/// The seccomp confinement a container ends up with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// An engine container with no profile setting: the engine's default.
    Default,
    /// Kubernetes `RuntimeDefault` (or the legacy `runtime/default`).
    RuntimeDefault,
    /// A custom profile: the path as written, and how it was judged.
    Profile { path: String, verdict: Verdict },
    /// `unconfined`, in any spelling the format has.
    Unconfined,
    /// Privileged mode, which loads no profile at all.
    Privileged,
    /// On the default profile (`Default` or `RuntimeDefault`), with added
    /// capabilities for which that profile allows more calls.
    Widened {
        by: Vec<&'static str>,
        runtime_default: bool,
    },
    /// Kubernetes without any profile: the kubelet runs it Unconfined.
    Unset,
    /// Set by a template action: known only once rendered.
    Templated,
}

/// What became of a custom profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Read, and it allows nothing Docker's default blocks.
    Confining,
    /// Read, and it allows what Docker's default blocks (the finding's level).
    Permissive(Level),
    /// Read: one of the engines' own default profiles.
    EngineDefault(String),
    /// Kubernetes `Localhost` or a host path with no copy here: a file on
    /// the node, which the repository cannot show.
    OnHost,
    /// Not found or not a profile: why.
    Unresolved(String),
}

impl State {
    /// The short name of the state, as JSON and CSV give it.
    pub fn kind(&self) -> &'static str {
        match self {
            State::Default => "default",
            State::RuntimeDefault => "runtime-default",
            State::Profile { .. } => "profile",
            State::Unconfined => "unconfined",
            State::Privileged => "privileged",
            State::Widened { .. } => "widened",
            State::Unset => "unset",
            State::Templated => "templated",
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            State::Profile { path, verdict } => write!(f, "profile {path} ({verdict})"),
            State::Widened {
                by,
                runtime_default,
            } => write!(
                f,
                "widened by {}{}",
                by.join(", "),
                if *runtime_default {
                    " (runtime-default)"
                } else {
                    ""
                }
            ),
            other => f.write_str(other.kind()),
        }
    }
}

impl Verdict {
    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::Confining => "confining",
            Verdict::Permissive(_) => "permissive",
            Verdict::EngineDefault(_) => "engine-default",
            Verdict::OnHost => "on-host",
            Verdict::Unresolved(_) => "unresolved",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Permissive(level) => write!(f, "permissive, {}", level.as_str()),
            Verdict::EngineDefault(which) => write!(f, "{which} default"),
            Verdict::OnHost => f.write_str("on the host"),
            // Why is in the JSON and in the finding: the cell stays short.
            Verdict::Unresolved(_) => f.write_str("unresolved"),
            Verdict::Confining => f.write_str("confining"),
        }
    }
}

/// The entries for one file's containers (profile references resolved).
pub fn entries(parsed: &Parsed) -> Vec<Entry> {
    parsed.containers.iter().map(|c| entry(c, parsed)).collect()
}

fn entry(c: &Container, parsed: &Parsed) -> Entry {
    let mut places = vec![(c.at.source.path.clone(), c.at.span)];
    let mut place = |at: &crate::source::Location| places.push((at.source.path.clone(), at.span));
    c.seccomp.iter().for_each(|v| place(&v.at));
    if let Some(p) = &c.privileged {
        place(&p.at);
    }
    let caps = &c.capabilities;
    caps.add.iter().chain(&caps.drop).for_each(|v| place(&v.at));
    let platform = match (c.platform, c.format) {
        (Platform::Kubernetes, "kubernetes") => "kubernetes".to_string(),
        (Platform::Kubernetes, "") => "kubernetes".to_string(),
        (Platform::Kubernetes, format) => format!("{format} (kubernetes)"),
        (Platform::Engine, "") => "engine".to_string(),
        (Platform::Engine, format) => format.to_string(),
    };
    Entry {
        path: c.at.source.path.clone(),
        position: c.at.start(),
        name: c.name.clone(),
        platform,
        image: c.image.as_ref().map(|i| i.value.clone()),
        seccomp: state(c, parsed),
        findings: Vec::new(),
        places,
    }
}

/// Privileged mode and `unconfined` win over anything else written (each
/// disables the filter, and each is a finding of its own); otherwise the
/// last setting, as Docker keeps the last `--security-opt seccomp=`.
fn state(c: &Container, parsed: &Parsed) -> State {
    if c.privileged.as_ref().is_some_and(|p| p.value) {
        return State::Privileged;
    }
    if c.seccomp.iter().any(|s| s.value == Seccomp::Unconfined) {
        return State::Unconfined;
    }
    let on_default = |runtime_default: bool| {
        let by = crate::rules::widened_by(c);
        match (by.is_empty(), runtime_default) {
            (true, true) => State::RuntimeDefault,
            (true, false) => State::Default,
            (false, _) => State::Widened {
                by,
                runtime_default,
            },
        }
    };
    let Some(last) = c.seccomp.last() else {
        return match c.platform {
            Platform::Engine => on_default(false),
            Platform::Kubernetes => State::Unset,
        };
    };
    match &last.value {
        Seccomp::Unconfined => State::Unconfined,
        Seccomp::RuntimeDefault => on_default(true),
        // Docker's name for its own default profile.
        Seccomp::Profile { path, .. } if path == "builtin" => on_default(false),
        Seccomp::Profile { path, .. } => {
            let reference = parsed
                .profile_refs
                .iter()
                .find(|r| r.subject == c.name && r.at == last.at);
            let verdict = match reference.map(|r| &r.resolved) {
                Some(Ok(profile)) => match profile.known_default {
                    Some(known) => {
                        Verdict::EngineDefault(format!("{} {}", known.engine, known.version))
                    }
                    None => Verdict::Confining,
                },
                Some(Err(Unresolved::HostPath)) => Verdict::OnHost,
                Some(Err(why)) => Verdict::Unresolved(why.to_string()),
                None => Verdict::Unresolved("not resolved".into()),
            };
            State::Profile {
                path: path.clone(),
                verdict,
            }
        }
        Seccomp::Localhost(name) => State::Profile {
            path: format!("localhost/{name}"),
            verdict: Verdict::OnHost,
        },
        Seccomp::Templated => State::Templated,
        Seccomp::Inline(profile) => State::Profile {
            path: "(inline)".into(),
            verdict: match profile.0.known_default {
                Some(known) => {
                    Verdict::EngineDefault(format!("{} {}", known.engine, known.version))
                }
                None => Verdict::Confining,
            },
        },
    }
}

/// Names on each entry the findings that apply to it: a finding that names
/// the container and marks one of the places its settings are written, or
/// relates to one (a profile's findings point into the profile and relate
/// to the reference). A permissive profile's verdict is its finding's.
pub fn attach(entries: &mut [Entry], findings: &[Finding]) {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_name.entry(e.name.clone()).or_default().push(i);
    }
    for f in findings {
        let at = |l: &crate::source::Location| (l.source.path.clone(), l.span);
        let places: Vec<(PathBuf, Span)> = std::iter::once(at(&f.location))
            .chain(f.related.iter().map(|r| at(&r.location)))
            .collect();
        let candidates = f.subjects.iter().filter_map(|s| by_name.get(s)).flatten();
        for &i in candidates {
            let e = &mut entries[i];
            if !places.iter().any(|p| e.places.contains(p)) {
                continue;
            }
            let applied = Applied {
                rule: f.rule.id,
                level: f.level,
                suppressed: f.suppression.is_some(),
            };
            if !e.findings.contains(&applied) {
                e.findings.push(applied);
            }
            if f.rule.id == "seccomp-profile-permissive"
                && !applied.suppressed
                && let State::Profile { verdict, .. } = &mut e.seccomp
                && matches!(verdict, Verdict::Confining | Verdict::Permissive(_))
            {
                let worse = match verdict {
                    Verdict::Permissive(l) => (*l).max(f.level),
                    _ => f.level,
                };
                *verdict = Verdict::Permissive(worse);
            }
        }
    }
}

/// Whether any finding on any entry is at or above `min` and not suppressed.
pub fn fails(entries: &[Entry], min: Level) -> bool {
    entries
        .iter()
        .flat_map(|e| &e.findings)
        .any(|a| !a.suppressed && a.level >= min)
}
