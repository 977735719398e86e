//! Ansible tasks that run containers: `community.docker.docker_container`
//! (also `docker_container` and the older `community.general.` name) and
//! `containers.podman.podman_container` (also `podman_container`), in
//! playbooks (`tasks`, `pre_tasks`, `post_tasks`, `handlers`, `block`/
//! `rescue`/`always`) and in roles' task files (`roles/*/tasks/*.yml`, a
//! list of tasks) alike: every mapping below a document whose root is a
//! list is looked at, with an explicit stack.
//!
//! The options, from the modules' argument specs: docker_container has
//! `privileged` (bool), `security_opts` (list of str), `capabilities` and
//! `cap_drop` (list of str); podman_container has `privileged`,
//! `security_opt`, `cap_add` (alias `capabilities`) and `cap_drop`. Both
//! take `name` and `image`. Arguments are a mapping under the module key,
//! the legacy `key=value` string (`docker_container: name=web
//! privileged=yes`), or the mapping under `args:`.
//!
//! Values as Ansible reads them: the file through PyYAML (YAML 1.1: a plain
//! `yes`/`on` is a boolean), then each option converted to its type by
//! `AnsibleModule` — a `bool` option through `boolean()`
//! (`module_utils/parsing/convert_bool.py`: the strings `y`, `yes`, `on`,
//! `1`, `true`, `t` and their negatives, in any case, quoted or not), a
//! `list` option given as a string split on commas (`check_type_list`). A
//! value holding Jinja (`{{ … }}`, `{% … %}`) is known only once Ansible
//! renders it: never judged. (Unquoted Jinja at the start of a value is not
//! YAML, and Ansible refuses it too, so no masking is needed here.)

use std::sync::Arc;

use crate::model::{Capability, Container, Parsed, Platform, SecurityOpt, Value};
use crate::source::{Location, Source, Span};
use crate::yaml::{Yaml, YamlRef};

/// The module names, each with the spelling of its options.
const MODULES: &[(&str, Options)] = &[
    ("community.docker.docker_container", DOCKER),
    ("community.general.docker_container", DOCKER),
    ("docker_container", DOCKER),
    ("containers.podman.podman_container", PODMAN),
    ("podman_container", PODMAN),
];

#[derive(Clone, Copy)]
struct Options {
    module: &'static str,
    security_opts: &'static str,
    cap_add: &'static [&'static str],
}

const DOCKER: Options = Options {
    module: "docker_container",
    security_opts: "security_opts",
    cap_add: &["capabilities"],
};

const PODMAN: Options = Options {
    module: "podman_container",
    security_opts: "security_opt",
    cap_add: &["cap_add", "capabilities"],
};

/// Whether a YAML text may hold such a task (a cheap test before the walk).
pub fn mentions_modules(text: &str) -> bool {
    text.contains("docker_container") || text.contains("podman_container")
}

/// Reads every container task of every document whose root is a list.
pub fn read(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    let base = source
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    for root in yaml.roots().filter(|r| r.is_sequence()) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if node.is_sequence() {
                stack.extend(
                    node.items()
                        .into_iter()
                        .rev()
                        .filter(|i| i.used_at().is_none()),
                );
                continue;
            }
            let mut task = None;
            for (key, value) in node.pairs() {
                if let Some(&(_, options)) = MODULES.iter().find(|(m, _)| key.as_str() == Some(m)) {
                    task = Some((key, value, options));
                } else if value.used_at().is_none() && (value.is_mapping() || value.is_sequence()) {
                    stack.push(value);
                }
            }
            if let Some((key, value, options)) = task {
                let args = match node.get("args").filter(|a| a.is_mapping()) {
                    Some(args) if value.is_null() => Args::Mapping(args),
                    _ if value.is_mapping() => Args::Mapping(value),
                    _ => Args::Words(words(source, value)),
                };
                // A task that removes the container runs nothing.
                if matches!(args.get(source, "state"), Some(Arg::Scalar(s)) if s.value == "absent")
                {
                    continue;
                }
                out.containers
                    .push(container(source, node, key, &args, options, &base));
            }
        }
    }
}

/// A task's arguments: a mapping, or `key=value` words.
enum Args<'a> {
    Mapping(YamlRef<'a>),
    Words(Vec<(String, Value<String>)>),
}

/// One argument as written: a scalar with its place, or a list's items.
enum Arg {
    Scalar(Value<String>),
    List(Vec<Value<String>>),
}

impl Args<'_> {
    fn get(&self, source: &Arc<Source>, key: &str) -> Option<Arg> {
        let scalar = |node: YamlRef<'_>| -> Option<Value<String>> {
            Some(Value::new(
                node.as_str()?.to_string(),
                Location::new(source, node.span()),
            ))
        };
        match self {
            Args::Mapping(m) => {
                let v = m.get(key)?;
                if v.is_sequence() {
                    Some(Arg::List(
                        v.items().into_iter().filter_map(scalar).collect(),
                    ))
                } else {
                    scalar(v).map(Arg::Scalar)
                }
            }
            Args::Words(words) => words
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| Arg::Scalar(v.clone())),
        }
    }
}

