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
use crate::model::capability::DEFAULT;
use crate::model::profile::{ArgFilter, Conditions};
use crate::model::{
    Action, Parsed, ProfileRef, Seccomp, SeccompProfile, SyscallRule, Unresolved, Value,
};
use crate::read::{Reader, normalize};
use crate::source::{Location, Source};

mod engine_defaults;

pub use engine_defaults::signature;

/// Docker's default profile, vendored with its provenance (vendor/README.md).
const DOCKER_DEFAULT: &str = include_str!("../../vendor/docker-default-seccomp.json");

/// Docker's current default profile, read once with the same parser as
/// every other profile: what a container without a profile option runs.
pub fn docker_default() -> &'static SeccompProfile {
    static PROFILE: LazyLock<SeccompProfile> = LazyLock::new(|| {
        let source = Source::new("vendor/docker-default-seccomp.json", DOCKER_DEFAULT);
        let doc = json::parse(&source.text, json::Dialect::Strict).ok();
        let root = doc.as_ref().and_then(|d| d.root.as_ref()?.as_object());
        let root = root.expect("the vendored default profile is a JSON object");
        match profile(&source, root) {
            Ok(p) => p,
            Err((_, why)) => panic!("the vendored default profile is invalid: {why}"),
        }
    });
    &PROFILE
}

/// Every syscall name libseccomp knows (vendored; see vendor/README.md).
const SYSCALL_NAMES: &str = include_str!("../../vendor/libseccomp-syscall-names.txt");

/// Whether libseccomp resolves `name` on some architecture: runc
/// (`libcontainer/seccomp`, `matchCall`) skips a rule for any other name.
pub fn is_syscall(name: &str) -> bool {
    static NAMES: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
        SYSCALL_NAMES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    });
    NAMES.contains(name)
}

/// How Docker's default profile treats a syscall for one container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultPass {
    /// Every call runs.
    All,
    /// Only calls whose arguments pass its filters (`clone` without
    /// namespace flags, `personality` with a few personas, `socket` but
    /// not `AF_VSOCK`).
    Some,
}

/// What Docker's default profile lets a container whose bounding set
/// satisfies `has_cap` call, by name.
///
/// The answer depends only on which of the profile's gating capabilities
/// (`includes.caps`/`excludes.caps`, a dozen names) the container holds, so
/// it is computed once per such set and shared: every container of a scan
/// asks, and rebuilding the table each time was most of a scan's time.
pub fn default_passes(has_cap: &dyn Fn(&str) -> bool) -> Arc<DefaultPasses> {
    static GATES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let mut caps: Vec<&'static str> = docker_default()
            .rules
            .iter()
            .flat_map(|r| r.includes.caps.iter().chain(&r.excludes.caps))
            .map(String::as_str)
            .collect();
        caps.sort_unstable();
        caps.dedup();
        caps
    });
    static CACHE: LazyLock<Mutex<HashMap<Vec<bool>, Arc<DefaultPasses>>>> =
        LazyLock::new(Default::default);
    let key: Vec<bool> = GATES.iter().map(|c| has_cap(c)).collect();
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(passes) = cache.get(&key) {
        return Arc::clone(passes);
    }
    let mut out = HashMap::new();
    for p in docker_default().passages(has_cap) {
        let pass = if p.filtered() {
            DefaultPass::Some
        } else {
            DefaultPass::All
        };
        let entry = out.entry(p.name.value.as_str()).or_insert(pass);
        if pass == DefaultPass::All {
            *entry = DefaultPass::All;
        }
    }
    let out = Arc::new(out);
    cache.insert(key, Arc::clone(&out));
    out
}

/// Syscall name → how Docker's default profile lets it through.
pub type DefaultPasses = HashMap<&'static str, DefaultPass>;

