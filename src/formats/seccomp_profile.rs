//! Seccomp profiles (the OCI / Docker JSON format), read with positions, and
//! the resolution of every `seccomp=PATH` reference to one.
//!
//! Profiles are strict JSON (Docker reads them with Go's `encoding/json`),
//! parsed through [`super::json`] with comments and trailing commas off.
//! What the engine would reject (an unknown `SCMP_ACT_*`, a name that is
//! not a syscall identifier, a missing `defaultAction`) makes the document
//! invalid: a diagnostic when the file is scanned on its own, and
//! `seccomp-profile-unresolved` at a reference that points to it.
//!
//! References resolve as the engine would: Docker and Podman read the path
//! relative to their working directory, which the repository cannot know,
//! so seccheck takes each format's convention — Compose resolves against
//! the Compose file's directory (its own documented rule), every other
//! format against the directory of the file that holds the reference (the
//! `base` each format records). Reads go through
//! [`Reader::read_referenced`]: nothing outside the scanned roots, no
//! symlink escape.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use jsonc_parser::ast::{Object, Value as Json};

use super::json;
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{
    Action, Parsed, ProfileRef, Seccomp, SeccompProfile, SyscallRule, Unresolved, Value,
};
use crate::read::{Reader, normalize};
use crate::source::{Location, Source};

/// Docker's default profile, vendored with its provenance (vendor/README.md).
const DOCKER_DEFAULT: &str = include_str!("../../vendor/docker-default-seccomp.json");

/// The capabilities Docker grants every container (moby
/// `oci/caps/defaults.go` `DefaultCapabilities`): a profile rule gated on
/// one of these applies to an ordinary container.
const DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// Syscalls Docker's default profile lets an ordinary container (one with
/// the default capabilities) make: named by an `SCMP_ACT_ALLOW` rule that is
/// not conditioned on any other capability (`includes.caps`). Argument filters are not held against a name here:
/// a custom rule with no arguments for such a name is not reported.
static DEFAULT_ALLOWED: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    let doc: serde_json::Value =
        serde_json::from_str(DOCKER_DEFAULT).expect("the vendored default profile is JSON");
    let mut allowed = std::collections::HashSet::new();
    for rule in doc["syscalls"].as_array().into_iter().flatten() {
        if rule["action"] != "SCMP_ACT_ALLOW" {
            continue;
        }
        // A capability every container holds does not gate anything.
        let gated = rule["includes"]["caps"].as_array().is_some_and(|caps| {
            caps.iter()
                .any(|c| !c.as_str().is_some_and(|c| DEFAULT_CAPS.contains(&c)))
        });
        if gated {
            continue;
        }
        for name in rule["names"].as_array().into_iter().flatten() {
            if let Some(n) = name.as_str() {
                allowed.insert(n.to_string());
            }
        }
    }
    allowed
});

/// Whether Docker's default profile lets an ordinary container make `name`.
pub fn allowed_by_default(name: &str) -> bool {
    DEFAULT_ALLOWED.contains(name)
}

/// `defaultAction` plus `syscalls` at the top level: the shape that makes a
/// `*.json` file a profile worth judging on its own.
pub fn has_profile_shape(text: &str) -> bool {
    text.contains("defaultAction") && text.contains("syscalls")
}

/// Reads a file scanned on its own (a `*.json` with the profile shape).
pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let Some(doc) = json::parse_or_report(source, false, out) else {
        return;
    };
    let Some(root) = doc.root.as_ref().and_then(Json::as_object) else {
        return;
    };
    if root.get("defaultAction").is_none() || root.get("syscalls").is_none() {
        return;
    }
    match profile(source, root) {
        Ok(p) => out.profile = Some(Arc::new(p)),
        Err((offset, message)) => out.diagnostics.push(Diagnostic::at(
            source,
            offset,
            Problem::Shape {
                format: "JSON",
                expected: "seccomp profile",
                message,
            },
        )),
    }
}

/// Parses a whole profile document, or says why the engine would refuse it.
pub fn parse(source: &Arc<Source>) -> Result<SeccompProfile, (usize, String)> {
    // Docker, Podman and runc load profiles with Go's `encoding/json`,
    // which has no case for a byte-order mark (`invalid character 'ï'`).
    if source.bom {
        return Err((
            0,
            "the file starts with a UTF-8 byte-order mark, which the engine's JSON decoder \
             (Go encoding/json) refuses"
                .to_string(),
        ));
    }
    let doc = json::parse(&source.text, false).map_err(|e| (e.offset, e.message))?;
    let root = doc
        .root
        .as_ref()
        .and_then(Json::as_object)
        .ok_or((0, "the document is not a JSON object".to_string()))?;
    profile(source, root)
}