fn container(
    source: &Arc<Source>,
    task: YamlRef<'_>,
    module: YamlRef<'_>,
    args: &Args<'_>,
    options: Options,
    base: &std::path::Path,
) -> Container {
    let plain = |a: Option<Arg>| match a {
        Some(Arg::Scalar(v)) if !jinja(&v.value) => Some(v),
        _ => None,
    };
    let name = plain(args.get(source, "name"));
    let label = match (&name, task.get("name").and_then(|n| n.as_str())) {
        (Some(n), _) => format!("{} `{}`", options.module, n.value),
        (None, Some(t)) => format!("{} of task `{t}`", options.module),
        (None, None) => options.module.to_string(),
    };
    let at = name
        .as_ref()
        .map_or_else(|| Location::new(source, module.span()), |n| n.at.clone());
    let mut c = Container::new(label, Platform::Engine, at);
    c.image = plain(args.get(source, "image"));
    c.privileged = plain(args.get(source, "privileged"))
        .and_then(|v| Some(Value::new(boolean(&v.value)?, v.at)));
    for opt in list(source, args.get(source, options.security_opts)) {
        let Some(seccomp) = SecurityOpt::parse(&opt.value).seccomp(base) else {
            continue;
        };
        c.seccomp.push(Value::new(seccomp, opt.at));
    }
    let caps = |key: &str| list(source, args.get(source, key));
    for v in options.cap_add.iter().flat_map(|k| caps(k)) {
        if let Some(cap) = Capability::parse(&v.value) {
            c.capabilities.add.push(Value::new(cap, v.at));
        }
    }
    for v in caps("cap_drop") {
        if let Some(cap) = Capability::parse(&v.value) {
            c.capabilities.drop.push(Value::new(cap, v.at));
        }
    }
    c
}

/// A list option's items; a string is split on commas, as Ansible's
/// `check_type_list` does, each item at its place. Jinja items are dropped.
fn list(source: &Arc<Source>, arg: Option<Arg>) -> Vec<Value<String>> {
    let items = match arg {
        None => return Vec::new(),
        Some(Arg::List(items)) => items,
        Some(Arg::Scalar(v)) => {
            // Offsets inside the value are offsets in the file only when
            // it is written without escapes (plain, or quoted as is).
            let written = v.at.text();
            let inner = match written.find(&*v.value) {
                Some(k) => v.at.span.start + k,
                None => return vec![v],
            };
            let mut out = Vec::new();
            let mut offset = 0;
            for part in v.value.split(',') {
                let lead = part.len() - part.trim_start().len();
                let t = part.trim();
                let start = inner + offset + lead;
                out.push(Value::new(
                    t.to_string(),
                    Location::new(source, Span::new(start, start + t.len())),
                ));
                offset += part.len() + 1;
            }
            out
        }
    };
    items.into_iter().filter(|v| !jinja(&v.value)).collect()
}

fn jinja(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// `boolean()` of Ansible's `convert_bool.py`, for strings (YAML's own
/// booleans arrive here as their text, which the same sets hold).
fn boolean(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "on" | "1" | "true" | "t" | "1.0" => Some(true),
        "n" | "no" | "off" | "0" | "false" | "f" | "0.0" => Some(false),
        _ => None,
    }
}

/// The legacy `key=value` form (`docker_container: name=web image=nginx
/// privileged=yes`), split as Ansible's `parse_kv` splits it: on blanks
/// outside quotes, a quoted value without its quotes.
fn words(source: &Arc<Source>, value: YamlRef<'_>) -> Vec<(String, Value<String>)> {
    let Some(text) = value.as_str() else {
        return Vec::new();
    };
    let span = value.span();
    let written = source.slice(span);
    // Positions inside the scalar are the file's only when it is written
    // as it reads (a plain or a quoted scalar without escapes or folds).
    let Some(shift) = written.find(text) else {
        return Vec::new();
    };
    let origin = span.start + shift;
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        let mut quote = None;
        while i < b.len() && (quote.is_some() || !b[i].is_ascii_whitespace()) {
            match (quote, b[i]) {
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            i += 1;
        }
        let word = &text[start..i];
        let Some((key, raw)) = word.split_once('=') else {
            continue;
        };
        let value_start = start + key.len() + 1;
        let (value, offset) = match raw.as_bytes().first() {
            Some(q @ (b'"' | b'\'')) if raw.len() >= 2 && raw.as_bytes()[raw.len() - 1] == *q => {
                (&raw[1..raw.len() - 1], value_start + 1)
            }
            _ => (raw, value_start),
        };
        let at = Location::new(
            source,
            Span::new(origin + offset, origin + offset + value.len()),
        );
        out.push((key.to_string(), Value::new(value.to_string(), at)));
    }
    out
}