/// Whether Docker's default profile grants `name` only to a container with
/// some capability (`includes.caps`): the kernel checks that capability
/// again inside the call.
pub fn gated_by_default(name: &str) -> bool {
    docker_default().rules.iter().any(|r| {
        r.action.value.lets_through()
            && !r.includes.caps.is_empty()
            && r.names.iter().any(|n| n.value == name)
    })
}

/// `defaultAction` plus `syscalls` at the top level: the shape that makes a
/// `*.json` file a profile worth judging on its own.
pub fn has_profile_shape(text: &str) -> bool {
    text.contains("defaultAction") && text.contains("syscalls")
}

/// Reads a file scanned on its own (a `*.json` with the profile shape).
pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let Some(doc) = json::parse_or_report(source, json::Dialect::Strict, out) else {
        return;
    };
    let Some(root) = doc.root.as_ref().and_then(Json::as_object) else {
        return;
    };
    if root.get("defaultAction").is_none() || root.get("syscalls").is_none() {
        return;
    }
    match profile(source, root) {
        Ok(mut p) => {
            p.known_default = engine_defaults::recognise(&p);
            out.profile = Some(Arc::new(p));
        }
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
    let doc =
        json::parse(&source.text, json::Dialect::Strict).map_err(|e| (e.offset, e.message))?;
    let root = doc
        .root
        .as_ref()
        .and_then(Json::as_object)
        .ok_or((0, "the document is not a JSON object".to_string()))?;
    let mut p = profile(source, root)?;
    p.known_default = engine_defaults::recognise(&p);
    Ok(p)
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
                    // runc and crun skip a name libseccomp cannot resolve
                    // ("unknown seccomp syscall ignored"): it allows nothing.
                    if is_syscall(&s.value) {
                        names.push(Value::new(s.value.to_string(), at(v)));
                    }
                }
            }
            let action_prop = rule.get("action").ok_or((
                json::span(item).start,
                "a `syscalls` entry has no `action`".into(),
            ))?;
            let action = action(&action_prop.value, source)?;
            rules.push(SyscallRule {
                names,
                action,
                includes: conditions(rule.get("includes").map(|p| &p.value))?,
                excludes: conditions(rule.get("excludes").map(|p| &p.value))?,
                args: args(rule.get("args").map(|p| &p.value))?,
            });
        }
    }
    Ok(SeccompProfile {
        at: Location::new(source, crate::source::Span::new(0, source.text.len())),
        default_action,
        rules,
        known_default: None,
    })
}

/// `includes`/`excludes`: `caps` and `arches` lists, `minKernel` as
/// `"major.minor"` (Docker refuses anything else).
fn conditions(value: Option<&Json<'_>>) -> Result<Conditions, (usize, String)> {
    let mut out = Conditions::default();
    let Some(Json::Object(o)) = value else {
        return Ok(out);
    };
    for (key, list) in [("caps", &mut out.caps), ("arches", &mut out.arches)] {
        if let Some(Json::Array(a)) = o.get(key).map(|p| &p.value) {
            for v in &a.elements {
                let Json::StringLit(s) = v else {
                    return Err((json::span(v).start, format!("`{key}` holds a non-string")));
                };
                list.push(s.value.to_string());
            }
        }
    }
    // moby/profiles `KernelVersion.UnmarshalJSON`: "" is no condition;
    // otherwise exactly two parts, each fitting a byte, not "0.0".
    if let Some(prop) = o
        .get("minKernel")
        .filter(|p| !matches!(p.value, Json::NullKeyword(_)))
    {
        let bad = || {
            (
                json::span(&prop.value).start,
                "`minKernel` is not a kernel version like \"4.8\"".to_string(),
            )
        };
        let Json::StringLit(s) = &prop.value else {
            return Err(bad());
        };
        if !s.value.is_empty() {
            let (major, minor) = s.value.split_once('.').ok_or_else(bad)?;
            let major: u8 = major.parse().map_err(|_| bad())?;
            let minor: u8 = minor.parse().map_err(|_| bad())?;
            if (major, minor) == (0, 0) {
                return Err(bad());
            }
            out.min_kernel = Some((major.into(), minor.into()));
        }
    }
    Ok(out)
}

