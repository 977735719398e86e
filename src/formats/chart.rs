//! A Helm chart's settings outside its manifests: the values files
//! (`values.yaml`, `values-*.yaml` beside `Chart.yaml`) and the named
//! templates (`{{ define }}`, mostly in `templates/_*.tpl`).
//!
//! Neither is a manifest, but both hold the security contexts that the
//! chart's templates render into every release: a `securityContext`,
//! `containerSecurityContext` or `podSecurityContext` mapping at any depth
//! of `values.yaml` is what `{{ toYaml .Values.….securityContext }}` emits
//! unless the user overrides it, so `privileged: true` or
//! `seccompProfile: {type: Unconfined}` there is the chart's default for
//! every install. Bitnami's convention `enabled: false` in such a mapping
//! keeps the template from rendering it, so a disabled one is not read.
//!
//! Values are read the way Helm reads them: `pkg/chart/common/values.go`
//! (`ReadValues`) decodes with `sigs.k8s.io/yaml`, which is YAML 1.1 through
//! `go.yaml.in/yaml/v2` (`yes`, `on`, `y` are true), and `toYaml` writes the
//! decoded value back; see [`kubernetes::api_bool`]. Anchors, aliases and
//! `<<` merge keys come from the [`yaml`](crate::yaml) tree. The walk visits
//! each written node once with an explicit stack (an alias is followed to
//! read a security context, never to walk its target again), so time is
//! linear in the file and no recursion follows the input's depth.

use std::path::Path;
use std::sync::Arc;

use super::kubernetes::api_bool;
use crate::model::{Container, Parsed, Platform, Seccomp, Use, Value};
use crate::read::Reader;
use crate::source::{Location, Source, Span};
use crate::yaml::{Yaml, YamlRef};

/// The keys under which charts keep security contexts.
const KEYS: &[&str] = &[
    "securityContext",
    "containerSecurityContext",
    "podSecurityContext",
];

/// Whether `path` is a values file of a chart: `values.yaml`,
/// `values-<name>.yaml` (or `.yml`) beside a `Chart.yaml`.
pub fn is_values_file(path: &Path, reader: &Reader) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"));
    let values = stem.is_some_and(|s| s == "values" || s.starts_with("values-"));
    values && path.parent().is_some_and(|dir| has_chart_yaml(dir, reader))
}

/// Whether `path` lies in a chart's `templates/` folder.
pub fn in_chart(path: &Path, reader: &Reader) -> bool {
    path.ancestors()
        .skip(1)
        .filter(|dir| dir.file_name().is_some_and(|n| n == "templates"))
        .any(|dir| dir.parent().is_some_and(|c| has_chart_yaml(c, reader)))
}

fn has_chart_yaml(dir: &Path, reader: &Reader) -> bool {
    let chart = dir.join("Chart.yaml");
    chart.is_file() && reader.is_inside(&chart)
}

/// Every security context of a values file, each a default of the chart.
pub fn read_values(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    for root in yaml.roots() {
        walk(source, root, 0, out, |path| {
            format!("chart default `{path}`")
        });
    }
}

/// The security contexts of a named template's body, parsed on its own
/// (`offset` is where the body starts in the file).
pub fn read_named_template(
    source: &Arc<Source>,
    yaml: &Yaml,
    offset: usize,
    name: &str,
    out: &mut Parsed,
) {
    for root in yaml.roots() {
        walk(source, root, offset, out, |path| {
            format!("`{path}` of named template `{name}`")
        });
    }
}

/// The security contexts of a template that renders part of an object
/// rather than whole objects, named after the file.
pub fn read_fragment(
    source: &Arc<Source>,
    yaml: &Yaml,
    offset: usize,
    file: &str,
    out: &mut Parsed,
) {
    for root in yaml.roots() {
        walk(source, root, offset, out, |path| {
            format!("`{path}` in template `{file}`")
        });
    }
}

/// One step of the walk: a node, and the key path that leads to it (as an
/// index into the walk's list of path segments).
struct Step<'a> {
    node: YamlRef<'a>,
    path: Option<usize>,
}

fn walk(
    source: &Arc<Source>,
    root: YamlRef<'_>,
    offset: usize,
    out: &mut Parsed,
    describe: impl Fn(&str) -> String,
) {
    // Path segments as (key text, parent segment): a finding's path is built
    // only when there is one, so the walk stays linear.
    let mut segments: Vec<(String, Option<usize>)> = Vec::new();
    let mut stack = vec![Step {
        node: root,
        path: None,
    }];
    let at = |span: Span| Location::new(source, Span::new(span.start + offset, span.end + offset));
    while let Some(Step { node, path }) = stack.pop() {
        if node.is_sequence() {
            for item in node.items().into_iter().rev() {
                if item.used_at().is_none() {
                    stack.push(Step { node: item, path });
                }
            }
            continue;
        }
        let mut children = Vec::new();
        for (key, value) in node.pairs() {
            let Some(name) = key.as_str() else { continue };
            if KEYS.contains(&name) && value.is_mapping() {
                segments.push((name.to_string(), path));
                let full = dotted(&segments, segments.len() - 1);
                if let Some(c) = security_context(key, value, &at, describe(&full)) {
                    out.containers.push(c);
                }
                continue;
            }
            if value.used_at().is_none() && (value.is_mapping() || value.is_sequence()) {
                segments.push((name.to_string(), path));
                children.push(Step {
                    node: value,
                    path: Some(segments.len() - 1),
                });
            }
        }
        stack.extend(children.into_iter().rev());
    }
}

fn dotted(segments: &[(String, Option<usize>)], mut at: usize) -> String {
    let mut parts = vec![segments[at].0.as_str()];
    while let Some(parent) = segments[at].1 {
        parts.push(segments[parent].0.as_str());
        at = parent;
    }
    parts.reverse();
    parts.join(".")
}

/// A security context that disables seccomp, as a container of its own:
/// `privileged: true`, or `seccompProfile.type: Unconfined`. Its profile is
/// otherwise the template's business ([`Seccomp::Templated`]), so an unset
/// profile here is not a finding.
fn security_context(
    key: YamlRef<'_>,
    context: YamlRef<'_>,
    at: &impl Fn(Span) -> Location,
    name: String,
) -> Option<Container> {
    if context
        .get("enabled")
        .and_then(|e| api_bool(e))
        .is_some_and(|on| !on)
    {
        return None;
    }
    fn value<T>(node: YamlRef<'_>, v: T, at: &impl Fn(Span) -> Location) -> Value<T> {
        let mut value = Value::new(v, at(node.span()));
        if let Some(alias) = node.used_at() {
            value
                .used_at
                .push(Use::new(at(alias), "applied through this alias to"));
        }
        value
    }
    let privileged = context
        .get("privileged")
        .and_then(|p| Some(value(p, api_bool(p)?, at)))
        .filter(|p| p.value);
    let unconfined = context
        .get("seccompProfile")
        .and_then(|p| p.get("type"))
        .filter(|t| t.as_str() == Some("Unconfined"))
        .map(|t| value(t, Seccomp::Unconfined, at));
    if privileged.is_none() && unconfined.is_none() {
        return None;
    }
    let mut container = Container::new(name, Platform::Kubernetes, at(key.span()));
    container.privileged = privileged;
    container.seccomp =
        vec![unconfined.unwrap_or_else(|| Value::new(Seccomp::Templated, at(key.span())))];
    Some(container)
}