fn profile(source: &Arc<Source>, root: &Object<'_>) -> Result<SeccompProfile, (usize, String)> {
    let at = |v: &Json<'_>| Location::new(source, json::span(v));
    let default = root
        .get("defaultAction")
        .ok_or((0, "no `defaultAction`".to_string()))?;
    let default_action = action(&default.value, source)?;
    let mut rules = Vec::new();
    if let Some(list) = root.get("syscalls") {
        let Json::Array(list) = &list.value else {
            return Err((
                json::span(&list.value).start,
                "`syscalls` is not a list".into(),
            ));
        };
        for item in &list.elements {
            let Json::Object(rule) = item else {
                return Err((
                    json::span(item).start,
                    "a `syscalls` entry is not an object".into(),
                ));
            };
            let mut names = Vec::new();
            for key in ["names", "name"] {
                let Some(prop) = rule.get(key) else { continue };
                let values: Vec<&Json<'_>> = match &prop.value {
                    Json::Array(a) => a.elements.iter().collect(),
                    v => vec![v],
                };
                for v in values {
                    let Json::StringLit(s) = v else {
                        return Err((json::span(v).start, format!("`{key}` holds a non-string")));
                    };
                    if s.value.is_empty()
                        || !s
                            .value
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    {
                        return Err((
                            json::span(v).start,
                            format!("`{}` is not a syscall name", s.value),
                        ));
                    }
                    names.push(Value::new(s.value.to_string(), at(v)));
                }
            }
            let action_prop = rule.get("action").ok_or((
                json::span(item).start,
                "a `syscalls` entry has no `action`".into(),
            ))?;
            let action = action(&action_prop.value, source)?;
            let non_empty = |key: &str| match rule.get(key).map(|p| &p.value) {
                None | Some(Json::NullKeyword(_)) => false,
                Some(Json::Array(a)) => !a.elements.is_empty(),
                Some(Json::Object(o)) => o.properties.iter().any(|p| match &p.value {
                    Json::Array(a) => !a.elements.is_empty(),
                    Json::StringLit(s) => !s.value.is_empty(),
                    Json::NullKeyword(_) => false,
                    _ => true,
                }),
                Some(_) => true,
            };
            let includes_beyond_arches = match rule.get("includes").map(|p| &p.value) {
                Some(Json::Object(o)) => o.properties.iter().any(|p| {
                    p.name.as_str() != "arches"
                        && match &p.value {
                            Json::Array(a) => !a.elements.is_empty(),
                            Json::StringLit(s) => !s.value.is_empty(),
                            Json::NullKeyword(_) => false,
                            _ => true,
                        }
                }),
                _ => false,
            };
            rules.push(SyscallRule {
                names,
                action,
                unconditional: !non_empty("args")
                    && !non_empty("excludes")
                    && !includes_beyond_arches,
            });
        }
    }
    Ok(SeccompProfile {
        at: Location::new(source, crate::source::Span::new(0, source.text.len())),
        default_action,
        rules,
    })
}

fn action(v: &Json<'_>, source: &Arc<Source>) -> Result<Value<Action>, (usize, String)> {
    let span = json::span(v);
    let Json::StringLit(s) = v else {
        return Err((span.start, "an action is not a string".into()));
    };
    let a = Action::parse(&s.value)
        .ok_or((span.start, format!("`{}` is not a seccomp action", s.value)))?;
    Ok(Value::new(a, Location::new(source, span)))
}

/// Profiles already resolved during this scan, by normalised path: a
/// profile referenced by a hundred services is read and parsed once.
#[derive(Default)]
pub struct Cache {
    profiles: Mutex<HashMap<PathBuf, Result<Arc<SeccompProfile>, Unresolved>>>,
}

/// Resolves every profile reference in one file's model (containers and
/// daemons) into `parsed.profile_refs`.
pub fn resolve_references(parsed: &mut Parsed, reader: &Reader, cache: &Cache) {
    let mut wanted: Vec<(String, Location, PathBuf)> = Vec::new();
    let settings = parsed
        .containers
        .iter()
        .flat_map(|c| c.seccomp.iter().map(move |s| (&c.name, s)))
        .chain(
            parsed
                .daemons
                .iter()
                .flat_map(|d| d.seccomp.iter().map(move |s| (&d.name, s))),
        );
    for (subject, setting) in settings {
        if let Seccomp::Profile { path, base } = &setting.value {
            // Docker's name for its own default profile, not a file.
            if path == "builtin" {
                continue;
            }
            let full = normalize(&base.join(path));
            wanted.push((subject.clone(), setting.at.clone(), full));
        }
    }
    for (subject, at, path) in wanted {
        let resolved = resolve(&path, reader, cache);
        if matches!(resolved, Err(Unresolved::NotAFile)) {
            parsed.diagnostics.push(Diagnostic::at(
                &at.source,
                at.span.start,
                Problem::Io(std::io::Error::other(format!(
                    "seccomp profile `{}` is not a regular file (a directory or a FIFO?)",
                    path.display()
                ))),
            ));
        }
        parsed.profile_refs.push(ProfileRef {
            subject,
            at,
            resolved,
        });
    }
}

fn resolve(path: &Path, reader: &Reader, cache: &Cache) -> Result<Arc<SeccompProfile>, Unresolved> {
    if let Some(hit) = lock(cache).get(path) {
        return hit.clone();
    }
    let result = load(path, reader);
    lock(cache).insert(path.to_path_buf(), result.clone());
    result
}

fn lock(
    cache: &Cache,
) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Result<Arc<SeccompProfile>, Unresolved>>> {
    cache.profiles.lock().unwrap_or_else(|e| e.into_inner())
}

fn load(path: &Path, reader: &Reader) -> Result<Arc<SeccompProfile>, Unresolved> {
    // symlink_metadata first: a dangling link is missing, a link out of the
    // tree is refused by `read_referenced` below.
    if std::fs::symlink_metadata(path).is_err() {
        return Err(Unresolved::Missing);
    }
    if !reader.is_inside(path) {
        return Err(Unresolved::OutsideRoot);
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(Unresolved::NotAFile),
        Err(_) => return Err(Unresolved::Missing),
    }
    let source = reader
        .read_referenced(path)
        .map_err(|p| Unresolved::Invalid(p.to_string()))?;
    parse(&source).map(Arc::new).map_err(|(offset, why)| {
        let p = source.position(offset);
        Unresolved::Invalid(format!("{why} (line {}, column {})", p.line, p.column))
    })
}