/// `args`: each `{index, value, valueTwo, op}` kept as written.
fn args(value: Option<&Json<'_>>) -> Result<Vec<ArgFilter>, (usize, String)> {
    let Some(Json::Array(a)) = value else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for v in &a.elements {
        let Json::Object(o) = v else {
            return Err((
                json::span(v).start,
                "an `args` entry is not an object".into(),
            ));
        };
        let field = |key: &str| match o.get(key).map(|p| &p.value) {
            Some(Json::NumberLit(n)) => n.value.to_string(),
            Some(Json::StringLit(s)) => s.value.to_string(),
            _ => String::new(),
        };
        out.push(ArgFilter {
            index: field("index"),
            value: field("value"),
            value_two: field("valueTwo"),
            op: field("op"),
        });
    }
    Ok(out)
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

/// Where the kubelet looks for `Localhost` profiles (its `--root-dir`,
/// `/var/lib/kubelet`, plus `seccomp`; kubelet `SeccompProfileRoot`).
const KUBELET_SECCOMP_ROOT: &str = "/var/lib/kubelet/seccomp";

/// Resolves every profile reference in one file's model (containers and
/// daemons) into `parsed.profile_refs`.
///
/// A relative path resolves against the `base` its format recorded (and,
/// for files whose commands run from an unknown directory, also against the
/// repository root: either counts). An absolute path — and a Kubernetes
/// `Localhost` profile, which lives under the kubelet's seccomp root — names
/// a file on the machine that runs the container: inside the repository it
/// is read; otherwise the repository's copy at the same path below its root
/// (a dotfiles repository's `etc/docker/seccomp.json`) is judged when there
/// is one, and without one the reference cannot be judged here.
pub fn resolve_references(parsed: &mut Parsed, reader: &Reader, cache: &Cache) {
    // (subject, reference, capabilities, as written, paths to try, on the host)
    type Wanted = (
        String,
        Location,
        Vec<&'static str>,
        String,
        Vec<PathBuf>,
        bool,
    );
    let mut wanted: Vec<Wanted> = Vec::new();
    let settings = parsed
        .containers
        .iter()
        .flat_map(|c| {
            let caps: Vec<&'static str> =
                c.capabilities.effective(c.platform).into_keys().collect();
            c.seccomp.iter().map(move |s| (&c.name, caps.clone(), s))
        })
        .chain(parsed.daemons.iter().flat_map(|d| {
            d.seccomp
                .iter()
                .map(move |s| (&d.name, DEFAULT.to_vec(), s))
        }));
    for (subject, caps, setting) in settings {
        let (written, candidates, host) = match &setting.value {
            // Docker's name for its own default profile, not a file.
            Seccomp::Profile { path, .. } if path == "builtin" => continue,
            Seccomp::Profile { path, .. } if Path::new(path).is_absolute() => {
                (path.clone(), vec![normalize(Path::new(path))], true)
            }
            Seccomp::Profile { path, base } => {
                let mut candidates = vec![normalize(&base.join(path))];
                if parsed.relative_to_root_too
                    && let Some(root) = reader.repository_of(&setting.at.source.path)
                {
                    let at_root = normalize(&root.join(path));
                    if !candidates.contains(&at_root) {
                        candidates.push(at_root);
                    }
                }
                (path.clone(), candidates, false)
            }
            // The API server refuses `Localhost` without a profile name.
            Seccomp::Localhost(name) if name.is_empty() => continue,
            Seccomp::Localhost(name) => (
                name.clone(),
                vec![normalize(&Path::new(KUBELET_SECCOMP_ROOT).join(name))],
                true,
            ),
            Seccomp::Inline(profile) => {
                parsed.profile_refs.push(ProfileRef {
                    subject: subject.clone(),
                    at: setting.at.clone(),
                    capabilities: caps,
                    written: "(inline)".into(),
                    tried: Vec::new(),
                    host_copy: None,
                    resolved: Ok(Arc::clone(&profile.0)),
                });
                continue;
            }
            Seccomp::Unconfined | Seccomp::RuntimeDefault | Seccomp::Templated => continue,
        };
        wanted.push((
            subject.clone(),
            setting.at.clone(),
            caps,
            written,
            candidates,
            host,
        ));
    }
    for (subject, at, capabilities, written, tried, host) in wanted {
        let (resolved, host_copy) = if host {
            resolve_host(&tried[0], reader, cache)
        } else {
            let resolved = tried
                .iter()
                .map(|p| resolve(p, reader, cache))
                .find(|r| !matches!(r, Err(Unresolved::Missing)))
                .unwrap_or(Err(Unresolved::Missing));
            (resolved, None)
        };
        parsed.profile_refs.push(ProfileRef {
            subject,
            at,
            capabilities,
            written,
            tried,
            host_copy,
            resolved,
        });
    }
}

/// A path on the host: read when it lies in the repository; else its copy
/// below a repository root, when there is one (with that copy's path).
fn resolve_host(
    path: &Path,
    reader: &Reader,
    cache: &Cache,
) -> (Result<Arc<SeccompProfile>, Unresolved>, Option<PathBuf>) {
    if reader.is_inside(path) {
        return (resolve(path, reader, cache), None);
    }
    let below_root = path.strip_prefix("/").unwrap_or(path);
    for root in reader.repositories() {
        let copy = root.join(below_root);
        if copy.symlink_metadata().is_ok() {
            let shown = display(&copy);
            return (resolve(&shown, reader, cache), Some(shown));
        }
    }
    (Err(Unresolved::HostPath), None)
}

/// A repository path as messages and reports show it: relative to the
/// working directory when it lies inside it.
pub fn display(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) => match path.strip_prefix(&cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path.to_path_buf(),
        },
        Err(_) => path.to_path_buf(),
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
    // Never look outside the repository, not even whether a file exists.
    if reader.repository_of(path).is_none() {
        return Err(Unresolved::OutsideRoot);
    }
    // symlink_metadata first: a dangling link is missing, a link out of the
    // tree is refused.
    if std::fs::symlink_metadata(path).is_err() {
        return Err(Unresolved::Missing);
    }
    if !reader.is_inside(path) {
        return Err(Unresolved::OutsideRoot);
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(m) => {
            return Err(Unresolved::NotAFile {
                directory: m.is_dir(),
            });
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_min_kernel(v: &str) -> Result<SeccompProfile, (usize, String)> {
        let text = format!(
            r#"{{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{{"names": ["read", "nosuchcall"], "action": "SCMP_ACT_ALLOW", "includes": {{"minKernel": {v}}}}}]}}"#
        );
        parse(&Source::new("p.json", text))
    }

    #[test]
    fn min_kernel_reads_as_docker_reads_it() {
        assert_eq!(
            with_min_kernel(r#""4.8""#).unwrap().rules[0]
                .includes
                .min_kernel,
            Some((4, 8))
        );
        assert_eq!(
            with_min_kernel(r#""""#).unwrap().rules[0]
                .includes
                .min_kernel,
            None
        );
        assert_eq!(
            with_min_kernel("null").unwrap().rules[0]
                .includes
                .min_kernel,
            None
        );
        for bad in [r#""4.8.0""#, r#""4""#, r#""0.0""#, r#""300.1""#, "4.8"] {
            assert!(with_min_kernel(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_syscall_names_are_dropped() {
        let p = with_min_kernel(r#""4.8""#).unwrap();
        let names: Vec<&str> = p.rules[0].names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(names, ["read"]);
    }
}
